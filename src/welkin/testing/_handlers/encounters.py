"""Encounters: a patient's full encounters (with disposition, assessments and comments) and
the encounters of a user."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from .._routes import Call, Handler, RejectedError

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS"]

JSONObject = dict[str, Any]


def _full(store: Store, patient_path: str, encounter: JSONObject) -> JSONObject:
    base = f"{patient_path}/encounters/{encounter['id']}"
    disposition = next(iter(store.collections.get(f"{base}/disposition", {}).values()), None)
    return {
        "encounter": encounter,
        "disposition": disposition or store.documents.get(f"{base}/disposition"),
        "calendarEvent": None,
        "userRelatedToCalendarEvent": None,
        "assessmentLinks": list(store.collections.get(f"{base}/assessments", {}).values()),
        "comments": list(store.collections.get(f"{base}/comments", {}).values()),
    }


def _list_full(store: Store, call: Call) -> httpx.Response:
    patient_path = call.path.removesuffix("/full-encounters")
    encounters = store.collections.get(f"{patient_path}/encounters", {}).values()
    return store.page(call, [_full(store, patient_path, e) for e in encounters])


def _get_full(store: Store, call: Call) -> httpx.Response:
    patient_path, _, key = call.path.rpartition("/full-encounters/")
    encounter = store.collections.get(f"{patient_path}/encounters", {}).get(key)
    if encounter is None:
        raise RejectedError(404, "NOT_FOUND", f"No encounter {key}")
    return httpx.Response(200, json=_full(store, patient_path, encounter))


def _of_user(store: Store, call: Call) -> httpx.Response:
    user_id = call.params["userId"]
    full = call.operation.id.endswith("_full")
    items = []
    for path, collection in store.collections.items():
        if not path.endswith("/encounters") or "/patients/" not in path:
            continue
        for encounter in collection.values():
            if encounter.get("jsonBody", {}).get("activeUserId") == user_id:
                items.append(_full(store, path.removesuffix("/encounters"), encounter))
    return store.page(call, items if full else [item["encounter"] for item in items])


HANDLERS = {
    "patients.encounters.list_full": Handler(_list_full),
    "patients.encounters.get_full": Handler(_get_full),
    "users.encounters.list": Handler(_of_user),
    "users.encounters.list_full": Handler(_of_user),
}
