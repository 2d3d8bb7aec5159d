"""Offline fake Welkin API for tests."""

from welkin.testing._fake import FakeWelkin, RecordedRequest

__all__ = ["FakeWelkin", "RecordedRequest"]
