"""``Webhooks.resolve`` (``client.webhooks.resolve``): the record each kind of event is
about, read through the client from FakeWelkin, by the event's URL or by its ids."""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from support import api_calls

import welkin
from welkin.testing import FakeWelkin
from welkin.types import AssessmentRecord, CalendarEvent, CdtRecord, Patient, UserAppAccesses
from welkin.webhooks import (
    AsyncWebhooks,
    ChatMessageEvent,
    WebhookEvent,
    WebhookResolveError,
    Webhooks,
    parse_event,
    unwrap,
    wsgi_app,
)

START = datetime(2025, 6, 2, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def events(fake: FakeWelkin) -> list[WebhookEvent]:
    """What a receiver registered with the fake gets."""
    received: list[WebhookEvent] = []
    fake.add_webhook(app=wsgi_app(received.append, allow_unverified=True))
    return received


@pytest.fixture
def patient_id(fake: FakeWelkin) -> str:
    fake.seed(designer=True)
    return str(fake.add_patient(firstName="Ada", lastName="Lovelace")["id"])


@pytest.fixture
def user_id(fake: FakeWelkin) -> str:
    return str(fake.add_user(username="mokafor")["id"])


@pytest.fixture
def webhooks(client: welkin.Client) -> Webhooks:
    return Webhooks(client)


def test_a_cdt_event_resolves_to_the_cdt_record(
    fake: FakeWelkin,
    client: welkin.Client,
    webhooks: Webhooks,
    events: list[WebhookEvent],
    patient_id: str,
) -> None:
    created = client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})
    [event] = events

    record = webhooks.resolve(event)

    assert isinstance(record, CdtRecord)
    assert record.id == created.id
    assert record.json_body is not None and record.json_body.model_extra == {"weight": 61.5}
    assert api_calls(fake)[-1].path.endswith(f"/cdts/vitals/{created.id}")


def test_a_calendar_event_resolves_to_the_calendar_event(
    client: welkin.Client,
    webhooks: Webhooks,
    events: list[WebhookEvent],
    patient_id: str,
    user_id: str,
) -> None:
    created = client.calendar.events.create(
        start_date_time=START,
        end_date_time=START + timedelta(hours=1),
        host_id=user_id,
        participants=[
            {"participantId": user_id, "participantRole": "psm"},
            {"participantId": patient_id, "participantRole": "patient"},
        ],
        event_title="Follow-up",
    )
    client.calendar.events.update(created.id, event_title="Follow-up (moved)")

    assert [e.event_subtype for e in events] == ["CALENDAR_EVENT_CREATED", "CALENDAR_EVENT_UPDATED"]
    assert events[0].patient_id == patient_id
    record = webhooks.resolve(events[1])
    assert isinstance(record, CalendarEvent)
    assert (record.id, record.event_title) == (created.id, "Follow-up (moved)")


def test_an_assessment_event_resolves_to_the_assessment_record(
    client: welkin.Client, webhooks: Webhooks, events: list[WebhookEvent], patient_id: str
) -> None:
    records = client.patients.assessment_records
    created = records.create(patient_id, assessment_name="phq_2", status="IN_PROGRESS")
    assert events == []  # Welkin's event is ASSESSMENT_COMPLETED
    records.replace(patient_id, created.id, assessment_name="phq_2", status="COMPLETED")

    [event] = events
    assert (event.event_entity, event.event_subtype) == ("ASSESSMENT", "ASSESSMENT_COMPLETED")
    record = webhooks.resolve(event)
    assert isinstance(record, AssessmentRecord)
    assert (record.id, record.status) == (created.id, "COMPLETED")


def test_a_user_access_event_resolves_to_the_users_accesses(
    client: welkin.Client, webhooks: Webhooks, events: list[WebhookEvent], user_id: str
) -> None:
    client.users.app_accesses.replace(
        user_id,
        admin_access_enabled=True,
        audit_security_access_enabled=False,
        instance_accesses=[
            {
                "instanceName": "sb-demo",
                "workshopAccessEnabled": True,
                "auditDataAccessEnabled": False,
            }
        ],
    )
    [event] = events

    record = webhooks.resolve(event)

    assert isinstance(record, UserAppAccesses)
    assert str(record.user_id) == user_id and record.admin_access_enabled is True


def test_a_patient_event_resolves_to_the_patient(
    client: welkin.Client, webhooks: Webhooks, events: list[WebhookEvent], patient_id: str
) -> None:
    client.patients.update(patient_id, first_name="Augusta")
    [event] = events

    record = webhooks.resolve(event)

    assert isinstance(record, Patient)
    assert (str(record.id), record.first_name) == (patient_id, "Augusta")


def test_a_chat_event_resolves_to_the_patient_who_was_messaged(
    fake: FakeWelkin, webhooks: Webhooks, patient_id: str
) -> None:
    received: list[WebhookEvent] = []
    fake.add_chat_webhook(
        app=wsgi_app(received.append, allow_unverified=True), api_key="k", api_secret="s"
    )
    fake.send_chat_message(patient_id, "See you Tuesday")
    [event] = received

    assert isinstance(event, ChatMessageEvent)
    record = webhooks.resolve(event)
    assert isinstance(record, Patient) and str(record.id) == patient_id


# -- by ids, when the URL says nothing the SDK knows ---------------------------------------


@pytest.mark.parametrize("url", [None, "", "https://app.welkinhealth.com/some/page"])
def test_without_a_known_url_the_ids_are_used(
    client: welkin.Client,
    webhooks: Webhooks,
    events: list[WebhookEvent],
    patient_id: str,
    url: str | None,
) -> None:
    created = client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})
    event = events[0].model_copy(update={"url": url})

    record = webhooks.resolve(event)

    assert isinstance(record, CdtRecord) and record.id == created.id


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"eventEntity": "CDT", "patientId": "P", "sourceName": "vitals", "sourceId": "R"},
         "gh/sb-demo/patients/P/cdts/vitals/R"),
        ({"eventEntity": "ASSESSMENT", "patientId": "P", "sourceId": "R"},
         "gh/sb-demo/patients/P/assessment-records/R"),
        ({"eventEntity": "CALENDAR", "sourceId": "R"}, "gh/sb-demo/calendar/events/R"),
        ({"eventEntity": "USER_APP_ACCESS", "sourceId": "U"}, "gh/admin/application-accesses/U"),
        ({"eventEntity": "PATIENT", "patientId": "P"}, "gh/sb-demo/patients/P"),
        ({"patientId": "P", "message": "hi"}, "gh/sb-demo/patients/P"),
    ],
    ids=["CDT", "ASSESSMENT", "CALENDAR", "USER_APP_ACCESS", "PATIENT", "chat"],
)  # fmt: skip
def test_each_entity_is_read_from_its_ids(
    fake: FakeWelkin, webhooks: Webhooks, fields: dict[str, str], path: str
) -> None:
    ids = {"P": "6801d498-26f4-4aee-961b-5daffcf193c8", "R": "bd20fc04-2b88-45ad-a52e-76d0d0a649ab",
           "U": "03f51404-a300-4857-b10c-0d6a1a1b88ae"}  # fmt: skip
    body = {key: ids.get(value, value) for key, value in fields.items()}
    event = parse_event(json.dumps(body))

    with pytest.raises(welkin.NotFoundError):  # nothing stored: the request is what counts
        webhooks.resolve(event)

    expected = path.replace("/P", "/" + ids["P"]).replace("/R", "/" + ids["R"])
    assert api_calls(fake)[-1].path == expected.replace("/U", "/" + ids["U"])


def test_upper_snake_events_resolve_too(
    client: welkin.Client, webhooks: Webhooks, patient_id: str
) -> None:
    created = client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})
    body = (
        f'{{"EVENT_ENTITY": "CDT", "EVENT_SUBTYPE": "CDT_CREATED", "PATIENT_ID": "{patient_id}",'
        f' "SOURCE_NAME": "vitals", "SOURCE_ID": "{created.id}"}}'
    )
    record = webhooks.resolve(unwrap(body, {}))
    assert isinstance(record, CdtRecord) and record.id == created.id


def test_an_unknown_entity_with_a_url_the_sdk_knows_is_read_by_its_url(
    client: welkin.Client, webhooks: Webhooks, events: list[WebhookEvent], patient_id: str
) -> None:
    created = client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})
    event = events[0].model_copy(update={"event_entity": "CDT_V2", "source_id": None})

    record = webhooks.resolve(event)

    assert isinstance(record, CdtRecord) and record.id == created.id


def test_the_urls_host_is_never_contacted(
    fake: FakeWelkin, client: welkin.Client, webhooks: Webhooks, patient_id: str
) -> None:
    event = WebhookEvent(url=f"https://attacker.example/gh/sb-demo/patients/{patient_id}")

    record = webhooks.resolve(event)

    assert isinstance(record, Patient)
    assert api_calls(fake)[-1].path == f"gh/sb-demo/patients/{patient_id}"  # through the client


# -- what cannot be resolved ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (WebhookEvent(event_entity="TASK", source_id="x"), "cannot tell which record a TASK"),
        (WebhookEvent(), "cannot tell which record a entity-less event"),
        (WebhookEvent(event_entity="CDT", patient_id="p", source_id="r"),
         "a CDT event needs patientId, cdtName, cdtRecordId to be resolved; it has no cdtName"),
        (WebhookEvent(event_entity="CALENDAR"), "it has no eventId"),
        (WebhookEvent(event_entity="CDT", tenant_name="acme"),
         "the event is from tenant 'acme'; this client reads tenant 'gh'"),
        (WebhookEvent(instance_name="prod", url="https://x/gh/prod/patients/p"),
         "from instance 'prod'"),
        (WebhookEvent(url="https://api.live.welkincloud.io/acme/sb-demo/calendar/events/e"),
         "from tenant 'acme'"),
    ],
    ids=["unknown entity", "no entity", "missing id", "no source id", "tenant", "instance",
         "tenant in the URL"],
)  # fmt: skip
def test_an_event_naming_no_record_of_this_client_is_refused_before_sending(
    fake: FakeWelkin, webhooks: Webhooks, event: WebhookEvent, message: str
) -> None:
    with pytest.raises(WebhookResolveError, match=message):
        webhooks.resolve(event)
    assert api_calls(fake) == []


def test_a_deleted_record_is_not_found(
    client: welkin.Client, webhooks: Webhooks, events: list[WebhookEvent], patient_id: str
) -> None:
    created = client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})
    client.patients.cdts.delete(patient_id, "vitals", created.id)
    with pytest.raises(welkin.NotFoundError):
        webhooks.resolve(events[0])


def test_an_id_that_is_not_a_uuid_is_refused_before_sending(
    fake: FakeWelkin, webhooks: Webhooks
) -> None:
    with pytest.raises(welkin.InvalidArgumentError, match="patient_id"):
        webhooks.resolve(WebhookEvent(event_entity="PATIENT", patient_id="not-a-uuid"))
    assert api_calls(fake) == []


async def test_the_async_client_resolves_too(
    fake: FakeWelkin, aclient: welkin.AsyncClient, events: list[WebhookEvent], patient_id: str
) -> None:
    created = await aclient.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})
    [event] = events

    record = await AsyncWebhooks(aclient).resolve(event, timeout=5.0, max_retries=0)

    assert isinstance(record, CdtRecord) and record.id == created.id


def test_the_typed_usage_example_runs(
    fake: FakeWelkin, client: welkin.Client, events: list[WebhookEvent], patient_id: str
) -> None:
    """tests/typed/usage.py's webhook_example, which mypy checks, against the fake."""
    spec = importlib.util.spec_from_file_location(
        "welkin_typed_usage", Path(__file__).parents[1] / "typed" / "usage.py"
    )
    assert spec is not None and spec.loader is not None
    usage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(usage)
    created = client.patients.cdts.create(patient_id, "vitals", {"weight": 61.5})
    body = json.dumps(events[0].to_dict()).encode()

    summary = usage.webhook_example(client, body, {"X-Welkin-Token": "t0k3n"})

    assert summary == f"CDT_CREATED {created.id} {{'weight': 61.5}}"
