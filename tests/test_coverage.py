"""Every operation Welkin is known to have is in the registry (tests/endpoints.txt)."""

from __future__ import annotations

import re
from pathlib import Path

from welkin.operations import OPERATIONS

ENDPOINTS = Path(__file__).with_name("endpoints.txt")
_PLACEHOLDER = re.compile(r"\{(?!instance\})[^{}]+\}")


def normalise(method: str, path: str) -> tuple[str, str]:
    """Placeholder names differ between sources ({userIdOrUsername}); their places do not."""
    return method, _PLACEHOLDER.sub("{}", path.removeprefix("{tenant}/"))


def known_endpoints() -> list[tuple[str, str]]:
    rows = []
    for line in ENDPOINTS.read_text().splitlines():
        if line and not line.startswith("#"):
            method, path = line.split(" ", 1)
            rows.append(normalise(method, path))
    return rows


def test_the_list_holds_every_row_of_endpoints_md() -> None:
    assert len(known_endpoints()) == 171


def test_every_known_endpoint_is_in_the_registry() -> None:
    registry = {normalise(op.method, op.path) for op in OPERATIONS.values()}
    missing = [
        f"{method} {path}" for method, path in known_endpoints() if (method, path) not in registry
    ]
    assert missing == []


def test_the_registry_has_nothing_the_sources_do_not_know() -> None:
    known = set(known_endpoints())
    extra = [
        f"{op.method} {op.path}"
        for op in OPERATIONS.values()
        if normalise(op.method, op.path) not in known
    ]
    assert extra == []
