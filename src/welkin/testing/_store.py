"""What the fake holds, and the CRUD every operation without a handler of its own gets.

Records live under their concrete path. A route's role (see ``_routes``) says what a call
does there:

- on a *collection*, POST creates a record and GET lists them with the operation's own
  envelope and paging;
- on an *item*, GET reads, PATCH merges, PUT replaces, DELETE removes; a missing key answers
  404;
- a *single document* is written by PUT or PATCH and read by GET (404 until written).

Records are shaped like the operation's response model: a CDT-record model (one with
``jsonBody``) gets the custom fields inside ``jsonBody`` next to Welkin's snake_case system
fields. Patients, users and tokens are kept apart: their handlers (``_handlers``) own them.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._pages import envelope
from ._routes import Call, RejectedError, parent_template, placeholder, routes

if TYPE_CHECKING:
    from welkin._operation import Operation

    from ._handlers.auth import Tokens

__all__ = ["Store"]

JSONObject = dict[str, Any]

_SYSTEM_FIELDS = frozenset(
    {"id", "created_at", "created_by", "created_by_name", "updated_at", "updated_by"}
    | {"updated_by_name"}
)
_NOT_FILTERS = frozenset({"page", "size", "sort", "pageSize", "pageToken", "start"})


class Store:
    """Every record the fake serves, and the tokens it issued."""

    def __init__(
        self, new_id: Callable[[], str], *, actor: str, actor_name: str, tokens: Tokens
    ) -> None:
        self.collections: dict[str, dict[str, JSONObject]] = {}
        self.documents: dict[str, JSONObject] = {}
        self.files: dict[str, tuple[bytes, str, str]] = {}  # storage key -> data, type, name
        self.patients: dict[str, JSONObject] = {}
        self.users: dict[str, JSONObject] = {}
        self.regions: dict[str, str] = {}  # user id -> the region the instance's list filters on
        self.tokens = tokens
        self.new_id = new_id
        #: The API client's user, who creates and updates what the API writes.
        self.actor = actor
        self.actor_name = actor_name

    def seed_designer(self, instance_root: str) -> None:
        """Store the small designer of ``_designer`` in the draft formation (``current`` too)."""
        from ._designer import DESIGNER, DISPOSITION

        draft = f"{instance_root}/formations/draft"
        for segment, objects in DESIGNER.items():
            collection = self.collections.setdefault(f"{draft}/{segment}", {})
            for obj in objects:
                collection[obj["name"]] = {"id": self.new_id(), **copy.deepcopy(obj)}
        self.documents[f"{draft}/encounter-disposition"] = {
            "id": self.new_id(),
            **copy.deepcopy(DISPOSITION),
        }

    # -- answers ----------------------------------------------------------------------------

    def respond(self, call: Call, body: Any, status: int) -> httpx.Response:
        """``body`` as the operation answers: 204 without a response model."""
        if call.operation.response is None:
            return httpx.Response(204)
        return httpx.Response(status, json=body)

    def page(self, call: Call, items: list[JSONObject]) -> httpx.Response:
        """``items`` as the operation lists them: the whole list, or the page the query asks
        for in the operation's envelope."""
        op = call.operation
        items = copy.deepcopy(items)
        if op.response_is_list or not op.pagination:
            return httpx.Response(200, json=items)
        return httpx.Response(200, json=envelope(op.pagination, items, call.query, call.path))

    # -- CRUD -------------------------------------------------------------------------------

    def crud(self, call: Call) -> httpx.Response:
        """The answer of an operation without a handler of its own, by its route's role."""
        op = call.operation
        role = call.route.role
        if role == "collection":
            if op.method == "POST":
                record = self._create(call, call.path)
                return self.respond(call, record, 201)
            if op.method == "GET" and (op.pagination or op.response_is_list):
                items = list(self.collections.get(call.path, {}).values())
                return self.page(call, _filtered(items, call.query))
            # A write or read on a collection path without a key: its single record.
            return self._document(call, self.collections.setdefault(call.path, {}))
        if role == "item":
            collection_path, _, key = call.path.rpartition("/")
            return self._item(call, collection_path, key)
        return self._document(call, None)

    def _aliases(self, op: Operation[Any]) -> set[str]:
        model = op.response
        fields = getattr(model, "model_fields", None)
        if not fields:
            return set()
        return {info.alias or name for name, info in fields.items()}

    def _create(self, call: Call, collection_path: str) -> JSONObject:
        collection = self.collections.setdefault(collection_path, {})
        body = copy.deepcopy(call.body) if isinstance(call.body, dict) else {}
        item_key = _item_placeholder(call.route.operation.path)
        if item_key and item_key.endswith("Name") and isinstance(body.get("name"), str):
            key = body["name"]
            if key in collection:
                raise RejectedError(400, "ALREADY_EXISTS", f"{key!r} already exists")
        else:
            key = self.new_id()
        record = self._shape(call, body, key)
        collection[key] = record
        return record

    def _shape(self, call: Call, body: JSONObject, key: str) -> JSONObject:
        aliases = self._aliases(call.operation)
        record_id = key if _is_uuid(key) else body.get("id") or self.new_id()
        if "jsonBody" in aliases and "jsonBody" not in body:
            system = {
                "id": record_id,
                "created_at": call.now,
                "created_by": self.actor,
                "created_by_name": "Fake API client",
                "updated_at": call.now,
                "updated_by": self.actor,
                "updated_by_name": "Fake API client",
            }
            record: JSONObject = {
                "id": record_id,
                "version": 1,
                "jsonBody": {**body, **system},
            }
            if "patientId" in call.params:
                record["patientId"] = call.params["patientId"]
            return record
        record = dict(body)
        if "id" in aliases or not aliases:  # an overview, say, has no id of its own
            record["id"] = record_id
        for field in ("createdAt", "updatedAt"):
            if field in aliases:
                record[field] = call.now
        if "createdBy" in aliases:
            record["createdBy"] = self.actor
        for name, value in call.params.items():  # patientId, userId, goalId... from the path
            if name.endswith("Id") and name in aliases:
                record.setdefault(name, value)
        return record

    def _merge(self, call: Call, record: JSONObject, replace: bool) -> JSONObject:
        body = copy.deepcopy(call.body) if isinstance(call.body, dict) else {}
        target = record
        if "jsonBody" in record and "jsonBody" not in body:
            target = record["jsonBody"]
            keep = {k: v for k, v in target.items() if k in _SYSTEM_FIELDS}
            if replace:
                target.clear()
            target.update(body)
            target.update(keep)
            target["updated_at"] = call.now
            return record
        keep = {k: target[k] for k in ("id", "createdAt", "createdBy") if k in target}
        if replace:
            target.clear()
        target.update(body)
        target.update(keep)
        if "updatedAt" in self._aliases(call.operation):
            target["updatedAt"] = call.now
        return record

    def _item(self, call: Call, collection_path: str, key: str) -> httpx.Response:
        collection = self.collections.setdefault(collection_path, {})
        record = collection.get(key)
        method = call.operation.method
        if record is None:
            # Where nothing creates or lists records (documents of one kind per name), a
            # write does; elsewhere a missing id is a 404.
            if method in ("PUT", "PATCH") and not _creatable(call):
                record = self._shape(call, copy.deepcopy(call.body or {}), key)
                collection[key] = record
                return self.respond(call, record, 200)
            raise RejectedError(404, "NOT_FOUND", f"No record {key}")
        if method == "GET":
            return self.respond(call, record, 200)
        if method == "DELETE":
            del collection[key]
            return self.respond(call, record, 200)
        # PUT replaces, except where Welkin calls it an update (SMS and email flags: starred...).
        replace = method == "PUT" and not call.operation.id.endswith(".update")
        return self.respond(call, self._merge(call, record, replace=replace), 200)

    def _document(self, call: Call, collection: dict[str, JSONObject] | None) -> httpx.Response:
        """A single record at the path: stored as the first item of ``collection`` or alone."""
        method = call.operation.method
        if collection is not None:
            current = next(iter(collection.values()), None)
        else:
            current = self.documents.get(call.path)
        if method == "GET":
            if current is None:
                raise RejectedError(404, "NOT_FOUND", "Nothing stored here yet")
            return self.respond(call, current, 200)
        if method == "DELETE":
            if current is None:
                raise RejectedError(404, "NOT_FOUND", "Nothing stored here yet")
            if collection is not None:
                collection.clear()
            else:
                del self.documents[call.path]
            return self.respond(call, current, 200)
        if current is None:
            current = self._shape(call, copy.deepcopy(call.body or {}), self.new_id())
            status = 201 if method == "POST" else 200
        else:
            current = self._merge(call, current, replace=method in ("PUT", "POST"))
            status = 200
        if collection is not None:
            collection.clear()
            collection[str(current.get("id", ""))] = current
        else:
            self.documents[call.path] = current
        return self.respond(call, current, status)


def _item_placeholder(collection_template: str) -> str | None:
    """The placeholder that names an item of this collection (``encounterId``...)."""
    for route in routes():
        template = route.operation.path
        if parent_template(template) == collection_template:
            return placeholder(template.rsplit("/", 1)[1])
    return None


def _creatable(call: Call) -> bool:
    """Whether records of the item's collection come from a POST, or are listed, on its path."""
    template = parent_template(call.operation.path)
    return any(
        r.operation.path == template and r.operation.method in ("POST", "GET") for r in routes()
    )


def _filtered(items: list[JSONObject], query: Mapping[str, str]) -> list[JSONObject]:
    """Items matching the list's filters: ``search``/``query`` look for the text in any text
    field; another parameter named like a field keeps the items whose field has that value
    (one of them, for a comma-separated list). Parameters no item has a field for (date
    ranges, phone numbers...) are not applied."""

    def fields(item: JSONObject) -> JSONObject:
        body = item.get("jsonBody")
        return {**body, **item} if isinstance(body, dict) else item

    for key, wanted in query.items():
        if key in _NOT_FILTERS or wanted == "":
            continue
        if key in ("search", "query"):
            text = wanted.casefold()
            items = [
                item
                for item in items
                if any(isinstance(v, str) and text in v.casefold() for v in fields(item).values())
            ]
        elif any(key in fields(item) for item in items):
            accepted = set(wanted.split(","))
            items = [item for item in items if _query_text(fields(item).get(key)) in accepted]
        elif key.endswith("Id") and any(_linked_ids(item, key[:-2]) for item in items):
            # assigneeId -> assignee.id; watcherId -> any of watchers[].id
            accepted = set(wanted.split(","))
            items = [item for item in items if _linked_ids(item, key[:-2]) & accepted]
    return items


def _linked_ids(item: JSONObject, name: str) -> set[str]:
    """Ids of the objects ``item`` links as ``name`` (``{id, ...}``) or ``names`` (a list)."""
    linked = item.get(name)
    many = item.get(f"{name}s")
    objects = [linked] if isinstance(linked, dict) else []
    if isinstance(many, list):
        objects += [obj for obj in many if isinstance(obj, dict)]
    return {str(obj["id"]) for obj in objects if obj.get("id") is not None}


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
