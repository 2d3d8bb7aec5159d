"""``client.audits`` (data, security and webhook audit logs) and the old ``DataAudit(s)`` and
``WebhookAudit(s)`` classes, against the fake."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any

import pytest
from support import api_calls, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import DataAuditEvent, SecurityAuditEvent, WebhookAuditEvent

DATA = "gh/admin/audit-data"
SECURITY = "gh/admin/audit-security"
WEBHOOK = "gh/admin/audit-webhook"
PATIENT_ID = "ee66e8e8-6ce1-40d3-b6cb-e5727c5347c8"

# Shaped like docs/data_audit.md, plus a field Welkin might add and a null. The record is kept
# as sent (its "timezone " key with a space included).
DATA_EVENT: dict[str, Any] = {
    "eventEntity": "PATIENT",
    "url": f"https://api.live.welkincloud.io/gh/sb-demo/patients/{PATIENT_ID}",
    "subjectUsername": "mokafor",
    "subjectUserId": "03f51404-a300-4857-b10c-0d6a1a1b88ae",
    "subjectActor": "USER",
    "subjectFullName": "Maya Okafor",
    "patientFullName": "Charlie Schwarz",
    "patientId": PATIENT_ID,
    "instance": "sb-demo",
    "eventSubtype": "PATIENT_UPDATED",
    "sentAt": "2023-04-27T04:33:36.933Z",
    "cdtName": None,
    "record": {
        "id": PATIENT_ID,
        "firstName": "Charlie",
        "lastName": "Schwarz",
        "birthDate": "2012-08-12T00:00:00.000Z",
        "timezone ": "America/Los_Angeles",
        "patientTerritories": [],
    },
    "newField": 1,
}
# docs/security_audit.md.
SECURITY_EVENT: dict[str, Any] = {
    "sentAt": "2023-05-04T11:42:20.692Z",
    "subjectUsername": "mokafor",
    "subjectUserId": "c8701ee0-e26d-4177-bec5-dadd3d7519e1",
    "subjectActor": "USER",
    "subjectFullName": "Maya Okafor",
    "objectUsername": "jlee",
    "objectUserId": "5b1d1c0e-6c52-4c43-9d0a-1d1e0a3c9f10",
    "objectActor": "USER",
    "objectFullName": "Jin Lee",
    "eventSubtype": "USER_ACCESS_UPDATED",
    "record": {
        "adminAccessEnabled": True,
        "instanceAccesses": [{"instanceName": "sbx", "workshopAccessEnabled": True}],
    },
    "cdtName": None,
    "newField": 1,
}
# docs/webhook_audit.md.
WEBHOOK_EVENT: dict[str, Any] = {
    "id": "bd20fc04-2b88-45ad-a52e-76d0d0a649ab",
    "sentAt": "2023-04-09T18:10:21.067Z",
    "eventEntity": "ASSESSMENT",
    "patientId": "2295910b-bd94-4fe6-b3c4-3023861c34e1",
    "instance": "sb-demo",
    "status": "DELIVERED",
    "eventSubtype": "ASSESSMENT_COMPLETED",
    "record": {
        "name": "assessments_to_ehr",
        "url": "https://hooks.clinic.example/welkin",
        "headers": [{"name": "X-Hook", "value": "abc"}],
        "queryParameters": [{"name": "source", "value": None}],
    },
    "newField": 1,
}


def store(fake: FakeWelkin, path: str, event: dict[str, Any], count: int) -> list[str]:
    """Nothing in the API writes audit events: store ``count`` copies of ``event``."""
    return fake.add_records(
        path.removeprefix("gh/"),
        ({**event, "id": str(uuid.uuid4()), "subjectUsername": f"user{n}"} for n in range(count)),
    )


# -- documented shapes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "fixture"),
    [
        (DataAuditEvent, DATA_EVENT),
        (SecurityAuditEvent, SECURITY_EVENT),
        (WebhookAuditEvent, WEBHOOK_EVENT),
    ],
)
def test_documented_examples_dump_back_exactly(model: type[Any], fixture: dict[str, Any]) -> None:
    parsed = model.model_validate(fixture)
    assert parsed.to_dict() == fixture
    assert parsed.sent_at is not None and parsed.sent_at.tzinfo is not None
    assert parsed.model_extra == {"newField": 1}


def test_events_are_typed() -> None:
    data = DataAuditEvent.model_validate(DATA_EVENT)
    security = SecurityAuditEvent.model_validate(SECURITY_EVENT)
    webhook = WebhookAuditEvent.model_validate(WEBHOOK_EVENT)

    assert data.sent_at == datetime(2023, 4, 27, 4, 33, 36, 933000, tzinfo=timezone.utc)
    assert data.patient_id == uuid.UUID(PATIENT_ID)
    assert data.record is not None and data.record["timezone "] == "America/Los_Angeles"
    assert security.object_user_id == uuid.UUID("5b1d1c0e-6c52-4c43-9d0a-1d1e0a3c9f10")
    assert webhook.id == uuid.UUID("bd20fc04-2b88-45ad-a52e-76d0d0a649ab")
    assert webhook.record is not None and webhook.record.headers is not None
    assert (webhook.record.headers[0].name, webhook.record.headers[0].value) == ("X-Hook", "abc")
    assert webhook.record.query_parameters is not None
    assert webhook.record.query_parameters[0].value is None


def test_a_data_event_with_its_cdt_definition() -> None:
    event = {**DATA_EVENT, "eventEntity": "CDT", "cdtName": "vitals", "operation": "CREATE"}
    event["cdt"] = {"name": "vitals", "title": "Vitals", "fields": [{"name": "weight"}]}

    parsed = DataAuditEvent.model_validate(event)

    assert parsed.cdt is not None and parsed.cdt.name == "vitals"
    assert parsed.model_dump(mode="json", by_alias=True, exclude_unset=True) == event


# -- lists ---------------------------------------------------------------------------------


def test_data_audit_sends_every_filter(fake: FakeWelkin, client: welkin.Client) -> None:
    page = client.audits.data.list(
        page=0,
        size=20,
        sort=("createdAt", "desc"),
        cdt_name="vitals",
        entity="CDT",
        subject_username="mokafor",
        subject_full_name="Maya Okafor",
        subject_actor="API_CLIENT",
        instance="sb-demo",
        patient_full_name="Charlie Schwarz",
        patient_id=PATIENT_ID,
        operation="UPDATE",
        date_start=datetime(2023, 2, 26, 17, 0, tzinfo=timezone.utc),
        date_end=date(2023, 3, 1),
        include_formation=True,
    )

    call = last_call(fake)
    assert (call.method, call.path) == ("GET", DATA)
    assert call.query == {
        "page": "0",
        "size": "20",
        "sort": "createdAt,desc",
        "cdtName": "vitals",
        "entity": "CDT",
        "subjectUsername": "mokafor",
        "subjectFullName": "Maya Okafor",
        "subjectActor": "API_CLIENT",
        "instance": "sb-demo",
        "patientFullName": "Charlie Schwarz",
        "patientId": PATIENT_ID,
        "operation": "UPDATE",
        "dateStart": "2023-02-26T17:00:00.000Z",
        "dateEnd": "2023-03-01T00:00:00.000Z",  # a date is its midnight UTC
        "includeFormation": "true",
    }
    assert page.items == [] and not page.has_next_page()


def test_data_audit_pages_through_metainfo_pages(fake: FakeWelkin, client: welkin.Client) -> None:
    store(fake, DATA, DATA_EVENT, 5)
    before = len(api_calls(fake))

    first = client.audits.data.list(size=2)

    assert first.envelope.meta_info is not None
    assert (first.envelope.meta_info.total_elements, first.envelope.meta_info.total_pages) == (5, 3)
    pages = list(first.iter_pages())
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert pages[-1].envelope.meta_info.last_page is True  # type: ignore[union-attr]
    assert [c.query for c in api_calls(fake)[before:]] == [
        {"size": "2"},
        {"size": "2", "page": "1"},
        {"size": "2", "page": "2"},
    ]
    events = list(first)
    assert [e.subject_username for e in events] == [f"user{n}" for n in range(5)]
    assert all(isinstance(e, DataAuditEvent) for e in events)


def test_security_audit_filters_and_pages(fake: FakeWelkin, client: welkin.Client) -> None:
    store(fake, SECURITY, SECURITY_EVENT, 3)

    first = client.audits.security.list(
        size=2,
        object_username="jlee",
        object_full_name="Jin Lee",
        object_actor="USER",
        event_subtype="USER_ACCESS_UPDATED",
    )

    assert (last_call(fake).path, last_call(fake).query) == (
        SECURITY,
        {
            "size": "2",
            "objectUsername": "jlee",
            "objectFullName": "Jin Lee",
            "objectActor": "USER",
            "eventSubtype": "USER_ACCESS_UPDATED",
        },
    )
    assert first.next_page_query is not None and first.next_page_query["page"] == "1"
    events = list(first)
    assert len(events) == 3 and all(isinstance(e, SecurityAuditEvent) for e in events)


def test_webhook_audit_filters_and_pages(fake: FakeWelkin, client: welkin.Client) -> None:
    keys = store(fake, WEBHOOK, WEBHOOK_EVENT, 4)

    first = client.audits.webhook.list(
        size=3, instance="sb-demo", event_entity="ASSESSMENT", event_subtype="ASSESSMENT_COMPLETED"
    )

    # QX (NEWER.md): the entity filter is sent as `eventEntity`, not A's `entity`.
    assert (last_call(fake).path, last_call(fake).query) == (
        WEBHOOK,
        {
            "size": "3",
            "instance": "sb-demo",
            "eventSubtype": "ASSESSMENT_COMPLETED",
            "eventEntity": "ASSESSMENT",
        },
    )
    assert [str(e.id) for e in first] == keys
    assert first.to_dict()["metaInfo"]["lastPage"] is False


def test_webhook_audit_filters_by_status_and_patient(
    fake: FakeWelkin, client: welkin.Client
) -> None:
    other = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    delivered = store(fake, WEBHOOK, WEBHOOK_EVENT, 2)
    failed = store(fake, WEBHOOK, {**WEBHOOK_EVENT, "status": "FAILED"}, 1)
    store(fake, WEBHOOK, {**WEBHOOK_EVENT, "status": "SENT"}, 1)
    store(fake, WEBHOOK, {**WEBHOOK_EVENT, "patientId": other, "status": "FAILED"}, 1)

    page = client.audits.webhook.list(
        status=["DELIVERED", "FAILED"], patient_id=uuid.UUID(WEBHOOK_EVENT["patientId"])
    )

    assert last_call(fake).query == {
        "status": "DELIVERED,FAILED",
        "patientId": WEBHOOK_EVENT["patientId"],
    }
    assert [str(e.id) for e in page] == delivered + failed
    assert {e.status for e in page} == {"DELIVERED", "FAILED"}


def test_webhook_audit_refuses_unknown_entities_and_statuses(
    fake: FakeWelkin, client: welkin.Client
) -> None:
    client.audits.webhook.list()
    sent = len(fake.requests)

    with pytest.raises(TypeError, match="entity"):
        client.audits.webhook.list(entity="CDT")  # type: ignore[call-arg]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^event_entity"):
        client.audits.webhook.list(event_entity="PATIENT")  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^status"):
        client.audits.webhook.list(status=["LOST"])
    with pytest.raises(welkin.InvalidArgumentError, match=r"^status"):
        client.audits.webhook.list(status="FAILED")  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^patient_id"):
        client.audits.webhook.list(patient_id="charlie")

    assert len(fake.requests) == sent


# -- errors --------------------------------------------------------------------------------


def test_bad_arguments_are_refused_before_sending(fake: FakeWelkin, client: welkin.Client) -> None:
    client.audits.data.list()
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^entity"):
        client.audits.data.list(entity="ASSESSMENT")  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^patient_id"):
        client.audits.data.list(patient_id="charlie")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^subject_actor"):
        client.audits.security.list(subject_actor="ROBOT")  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^date_start"):
        client.audits.webhook.list(date_start="last week")  # type: ignore[arg-type]

    assert len(fake.requests) == sent


def test_a_client_without_audit_access_is_refused(fake: FakeWelkin, client: welkin.Client) -> None:
    fake.fail_next(403, path_contains="/admin/audit-security")

    with pytest.raises(welkin.PermissionDeniedError) as caught:
        client.audits.security.list()

    assert caught.value.status_code == 403
    assert caught.value.error_codes == ["INJECTED_FAULT"]
    assert caught.value.method == "GET" and str(caught.value.url).endswith(SECURITY)


async def test_async_walks_every_webhook_event(fake: FakeWelkin) -> None:
    keys = store(fake, WEBHOOK, WEBHOOK_EVENT, 5)

    async with fake.async_client() as client:
        first = await client.audits.webhook.list(size=2)
        seen = [str(e.id) async for e in client.audits.webhook.list(size=2)]
        none = await client.audits.webhook.list(event_entity="CALENDAR", status=["SENT"])

    assert len(first.items) == 2
    assert seen == keys
    assert none.items == [] and last_call(fake).query == {
        "eventEntity": "CALENDAR",
        "status": "SENT",
    }
