"""Turning a delivery into a typed event: verify first, then parse."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..types.webhooks import ChatMessageEvent, WebhookEvent, WebhookInitiator
from ._errors import WebhookPayloadError
from ._verify import HeadersLike, HeaderVerifier, Verifier, normalise_headers

__all__ = ["parse_event", "unwrap"]

# Welkin's delivery log names the predefined payload fields in UPPER_SNAKE; the delivered
# body's keys are undocumented and most likely camelCase (see spec/webhooks.yaml). Only these
# names are renamed: a configured custom field keeps whatever name it was given.
_PREDEFINED = {
    "INSTANCE_NAME": "instanceName",
    "TENANT_NAME": "tenantName",
    "SOURCE_NAME": "sourceName",
    "SOURCE_ID": "sourceId",
    "PATIENT_ID": "patientId",
    "EVENT_ENTITY": "eventEntity",
    "EVENT_SUBTYPE": "eventSubtype",
    "URL": "url",
}


def unwrap(
    body: bytes | bytearray | memoryview | str,
    headers: HeadersLike,
    *,
    expected_headers: Mapping[str, str] | None = None,
    verifier: Verifier | None = None,
) -> WebhookEvent:
    """Check a delivery and return its event.

    ``body`` is the raw request body (verify before parsing: a signature covers the bytes
    as sent) and ``headers`` the request's headers, as a mapping or ``(name, value)`` pairs.
    ``expected_headers`` are the custom headers configured for the webhook, each compared in
    constant time; ``verifier`` is any further check (an ``HmacVerifier``...). Without
    either, nothing is verified.

    Returns a ``WebhookEvent``, or a ``ChatMessageEvent`` (a subclass) for the chat
    webhook's body. Raises ``WebhookVerificationError`` when a check fails and
    ``WebhookPayloadError`` when the body is not a webhook's JSON object.
    """
    raw = body.encode() if isinstance(body, str) else bytes(body)
    if expected_headers or verifier is not None:
        received = normalise_headers(headers)
        if expected_headers:
            HeaderVerifier(expected_headers)(raw, received)
        if verifier is not None:
            verifier(raw, received)
    return parse_event(raw)


def parse_event(body: bytes | str) -> WebhookEvent:
    """The event of a body, without any check (``unwrap`` verifies first)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookPayloadError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookPayloadError("the body is not a JSON object")
    data = _camel_case_keys(data)
    model = ChatMessageEvent if _is_chat(data) else WebhookEvent
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise WebhookPayloadError(_first_problem(exc)) from None


_WIRE_NAMES = frozenset(
    info.alias or name
    for model in (ChatMessageEvent, WebhookInitiator)
    for name, info in model.model_fields.items()
)


def _first_problem(exc: ValidationError) -> str:
    """The first invalid field and what is wrong with it (never its value). For an open
    enum, the last of pydantic's per-member errors: "should be a valid string"."""
    errors = exc.errors()

    def where(error: Any) -> str:  # the location without the union-member tags
        return ".".join(str(part) for part in error["loc"] if part in _WIRE_NAMES) or "body"

    field = where(errors[0])
    message = [error["msg"] for error in errors if where(error) == field][-1]
    return f"{field}: {message}"


def _camel_case_keys(data: dict[str, Any]) -> dict[str, Any]:
    """The predefined fields under their camelCase names; where both spellings came, the
    camelCase one wins and the other is kept as an extra field."""
    out = dict(data)
    for upper, camel in _PREDEFINED.items():
        if upper in out and camel not in out:
            out[camel] = out.pop(upper)
    return out


def _is_chat(data: Mapping[str, Any]) -> bool:
    """The chat webhook's body: a message or a patient URL, and no event entity or subtype."""
    if data.get("eventEntity") is not None or data.get("eventSubtype") is not None:
        return False
    return "patientUrl" in data or "message" in data
