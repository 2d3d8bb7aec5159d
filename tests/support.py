"""Helpers shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from welkin.testing import FakeWelkin, RecordedRequest


def api_calls(fake: FakeWelkin) -> list[RecordedRequest]:
    """What the fake received, without the token requests."""
    return [r for r in fake.requests if "/api_clients/" not in r.path]


def last_call(fake: FakeWelkin) -> RecordedRequest:
    return api_calls(fake)[-1]


def is_utc_aware(value: datetime | None) -> bool:
    return value is not None and value.utcoffset() == timedelta(0)


START = 1_700_000_000.0  # 2023-11-14T22:13:20Z


class FakeClock:
    """A wall clock that only moves when told to; share it between a fake and a client."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def store_unrecognized(
    fake: FakeWelkin, kind: str, example: dict[str, Any], text_field: str, count: int
) -> list[str]:
    """Store ``count`` unrecognised messages of ``kind`` (``sms``, ``emails``) shaped like
    ``example``: nothing in the API creates them (they come from the SMS or mail provider)."""
    return fake.add_records(
        f"{fake.instance}/unrecognized-patients/{kind}",
        (
            {
                **example,
                "id": str(uuid.uuid4()),
                "direction": "IN",
                "status": "UNRECOGNISED",
                text_field: f"{kind} {n}",
            }
            for n in range(count)
        ),
    )
