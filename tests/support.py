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


START = 1_700_000_000.0  # 2023-11-14T22:13:20Z


class FakeClock:
    """A wall clock that only moves when told to; share it between a fake and a client."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
