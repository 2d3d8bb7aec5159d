"""Patients: the list and its filters, create, read by id or another key, update, delete, and
the patients holding a record of a profile type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from .._pages import paging, spring_page
from .._routes import Call, Handler, RejectedError
from .._wire import iso
from ._lists import contains, sorted_by

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS", "build_patient"]

JSONObject = dict[str, Any]

_FIELDS = (
    "externalId",
    "externalGuid",
    "mrn",
    "firstName",
    "middleName",
    "lastName",
    "birthDate",
    "gender",
    "email",
    "phone",
    "country",
    "state",
    "city",
    "zip",
    "addressLine1",
    "addressLine2",
    "timezone",
)
_SYSTEM_FIELDS = frozenset(
    {"id", "createdAt", "updatedAt", "createdBy", "updatedBy", "createdByName", "updatedByName"}
)
_SEARCH_FIELDS = ("email", "firstName", "lastName", "phone")
_LOOKUPS: dict[str | None, str] = {
    None: "id",
    "ID": "id",
    "EID": "externalId",
    "EGUID": "externalGuid",
    "MRN": "mrn",
}


def build_patient(
    store: Store, fields: Mapping[str, Any], clock: Callable[[], float]
) -> JSONObject:
    """A patient of ``fields`` (camelCase), the missing ones filled as Welkin fills them."""
    created = fields.get("createdAt") or iso(clock())
    patient: JSONObject = {
        "id": fields.get("id") or store.new_id(),
        **dict.fromkeys(_FIELDS),
        "patientTerritories": [],
        "careTeam": [],
        "createdAt": created,
        "updatedAt": created,
        "createdBy": store.actor,
        "updatedBy": store.actor,
        "createdByName": store.actor_name,
        "updatedByName": store.actor_name,
    }
    patient.update(fields)
    return patient


def _list(store: Store, call: Call) -> httpx.Response:
    page, size = paging(call.query)
    matches = [p for p in store.patients.values() if _matches(p, call.query)]
    sort = call.query.get("sort")
    matches = sorted_by(matches, sort)
    content = matches[page * size : (page + 1) * size]
    return httpx.Response(200, json=spring_page(content, page, size, len(matches), sort=sort))


def _filter(store: Store, call: Call) -> httpx.Response:
    page, size = paging(call.query)
    if not isinstance(call.body, dict):
        raise RejectedError(400, "BAD_REQUEST", "Filter must be a JSON object")
    # Welkin's filter language is undocumented; the fake treats every key as a patient field
    # compared by equality, so an unknown key matches nobody instead of silently matching all.
    criteria = call.body
    matches = [
        p for p in store.patients.values() if all(p.get(k) == v for k, v in criteria.items())
    ]
    content = matches[page * size : (page + 1) * size]
    return httpx.Response(200, json=spring_page(content, page, size, len(matches)))


def _create(store: Store, call: Call) -> httpx.Response:
    body = call.body
    if not isinstance(body, dict):
        raise RejectedError(400, "BAD_REQUEST", "Patient must be a JSON object")
    for name in ("firstName", "lastName"):
        if name in body and not isinstance(body[name], str):
            raise RejectedError(400, "VALIDATION_ERROR", f"{name} must be a string")
    given = {k: v for k, v in body.items() if k not in _SYSTEM_FIELDS}
    patient = build_patient(store, {**given, "createdAt": call.now}, lambda: call.time)
    store.patients[patient["id"]] = patient
    return httpx.Response(201, json=patient)


def _get(store: Store, call: Call) -> httpx.Response:
    patient = _find(store, call)
    if call.query.get("expand", "").lower() == "true":  # anything else: no expansion
        patient = {**patient, "territorialTeam": _territorial_team(store, call, patient)}
    return httpx.Response(200, json=patient)


def _update(store: Store, call: Call) -> httpx.Response:
    patient = _find(store, call)
    if not isinstance(call.body, dict):
        raise RejectedError(400, "BAD_REQUEST", "Patch must be a JSON object")
    patient.update({k: v for k, v in call.body.items() if k != "id"})
    patient.update(updatedAt=call.now, updatedBy=store.actor, updatedByName=store.actor_name)
    return httpx.Response(200, json=patient)


def _delete(store: Store, call: Call) -> httpx.Response:
    del store.patients[_find(store, call)["id"]]
    return httpx.Response(204)


def _find(store: Store, call: Call) -> JSONObject:
    """The patient the path names, by the key ``type`` says (its id by default)."""
    kind = call.query.get("type")
    if kind not in _LOOKUPS:
        raise RejectedError(400, "BAD_REQUEST", "type must be EID, EGUID or MRN")
    field, key = _LOOKUPS[kind], call.path.rpartition("/")[2]
    if field == "id":
        found = store.patients.get(key)
    else:
        found = next((p for p in store.patients.values() if p.get(field) == key), None)
    if found is None:
        raise RejectedError(404, "NOT_FOUND", "Patient not found")
    return found


def _territorial_team(store: Store, call: Call, patient: Mapping[str, Any]) -> list[JSONObject]:
    """The users with a territory of the patient's (by their ``user-territories``)."""
    tenant, instance = call.params["tenant"], call.params["instance"]
    wanted = {
        (region.get("name"), territory)
        for region in patient.get("patientTerritories") or []
        for territory in region.get("territories") or []
    }
    team = []
    for user in store.users.values():
        document = store.documents.get(f"{tenant}/admin/user-territories/{user['id']}")
        held = {
            (region.get("name"), territory)
            for region in (document or {}).get("territories") or []
            if region.get("instanceName") in (None, instance)
            for territory in region.get("territories") or []
        }
        if wanted & held:
            team.append({k: user.get(k) for k in ("id", "username", "firstName", "lastName")})
    return team


def _with_profile_records(store: Store, call: Call) -> httpx.Response:
    """The patients with at least one record of the profile type."""
    root = f"{call.params['tenant']}/{call.params['instance']}/patients/"
    suffix = f"/pdts/{call.params['pdtName']}"
    holders = [
        store.patients[pid]
        for pid in store.patients
        if store.collections.get(f"{root}{pid}{suffix}")
    ]
    page, size = paging(call.query)
    content = holders[page * size : (page + 1) * size]
    return httpx.Response(200, json=spring_page(content, page, size, len(holders)))


def _matches(patient: Mapping[str, Any], query: Mapping[str, str]) -> bool:
    text = query.get("query")
    if text and not contains(patient, _SEARCH_FIELDS, text.casefold()):
        return False
    if "email" in query and patient.get("email") != query["email"]:
        return False
    # Welkin documents timezone= (empty) as "patients with no timezone".
    return "timezone" not in query or (patient.get("timezone") or "") == query["timezone"]


def _own(handle: Callable[[Store, Call], httpx.Response], component: str = "PATIENT") -> Handler:
    return Handler(handle, component=component, own_checks=True)


HANDLERS = {
    "patients.list": _own(_list),
    "patients.filter": _own(_filter),
    "patients.create": _own(_create),
    "patients.get": _own(_get),
    "patients.get_by_external_id": _own(_get),
    "patients.get_by_external_guid": _own(_get),
    "patients.get_by_mrn": _own(_get),
    "patients.update": _own(_update),
    "patients.delete": _own(_delete),
    "pdts.patients.list": _own(_with_profile_records, component="PDT"),
}
