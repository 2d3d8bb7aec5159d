"""The base class of every generated model (lenient, lossless, alias-aware), Welkin's
timestamp type, and request-body validation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    SerializationInfo,
    ValidationError,
)

from ._exceptions import InvalidArgumentError
from ._serialization import format_datetime, format_datetime_as_given

__all__ = ["WelkinDateTime", "WelkinModel", "dump_body"]


def _date_to_datetime(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    return value


def _serialize_datetime(value: datetime, info: SerializationInfo) -> str:
    # Request bodies go out in UTC (Welkin's documented form); a model dumped back keeps the
    # offset it came with.
    if info.context and info.context.get("request"):
        return format_datetime(value)
    return format_datetime_as_given(value)


#: A timestamp field: parsed to an aware datetime, dumped back in Welkin's exact form.
WelkinDateTime = Annotated[
    AwareDatetime,
    BeforeValidator(_date_to_datetime),
    PlainSerializer(_serialize_datetime, return_type=str, when_used="json"),
]


class WelkinModel(BaseModel):
    """Base of all Welkin models.

    Welkin adds fields without notice, so unknown fields are kept (and dumped back), every
    field may be null, and both the Python name (``first_name``) and the wire name
    (``firstName``) are accepted on input.
    """

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        arbitrary_types_allowed=True,
    )

    def to_json(self) -> dict[str, Any]:
        """The wire form: camelCase keys, only the fields that were set, unknown fields kept."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


def dump_body(model: type[WelkinModel], fields: Mapping[str, Any], argument: str) -> Any:
    """Validate a request body against its model and return its JSON form.

    Raises InvalidArgumentError naming the offending field (by its Python name).
    """
    try:
        body = model.model_validate(_timestamps_as_text(fields))
    except ValidationError as exc:
        error = exc.errors()[0]
        location = ".".join(_python_name(model, str(part)) for part in error["loc"])
        raise InvalidArgumentError(location or argument, error["msg"]) from None
    return body.model_dump(mode="json", by_alias=True, exclude_unset=True, context=_REQUEST)


_REQUEST = {"request": True}


def _timestamps_as_text(value: Any) -> Any:
    """Datetimes anywhere in a body, in Welkin's form (UTC, milliseconds, ``Z``).

    Typed timestamp fields would be formatted so anyway; this reaches the free-form parts
    (extra fields, ``additionalInfo``), which pydantic would dump with microseconds. Naive
    ones are left for validation, which refuses them in timestamp fields."""
    if isinstance(value, datetime):
        return value if value.utcoffset() is None else format_datetime(value)
    if isinstance(value, Mapping):
        return {key: _timestamps_as_text(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_timestamps_as_text(item) for item in value]
    return value


def _python_name(model: type[WelkinModel], wire: str) -> str:
    for name, info in model.model_fields.items():
        if info.alias == wire:
            return name
    return wire
