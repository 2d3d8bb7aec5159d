"""Every operation Welkin is known to have is in the registry (tests/endpoints.txt).

The list holds the 171 rows of ENDPOINTS.md, then the 26 operations of NEWER.md's table of
operations that exist but are not in ENDPOINTS.md: 197 in all. How NEWER.md's rows count:

- one line per operation: a row naming several paths (drafts, calls, invoices, faxes) gives
  one line each;
- ``GET {instance}/export/{resource}`` stands for about 16 exports whose names were never
  seen. It is one line and one operation (``client.exports.records(name)``), because what the
  SDK offers, and what a name change would touch, is that one path template; the exports
  RN names (PATIENT, PATIENT_PROGRAM, PDT_RECORD) have lines and methods of their own;
- operations NEWER.md says exist without a path (fax create, update, upload, assign and send;
  the bulk patient update; "resolve template") have no line: there is no request to check,
  and no method until a source gives the path. endpoints.txt names them in a comment.

Each NEWER.md line ends with the source of its path. A path known only from DIG (Welkin's
unreliable developer guide) is unconfirmed: its operation's summary, the first line of the
method's docstring, says "Unconfirmed path" and points at ``client.call()``; no other
operation says so.
"""

from __future__ import annotations

import re
from pathlib import Path

from welkin.operations import OPERATIONS

ENDPOINTS = Path(__file__).with_name("endpoints.txt")
NEWER_MARKER = "# ==== NEWER.md ===="
CONFIRMED_SOURCES = {"QX", "RN", "KB"}
UNCONFIRMED = "Unconfirmed path"
_PLACEHOLDER = re.compile(r"\{(?!instance\})[^{}]+\}")


def normalise(method: str, path: str) -> tuple[str, str]:
    """Placeholder names differ between sources ({userIdOrUsername}); their places do not."""
    return method, _PLACEHOLDER.sub("{}", path.removeprefix("{tenant}/"))


def rows() -> list[tuple[str, str, str | None, bool]]:
    """``(method, normalised path, source of the path, from NEWER.md)`` of every line."""
    found = []
    newer = False
    for line in ENDPOINTS.read_text().splitlines():
        if line == NEWER_MARKER:
            newer = True
        if not line or line.startswith("#"):
            continue
        method, path, *source = line.split()
        found.append((*normalise(method, path), source[0] if source else None, newer))
    return found


def known_endpoints() -> list[tuple[str, str]]:
    return [(method, path) for method, path, _, _ in rows()]


def test_the_list_holds_every_row_of_endpoints_md_and_newer_md() -> None:
    older = [row for row in rows() if not row[3]]
    newer = [row for row in rows() if row[3]]

    assert len(older) == 171
    assert all(source is None for _, _, source, _ in older)
    assert len(newer) == 26
    assert {source for _, _, source, _ in newer} == CONFIRMED_SOURCES | {"DIG"}
    assert len(known_endpoints()) == 197
    # ENDPOINTS.md repeats a path where one place takes two kinds of key (an event's id or
    # external id); NEWER.md's rows are all new paths.
    older_paths = {(method, path) for method, path, _, _ in older}
    newer_paths = {(method, path) for method, path, _, _ in newer}
    assert len(newer_paths) == 26 and not newer_paths & older_paths


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


def test_exactly_the_operations_of_unconfirmed_paths_say_so() -> None:
    unconfirmed = {(method, path) for method, path, source, _ in rows() if source == "DIG"}
    saying_so = {op.id for op in OPERATIONS.values() if UNCONFIRMED in op.summary}
    expected = {op.id for op in OPERATIONS.values() if normalise(op.method, op.path) in unconfirmed}

    assert saying_so == expected
    assert len(expected) == len(unconfirmed) == 21
    for op_id in expected:
        summary = OPERATIONS[op_id].summary
        assert "\n" not in summary and "`client.call()`" in summary, op_id
