"""Users: the tenant's and the instance's lists and their filters, create, read by username, id
or email, update, replace, delete."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from .._pages import metainfo_page, paging
from .._routes import Call, Handler, RejectedError
from ._lists import bool_param, contains

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS", "build_user", "free_username", "store_user", "user_by_username"]

JSONObject = dict[str, Any]

_PROFILE_FIELDS = ("email", "phone", "timezone", "firstName", "lastName", "credentials")
_FIXED_FIELDS = frozenset({"id", "username", "createdAt", "updatedAt"})
_SEARCH_FIELDS = ("username", "email", "firstName", "lastName")
_STATES = frozenset({"ACTIVE", "INACTIVE", "PROVISIONED"})


def build_user(store: Store, fields: Mapping[str, Any], created_at: str) -> JSONObject:
    """A user of ``fields`` (camelCase), the missing ones filled as Welkin fills them."""
    user: JSONObject = {
        "id": store.new_id(),
        "username": None,
        **_defaults(),
        "createdAt": created_at,
        "updatedAt": created_at,
    }
    user.update(fields)
    return user


def store_user(store: Store, user: JSONObject, region: str | None) -> None:
    store.users[user["id"]] = user
    if region is not None:
        store.regions[user["id"]] = region


def user_by_username(store: Store, username: str) -> JSONObject | None:
    return next((u for u in store.users.values() if u.get("username") == username), None)


def free_username(store: Store, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``... if it is taken."""
    username, n = base, 1
    while user_by_username(store, username) is not None:
        n += 1
        username = f"{base}-{n}"
    return username


def _list(store: Store, call: Call) -> httpx.Response:
    return _page(store, call, region=None)


def _list_for_instance(store: Store, call: Call) -> httpx.Response:
    return _page(store, call, region=call.query.get("region") or None)


def _page(store: Store, call: Call, region: str | None) -> httpx.Response:
    page, size = paging(call.query)
    seat = bool_param(call.query, "seatAssigned")
    state = call.query.get("userState")
    if state is not None and state not in _STATES:
        raise RejectedError(400, "BAD_REQUEST", "userState must be ACTIVE, INACTIVE or PROVISIONED")
    needle = call.query.get("search", "").casefold()
    matches = [
        u
        for u in store.users.values()
        if (seat is None or u.get("seatAssigned") == seat)
        and (state is None or u.get("userState") == state)
        and (region is None or store.regions.get(u["id"]) == region)
        and (not needle or contains(u, _SEARCH_FIELDS, needle))
    ]
    content = matches[page * size : (page + 1) * size]
    return httpx.Response(200, json=metainfo_page(content, page, size, len(matches)))


def _create(store: Store, call: Call) -> httpx.Response:
    body = call.body
    if not isinstance(body, dict):
        raise RejectedError(400, "BAD_REQUEST", "User must be a JSON object")
    username = body.get("username")
    if not isinstance(username, str) or not username:
        raise RejectedError(400, "VALIDATION_ERROR", "username is required")
    if user_by_username(store, username) is not None:
        raise RejectedError(409, "ALREADY_EXISTS", "Username already exists")
    given = {k: v for k, v in body.items() if k not in _FIXED_FIELDS}
    user = build_user(store, {**given, "username": username}, call.now)
    store_user(store, user, None)
    return httpx.Response(201, json=user)


def _get(store: Store, call: Call) -> httpx.Response:
    return httpx.Response(200, json=_find(store, call))


def _update(store: Store, call: Call) -> httpx.Response:
    user = _find(store, call)
    body = call.body
    if not isinstance(body, dict):
        raise RejectedError(400, "BAD_REQUEST", "Patch must be a JSON object")
    if "username" in body and body["username"] != user["username"]:
        _check_new_username(store, body["username"])
    user.update({k: v for k, v in body.items() if k not in ("id", "createdAt")})
    user["updatedAt"] = call.now
    return httpx.Response(200, json=user)


def _replace(store: Store, call: Call) -> httpx.Response:
    user = _find(store, call)
    if not isinstance(call.body, dict):
        raise RejectedError(400, "BAD_REQUEST", "User must be a JSON object")
    replacement = {
        "id": user["id"],
        "username": user["username"],
        **_defaults(),
        "createdAt": user["createdAt"],
        "updatedAt": call.now,
        **{k: v for k, v in call.body.items() if k not in _FIXED_FIELDS},
    }
    # Mutate in place so the user keeps its position in the insertion-ordered dict.
    user.clear()
    user.update(replacement)
    return httpx.Response(200, json=user)


def _delete(store: Store, call: Call) -> httpx.Response:
    user = _find(store, call)
    del store.users[user["id"]]
    store.regions.pop(user["id"], None)
    return httpx.Response(204)


def _find(store: Store, call: Call) -> JSONObject:
    """The user the path names: by username, or by what ``type`` says (ID, EMAIL)."""
    key = call.path.rpartition("/")[2]
    kind = call.query.get("type", "").upper()
    if kind == "EMAIL":
        found = next((u for u in store.users.values() if u.get("email") == key), None)
    else:
        found = store.users.get(key) if kind == "ID" else user_by_username(store, key)
    if found is None:
        raise RejectedError(404, "NOT_FOUND", "User not found")
    return found


def _check_new_username(store: Store, username: Any) -> None:
    if not isinstance(username, str) or not username:
        raise RejectedError(400, "VALIDATION_ERROR", "username must be a non-empty string")
    if user_by_username(store, username) is not None:
        raise RejectedError(409, "ALREADY_EXISTS", "Username already exists")


def _defaults() -> JSONObject:
    return {**dict.fromkeys(_PROFILE_FIELDS), "userState": "ACTIVE", "seatAssigned": True}


def _own(handle: Callable[[Store, Call], httpx.Response]) -> Handler:
    return Handler(handle, component="USER", own_checks=True)


HANDLERS = {
    "users.list": _own(_list),
    "users.list_for_instance": _own(_list_for_instance),
    "users.create": _own(_create),
    "users.get": _own(_get),
    "users.get_by_username": _own(_get),
    "users.get_by_email": _own(_get),
    "users.update": _own(_update),
    "users.replace": _own(_replace),
    "users.delete": _own(_delete),
    "users.delete_by_username": _own(_delete),
}
