"""Turning Python values into Welkin's wire form: timestamps, query and path values, JSON."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from typing import Any, Literal, get_args
from urllib.parse import quote, quote_plus
from uuid import UUID

from ._exceptions import InvalidArgumentError

__all__ = [
    "Param",
    "ParamKind",
    "check_path",
    "format_datetime",
    "query_string",
    "query_text",
    "to_wire",
]


def format_datetime(value: datetime | date) -> str:
    """Welkin's timestamp form: UTC, milliseconds, ``Z`` (``2022-09-15T23:00:00.000Z``).

    A plain date becomes midnight UTC, as Welkin stores birth dates. Naive datetimes are
    refused: guessing a zone for health data silently shifts appointments and birth dates.
    """
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    elif value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware, e.g. datetime.now(timezone.utc)")
    value = value.astimezone(timezone.utc)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def format_datetime_as_given(value: datetime) -> str:
    """A timestamp Welkin sent, in its own offset: ``local*`` calendar times carry the
    viewer's (``2024-07-01T12:00:00.000+03:00``); UTC ones keep the ``Z`` form."""
    if not value.utcoffset():
        return format_datetime(value)
    return value.isoformat(timespec="milliseconds")


def check_path(argument: str, path: str) -> str:
    """A caller-written URL path, refused (InvalidArgumentError) when it holds a control
    character or a ``.``/``..`` segment: those would send the request somewhere else."""
    for char in path:
        if ord(char) < 32 or ord(char) == 127:
            raise InvalidArgumentError(argument, f"must not contain control characters: {path!r}")
    route = path.split("?", 1)[0].split("#", 1)[0]
    if any(segment in (".", "..") for segment in route.split("/")):
        raise InvalidArgumentError(argument, f"must not contain '.' or '..' segments: {path!r}")
    return path


_SORT = re.compile(r"[A-Za-z_][\w.]*(,(asc|desc|ASC|DESC))?")
# A UUID already in canonical form goes out as given; other spellings are normalized.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

#: The kinds of path and query parameters; codegen maps spec types onto these.
ParamKind = Literal[
    "string", "integer", "boolean", "uuid", "datetime", "version", "enum", "sort", "csv"
]


@dataclass(frozen=True, slots=True)
class Param:
    """A path or query parameter of an operation: its wire name, Python name and kind
    (``enum`` has its ``values``; ``csv`` is a list of ``item`` kind, comma-joined)."""

    wire: str
    name: str
    kind: ParamKind
    values: tuple[str, ...] = ()
    item: ParamKind = "string"

    def encode(self, value: Any) -> str:
        """The value as it goes on the wire; raises InvalidArgumentError naming the argument."""
        try:
            return _ENCODERS[self.kind](value, self)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(self.name, str(exc)) from None

    def encode_path(self, value: Any) -> str:
        encoded = self.encode(value)
        if not encoded:
            raise InvalidArgumentError(self.name, "must not be empty")
        if encoded in (".", ".."):
            # A dot segment collapses the URL onto another resource (".." in a username
            # would DELETE /{tenant}/admin); no Welkin id or name is one.
            raise InvalidArgumentError(self.name, f"must not be {encoded!r}")
        return encoded if _UNRESERVED.fullmatch(encoded) else quote(encoded, safe="")


def _type_error(expected: str, value: Any) -> TypeError:
    return TypeError(f"expected {expected}, got {type(value).__name__}")


def _string(value: Any, param: Param) -> str:
    if isinstance(value, Enum):
        value = value.value
    if not isinstance(value, str):
        raise _type_error("str", value)
    return value


def _integer(value: Any, param: Param) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _type_error("int", value)
    return str(value)


def _boolean(value: Any, param: Param) -> str:
    if not isinstance(value, bool):
        raise _type_error("bool", value)
    return "true" if value else "false"


def _uuid(value: Any, param: Param) -> str:
    if isinstance(value, UUID):
        return str(value)
    if not isinstance(value, str):
        raise _type_error("a UUID or str", value)
    if _CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(UUID(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a valid UUID") from None


def _datetime(value: Any, param: Param) -> str:
    if not isinstance(value, date):
        raise _type_error("datetime or date", value)
    return format_datetime(value)


def _version(value: Any, param: Param) -> str:
    """A formation version: current, draft or a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"a version number is not negative, got {value}")
        return str(value)
    if value not in ("current", "draft"):
        raise ValueError(f"expected 'current', 'draft' or a version number, got {value!r}")
    return str(value)


def _enum(value: Any, param: Param) -> str:
    text = value.value if isinstance(value, Enum) else value
    if text not in param.values:
        raise ValueError(f"{value!r} is not one of {', '.join(param.values)}")
    return str(text)


def _sort(value: Any, param: Param) -> str:
    if isinstance(value, tuple) and len(value) == 2:
        value = f"{value[0]},{value[1]}"
    if not isinstance(value, str) or not _SORT.fullmatch(value):
        raise ValueError(f"{value!r} is not 'field', 'field,asc' or 'field,desc'")
    return value


def _csv(value: Any, param: Param) -> str:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise _type_error("a list", value)
    encode = _ENCODERS[param.item]
    return ",".join(encode(item, param) for item in value)


_ENCODERS: dict[str, Callable[[Any, Param], str]] = {
    "string": _string,
    "integer": _integer,
    "boolean": _boolean,
    "uuid": _uuid,
    "datetime": _datetime,
    "version": _version,
    "enum": _enum,
    "sort": _sort,
    "csv": _csv,
}
assert set(_ENCODERS) == set(get_args(ParamKind))


def to_wire(value: Any) -> Any:
    """A free-form JSON value with datetimes, UUIDs and enums in Welkin's wire form."""
    if isinstance(value, Mapping):
        return {str(key): to_wire(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(item) for item in value]
    if isinstance(value, date):
        return format_datetime(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    to_dict = getattr(value, "to_dict", None)  # a WelkinModel (not imported: pydantic is heavy)
    return to_dict() if callable(to_dict) else value


def query_text(value: Any) -> str:
    """An untyped query value as text: lists comma-joined, booleans in lower case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(query_text(item) for item in value)
    wire = to_wire(value)
    return wire if isinstance(wire, str) else str(wire)


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")


def _form_quoted(text: str) -> str:
    return text if _UNRESERVED.fullmatch(text) else quote_plus(text, safe="")


def query_string(query: Mapping[str, str]) -> str:
    """``query`` encoded as httpx encodes ``params`` (urllib's urlencode: form quoting), with
    the common case, names and values that need no quoting, kept as they are."""
    return "&".join(f"{_form_quoted(name)}={_form_quoted(value)}" for name, value in query.items())
