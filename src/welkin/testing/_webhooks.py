"""FakeWelkin's webhooks: after a change made through the API, POST Welkin's notification to
each registered receiver, retry a non-2xx answer, and log every attempt in the webhook audit
log that ``client.audits.webhook.list()`` reads.

Receivers are a loopback URL (a server of the test's) or an in-process WSGI app: the fake
never sends anywhere else. Delivery is synchronous, once the fake's lock is released (the
receiver may call the fake back), before the API call that caused it returns.

What the notification holds follows spec/webhooks.yaml. Where the sources say nothing, the
fake chooses, and says so here: PATIENT_CREATED and PATIENT_UPDATED (entity PATIENT) are
sent for patients, ASSESSMENT_COMPLETED when an assessment record is written with status
COMPLETED, the configured custom fields are top-level keys of the body, SOURCE_NAME is the
CDT's or the assessment's name, a user-access event's SOURCE_ID is the user's id, and a
chat delivery is logged with the entity CHAT.
"""

from __future__ import annotations

import copy
import dataclasses
import ipaddress
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._routes import match, normalise_path
from ._wire import iso

if TYPE_CHECKING:
    from ._fake import RecordedRequest
    from ._store import Store

__all__ = ["FakeWebhooks", "RegisteredWebhook"]

JSONObject = dict[str, Any]
WSGIApp = Callable[..., Iterable[bytes]]

_AUDIT_PATH = "admin/audit-webhook"
_DEFAULT_URL = "http://127.0.0.1/webhook"
_TIMEOUT = 5.0

# The notification a successful API call sends: operation id -> (EVENT_ENTITY, EVENT_SUBTYPE).
_EVENTS = {
    "patients.create": ("PATIENT", "PATIENT_CREATED"),
    "patients.update": ("PATIENT", "PATIENT_UPDATED"),
    "patients.cdts.create": ("CDT", "CDT_CREATED"),
    "patients.cdts.update": ("CDT", "CDT_UPDATED"),
    "patients.cdts.bulk_update": ("CDT", "CDT_UPDATED"),
    "calendar.events.create": ("CALENDAR", "CALENDAR_EVENT_CREATED"),
    "calendar.events.update": ("CALENDAR", "CALENDAR_EVENT_UPDATED"),
    "calendar.events.replace": ("CALENDAR", "CALENDAR_EVENT_UPDATED"),
    "patients.assessment_records.create": ("ASSESSMENT", "ASSESSMENT_COMPLETED"),
    "patients.assessment_records.replace": ("ASSESSMENT", "ASSESSMENT_COMPLETED"),
    "patients.assessment_records.replace_answers": ("ASSESSMENT", "ASSESSMENT_COMPLETED"),
    "users.app_accesses.replace": ("USER_APP_ACCESS", "USER_ACCESS_UPDATED"),
}


@dataclasses.dataclass(frozen=True)
class RegisteredWebhook:
    """A receiver registered with ``add_webhook`` or ``add_chat_webhook``."""

    id: str
    name: str
    url: str
    events: frozenset[str] | None  # entities or subtypes; None: every data event
    headers: dict[str, str]
    query_parameters: dict[str, str]
    custom_fields: dict[str, Any]
    chat: bool
    max_attempts: int
    backoff: float
    transport: httpx.BaseTransport | None = dataclasses.field(default=None, repr=False)

    def wants(self, entity: str, subtype: str) -> bool:
        if self.chat:
            return False
        return self.events is None or entity in self.events or subtype in self.events


@dataclasses.dataclass(frozen=True)
class _Notification:
    webhook: RegisteredWebhook
    entity: str
    subtype: str | None
    patient_id: str | None
    body: JSONObject


class FakeWebhooks:
    """The webhook half of ``FakeWelkin`` (a base class of it)."""

    if TYPE_CHECKING:  # FakeWelkin's own state, which the methods below use
        tenant: str
        instance: str
        base_url: str
        api_client: str
        patients: dict[str, JSONObject]
        _lock: threading.Lock
        _clock: Callable[[], float]
        _client_user_id: str
        _store: Store
        _webhooks: list[RegisteredWebhook]

        def _new_id(self) -> str: ...

        def add_records(self, path: str, records: Iterable[Mapping[str, Any]]) -> list[str]: ...

    # -- public -----------------------------------------------------------------------------

    def add_webhook(
        self,
        url: str = _DEFAULT_URL,
        *,
        app: WSGIApp | None = None,
        transport: httpx.BaseTransport | None = None,
        events: Iterable[str] | None = None,
        headers: Mapping[str, str] | None = None,
        query_parameters: Mapping[str, str] | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        name: str | None = None,
        max_attempts: int = 3,
        backoff: float = 0.0,
    ) -> str:
        """Register a data webhook, as Admin -> Integrations -> Webhooks does; returns its id.

        From now on each patient, CDT record, calendar event, assessment record (once
        COMPLETED) or user access written through the API is POSTed as JSON to ``url`` (a
        loopback address: 127.0.0.1, ::1 or localhost), or to ``app`` (a WSGI app, called
        in-process) or through ``transport``. ``events`` keeps only these entities or
        subtypes (``["CDT"]``, ``["CALENDAR_EVENT_CREATED"]``); ``headers`` and
        ``query_parameters`` go with every delivery, ``custom_fields`` into its body. A
        non-2xx answer or no answer is retried up to ``max_attempts`` in all, waiting
        ``backoff`` seconds, doubled each time.
        """
        if isinstance(events, str):
            events = [events]
        return self._register(
            url,
            app=app,
            transport=transport,
            name=name or "fake webhook",
            events=None if events is None else frozenset(events),
            headers=headers,
            query_parameters=query_parameters,
            custom_fields=custom_fields,
            chat=False,
            max_attempts=max_attempts,
            backoff=backoff,
        )

    def add_chat_webhook(
        self,
        url: str = _DEFAULT_URL,
        *,
        api_key: str,
        api_secret: str,
        app: WSGIApp | None = None,
        transport: httpx.BaseTransport | None = None,
        name: str | None = None,
        max_attempts: int = 3,
        backoff: float = 0.0,
    ) -> str:
        """Register the chat webhook: ``send_chat_message`` then POSTs ``{patientId,
        patientUrl, tenantName, instanceName, message}`` with the X-WEBHOOK-API-KEY and
        X-WEBHOOK-API-SECRET headers. The other arguments are ``add_webhook``'s."""
        return self._register(
            url,
            app=app,
            transport=transport,
            name=name or "fake chat webhook",
            events=None,
            headers={"X-WEBHOOK-API-KEY": api_key, "X-WEBHOOK-API-SECRET": api_secret},
            query_parameters=None,
            custom_fields=None,
            chat=True,
            max_attempts=max_attempts,
            backoff=backoff,
        )

    def remove_webhook(self, webhook_id: str) -> None:
        """Unregister a webhook (KeyError if there is none with this id)."""
        with self._lock:
            for index, webhook in enumerate(self._webhooks):
                if webhook.id == webhook_id:
                    del self._webhooks[index]
                    return
        raise KeyError(webhook_id)

    @property
    def webhooks(self) -> tuple[RegisteredWebhook, ...]:
        """The registered webhooks, oldest first."""
        with self._lock:
            return tuple(self._webhooks)

    def send_chat_message(
        self, patient_id: str, message: str, *, user_id: str | None = None
    ) -> JSONObject:
        """A care-team user messages a patient, as in Welkin's app (the API cannot: it
        posts only the patient's messages). The message joins the patient's chat and fires
        the chat webhook, which Welkin sends "when a user messages a patient". Returns the
        stored message."""
        with self._lock:
            if patient_id not in self.patients:
                raise KeyError(f"no patient {patient_id}")
            stored = {
                "sender": {"clientType": "USER", "id": user_id or self._client_user_id},
                "receiver": {"clientType": "PATIENT", "id": patient_id},
                "message": message,
                "externalId": self._new_id(),
                "createdAt": iso(self._clock()),
            }
            patient_path = f"{self.tenant}/{self.instance}/patients/{patient_id}"
            chat = self._store.collections.setdefault(f"{patient_path}/chat", {})
            chat[self._new_id()] = stored
            body = {
                "patientId": patient_id,
                "patientUrl": f"{self.base_url}/{patient_path}",
                "tenantName": self.tenant,
                "instanceName": self.instance,
                "message": message,
            }
            notes = [
                _Notification(w, "CHAT", None, patient_id, body) for w in self._webhooks if w.chat
            ]
            result = copy.deepcopy(stored)
        self._deliver_webhooks(notes)
        return result

    # -- called by FakeWelkin._handle -------------------------------------------------------

    def _webhook_notifications(
        self, request: RecordedRequest, response: httpx.Response, now: float
    ) -> list[_Notification]:
        """The notifications an answered request sends (under the fake's lock)."""
        if not self._webhooks or not 200 <= response.status_code < 300:
            return []
        route, params, _ = match(request.method, normalise_path(request.path), request.query)
        if route is None or route.operation.id not in _EVENTS:
            return []
        entity, subtype = _EVENTS[route.operation.id]
        try:
            answer = json.loads(response.content) if response.content else None
        except ValueError:
            return []
        changes = _changes(route.operation.id, entity, params, answer)
        notes = []
        for source_id, source_name, patient_id, path in changes:
            predefined = {
                "instanceName": self.instance,
                "tenantName": self.tenant,
                "sourceName": source_name,
                "sourceId": source_id,
                "patientId": patient_id,
                "eventEntity": entity,
                "eventSubtype": subtype,
                "url": f"{self.base_url}/{self.tenant}/{path}",
                "initiatedBy": {
                    "initiatedBy": self._client_user_id,
                    "initiatedByName": self.api_client,
                    "initiatedByObjectId": self.api_client,
                    "initiatedByObjectType": "API_CLIENT",
                    "initiatedTime": iso(now),
                },
            }
            for webhook in self._webhooks:
                if webhook.wants(entity, subtype):
                    custom = {k: v for k, v in webhook.custom_fields.items() if k not in predefined}
                    body = {**predefined, **copy.deepcopy(custom)}
                    notes.append(_Notification(webhook, entity, subtype, patient_id, body))
        return notes

    def _deliver_webhooks(self, notes: list[_Notification]) -> None:
        """POST each notification (outside the fake's lock), retrying as configured."""
        for note in notes:
            self._deliver(note)

    # -- machinery ----------------------------------------------------------------------------

    def _register(
        self,
        url: str,
        *,
        app: WSGIApp | None,
        transport: httpx.BaseTransport | None,
        name: str,
        events: frozenset[str] | None,
        headers: Mapping[str, str] | None,
        query_parameters: Mapping[str, str] | None,
        custom_fields: Mapping[str, Any] | None,
        chat: bool,
        max_attempts: int,
        backoff: float,
    ) -> str:
        _check_loopback(url)
        if app is not None and transport is not None:
            raise ValueError("give app or transport, not both")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if backoff < 0:
            raise ValueError("backoff must not be negative")
        if app is not None:
            transport = httpx.WSGITransport(app=_as_served(app))
        with self._lock:
            webhook = RegisteredWebhook(
                id=self._new_id(),
                name=name,
                url=url,
                events=events,
                headers=dict(headers or {}),
                query_parameters=dict(query_parameters or {}),
                custom_fields=copy.deepcopy(dict(custom_fields or {})),
                chat=chat,
                max_attempts=max_attempts,
                backoff=backoff,
                transport=transport,
            )
            self._webhooks.append(webhook)
        return webhook.id

    def _deliver(self, note: _Notification) -> None:
        webhook = note.webhook
        url = httpx.URL(webhook.url).copy_merge_params(webhook.query_parameters)
        content = json.dumps(note.body).encode()
        headers = {"Content-Type": "application/json", **webhook.headers}
        record = {
            "name": webhook.name,
            "url": webhook.url,
            "headers": [{"name": k, "value": v} for k, v in webhook.headers.items()],
            "queryParameters": [
                {"name": k, "value": v} for k, v in webhook.query_parameters.items()
            ],
        }
        transport = None if webhook.transport is None else _Borrowed(webhook.transport)
        # trust_env=False: no proxy from the environment may carry a loopback delivery away.
        with httpx.Client(transport=transport, trust_env=False, timeout=_TIMEOUT) as http:
            for attempt in range(1, webhook.max_attempts + 1):
                with self._lock:
                    entry: JSONObject = {
                        "id": self._new_id(),
                        "sentAt": iso(self._clock()),
                        "eventEntity": note.entity,
                        "eventSubtype": note.subtype,
                        "patientId": note.patient_id,
                        "instance": self.instance,
                        "status": "SENT",
                        "record": record,
                    }
                self.add_records(_AUDIT_PATH, [entry])
                try:
                    status: int | None = http.post(
                        url, content=content, headers=headers
                    ).status_code
                except httpx.HTTPError:
                    status = None
                delivered = status is not None and 200 <= status < 300
                # Welkin logs the HTTP status with the outcome; the key name is the fake's.
                entry.update(status="DELIVERED" if delivered else "FAILED", httpStatus=status)
                self.add_records(_AUDIT_PATH, [entry])
                if delivered:
                    return
                if attempt < webhook.max_attempts and webhook.backoff:
                    self._webhook_wait(webhook.backoff * 2 ** (attempt - 1))

    def _webhook_wait(self, seconds: float) -> None:
        time.sleep(seconds)


def _changes(
    operation: str, entity: str, params: Mapping[str, str], answer: Any
) -> list[tuple[str, str | None, str | None, str]]:
    """``(sourceId, sourceName, patientId, path below the tenant)`` of each record the call
    changed, from its answer and path."""
    instance = params.get("instance", "")
    patient = params.get("patientId")
    if not isinstance(answer, dict):
        return []
    if entity == "PATIENT":
        return [
            (
                str(answer.get("id")),
                None,
                str(answer.get("id")),
                f"{instance}/patients/{answer.get('id')}",
            )
        ]
    if entity == "CDT":
        name = params["cdtName"]
        rows = answer.get("rows") if operation.endswith("bulk_update") else [answer]
        return [
            (
                str(row["id"]),
                name,
                patient,
                f"{instance}/patients/{patient}/cdts/{name}/{row['id']}",
            )
            for row in rows or []
            if isinstance(row, dict) and row.get("id")
        ]
    if entity == "CALENDAR":
        patients = [
            p.get("participantId")
            for p in answer.get("participants") or []
            if isinstance(p, dict) and str(p.get("participantRole", "")).lower() == "patient"
        ]
        event_id = answer.get("id")
        return [
            (
                str(event_id),
                None,
                patients[0] if patients else None,
                f"{instance}/calendar/events/{event_id}",
            )
        ]
    if entity == "ASSESSMENT":
        if answer.get("status") != "COMPLETED":
            return []
        record_id = answer.get("id")
        path = f"{instance}/patients/{patient}/assessment-records/{record_id}"
        return [(str(record_id), answer.get("assessmentName"), patient, path)]
    user = params["userId"]
    return [(user, None, None, f"admin/application-accesses/{user}")]


class _Borrowed(httpx.BaseTransport):
    """A transport of the test's, used for one delivery and left open for the next."""

    def __init__(self, transport: httpx.BaseTransport) -> None:
        self._transport = transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._transport.handle_request(request)


def _as_served(app: WSGIApp) -> WSGIApp:
    """``app`` as a WSGI server runs it: an exception is a 500 answer (the delivery fails
    and is retried), not an error of the API call that sent it."""

    def served(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            return list(app(environ, start_response))
        except Exception:
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")], None)
            return [b"the receiver failed"]

    return served


def _check_loopback(url: str) -> None:
    """The fake delivers to this machine only."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise ValueError(f"not a URL: {url!r}") from None
    if parsed.scheme not in ("http", "https"):
        raise ValueError(f"a webhook URL is http or https, not {parsed.scheme!r}")
    host = parsed.host
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(
            "FakeWelkin delivers webhooks only to loopback addresses (127.0.0.1, ::1, "
            f"localhost) or an in-process app, not to {host!r}"
        )
