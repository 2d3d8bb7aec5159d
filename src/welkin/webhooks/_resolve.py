"""``client.webhooks.resolve(event)``: read the record a webhook event is about.

Which record is worked out without I/O (``plan``) from the event's URL, matched against the
path templates of the registry's read operations, or else from its ids; both clients then
send that operation as its resource method would. The URL's host is never contacted: the
record is read through the client, from the tenant it is configured for.
"""

from __future__ import annotations

import functools
import importlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union
from urllib.parse import unquote, urlsplit

from .._types import NOT_GIVEN, NotGiven, RequestOptions, Timeout
from ..types.webhooks import ChatMessageEvent, WebhookEvent
from ._errors import WebhookResolveError

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from .._operation import Operation
    from ..types.assessments import AssessmentRecord
    from ..types.calendar import CalendarEvent
    from ..types.common import CdtRecord
    from ..types.patients import Patient
    from ..types.user_access import UserAppAccesses

__all__ = ["AsyncWebhooks", "ResolvedRecord", "Target", "Webhooks", "plan"]

#: What ``resolve`` returns, by the event's entity: PATIENT (and the chat webhook) a
#: Patient, CDT a CdtRecord, CALENDAR a CalendarEvent, ASSESSMENT an AssessmentRecord,
#: USER_APP_ACCESS the user's UserAppAccesses.
ResolvedRecord = Union[
    "Patient", "CdtRecord", "CalendarEvent", "AssessmentRecord", "UserAppAccesses"
]

# The operation that reads each entity's record (a module of welkin.operations and its
# constant): what client.patients.cdts.get, client.calendar.events.get ... send. PATIENT is
# not among the entities seen in delivery logs; the data audit knows it, and FakeWelkin
# sends it. The order is the URL matching order, most specific path first.
_READS = {
    "CDT": ("cdts", "PATIENTS_CDTS_GET"),
    "ASSESSMENT": ("assessments", "PATIENTS_ASSESSMENT_RECORDS_GET"),
    "CALENDAR": ("calendar", "CALENDAR_EVENTS_GET"),
    "USER_APP_ACCESS": ("user_access", "USERS_APP_ACCESSES_GET"),
    "PATIENT": ("patients", "PATIENTS_GET"),
}


@dataclass(frozen=True)
class Target:
    """The read that fetches an event's record: an operation and its path parameters (by
    wire name)."""

    entity: str
    operation: Operation[Any]
    path: dict[str, str]


def _operation(entity: str) -> Operation[Any]:
    module, constant = _READS[entity]
    operation: Operation[Any] = getattr(
        importlib.import_module(f"welkin.operations.{module}"), constant
    )
    return operation


@functools.cache
def _template(operation: Operation[Any]) -> re.Pattern[str]:
    """The operation's path as a pattern for the end of a URL path."""
    parts = [
        f"(?P<{segment[1:-1]}>[^/]+)" if segment.startswith("{") else re.escape(segment)
        for segment in operation.path.split("/")
    ]
    return re.compile("(?:^|/)" + "/".join(parts) + "/?$")


def plan(event: WebhookEvent, tenant: str, instance: str) -> Target:
    """Which read fetches the record ``event`` is about, for a client of ``tenant`` and
    ``instance``. Raises WebhookResolveError when the event names none, or names another
    tenant or instance."""
    _check_scope("tenant", event.tenant_name, tenant)
    _check_scope("instance", event.instance_name, instance)
    url: str | None
    entity: str | None
    if isinstance(event, ChatMessageEvent):  # it is about the patient who was messaged
        url, entity = event.patient_url, "PATIENT"
    else:
        url, entity = event.url, event.event_entity
    if url:
        target = _from_url(url, tenant, instance)
        if target is not None:
            return target
    return _from_ids(event, entity)


def _check_scope(kind: str, given: str | None, expected: str) -> None:
    if given is not None and given != expected:
        raise WebhookResolveError(
            f"the event is from {kind} {given!r}; this client reads {kind} {expected!r}"
        )


def _from_url(url: str, tenant: str, instance: str) -> Target | None:
    path = unquote(urlsplit(url).path)
    for entity in _READS:
        operation = _operation(entity)
        found = _template(operation).search(path)
        if found is None:
            continue
        params = found.groupdict()
        _check_scope("tenant", params.pop("tenant"), tenant)
        _check_scope("instance", params.pop("instance", None), instance)
        return Target(entity, operation, params)
    return None


def _from_ids(event: WebhookEvent, entity: str | None) -> Target:
    if entity not in _READS:
        raise WebhookResolveError(
            f"cannot tell which record a {entity or 'entity-less'} event is about: its URL "
            "is not one the SDK reads, and its entity is not CDT, ASSESSMENT, CALENDAR, "
            "USER_APP_ACCESS or PATIENT"
        )
    # SOURCE_ID is read as the changed record's id and SOURCE_NAME as its CDT's name (see
    # spec/webhooks.yaml); a user-access event's record is the user's, so its id is the user's.
    ids: dict[str, dict[str, str | None]] = {
        "CDT": {
            "patientId": event.patient_id,
            "cdtName": event.source_name,
            "cdtRecordId": event.source_id,
        },
        "ASSESSMENT": {"patientId": event.patient_id, "assessmentRecordId": event.source_id},
        "CALENDAR": {"eventId": event.source_id},
        "USER_APP_ACCESS": {"userId": event.source_id},
        "PATIENT": {"patientId": event.patient_id or event.source_id},
    }
    path = ids[entity]
    missing = [name for name, value in path.items() if not value]
    if missing:
        raise WebhookResolveError(
            f"a {entity} event needs {', '.join(path)} to be resolved; it has no "
            f"{', '.join(missing)}"
        )
    return Target(entity, _operation(entity), {k: str(v) for k, v in path.items()})


def _options(
    timeout: Timeout | NotGiven, max_retries: int | NotGiven, deadline: float | NotGiven | None
) -> RequestOptions:
    return RequestOptions(timeout=timeout, max_retries=max_retries, deadline=deadline)


class Webhooks:
    """``client.webhooks``: what the SDK does with a received webhook event."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def resolve(
        self,
        event: WebhookEvent,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
    ) -> ResolvedRecord:
        """Read the record ``event`` is about, as it is now (typed, see ``ResolvedRecord``),
        from the event's URL or else its ids.

        Raises WebhookResolveError when the event does not say which record, and the API's
        errors otherwise (NotFoundError once the record is deleted).
        """
        target = plan(event, self._client.tenant, self._client.instance)
        record: ResolvedRecord = self._client._call(
            target.operation,
            path=target.path,
            options=_options(timeout, max_retries, deadline),
        )
        return record


class AsyncWebhooks:
    """``AsyncClient.webhooks``: ``Webhooks`` for the async client."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def resolve(
        self,
        event: WebhookEvent,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
    ) -> ResolvedRecord:
        """Read the record ``event`` is about; see ``Webhooks.resolve``."""
        target = plan(event, self._client.tenant, self._client.instance)
        record: ResolvedRecord = await self._client._call(
            target.operation,
            path=target.path,
            options=_options(timeout, max_retries, deadline),
        )
        return record
