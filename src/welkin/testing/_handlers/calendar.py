"""Calendar: users' blocks of work hours, their schedules and event summaries, a participant's
answer to an event, and an event found by its external id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from .._routes import Call, Handler, RejectedError

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS"]

JSONObject = dict[str, Any]

_SCHEDULE_EVENT_KEYS = (
    *("id", "eventTitle", "eventType", "eventColor", "allDayEvent"),
    *("startDateTime", "endDateTime"),
)


def _calendar_root(call: Call) -> str:
    return call.path.split("/calendar/", 1)[0] + "/calendar"


def _respond_to_event(store: Store, call: Call) -> httpx.Response:
    """A participant's answer is recorded on the event's participant entry."""
    events = store.collections.get(f"{_calendar_root(call)}/events", {})
    event = events.get(call.params["eventId"])
    if event is None:
        raise RejectedError(404, "NOT_FOUND", f"No event {call.params['eventId']}")
    for participant in event.get("participants") or []:
        if participant.get("participantId") == call.body["participantId"]:
            participant["participationStatus"] = call.body["participationStatus"]
            event["updatedAt"] = call.now
            return httpx.Response(204)
    raise RejectedError(400, "VALIDATION_ERROR", "Not a participant of this event")


def _event_by_external_id(store: Store, call: Call) -> httpx.Response:
    events_path, _, external_id = call.path.rpartition("/")
    for event in store.collections.get(events_path, {}).values():
        if event.get("externalId") == external_id:
            return httpx.Response(200, json=event)
    raise RejectedError(404, "NOT_FOUND", f"No event with externalId {external_id}")


def _work_hour_blocks(store: Store, call: Call) -> dict[str, JSONObject]:
    """Blocks of work hours by workHoursId; each remembers its user as ``psmId``."""
    return store.collections.setdefault(f"{_calendar_root(call)}/work-hours", {})


def _block(store: Store, call: Call, block_id: str) -> JSONObject:
    body = call.body
    return {
        "workHoursId": block_id,
        "psmId": body["psmId"],
        "startDateTime": body["startDateTime"],
        "endDateTime": body["endDateTime"],
        "daysInfo": [{"daysInfoId": store.new_id(), **day} for day in body["daysInfo"]],
        "createdAt": call.now,
        "createdBy": body.get("createdBy") or store.actor,
        "updatedAt": call.now,
        "updatedBy": body.get("updatedBy") or store.actor,
    }


def _public_block(block: JSONObject) -> JSONObject:
    return {key: value for key, value in block.items() if key != "psmId"}


def _create_work_hours(store: Store, call: Call) -> httpx.Response:
    block = _block(store, call, store.new_id())
    _work_hour_blocks(store, call)[block["workHoursId"]] = block
    return httpx.Response(201, json={"psmId": block["psmId"], "details": [_public_block(block)]})


def _replace_work_hours(store: Store, call: Call) -> httpx.Response:
    blocks = _work_hour_blocks(store, call)
    block_id = call.params["workHoursId"]
    if block_id not in blocks:
        raise RejectedError(404, "NOT_FOUND", f"No work hours {block_id}")
    block = _block(store, call, block_id)
    block["createdAt"] = blocks[block_id]["createdAt"]
    block["createdBy"] = blocks[block_id]["createdBy"]
    blocks[block_id] = block
    return httpx.Response(200, json=_public_block(block))


def _psm_ids(call: Call) -> list[str] | None:
    raw = call.query.get("psmIds")
    return [part for part in raw.split(",") if part] if raw else None


def _blocks_by_user(store: Store, call: Call) -> dict[str, list[JSONObject]]:
    wanted = _psm_ids(call)
    by_user: dict[str, list[JSONObject]] = {psm: [] for psm in wanted or []}
    for block in _work_hour_blocks(store, call).values():
        if wanted is None or block["psmId"] in wanted:
            by_user.setdefault(block["psmId"], []).append(_public_block(block))
    return by_user


def _list_work_hours(store: Store, call: Call) -> httpx.Response:
    by_user = _blocks_by_user(store, call)
    return httpx.Response(
        200,
        json=[{"psmId": psm, "details": blocks} for psm, blocks in by_user.items() if blocks],
    )


def _events_of(store: Store, call: Call, psm_id: str) -> list[JSONObject]:
    events = store.collections.get(f"{_calendar_root(call)}/events", {}).values()
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


def _schedules(store: Store, call: Call) -> httpx.Response:
    schedules = []
    for psm_id, blocks in _blocks_by_user(store, call).items():
        events = [
            {key: event.get(key) for key in _SCHEDULE_EVENT_KEYS} | {"eventId": event.get("id")}
            for event in _events_of(store, call, psm_id)
        ]
        schedules.append({"psmId": psm_id, "workHours": blocks, "events": events})
    return httpx.Response(200, json=schedules)


def _event_summary(store: Store, call: Call) -> httpx.Response:
    summary = []
    for psm_id in _psm_ids(call) or []:
        events = _events_of(store, call, psm_id)
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


HANDLERS = {
    "calendar.events.respond": Handler(_respond_to_event),
    "calendar.events.get_by_external_id": Handler(_event_by_external_id),
    "calendar.work_hours.create": Handler(_create_work_hours),
    "calendar.work_hours.list": Handler(_list_work_hours),
    "calendar.work_hours.replace": Handler(_replace_work_hours),
    "calendar.schedules.list": Handler(_schedules),
    "calendar.schedules.list_available": Handler(_schedules),
    "calendar.schedules.list_full": Handler(_schedules),
    "calendar.event_summary.get": Handler(_event_summary),
}
