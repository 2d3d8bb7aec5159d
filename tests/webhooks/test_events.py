"""``unwrap`` and ``parse_event``: every known event, unknown ones, both spellings of the
predefined fields, custom fields, the chat webhook's body, and bodies that are not webhooks."""

from __future__ import annotations

import json
import typing
from datetime import datetime, timezone
from typing import Any

import pytest

from welkin import WelkinError
from welkin.webhooks import (
    ChatMessageEvent,
    WebhookEvent,
    WebhookPayloadError,
    parse_event,
    unwrap,
)

PATIENT_ID = "cdb303e7-844f-40f8-b634-fe99bfccce28"
RECORD_ID = "bd20fc04-2b88-45ad-a52e-76d0d0a649ab"

# The entity and subtype pairs Welkin's delivery logs and reference show (NEWER.md).
KNOWN_EVENTS = [
    ("CALENDAR", "CALENDAR_EVENT_CREATED"),
    ("CALENDAR", "CALENDAR_EVENT_UPDATED"),
    ("CDT", "CDT_CREATED"),
    ("CDT", "CDT_UPDATED"),
    ("ASSESSMENT", "ASSESSMENT_COMPLETED"),
    ("USER_APP_ACCESS", "USER_ACCESS_UPDATED"),
]

INITIATED_BY = {
    "initiatedBy": "03f51404-a300-4857-b10c-0d6a1a1b88ae",
    "initiatedByName": "Maya Okafor",
    "initiatedByObjectId": "03f51404-a300-4857-b10c-0d6a1a1b88ae",
    "initiatedByObjectType": "USER",
    "initiatedTime": "2025-05-02T14:03:11.250Z",
}


def body(entity: str = "CDT", subtype: str = "CDT_CREATED", **extra: Any) -> dict[str, Any]:
    return {
        "instanceName": "sb-demo",
        "tenantName": "gh",
        "sourceName": "vitals",
        "sourceId": RECORD_ID,
        "patientId": PATIENT_ID,
        "eventEntity": entity,
        "eventSubtype": subtype,
        "url": f"https://api.live.welkincloud.io/gh/sb-demo/patients/{PATIENT_ID}/cdts/vitals/{RECORD_ID}",
        "initiatedBy": INITIATED_BY,
        **extra,
    }


def literal_values(field: str) -> set[str]:
    """The known values an open-enum field of WebhookEvent declares."""
    annotation = WebhookEvent.model_fields[field].annotation
    literals = [
        arg for arg in typing.get_args(annotation) if typing.get_origin(arg) is typing.Literal
    ]
    return {value for literal in literals for value in typing.get_args(literal)}


def test_the_model_declares_exactly_the_known_events() -> None:
    assert literal_values("event_entity") == {entity for entity, _ in KNOWN_EVENTS}
    assert literal_values("event_subtype") == {subtype for _, subtype in KNOWN_EVENTS}


@pytest.mark.parametrize(("entity", "subtype"), KNOWN_EVENTS)
def test_every_known_event_parses(entity: str, subtype: str) -> None:
    event = unwrap(json.dumps(body(entity, subtype)).encode(), {})

    assert type(event) is WebhookEvent
    assert (event.event_entity, event.event_subtype) == (entity, subtype)
    assert event.tenant_name == "gh" and event.instance_name == "sb-demo"
    assert event.source_id == RECORD_ID and event.source_name == "vitals"
    assert event.patient_id == PATIENT_ID
    assert event.url is not None and event.url.endswith(RECORD_ID)


def test_initiated_by_is_typed() -> None:
    initiated = unwrap(json.dumps(body()), {}).initiated_by

    assert initiated is not None
    assert initiated.initiated_by_name == "Maya Okafor"
    assert initiated.initiated_by_object_type == "USER"
    assert initiated.initiated_time == datetime(2025, 5, 2, 14, 3, 11, 250000, tzinfo=timezone.utc)


def test_unknown_entities_and_subtypes_are_kept() -> None:
    event = unwrap(json.dumps(body("TASK", "TASK_COMPLETED")), {})

    assert (event.event_entity, event.event_subtype) == ("TASK", "TASK_COMPLETED")
    assert event.to_dict()["eventEntity"] == "TASK"


def test_custom_and_unknown_fields_are_kept_and_dumped_back() -> None:
    sent = body(careProgram="diabetes", score=7, nested={"a": [1, 2]})
    event = unwrap(json.dumps(sent), {})

    assert event.model_extra == {"careProgram": "diabetes", "score": 7, "nested": {"a": [1, 2]}}
    assert event.to_dict() == sent


def test_every_field_is_optional() -> None:
    event = unwrap(b"{}", {})

    assert event == WebhookEvent()
    assert event.event_entity is None and event.initiated_by is None


def test_the_upper_snake_names_of_the_predefined_fields_are_accepted() -> None:
    sent = {
        "INSTANCE_NAME": "sb-demo",
        "TENANT_NAME": "gh",
        "SOURCE_NAME": "vitals",
        "SOURCE_ID": RECORD_ID,
        "PATIENT_ID": PATIENT_ID,
        "EVENT_ENTITY": "CDT",
        "EVENT_SUBTYPE": "CDT_UPDATED",
        "URL": "https://api.live.welkincloud.io/gh/sb-demo/patients",
        "MY_CUSTOM_FIELD": "kept as named",
    }
    event = unwrap(json.dumps(sent), {})

    assert event.instance_name == "sb-demo" and event.tenant_name == "gh"
    assert event.source_name == "vitals" and event.source_id == RECORD_ID
    assert event.patient_id == PATIENT_ID
    assert (event.event_entity, event.event_subtype) == ("CDT", "CDT_UPDATED")
    assert event.url == "https://api.live.welkincloud.io/gh/sb-demo/patients"
    assert event.model_extra == {"MY_CUSTOM_FIELD": "kept as named"}


def test_the_camel_case_spelling_wins_and_the_other_is_kept() -> None:
    event = unwrap(json.dumps({"eventEntity": "CDT", "EVENT_ENTITY": "CALENDAR"}), {})

    assert event.event_entity == "CDT"
    assert event.model_extra == {"EVENT_ENTITY": "CALENDAR"}


def test_the_chat_webhooks_body_is_a_chat_message_event() -> None:
    # docs/chat.md's example body
    sent = {
        "patientId": PATIENT_ID,
        "patientUrl": f"https://api.live.welkincloud.io/gh/sb-demo/patients/{PATIENT_ID}",
        "tenantName": "gh",
        "instanceName": "sb-demo",
        "message": "Webhook test...",
    }
    event = unwrap(json.dumps(sent), {"X-WEBHOOK-API-KEY": "k"})

    assert isinstance(event, ChatMessageEvent) and isinstance(event, WebhookEvent)
    assert event.message == "Webhook test..."
    assert event.patient_url == sent["patientUrl"]
    assert event.patient_id == PATIENT_ID and event.tenant_name == "gh"
    assert event.event_entity is None
    assert event.to_dict() == sent


def test_a_data_event_with_a_custom_field_named_message_stays_a_data_event() -> None:
    event = unwrap(json.dumps(body(message="a custom field")), {})

    assert type(event) is WebhookEvent
    assert event.model_extra == {"message": "a custom field"}


@pytest.mark.parametrize(
    "raw",
    [
        json.dumps(body()),
        json.dumps(body()).encode(),
        bytearray(json.dumps(body()).encode()),
        memoryview(json.dumps(body()).encode()),
    ],
    ids=["str", "bytes", "bytearray", "memoryview"],
)
def test_the_body_may_be_text_or_any_bytes(raw: Any) -> None:
    assert unwrap(raw, {}).source_id == RECORD_ID


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<html>not json</html>", "the body is not JSON"),
        (b"\xff\xfe\x00", "the body is not JSON"),
        (b"", "the body is not JSON"),
        (b"[1, 2]", "the body is not a JSON object"),
        (b'"CDT"', "the body is not a JSON object"),
        (b'{"eventEntity": 5}', "^eventEntity: Input should be a valid string$"),
        (b'{"initiatedBy": {"initiatedTime": "yesterday"}}', "initiatedBy.initiatedTime"),
    ],
)
def test_a_body_that_is_not_a_webhook_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(WebhookPayloadError, match=message) as caught:
        unwrap(raw, {})

    assert isinstance(caught.value, WelkinError) and isinstance(caught.value, ValueError)
    assert "yesterday" not in str(caught.value)  # names the field, never the value


def test_parse_event_skips_verification() -> None:
    assert parse_event(json.dumps(body())).event_subtype == "CDT_CREATED"
