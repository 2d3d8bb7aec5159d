"""The fake's routes for every operation of the registry, without a handler per endpoint.

Each operation's path template says what it touches:

- a *collection* template is one that takes a POST or a paged/listed GET
  (``patients/{patientId}/encounters``): POST creates a record there, GET lists them with
  the operation's own envelope and paging;
- an *item* template is a collection template plus one placeholder
  (``.../encounters/{encounterId}``): GET reads, PATCH merges, PUT replaces, DELETE removes;
  a missing key answers 404;
- anything else is a *single document* at its path (``admin/user-permissions/{userId}``,
  ``.../disposition``): PUT or PATCH writes it, GET reads it (404 until written).

Bodies are validated with the same models the SDK sends, and records are shaped like the
operation's response model: a CDT-record model (one with ``jsonBody``) gets the custom
fields inside ``jsonBody`` next to Welkin's snake_case system fields. A few endpoints whose
behaviour is not CRUD (chat, full encounters, file upload and download, dictionaries,
task actions, bulk CDT updates, exports) have small handlers of their own, keyed by
operation id.
"""

from __future__ import annotations

import base64
import copy
import email.parser
import email.policy
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from welkin._operation import Operation

JSONObject = dict[str, Any]

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
#: The fake publishes designer changes at once: ``current`` reads what ``draft`` holds.
_VERSION_ALIASES = {"current": "draft"}


class RejectedError(Exception):
    """Answer with a Welkin error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class GenericRoute:
    operation: Operation[Any]
    pattern: re.Pattern[str]
    role: str  # "collection", "item" or "document"
    specificity: tuple[int, int]


@dataclass
class GenericCall:
    """A request matched to an operation, as the handlers see it."""

    route: GenericRoute
    path: str  # the concrete path, formation versions normalised
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    content: bytes
    content_type: str
    now: str  # ISO timestamp

    @property
    def operation(self) -> Operation[Any]:
        return self.route.operation


def _regex(template: str) -> re.Pattern[str]:
    parts = []
    for segment in template.split("/"):
        match = _PLACEHOLDER.fullmatch(segment)
        if match is None:
            parts.append(re.escape(segment))
        elif match.group(1) == "instance":
            parts.append(r"(?P<instance>(?!admin$)[^/]+)")
        else:
            parts.append(f"(?P<{match.group(1)}>[^/]+)")
    return re.compile("/".join(parts))


def _parent(template: str) -> str | None:
    head, _, last = template.rpartition("/")
    return head if _PLACEHOLDER.fullmatch(last) else None


def build_routes(operations: Iterable[Operation[Any]]) -> list[GenericRoute]:
    """Routes for the operations, most specific first (literal segments beat placeholders)."""
    operations = [op for op in operations if op.auth]
    collections = {
        op.path
        for op in operations
        if op.method == "POST" or (op.method == "GET" and (op.pagination or op.response_is_list))
    }
    routes = []
    for op in operations:
        if op.path in collections:
            role = "collection"
        elif _parent(op.path) in collections:
            role = "item"
        else:
            role = "document"
        literals = sum(1 for s in op.path.split("/") if not _PLACEHOLDER.fullmatch(s))
        specificity = (literals, len(op.fixed_query))
        routes.append(GenericRoute(op, _regex(op.path), role, specificity))
    routes.sort(key=lambda r: r.specificity, reverse=True)
    return routes


class GenericStore:
    """Records of every collection and document, keyed by concrete path."""

    def __init__(self, new_id: Callable[[], str], actor: str) -> None:
        self.collections: dict[str, dict[str, JSONObject]] = {}
        self.documents: dict[str, JSONObject] = {}
        self.files: dict[str, tuple[bytes, str, str]] = {}  # storage key -> data, type, name
        self._new_id = new_id
        self._actor = actor
        self._routes: list[GenericRoute] | None = None
        self._special: dict[str, Callable[[GenericCall], httpx.Response]] = {
            "patients.chat.send_inbound": self._chat_inbound,
            "patients.chat.list": self._chat_list,
            "patients.chat.search": self._chat_search,
            "patients.encounters.list_full": self._full_encounters,
            "users.encounters.list": self._user_encounters,
            "users.encounters.list_full": self._user_encounters,
            "patients.encounters.get_full": self._full_encounter,
            "patients.document_summaries.files.upload": self._upload,
            "patients.document_summaries.files.download": self._download,
            "patients.care_plan.get": self._care_plan,
            "patients.care_plan.goals.create": self._goal_create,
            "patients.care_plan.goals.get": self._goal_details,
            "calendar.work_hours.create": self._work_hours_create,
            "calendar.work_hours.list": self._work_hours_list,
            "calendar.work_hours.replace": self._work_hours_replace,
            "calendar.schedules.list": self._schedules,
            "calendar.schedules.list_available": self._schedules,
            "calendar.schedules.list_full": self._schedules,
            "calendar.event_summary.get": self._event_summary,
            "patients.cdts.bulk_update": self._cdt_bulk_update,
            "dictionaries.records.list": self._dictionary,
            "dictionaries.records.append": self._dictionary_write,
            "dictionaries.records.replace_all": self._dictionary_write,
            "dictionaries.records.replace": self._dictionary_record_replace,
            "dictionaries.records.delete": self._dictionary_record_delete,
            "tasks.update_statuses": self._task_statuses,
            "calendar.events.respond": self._event_respond,
            "patients.assessment_records.replace_answers": self._record_answers,
            "tasks.watchers.add": self._task_add("watchers"),
            "tasks.comments.add": self._task_add("comments"),
            "tasks.watchers.remove": self._task_remove("watchers"),
            "tasks.comments.remove": self._task_remove("comments"),
            "calendar.events.get_by_external_id": self._event_by_external_id,
            "patients.programs.get_current": self._program_by_name,
            "patients.programs.get_history": self._program_by_id,
            "patients.programs.unassign": self._program_unassign,
            "patients.programs.get": self._program_by_name,
            "patients.programs.update": self._program_assign,
            "patients.programs.change_phase": self._program_phase,
            "exports.cdt_records.list": self._export_cdt_records,
        }
        self._special.update(self._newer_handlers())

    def seed_designer(self, instance_root: str) -> None:
        """Store the small designer of ``_designer`` in the draft formation (``current`` too)."""
        from ._designer import DESIGNER, DISPOSITION

        draft = f"{instance_root}/formations/draft"
        for segment, objects in DESIGNER.items():
            collection = self.collections.setdefault(f"{draft}/{segment}", {})
            for obj in objects:
                collection[obj["name"]] = {"id": self._new_id(), **copy.deepcopy(obj)}
        self.documents[f"{draft}/encounter-disposition"] = {
            "id": self._new_id(),
            **copy.deepcopy(DISPOSITION),
        }

    # -- matching ---------------------------------------------------------------------------

    def routes(self) -> list[GenericRoute]:
        if self._routes is None:
            from welkin.operations import OPERATIONS

            self._routes = build_routes(OPERATIONS.values())
        return self._routes

    def match(
        self, method: str, path: str, query: Mapping[str, str]
    ) -> tuple[GenericRoute | None, dict[str, str], bool]:
        """The route for a request, its path parameters, and whether the path is known."""
        known = False
        for route in self.routes():
            found = route.pattern.fullmatch(path)
            if found is None:
                continue
            fixed = route.operation.fixed_query
            if any(query.get(key) != value for key, value in fixed.items()):
                continue
            known = True
            if route.operation.method == method:
                return route, found.groupdict(), True
        return None, {}, known

    # -- dispatch ---------------------------------------------------------------------------

    def handle(self, call: GenericCall) -> httpx.Response:
        op = call.operation
        self._check_body(call)
        special = self._special.get(op.id)
        if special is not None:
            return special(call)
        role = call.route.role
        if role == "collection":
            if op.method == "POST":
                record = self._create(call, call.path)
                return self._respond(call, record, 201)
            if op.method == "GET" and (op.pagination or op.response_is_list):
                items = list(self.collections.get(call.path, {}).values())
                return self._list(call, _filtered(items, call.query))
            # A write or read on a collection path without a key: its single record.
            return self._document(call, self.collections.setdefault(call.path, {}))
        if role == "item":
            collection_path, _, key = call.path.rpartition("/")
            return self._item(call, collection_path, key)
        return self._document(call, None)

    def _check_body(self, call: GenericCall) -> None:
        op = call.operation
        if op.files_field is not None and call.content_type.startswith("multipart/"):
            return
        if op.body_model is not None:
            from pydantic import ValidationError

            if not isinstance(call.body, dict):
                raise RejectedError(400, "BAD_REQUEST", "Body must be a JSON object")
            try:
                op.body_model.model_validate(call.body)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "body"
                raise RejectedError(400, "VALIDATION_ERROR", f"{where}: {first['msg']}") from None
        elif op.body_json and call.body is not None and not isinstance(call.body, dict):
            raise RejectedError(400, "BAD_REQUEST", "Body must be a JSON object")
        elif op.files_field is not None and op.body_model is None:
            raise RejectedError(400, "BAD_REQUEST", "Expected multipart/form-data with files")

    # -- records ----------------------------------------------------------------------------

    def _aliases(self, op: Operation[Any]) -> set[str]:
        model = op.response
        fields = getattr(model, "model_fields", None)
        if not fields:
            return set()
        return {info.alias or name for name, info in fields.items()}

    def _create(self, call: GenericCall, collection_path: str) -> JSONObject:
        collection = self.collections.setdefault(collection_path, {})
        body = copy.deepcopy(call.body) if isinstance(call.body, dict) else {}
        item_key = self._item_placeholder(call.route.operation.path)
        if item_key and item_key.endswith("Name") and isinstance(body.get("name"), str):
            key = body["name"]
            if key in collection:
                raise RejectedError(400, "ALREADY_EXISTS", f"{key!r} already exists")
        else:
            key = self._new_id()
        record = self._shape(call, body, key)
        collection[key] = record
        return record

    def _item_placeholder(self, collection_template: str) -> str | None:
        """The placeholder that names an item of this collection (``encounterId``...)."""
        for route in self.routes():
            template = route.operation.path
            if _parent(template) == collection_template:
                return _PLACEHOLDER.fullmatch(template.rsplit("/", 1)[1]).group(1)  # type: ignore[union-attr]
        return None

    def _shape(self, call: GenericCall, body: JSONObject, key: str) -> JSONObject:
        aliases = self._aliases(call.operation)
        record_id = key if _is_uuid(key) else body.get("id") or self._new_id()
        if "jsonBody" in aliases and "jsonBody" not in body:
            system = {
                "id": record_id,
                "created_at": call.now,
                "created_by": self._actor,
                "created_by_name": "Fake API client",
                "updated_at": call.now,
                "updated_by": self._actor,
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
            record["createdBy"] = self._actor
        for name, value in call.params.items():  # patientId, userId, goalId... from the path
            if name.endswith("Id") and name in aliases:
                record.setdefault(name, value)
        return record

    def _merge(self, call: GenericCall, record: JSONObject, replace: bool) -> JSONObject:
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

    def _item(self, call: GenericCall, collection_path: str, key: str) -> httpx.Response:
        collection = self.collections.setdefault(collection_path, {})
        record = collection.get(key)
        method = call.operation.method
        if record is None:
            # Where nothing creates or lists records (documents of one kind per name), a
            # write does; elsewhere a missing id is a 404.
            if method in ("PUT", "PATCH") and not self._creatable(collection_path, call):
                record = self._shape(call, copy.deepcopy(call.body or {}), key)
                collection[key] = record
                return self._respond(call, record, 200)
            raise RejectedError(404, "NOT_FOUND", f"No record {key}")
        if method == "GET":
            return self._respond(call, record, 200)
        if method == "DELETE":
            del collection[key]
            return self._respond(call, record, 200)
        # PUT replaces, except where Welkin calls it an update (SMS and email flags: starred...).
        replace = method == "PUT" and not call.operation.id.endswith(".update")
        return self._respond(call, self._merge(call, record, replace=replace), 200)

    def _creatable(self, collection_path: str, call: GenericCall) -> bool:
        """Whether records of this collection come from a POST, or are listed, on its path."""
        template = _parent(call.operation.path)
        return any(
            r.operation.path == template and r.operation.method in ("POST", "GET")
            for r in self.routes()
        )

    def _document(
        self, call: GenericCall, collection: dict[str, JSONObject] | None
    ) -> httpx.Response:
        """A single record at the path: stored as the first item of ``collection`` or alone."""
        method = call.operation.method
        if collection is not None:
            current = next(iter(collection.values()), None)
        else:
            current = self.documents.get(call.path)
        if method == "GET":
            if current is None:
                raise RejectedError(404, "NOT_FOUND", "Nothing stored here yet")
            return self._respond(call, current, 200)
        if method == "DELETE":
            if current is None:
                raise RejectedError(404, "NOT_FOUND", "Nothing stored here yet")
            if collection is not None:
                collection.clear()
            else:
                del self.documents[call.path]
            return self._respond(call, current, 200)
        if current is None:
            current = self._shape(call, copy.deepcopy(call.body or {}), self._new_id())
            status = 201 if method == "POST" else 200
        else:
            current = self._merge(call, current, replace=method in ("PUT", "POST"))
            status = 200
        if collection is not None:
            collection.clear()
            collection[str(current.get("id", ""))] = current
        else:
            self.documents[call.path] = current
        return self._respond(call, current, status)

    def _respond(self, call: GenericCall, body: Any, status: int) -> httpx.Response:
        if call.operation.response is None:
            return httpx.Response(204)
        return httpx.Response(status, json=body)

    # -- lists ------------------------------------------------------------------------------

    def _list(self, call: GenericCall, items: list[JSONObject]) -> httpx.Response:
        op = call.operation
        items = copy.deepcopy(items)
        if op.response_is_list or not op.pagination:
            return httpx.Response(200, json=items)
        return httpx.Response(200, json=envelope(op.pagination, items, call.query, call.path))

    # -- special endpoints ------------------------------------------------------------------

    def _chat_path(self, call: GenericCall) -> str:
        return call.path.removesuffix("/inbound")

    def _chat_inbound(self, call: GenericCall) -> httpx.Response:
        message = {
            "sender": {"clientType": "PATIENT", "id": call.params["patientId"]},
            "message": call.body.get("message") if isinstance(call.body, dict) else None,
            "createdAt": call.now,
        }
        self.collections.setdefault(self._chat_path(call), {})[self._new_id()] = message
        return httpx.Response(201, json=message)

    def _chat_list(self, call: GenericCall) -> httpx.Response:
        newest_first = list(reversed(self.collections.get(call.path, {}).values()))
        return self._list(call, newest_first)

    def _chat_search(self, call: GenericCall) -> httpx.Response:
        """Messages holding the query text, newest first; each hit's tokens open the chat
        list just after and just before it."""
        chat_path = call.path.removesuffix("/search")
        newest_first = list(reversed(self.collections.get(chat_path, {}).values()))
        text = _search_text(call.query).casefold()
        size = int_param(call.query, "contentPageSize", 20, 1)
        hits = [
            {
                "meta": {
                    "nextPageToken": _token(index + 1, size),
                    "prevPageToken": _token(max(0, index - size), size) if index else None,
                },
                "message": message,
            }
            for index, message in enumerate(newest_first)
            if text in str(message.get("message") or "").casefold()
        ]
        return self._list(call, hits)

    def _encounters_of(self, patient_path: str) -> list[JSONObject]:
        return list(self.collections.get(f"{patient_path}/encounters", {}).values())

    def _full(self, patient_path: str, encounter: JSONObject) -> JSONObject:
        base = f"{patient_path}/encounters/{encounter['id']}"
        disposition = next(iter(self.collections.get(f"{base}/disposition", {}).values()), None)
        return {
            "encounter": encounter,
            "disposition": disposition or self.documents.get(f"{base}/disposition"),
            "calendarEvent": None,
            "userRelatedToCalendarEvent": None,
            "assessmentLinks": list(self.collections.get(f"{base}/assessments", {}).values()),
            "comments": list(self.collections.get(f"{base}/comments", {}).values()),
        }

    def _full_encounters(self, call: GenericCall) -> httpx.Response:
        patient_path = call.path.removesuffix("/full-encounters")
        items = [self._full(patient_path, e) for e in self._encounters_of(patient_path)]
        return self._list(call, items)

    def _full_encounter(self, call: GenericCall) -> httpx.Response:
        patient_path, _, key = call.path.rpartition("/full-encounters/")
        encounter = self.collections.get(f"{patient_path}/encounters", {}).get(key)
        if encounter is None:
            raise RejectedError(404, "NOT_FOUND", f"No encounter {key}")
        return httpx.Response(200, json=self._full(patient_path, encounter))

    def _user_encounters(self, call: GenericCall) -> httpx.Response:
        user_id = call.params["userId"]
        full = call.operation.id.endswith("_full")
        items = []
        for path, collection in self.collections.items():
            if not path.endswith("/encounters") or "/patients/" not in path:
                continue
            for encounter in collection.values():
                if encounter.get("jsonBody", {}).get("activeUserId") == user_id:
                    items.append(self._full(path.removesuffix("/encounters"), encounter))
        return self._list(call, items if full else [item["encounter"] for item in items])

    def _upload(self, call: GenericCall) -> httpx.Response:
        if not call.content_type.startswith("multipart/form-data"):
            raise RejectedError(400, "BAD_REQUEST", "Expected multipart/form-data")
        files = []
        collection = self.collections.setdefault(call.path, {})
        for field, filename, content_type, data in parse_multipart(call.content, call.content_type):
            if field != call.operation.files_field:
                continue
            file_id = self._new_id()
            storage_key = f"{call.path}/{file_id}"
            self.files[storage_key] = (data, content_type, filename)
            record = {
                "id": file_id,
                "originalName": filename,
                "size": len(data),
                "contentType": content_type,
                "storageKey": storage_key,
            }
            collection[file_id] = record
            files.append(record)
        if not files:
            raise RejectedError(400, "BAD_REQUEST", "No file parts named 'files'")
        return httpx.Response(201, json=files)

    def _download(self, call: GenericCall) -> httpx.Response:
        stored = self.files.get(call.path)
        if stored is None:
            raise RejectedError(404, "NOT_FOUND", "No such file")
        data, content_type, _ = stored
        return httpx.Response(200, content=data, headers={"Content-Type": content_type})

    def _care_plan(self, call: GenericCall) -> httpx.Response:
        overview = next(iter(self.collections.get(f"{call.path}/overview", {}).values()), None)
        if overview is None:
            raise RejectedError(404, "NOT_FOUND", "The patient has no care plan yet")
        plan = {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, call.path)),
            "createdAt": overview.get("createdAt"),
            "updatedAt": overview.get("updatedAt"),
            "patientOverview": overview,
        }
        return httpx.Response(200, json=plan)

    def _goal_create(self, call: GenericCall) -> httpx.Response:
        """A goal is made from a goal template of the current formation."""
        instance_root = call.path.split("/patients/", 1)[0]
        name = call.body.get("goalTemplateName")
        templates = self.collections.get(f"{instance_root}/formations/draft/goal-templates", {})
        template = templates.get(name)
        if template is None:
            raise RejectedError(404, "NOT_FOUND", f"No goal template {name!r}")
        goal = {
            "id": self._new_id(),
            "name": template.get("title") or name,
            "type": template.get("type"),
            "priority": template.get("priority") or "MEDIUM",
            "status": "ACTIVE",
            "templateName": name,
            "createdAt": call.now,
            "createdByName": "Fake API client",
            "updatedAt": call.now,
            "updatedByName": "Fake API client",
        }
        self.collections.setdefault(call.path, {})[goal["id"]] = goal
        return httpx.Response(201, json=goal)

    def _goal_details(self, call: GenericCall) -> httpx.Response:
        goals_path, _, goal_id = call.path.rpartition("/")
        goal = self.collections.get(goals_path, {}).get(goal_id)
        if goal is None:
            raise RejectedError(404, "NOT_FOUND", f"No goal {goal_id}")
        details = {
            "details": goal,
            "tasks": list(self.collections.get(f"{call.path}/tasks", {}).values()),
            "comments": list(self.collections.get(f"{call.path}/comments", {}).values()),
        }
        return httpx.Response(200, json=details)

    def _record_answers(self, call: GenericCall) -> httpx.Response:
        """New answers replace the record's ``answers``; the answer is the record."""
        records_path, _, record_id = call.path.removesuffix("/answers").rpartition("/")
        record = self.collections.get(records_path, {}).get(record_id)
        if record is None:
            raise RejectedError(404, "NOT_FOUND", f"No assessment record {record_id}")
        record["answers"] = dict(call.body or {})
        record["updatedAt"] = call.now
        return httpx.Response(200, json=record)

    def _event_respond(self, call: GenericCall) -> httpx.Response:
        """A participant's answer is recorded on the event's participant entry."""
        events = self.collections.get(f"{self._calendar_root(call)}/events", {})
        event = events.get(call.params["eventId"])
        if event is None:
            raise RejectedError(404, "NOT_FOUND", f"No event {call.params['eventId']}")
        for participant in event.get("participants") or []:
            if participant.get("participantId") == call.body["participantId"]:
                participant["participationStatus"] = call.body["participationStatus"]
                event["updatedAt"] = call.now
                return httpx.Response(204)
        raise RejectedError(400, "VALIDATION_ERROR", "Not a participant of this event")

    def _calendar_root(self, call: GenericCall) -> str:
        return call.path.split("/calendar/", 1)[0] + "/calendar"

    def _work_hour_blocks(self, call: GenericCall) -> dict[str, JSONObject]:
        """Blocks of work hours by workHoursId; each remembers its user as ``psmId``."""
        return self.collections.setdefault(f"{self._calendar_root(call)}/work-hours", {})

    def _block(self, call: GenericCall, block_id: str) -> JSONObject:
        body = call.body
        return {
            "workHoursId": block_id,
            "psmId": body["psmId"],
            "startDateTime": body["startDateTime"],
            "endDateTime": body["endDateTime"],
            "daysInfo": [{"daysInfoId": self._new_id(), **day} for day in body["daysInfo"]],
            "createdAt": call.now,
            "createdBy": body.get("createdBy") or self._actor,
            "updatedAt": call.now,
            "updatedBy": body.get("updatedBy") or self._actor,
        }

    @staticmethod
    def _public_block(block: JSONObject) -> JSONObject:
        return {key: value for key, value in block.items() if key != "psmId"}

    def _work_hours_create(self, call: GenericCall) -> httpx.Response:
        block = self._block(call, self._new_id())
        self._work_hour_blocks(call)[block["workHoursId"]] = block
        return httpx.Response(
            201, json={"psmId": block["psmId"], "details": [self._public_block(block)]}
        )

    def _work_hours_replace(self, call: GenericCall) -> httpx.Response:
        blocks = self._work_hour_blocks(call)
        block_id = call.params["workHoursId"]
        if block_id not in blocks:
            raise RejectedError(404, "NOT_FOUND", f"No work hours {block_id}")
        block = self._block(call, block_id)
        block["createdAt"] = blocks[block_id]["createdAt"]
        block["createdBy"] = blocks[block_id]["createdBy"]
        blocks[block_id] = block
        return httpx.Response(200, json=self._public_block(block))

    def _psm_ids(self, call: GenericCall) -> list[str] | None:
        raw = call.query.get("psmIds")
        return [part for part in raw.split(",") if part] if raw else None

    def _blocks_by_user(self, call: GenericCall) -> dict[str, list[JSONObject]]:
        wanted = self._psm_ids(call)
        by_user: dict[str, list[JSONObject]] = {psm: [] for psm in wanted or []}
        for block in self._work_hour_blocks(call).values():
            if wanted is None or block["psmId"] in wanted:
                by_user.setdefault(block["psmId"], []).append(self._public_block(block))
        return by_user

    def _work_hours_list(self, call: GenericCall) -> httpx.Response:
        by_user = self._blocks_by_user(call)
        return httpx.Response(
            200,
            json=[{"psmId": psm, "details": blocks} for psm, blocks in by_user.items() if blocks],
        )

    def _events_of(self, call: GenericCall, psm_id: str) -> list[JSONObject]:
        events = self.collections.get(f"{self._calendar_root(call)}/events", {}).values()
        include_cancelled = call.query.get("includeCancelled") == "true"
        return [
            event
            for event in events
            if (
                event.get("hostId") == psm_id
                or any(p.get("participantId") == psm_id for p in event.get("participants") or [])
            )
            and (include_cancelled or event.get("eventStatus") != "CANCELLED")
        ]

    def _schedules(self, call: GenericCall) -> httpx.Response:
        schedules = []
        for psm_id, blocks in self._blocks_by_user(call).items():
            events = [
                {key: event.get(key) for key in _SCHEDULE_EVENT_KEYS} | {"eventId": event.get("id")}
                for event in self._events_of(call, psm_id)
            ]
            schedules.append({"psmId": psm_id, "workHours": blocks, "events": events})
        return httpx.Response(200, json=schedules)

    def _event_summary(self, call: GenericCall) -> httpx.Response:
        summary = []
        for psm_id in self._psm_ids(call) or []:
            events = self._events_of(call, psm_id)
            statuses: dict[str, int] = {}
            for event in events:
                status = event.get("eventStatus") or "SCHEDULED"
                statuses[status] = statuses.get(status, 0) + 1
            summary.append(
                {
                    "psmId": psm_id,
                    "totalCreatedEvents": len(events),
                    "totalOccurredEvents": statuses.get("COMPLETED", 0),
                    "totalFutureEvents": statuses.get("SCHEDULED", 0),
                    "eventStatusCount": statuses,
                }
            )
        body = {
            "startDateTime": call.query.get("from"),
            "endDateTime": call.query.get("to"),
            "summary": summary,
        }
        return httpx.Response(200, json=body)

    def _cdt_bulk_update(self, call: GenericCall) -> httpx.Response:
        collection = self.collections.setdefault(call.path, {})
        rows = []
        for row in call.body.get("rows") or []:
            record = collection.get(str(row.get("id")))
            if record is None:
                rows.append({**row, "result": {"status": "NOT_FOUND", "content": None}})
                continue
            record["jsonBody"].update(row.get("jsonBody") or {})
            record["jsonBody"]["updated_at"] = call.now
            rows.append({**record, "result": {"status": "OK", "content": None}})
        return httpx.Response(200, json={"rows": rows})

    def _dictionary_body(self, call: GenericCall, records: list[JSONObject]) -> JSONObject:
        return {
            "dictionaryName": call.params.get("dictionaryName"),
            "lastUpdatedAt": call.now,
            "records": records,
        }

    def _dictionary(self, call: GenericCall) -> httpx.Response:
        records = list(self.collections.get(call.path, {}).values())
        if call.query.get("showDeleted") != "true":
            records = [r for r in records if not r.get("deleted")]
        return httpx.Response(200, json=self._dictionary_body(call, records))

    def _dictionary_write(self, call: GenericCall) -> httpx.Response:
        collection = self.collections.setdefault(call.path, {})
        if call.operation.method == "PUT":
            collection.clear()
        added = []
        for raw in call.body.get("records") or []:
            values = raw.get("values") if isinstance(raw, dict) else None
            record_id = self._new_id()
            record = {
                "id": record_id,
                "createdAt": call.now,
                "updatedAt": call.now,
                "fullValue": " ".join(str(v) for v in (values or {}).values()),
                "deleted": False,
                "values": values or {},
            }
            collection[record_id] = record
            added.append(record)
        return httpx.Response(201, json=self._dictionary_body(call, added))

    def _dictionary_record(self, call: GenericCall) -> JSONObject:
        records_path, _, record_id = call.path.rpartition("/")
        record = self.collections.get(records_path, {}).get(record_id)
        if record is None or record.get("deleted"):
            raise RejectedError(404, "NOT_FOUND", f"No dictionary record {record_id}")
        return record

    def _dictionary_record_replace(self, call: GenericCall) -> httpx.Response:
        record = self._dictionary_record(call)
        values = call.body.get("values") or {}
        record.update(
            values=values,
            fullValue=" ".join(str(v) for v in values.values()),
            updatedAt=call.now,
        )
        return httpx.Response(200, json=record)

    def _dictionary_record_delete(self, call: GenericCall) -> httpx.Response:
        """Welkin keeps deleted records, flagged; lists show them with showDeleted=true."""
        record = self._dictionary_record(call)
        record.update(deleted=True, updatedAt=call.now)
        return httpx.Response(200, json=record)

    def _tasks(self, call: GenericCall) -> dict[str, JSONObject]:
        root = call.path.split("/tasks", 1)[0] + "/tasks"
        return self.collections.setdefault(root, {})

    def _task(self, call: GenericCall) -> JSONObject:
        task = self._tasks(call).get(call.params["taskId"])
        if task is None:
            raise RejectedError(404, "NOT_FOUND", f"No task {call.params['taskId']}")
        return task

    def _task_statuses(self, call: GenericCall) -> httpx.Response:
        tasks = self._tasks(call)
        changed = []
        for task_id in call.body.get("taskIds") or []:
            task = tasks.get(str(task_id))
            if task is None:
                raise RejectedError(404, "NOT_FOUND", f"No task {task_id}")
            task["status"] = call.body.get("status")
            task["updatedAt"] = call.now
            changed.append(task)
        return httpx.Response(200, json=changed)

    def _task_add(self, field: str) -> Callable[[GenericCall], httpx.Response]:
        def handler(call: GenericCall) -> httpx.Response:
            task = self._task(call)
            entry = dict(call.body)
            if field == "comments":
                entry = {"id": self._new_id(), "createdAt": call.now, **entry}
            task.setdefault(field, [])
            task[field] = [*(task[field] or []), entry]
            return httpx.Response(200, json=task)

        return handler

    def _task_remove(self, field: str) -> Callable[[GenericCall], httpx.Response]:
        def handler(call: GenericCall) -> httpx.Response:
            task = self._task(call)
            key = call.path.rsplit("/", 1)[1]
            before = task.get(field) or []
            task[field] = [entry for entry in before if str(entry.get("id")) != key]
            if len(task[field]) == len(before):
                raise RejectedError(404, "NOT_FOUND", f"No such entry {key}")
            # Removing a comment answers a one-task array (A's example), a watcher the task.
            return httpx.Response(200, json=[task] if call.operation.response_is_list else task)

        return handler

    def _event_by_external_id(self, call: GenericCall) -> httpx.Response:
        events_path, _, external_id = call.path.rpartition("/")
        for event in self.collections.get(events_path, {}).values():
            if event.get("externalId") == external_id:
                return httpx.Response(200, json=event)
        raise RejectedError(404, "NOT_FOUND", f"No event with externalId {external_id}")

    def _programs(self, call: GenericCall) -> dict[str, JSONObject]:
        root = call.path.split("/programs/", 1)[0] + "/programs"
        return self.collections.setdefault(root, {})

    def _designer_program(self, call: GenericCall) -> JSONObject:
        instance_root = call.path.split("/patients/", 1)[0]
        programs = self.collections.get(f"{instance_root}/formations/draft/programs", {})
        program = programs.get(call.params["programName"])
        if program is None:
            raise RejectedError(404, "NOT_FOUND", f"No program {call.params['programName']!r}")
        return program

    @staticmethod
    def _phase(program: JSONObject, name: str | None, now: str) -> JSONObject:
        for phase in program.get("phases") or []:
            if name is None or phase.get("name") == name:
                return {
                    "timestamp": now,
                    "name": phase.get("name"),
                    "title": phase.get("title"),
                    "description": phase.get("description"),
                    "currentVersion": "1",
                }
        raise RejectedError(400, "VALIDATION_ERROR", f"The program has no phase {name!r}")

    def _program_assign(self, call: GenericCall) -> httpx.Response:
        """Assigning starts the program at its first phase; later calls change its status."""
        program = self._designer_program(call)
        programs = self._programs(call)
        name = call.params["programName"]
        current = programs.get(name)
        if current is None:
            phase = self._phase(program, None, call.now) if program.get("phases") else None
            current = {
                "id": self._new_id(),
                "createdAt": call.now,
                "programName": name,
                "programTitle": program.get("title"),
                "programDescription": program.get("description"),
                "patientId": call.params["patientId"],
                "status": "IN_PROGRESS",
                "currentPhase": phase,
                "compatibleWithCurrentVersion": True,
                "pathHistory": [phase] if phase else [],
            }
            programs[name] = current
        current.update({k: v for k, v in call.body.items() if k in ("assigned", "status")})
        return httpx.Response(200, json=current)

    def _program_phase(self, call: GenericCall) -> httpx.Response:
        program = self._designer_program(call)
        current = self._programs(call).get(call.params["programName"])
        if current is None:
            raise RejectedError(404, "NOT_FOUND", "The patient has no such program")
        phase = self._phase(program, call.body.get("phaseName"), call.now)
        current["currentPhase"] = phase
        current["pathHistory"] = [*(current.get("pathHistory") or []), phase]
        return httpx.Response(200, json=current)

    def _program_by_name(self, call: GenericCall) -> httpx.Response:
        program = self._programs(call).get(call.params["programName"])
        if program is None:
            raise RejectedError(404, "NOT_FOUND", "The patient has no such program")
        return httpx.Response(200, json=program)

    def _program_by_id(self, call: GenericCall) -> httpx.Response:
        for program in self._programs(call).values():
            if program.get("id") == call.params["patientProgramId"]:
                return httpx.Response(200, json=program)
        raise RejectedError(404, "NOT_FOUND", "No such patient program")

    def _program_unassign(self, call: GenericCall) -> httpx.Response:
        programs = self._programs(call)
        key = call.path.rsplit("/", 1)[1]
        for name, program in list(programs.items()):
            if key in (name, program.get("id")):  # by name (A) or by id (B)
                del programs[name]
                return httpx.Response(204)
        raise RejectedError(404, "NOT_FOUND", "No such patient program")

    def _export_cdt_records(self, call: GenericCall) -> httpx.Response:
        instance_root = call.path.rsplit("/export/", 1)[0] + "/patients/"
        records = [
            record
            for path, collection in self.collections.items()
            if path.startswith(instance_root) and "/cdts/" in path
            for record in collection.values()
        ]
        return self._list(call, records)

    # -- newer operations (NEWER.md) ----------------------------------------------------------
    # Files Welkin keeps (attachments, recordings, chat media) are stored with
    # FakeWelkin.add_file and served at their download path; the patient-program and profile
    # record exports read what the patient collections hold, as the CDT-record export does.
    # (The patient export is FakeWelkin's: the patients live there.)

    def _newer_handlers(self) -> dict[str, Callable[[GenericCall], httpx.Response]]:
        return {
            "patients.sms.download_attachment": self._download,
            "patients.emails.download_attachment": self._download,
            "patients.calls.download_recording": self._download,
            "chat.files.download": self._download,
            "exports.patient_programs.list": self._export_of(lambda p: p.endswith("/programs")),
            "exports.pdt_records.list": self._export_of(lambda p: "/pdts/" in p),
        }

    def _export_of(
        self, exported: Callable[[str], bool]
    ) -> Callable[[GenericCall], httpx.Response]:
        """An export of the records of the instance's patient collections whose path (below
        ``patients/``) is ``exported``."""

        def handler(call: GenericCall) -> httpx.Response:
            instance_root = call.path.rsplit("/export/", 1)[0] + "/patients/"
            records = [
                record
                for path, collection in self.collections.items()
                if path.startswith(instance_root) and exported(path)
                for record in collection.values()
            ]
            return self._list(call, records)

        return handler


_SCHEDULE_EVENT_KEYS = (
    *("id", "eventTitle", "eventType", "eventColor", "allDayEvent"),
    *("startDateTime", "endDateTime"),
)

_SYSTEM_FIELDS = frozenset(
    {"id", "created_at", "created_by", "created_by_name", "updated_at", "updated_by"}
    | {"updated_by_name"}
)


_NOT_FILTERS = frozenset({"page", "size", "sort", "pageSize", "pageToken", "start"})


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


def normalise_path(path: str) -> str:
    """Formation versions: the fake serves ``current`` from what ``draft`` holds."""
    parts = path.split("/")
    for index, part in enumerate(parts[:-1]):
        if part == "formations":
            parts[index + 1] = _VERSION_ALIASES.get(parts[index + 1], parts[index + 1])
    return "/".join(parts)


def int_param(query: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    """A whole-number query parameter, checked like Welkin checks it."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RejectedError(400, "BAD_REQUEST", f"{name} must be an integer") from None
    if value < minimum:
        raise RejectedError(400, "BAD_REQUEST", f"{name} must be at least {minimum}")
    return value


def _token(offset: int, size: int, search: str = "") -> str:
    """A page token. As Welkin's do, it carries the whole request: the position, the page size
    and the search text (a request with a token sends nothing else)."""
    state = json.dumps({"offset": offset, "size": size, "search": search})
    return base64.urlsafe_b64encode(state.encode()).decode()


def _offset(token: str) -> tuple[int, int, str]:
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
        return int(state["offset"]), int(state["size"]), str(state["search"])
    except (ValueError, KeyError, TypeError):
        raise RejectedError(400, "BAD_REQUEST", "pageToken is not valid") from None


def _search_text(query: Mapping[str, str]) -> str:
    """The search text of a TOKEN list: from its token, or from ``query`` on a first page."""
    if query.get("pageToken"):
        return _offset(query["pageToken"])[2]
    return query.get("query", "")


def envelope(style: str, items: list[Any], query: Mapping[str, str], path: str) -> JSONObject:
    """``items`` as one page of the given style, as Welkin pages them."""
    total = len(items)
    if style in ("PAGE", "PAGE_IN_DATA", "METAINFO"):
        page, size = int_param(query, "page", 0, 0), int_param(query, "size", 20, 1)
        content = items[page * size : (page + 1) * size]
        pages = -(-total // size)
        last = page + 1 >= pages
        if style == "METAINFO":
            meta = {
                "page": page,
                "pageSize": size,
                "totalElements": total,
                "numberOfElements": len(content),
                "totalPages": pages,
                "firstPage": page == 0,
                "lastPage": last,
            }
            return {"data": content, "metaInfo": meta}
        sort = {"sorted": False, "unsorted": True, "empty": True}
        spring = {
            "content": content,
            "pageable": {
                "sort": sort,
                "pageNumber": page,
                "pageSize": size,
                "offset": page * size,
                "paged": True,
                "unpaged": False,
            },
            "last": last,
            "first": page == 0,
            "number": page,
            "size": size,
            "numberOfElements": len(content),
            "totalElements": total,
            "totalPages": pages,
            "sort": sort,
            "empty": not content,
        }
        if style == "PAGE_IN_DATA":
            return {"name": path.rsplit("/", 1)[1], "data": spring}
        return spring
    size = int_param(query, "pageSize", 20, 1)
    if style == "TOKEN":
        start, search = 0, query.get("query", "")
        if query.get("pageToken"):  # Welkin ignores the other parameters then
            start, size, search = _offset(query["pageToken"])
        content = items[start : start + size]
        tokens = {
            "nextPageToken": _token(start + size, size, search) if start + size < total else None,
            "prevPageToken": _token(max(0, start - size), size, search) if start > 0 else None,
        }
        return {"meta": {**tokens, "pageSize": size, "found": bool(content)}, "content": content}
    if style == "CURSOR":
        start = int_param(query, "start", 0, 0)
        content = items[start : start + size]
        end = start + len(content)
        return {
            "data": content,
            "cursor": {"start": str(start), "end": str(end), "hasNext": end < total},
        }
    raise AssertionError(style)


def multipart_fields(content: bytes, content_type: str) -> dict[str, str]:
    """The text fields of a multipart body (the model's fields sent beside the files)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + content)
    fields = {}
    for part in message.iter_parts():
        if part.get_filename() is None:
            data = part.get_payload(decode=True)
            text = data.decode() if isinstance(data, bytes) else ""
            fields[str(part.get_param("name", header="content-disposition"))] = text
    return fields


def parse_multipart(content: bytes, content_type: str) -> list[tuple[str, str, str, bytes]]:
    """``(field, filename, content type, data)`` of each file part of a multipart body."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + content)
    parts = []
    for part in message.iter_parts():
        filename = part.get_filename()
        if filename is None:
            continue
        field = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            data = b""
        parts.append((str(field), filename, part.get_content_type(), data))
    return parts
