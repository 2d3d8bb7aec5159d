"""Offline fake Welkin API for tests, and hooks that make a client's waits and clocks
deterministic."""

from welkin.testing._fake import FakeWelkin, RecordedRequest
from welkin.testing._hooks import FakeClock, instrument
from welkin.testing._scripted import ScriptedWelkin, jwt

__all__ = ["FakeWelkin", "RecordedRequest", "FakeClock", "ScriptedWelkin", "instrument", "jwt"]
