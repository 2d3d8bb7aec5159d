"""Helpers shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from welkin.testing import FakeWelkin, RecordedRequest


def api_calls(fake: FakeWelkin) -> list[RecordedRequest]:
    """What the fake received, without the token requests."""
    return [r for r in fake.requests if "/api_clients/" not in r.path]


def last_call(fake: FakeWelkin) -> RecordedRequest:
    return api_calls(fake)[-1]


def is_utc_aware(value: datetime | None) -> bool:
    return value is not None and value.utcoffset() == timedelta(0)
