"""``client.calendar`` (events, event summary, schedules, work hours) and the old
``CalendarEvent``, ``CalendarEvents``, ``Schedules`` and ``WorkHours`` classes, against the fake."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from support import api_calls, is_utc_aware, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import CalendarEvent, EventSummary, PsmSchedule, WorkHours, WorkHoursBlock

CAL = "gh/sb-demo/calendar"
MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
START = datetime(2024, 7, 1, 9, tzinfo=timezone.utc)
END = datetime(2024, 7, 1, 10, tzinfo=timezone.utc)
WEEK = {"from_": START, "to": START + timedelta(days=7)}
END_WIRE = "2024-07-01T10:00:00.000Z"
WEEK_WIRE = {"from": "2024-07-01T09:00:00.000Z", "to": "2024-07-08T09:00:00.000Z"}
MONDAY = {"day": 1, "startTime": "09:00:00", "endTime": "18:00:00"}

# Shaped like docs/calendar_events.md "Create Calendar Event" (own values), plus a field
# Welkin might add, a null and an extra key in the free-form additionalInfo.
EVENT: dict[str, Any] = {
    "id": "313c2029-493b-4114-8b86-788d631a1851",
    "createdBy": "9565d236-f654-4116-bfb4-c10a5e840a9c",
    "createdAt": "2024-06-03T13:39:12.847Z",
    "updatedBy": "9565d236-f654-4116-bfb4-c10a5e840a9c",
    "updatedAt": "2024-06-03T13:39:12.847Z",
    "eventTitle": "Weekly check-in with Rosa",
    "eventDescription": "",
    "startDateTime": "2024-07-01T09:00:00.000Z",
    "localStartDateTime": "2024-07-01T12:00:00.000+03:00",
    "endDateTime": "2024-07-01T10:00:00.000Z",
    "localEndDateTime": "2024-07-01T13:00:00.000+03:00",
    "allDayEvent": False,
    "duration": 3600,
    "eventType": "APPOINTMENT",
    "eventStatus": "SCHEDULED",
    "eventMode": "VIDEO",
    "eventColor": None,
    "externalId": "visit-0042",
    "externalIdUpdatedAt": "2024-06-11T18:10:45.711Z",
    "hostId": "301b2895-cbf0-4cac-b4cf-1d082faee95c",
    "additionalInfo": {"location": "Room 4", "remarks": "", "attachment": "", "floor": 2},
    "participants": [
        {
            "id": "d4e6eb8b-b627-461d-a17d-292083446df8",
            "participantId": "301b2895-cbf0-4cac-b4cf-1d082faee95c",
            "participantRole": "psm",
            "participationStatus": "",
            "attended": False,
        }
    ],
    "newField": 1,
}
BLOCK: dict[str, Any] = {
    "createdBy": "9565d236-f654-4116-bfb4-c10a5e840a9c",
    "updatedBy": None,
    "createdAt": "2024-06-03T13:18:16.424Z",
    "updatedAt": "2024-06-03T13:18:16.424Z",
    "workHoursId": "18b80840-63ef-4849-9d3a-0d36a2ace332",
    "startDateTime": "2024-07-01T00:00:00.000Z",
    "endDateTime": "2024-07-31T23:59:59.000Z",
    "localStartDateTime": "2024-07-01T03:00:00.000+03:00",
    "localEndDateTime": "2024-08-01T02:59:59.000+03:00",
    "daysInfo": [{"daysInfoId": "24e217e0-f33e-495d-96ae-f19b6d15a4c3", **MONDAY}],
}
WORK_HOURS: dict[str, Any] = {
    "psmId": "301b2895-cbf0-4cac-b4cf-1d082faee95c",
    "details": [BLOCK],
    "newField": 1,
}
SCHEDULE: dict[str, Any] = {
    "psmId": "301b2895-cbf0-4cac-b4cf-1d082faee95c",
    "workHours": [BLOCK],
    # docs/calendar_schedule.md: an event of the schedule has these fields of the event's.
    "events": [
        {k: EVENT[k] for k in ("id", "eventTitle", "eventType", "allDayEvent", "startDateTime")}
        | {"eventId": EVENT["id"], "eventColor": "pink", "localEndDateTime": None}
    ],
    "newField": 1,
}
SUMMARY: dict[str, Any] = {
    "startDateTime": "2024-07-01T00:00:00.000Z",
    "endDateTime": "2024-07-31T00:00:00.000Z",
    "summary": [
        {
            "psmId": "301b2895-cbf0-4cac-b4cf-1d082faee95c",
            "totalCreatedEvents": 3,
            "totalOccurredEvents": 1,
            "totalFutureEvents": 2,
            "eventStatusCount": {"SCHEDULED": 2, "COMPLETED": 1},
            "totalWorkingHours": "63.0 hours",
            "totalEventHours": "3.0 hours",
            "occupancy": None,
        }
    ],
    "newField": 1,
}


@pytest.fixture
def uid(fake: FakeWelkin) -> str:
    return str(fake.add_user(username="nick.snow")["id"])


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    return str(fake.add_patient(firstName="Rosa", lastName="Diaz")["id"])


def book(client: welkin.Client, host: str, start: datetime = START, **kw: Any) -> CalendarEvent:
    return client.calendar.events.create(
        start_date_time=start,
        end_date_time=start + timedelta(hours=1),
        host_id=host,
        participants=[{"participantId": host, "participantRole": "psm"}],
        **kw,
    )


def add_hours(client: welkin.Client, uid: str) -> WorkHours:
    return client.calendar.work_hours.create(
        psm_id=uid, start_date_time=START, end_date_time=END, days_info=[MONDAY]
    )


# -- documented shapes ----------------------------------------------------------------------


def without_local(value: Any) -> Any:
    """The fixture without its read-only local* times (those carry a UTC offset)."""
    if isinstance(value, dict):
        return {k: without_local(v) for k, v in value.items() if not k.startswith("local")}
    if isinstance(value, list):
        return [without_local(v) for v in value]
    return value


DOCUMENTED = pytest.mark.parametrize(
    ("model", "fixture"),
    [
        (CalendarEvent, EVENT),
        (WorkHours, WORK_HOURS),
        (WorkHoursBlock, BLOCK),
        (PsmSchedule, SCHEDULE),
        (EventSummary, SUMMARY),
    ],
    ids=["event", "work_hours", "block", "schedule", "summary"],
)


def dumped(model: Any, fixture: dict[str, Any]) -> Any:
    return model.model_validate(fixture).model_dump(mode="json", by_alias=True, exclude_unset=True)


@DOCUMENTED
def test_documented_examples_dump_back_exactly_but_local_times(
    model: Any, fixture: dict[str, Any]
) -> None:
    assert dumped(model, without_local(fixture)) == without_local(fixture)


def test_local_times_dump_back_with_their_offset() -> None:
    assert dumped(CalendarEvent, EVENT)["localStartDateTime"] == EVENT["localStartDateTime"]
    assert dumped(WorkHoursBlock, BLOCK) == BLOCK


def test_documented_examples_are_typed() -> None:
    event = CalendarEvent.model_validate(EVENT)
    assert event.id == uuid.UUID(EVENT["id"]) and event.host_id == uuid.UUID(EVENT["hostId"])
    assert event.start_date_time == START and is_utc_aware(event.created_at)
    assert event.local_start_date_time == START  # the same moment, in +03:00
    assert event.local_start_date_time.utcoffset() == timedelta(hours=3)
    assert event.additional_info is not None and event.additional_info.location == "Room 4"
    assert event.additional_info.model_extra == {"floor": 2}
    assert event.model_extra == {"newField": 1} and event.event_color is None
    schedule = PsmSchedule.model_validate(SCHEDULE)
    [day] = (schedule.work_hours or [])[0].days_info or []
    assert (day.day, day.start_time) == (1, "09:00:00")
    assert (schedule.events or [])[0].event_id == event.id
    summary = EventSummary.model_validate(SUMMARY).summary or []
    assert summary[0].event_status_count == {"SCHEDULED": 2, "COMPLETED": 1}


# -- events ---------------------------------------------------------------------------------


def test_create_sends_camel_case_and_reads_back_by_id_and_external_id(
    fake: FakeWelkin, client: welkin.Client, uid: str, pid: str
) -> None:
    participants = [
        {"participantId": uid, "participantRole": "psm"},
        {"participantId": pid, "participantRole": "patient", "attended": False},
    ]
    created = client.calendar.events.create(
        start_date_time=START,
        end_date_time=END,
        host_id=uuid.UUID(uid),
        participants=participants,
        event_title="Visit",
        event_type="APPOINTMENT",
        event_status="SCHEDULED",
        event_mode="IN-PERSON",
        external_id="visit-0042",
        additional_info={"location": "Room 4", "parking": "B2"},
        created_by=uid,
    )

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("POST", f"{CAL}/events", {})
    assert call.json == {
        "startDateTime": "2024-07-01T09:00:00.000Z",
        "endDateTime": "2024-07-01T10:00:00.000Z",
        "hostId": uid,
        "participants": participants,
        "eventTitle": "Visit",
        "eventType": "APPOINTMENT",
        "eventStatus": "SCHEDULED",
        "eventMode": "IN-PERSON",
        "externalId": "visit-0042",
        "additionalInfo": {"location": "Room 4", "parking": "B2"},
        "createdBy": uid,
    }
    assert isinstance(created, CalendarEvent) and created.start_date_time == START
    assert [str(p.participant_id) for p in created.participants or []] == [uid, pid]

    assert client.calendar.events.get(created.id) == created
    assert last_call(fake).path == f"{CAL}/events/{created.id}"
    assert client.calendar.events.get_by_external_id("visit-0042") == created
    call = last_call(fake)
    assert (call.path, call.query) == (f"{CAL}/events/visit-0042", {"type": "EXTERNAL_ID"})


def test_update_patches_given_fields_and_replace_sends_everything(
    fake: FakeWelkin, client: welkin.Client, uid: str
) -> None:
    event = book(client, uid, event_title="Visit", event_mode="CALL")

    updated = client.calendar.events.update(event.id, event_status="COMPLETED", all_day_event=False)
    call = last_call(fake)
    assert (call.method, call.path) == ("PATCH", f"{CAL}/events/{event.id}")
    assert call.json == {"eventStatus": "COMPLETED", "allDayEvent": False}
    assert (updated.event_status, updated.event_mode) == ("COMPLETED", "CALL")

    later = START + timedelta(days=1)
    replaced = client.calendar.events.replace(
        event.id,
        start_date_time=later,
        end_date_time=later + timedelta(hours=2),
        host_id=uid,
        participants=[{"participantId": uid, "participantRole": "psm"}],
        updated_by=uid,
    )
    call = last_call(fake)
    assert (call.method, call.path) == ("PUT", f"{CAL}/events/{event.id}")
    assert call.json == {
        "startDateTime": "2024-07-02T09:00:00.000Z",
        "endDateTime": "2024-07-02T11:00:00.000Z",
        "hostId": uid,
        "participants": [{"participantId": uid, "participantRole": "psm"}],
        "updatedBy": uid,
    }
    assert replaced.start_date_time == later and replaced.event_mode is None  # cleared
    assert replaced.created_at == event.created_at


def test_respond_and_delete_return_none(
    fake: FakeWelkin, client: welkin.Client, uid: str, pid: str
) -> None:
    event = book(client, uid)

    answer = client.calendar.events.respond(
        event.id, participant_id=uid, participation_status="Yes"
    )

    assert answer is None
    call = last_call(fake)
    assert (call.method, call.path) == ("PUT", f"{CAL}/events/{event.id}/invitation-response")
    assert call.json == {"participantId": uid, "participationStatus": "Yes"}

    assert client.calendar.events.delete(event.id) is None
    assert (last_call(fake).method, last_call(fake).path) == ("DELETE", f"{CAL}/events/{event.id}")
    with pytest.raises(welkin.NotFoundError):
        client.calendar.events.get(event.id)


def test_respond_records_the_answer_on_the_event(client: welkin.Client, uid: str) -> None:
    event = book(client, uid)
    client.calendar.events.respond(event.id, participant_id=uid, participation_status="Yes")

    [host] = client.calendar.events.get(event.id).participants or []
    assert host.participation_status == "Yes"


def test_respond_to_a_missing_event_is_not_found(client: welkin.Client, uid: str) -> None:
    with pytest.raises(welkin.NotFoundError):
        client.calendar.events.respond(MISSING, participant_id=uid, participation_status="Yes")


def test_list_walks_spring_pages_and_sends_every_filter(
    fake: FakeWelkin, client: welkin.Client, uid: str
) -> None:
    ids = [book(client, uid, START + timedelta(days=n)).id for n in range(5)]
    before = len(api_calls(fake))

    page = client.calendar.events.list(size=2)
    assert [e.id for e in page.items] == ids[:2]
    assert (page.envelope.total_elements, page.envelope.total_pages) == (5, 3)
    assert [e.id for e in page] == ids
    assert [c.query.get("page") for c in api_calls(fake)[before:]] == [None, "1", "2"]
    last = client.calendar.events.list(page=2, size=2)
    assert [e.id for e in last.items] == ids[4:] and last.envelope.last is True

    client.calendar.events.list(
        **WEEK,
        participant_ids=[uid],
        event_type="APPOINTMENT",
        sort=("createdAt", "desc"),
        include_cancelled=True,
        include_encounter_info=False,
        exclude_assigned_to_encounter_events=True,
        viewer_timezone="America/Los_Angeles",
    )
    assert last_call(fake).query == {
        **WEEK_WIRE,
        "participantIds": uid,
        "eventType": "APPOINTMENT",
        "sort": "createdAt,desc",
        "includeCancelled": "true",
        "includeEncounterInfo": "false",
        "excludeAssignedToEncounterEvents": "true",
        "viewerTimezone": "America/Los_Angeles",
    }


def test_event_errors(fake: FakeWelkin, client: welkin.Client) -> None:
    sent = len(fake.requests)
    with pytest.raises(welkin.InvalidArgumentError, match=r"^event_type"):
        client.calendar.events.list(event_type="PARTY")  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^event_id"):
        client.calendar.events.get("visit-0042")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^participants"):
        client.calendar.events.create(
            start_date_time=START, end_date_time=END, host_id=MISSING, participants=[{}]
        )
    with pytest.raises(welkin.InvalidArgumentError, match=r"^psm_ids"):
        client.calendar.schedules.list(psm_ids=["nick"])
    with pytest.raises(welkin.InvalidArgumentError, match=r"^from_: .*timezone-aware"):
        client.calendar.events.list(from_=datetime(2024, 7, 1, 9))  # naive: which 9am?
    with pytest.raises(welkin.InvalidArgumentError, match=r"^sort"):
        client.calendar.events.list(sort=("createdAt", "sideways"))  # type: ignore[arg-type]
    assert len(fake.requests) == sent
    for call in (
        lambda: client.calendar.events.get(MISSING),
        lambda: client.calendar.events.get_by_external_id("nope"),
        lambda: client.calendar.events.update(MISSING, event_title="x"),
        lambda: client.calendar.events.delete(MISSING),
    ):
        with pytest.raises(welkin.NotFoundError) as caught:
            call()
        assert (caught.value.status_code, caught.value.error_codes) == (404, ["NOT_FOUND"])


def test_create_sends_the_viewer_timezone_as_a_query_parameter(
    fake: FakeWelkin, client: welkin.Client, uid: str
) -> None:
    # QX (NEWER.md): event create takes `viewerTimezone` in the query, not the body.
    created = book(client, uid, viewer_timezone="America/Los_Angeles")

    call = last_call(fake)
    assert (call.method, call.path) == ("POST", f"{CAL}/events")
    assert call.query == {"viewerTimezone": "America/Los_Angeles"}
    assert "viewerTimezone" not in call.json
    assert client.calendar.events.get(created.id) == created

    sent = len(fake.requests)
    with pytest.raises(welkin.InvalidArgumentError, match=r"^viewer_timezone"):
        book(client, uid, viewer_timezone=-8)
    assert len(fake.requests) == sent


# -- summary, schedules, work hours ---------------------------------------------------------


def test_event_summary_counts_a_users_events(
    fake: FakeWelkin, client: welkin.Client, uid: str
) -> None:
    book(client, uid)
    book(client, uid, START + timedelta(days=1), event_status="COMPLETED")

    summary = client.calendar.event_summary.get(**WEEK, psm_ids=[uid])

    call = last_call(fake)
    assert (call.method, call.path) == ("GET", f"{CAL}/psm-event-summary")
    assert call.query == {**WEEK_WIRE, "psmIds": uid}
    assert isinstance(summary, EventSummary) and summary.start_date_time == START
    [mine] = summary.summary or []
    assert mine.psm_id == uuid.UUID(uid) and mine.total_created_events == 2
    assert mine.event_status_count == {"SCHEDULED": 1, "COMPLETED": 1}


def test_work_hours_create_list_and_replace(
    fake: FakeWelkin, client: welkin.Client, uid: str
) -> None:
    created = add_hours(client, uid)
    call = last_call(fake)
    assert (call.method, call.path) == ("POST", f"{CAL}/work-hours")
    assert call.json == {
        "psmId": uid,
        "startDateTime": "2024-07-01T09:00:00.000Z",
        "endDateTime": END_WIRE,
        "daysInfo": [MONDAY],
    }
    assert isinstance(created, WorkHours) and created.psm_id == uuid.UUID(uid)
    [block] = created.details or []
    assert block.work_hours_id is not None and (block.days_info or [])[0].day == 1

    listed = client.calendar.work_hours.list(psm_ids=[uid], **WEEK, viewer_timezone="UTC")
    assert last_call(fake).query == {"psmIds": uid, **WEEK_WIRE, "viewerTimezone": "UTC"}
    assert listed == [created]

    tuesday = {"day": 2, "startTime": "08:00:00", "endTime": "12:00:00"}
    replaced = client.calendar.work_hours.replace(
        block.work_hours_id, psm_id=uid, start_date_time=START, end_date_time=END,
        days_info=[tuesday], updated_by=uid,
    )  # fmt: skip
    call = last_call(fake)
    assert (call.method, call.path) == ("PUT", f"{CAL}/work-hours/{block.work_hours_id}")
    assert call.json == {
        "psmId": uid,
        "startDateTime": "2024-07-01T09:00:00.000Z",
        "endDateTime": END_WIRE,
        "daysInfo": [tuesday],
        "updatedBy": uid,
    }
    assert isinstance(replaced, WorkHoursBlock) and replaced.work_hours_id == block.work_hours_id
    assert [d.day for d in replaced.days_info or []] == [2]
    with pytest.raises(welkin.NotFoundError):
        client.calendar.work_hours.replace(
            MISSING, psm_id=uid, start_date_time=START, end_date_time=END, days_info=[]
        )


@pytest.mark.parametrize(
    ("method", "segment"),
    [("list", "psm-schedules"), ("list_available", "available-psm-schedules"),
     ("list_full", "full-psm-schedules")],
)  # fmt: skip
def test_schedules_hold_work_hours_and_events(
    fake: FakeWelkin, client: welkin.Client, uid: str, method: str, segment: str
) -> None:
    add_hours(client, uid)
    event = book(client, uid, event_title="Visit")

    schedules = getattr(client.calendar.schedules, method)(
        psm_ids=[uid], **WEEK, include_cancelled=False
    )

    call = last_call(fake)
    assert (call.method, call.path) == ("GET", f"{CAL}/{segment}")
    assert call.query == {"psmIds": uid, **WEEK_WIRE, "includeCancelled": "false"}
    [schedule] = schedules
    assert isinstance(schedule, PsmSchedule) and schedule.psm_id == uuid.UUID(uid)
    assert len(schedule.work_hours or []) == 1
    assert [(e.id, e.event_title) for e in schedule.events or []] == [(event.id, "Visit")]


# -- the old package's classes --------------------------------------------------------------


# -- async ----------------------------------------------------------------------------------


async def test_async_events_and_schedules(fake: FakeWelkin, uid: str) -> None:
    async with fake.async_client() as client:
        made = await client.calendar.events.create(
            start_date_time=START, end_date_time=END, host_id=uid,
            participants=[{"participantId": uid, "participantRole": "psm"}],
            viewer_timezone="UTC",
        )  # fmt: skip
        created_query = last_call(fake).query
        first = await client.calendar.events.list(size=1)
        walked = [e.id async for e in client.calendar.events.list(size=1)]
        await client.calendar.work_hours.create(
            psm_id=uid, start_date_time=START, end_date_time=END, days_info=[MONDAY]
        )
        [schedule] = await client.calendar.schedules.list_available(psm_ids=[uid])
        await client.calendar.events.delete(made.id)

    assert created_query == {"viewerTimezone": "UTC"}
    assert [e.id for e in first.items] == walked == [made.id]
    assert [e.id for e in schedule.events or []] == [made.id]
    assert (last_call(fake).method, last_call(fake).path) == ("DELETE", f"{CAL}/events/{made.id}")
