"""Filters and sorting shared by the patients' and the users' lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._routes import RejectedError

JSONObject = dict[str, Any]


def bool_param(query: Mapping[str, str], name: str) -> bool | None:
    raw = query.get(name)
    if raw is None:
        return None
    if raw.lower() not in ("true", "false"):
        raise RejectedError(400, "BAD_REQUEST", f"{name} must be true or false")
    return raw.lower() == "true"


def contains(record: Mapping[str, Any], fields: tuple[str, ...], needle: str) -> bool:
    """Whether one of the record's ``fields`` holds ``needle`` (casefolded)."""
    return any(needle in str(record.get(f) or "").casefold() for f in fields)


def sorted_by(items: list[JSONObject], spec: str | None) -> list[JSONObject]:
    """``items`` sorted as ``sort=field,asc`` (or ``desc``) asks; items without the field last."""
    if not spec:
        return items
    field, _, direction = spec.partition(",")
    direction = direction.strip().lower() or "asc"
    if not field or direction not in ("asc", "desc"):
        raise RejectedError(400, "BAD_REQUEST", "sort must be field,asc or field,desc")
    present = [item for item in items if item.get(field) is not None]
    missing = [item for item in items if item.get(field) is None]
    present.sort(key=lambda item: _sort_key(item[field]), reverse=direction == "desc")
    return present + missing


def _sort_key(value: Any) -> tuple[int, float, str]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))
