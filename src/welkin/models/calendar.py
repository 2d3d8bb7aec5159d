"""Calendar events, schedules and work hours (``welkin.models.calendar`` of welkin 0.1.x)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from typing_extensions import Self

from ..pagination import PageableIterator
from .base import Collection, Resource

__all__ = [
    "CalendarEvent",
    "CalendarEvents",
    "EventMode",
    "EventStatus",
    "EventType",
    "Schedule",
    "Schedules",
    "WorkHours",
]


class EventType(Enum):
    GROUP_THERAPY = "GROUP_THERAPY"
    APPOINTMENT = "APPOINTMENT"
    LEAVE = "LEAVE"
    ENCOUNTER = "ENCOUNTER"


class EventStatus(Enum):
    SCHEDULED = "SCHEDULED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    MISSED = "MISSED"


class EventMode(Enum):
    IN_PERSON = "IN-PERSON"
    CALL = "CALL"
    VIDEO = "VIDEO"


class CalendarEvent(Resource):
    """A calendar event."""

    typed_model = "calendar.CalendarEvent"

    def _path(self) -> str:
        return f"{self._client.instance}/calendar/events"

    def create(self) -> Self:
        return super().post(self._path())

    def get(self) -> Self:  # type: ignore[override]
        return super().get(f"{self._path()}/{self.id}")

    def update(self, **kwargs: Any) -> Self:  # type: ignore[override]
        return super().patch(f"{self._path()}/{self.id}", kwargs)

    def delete(self) -> Self:  # type: ignore[override]
        return super().delete(f"{self._path()}/{self.id}")


class CalendarEvents(Collection):
    """Calendar events between two dates."""

    resource = CalendarEvent
    iterator = PageableIterator

    def get(
        self,
        from_date: datetime,
        to_date: datetime,
        participant_ids: list[str] | None = None,
        event_type: str | None = None,
        sort: str | None = None,
        include_cancelled: bool | None = None,
        include_encounter_info: bool | None = None,
        exclude_assigned_to_encounter_events: bool | None = None,
        viewer_timezone: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if event_type:
            EventType(event_type)  # raises ValueError for an unknown type, before sending
        params = {
            "from": from_date,
            "to": to_date,
            "participantIds": participant_ids,
            "eventType": event_type,
            "sort": sort,
            "includeCancelled": include_cancelled,
            "includeEncounterInfo": include_encounter_info,
            "excludeAssignedToEncounterEvents": exclude_assigned_to_encounter_events,
            "viewerTimezone": viewer_timezone,
        }
        path = f"{self._client.instance}/calendar/events"
        return super().get(path, *args, params=params, **kwargs)


class Schedule(Resource):
    """A care team member's schedule."""

    typed_model = "calendar.PsmSchedule"


class Schedules(Collection):
    """Schedules of care team members (``available=True``, ``full=True`` for the others)."""

    resource = Schedule
    iterator = PageableIterator

    def get(
        self,
        ids: list[str],
        from_date: datetime,
        to_date: datetime,
        include_cancelled: bool | None = None,
        available: bool = False,
        full: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        route = "psm-schedules"
        if available:
            route = "available-psm-schedules"
        if full:
            route = "full-psm-schedules"
        params = {
            "psmIds": ids,
            "from": from_date,
            "to": to_date,
            "includeCancelled": include_cancelled,
        }
        path = f"{self._client.instance}/calendar/{route}"
        return super().get(path, *args, params=params, **kwargs)


class WorkHours(Collection):
    """Work hours of care team members; ``get`` returns what Welkin answers."""

    iterator = PageableIterator

    def get(
        self,
        from_date: datetime,
        to_date: datetime,
        psm_ids: list[str],
        timezone: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        params = {
            "from": from_date,
            "to": to_date,
            "psmIds": psm_ids,
            "viewerTimezone": timezone,
        }
        path = f"{self._client.instance}/calendar/work-hours/"
        response = self._client.get(path, *args, params=params, **kwargs)
        # With no work hours Welkin answers {null: []} (a "null" key once decoded).
        if isinstance(response, dict) and (None in response or "null" in response):
            return WorkHours([])
        return response
