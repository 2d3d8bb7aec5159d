"""The base class of every generated model (lossless, alias-aware), Welkin's timestamp type,
lenient response validation, and strict request-body validation."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import date, datetime, timezone
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, cast, get_args, get_origin

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    PlainSerializer,
    SerializationInfo,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import core_schema

from ._exceptions import InvalidArgumentError
from ._serialization import format_datetime, format_datetime_as_given

__all__ = [
    "WelkinDateTime",
    "WelkinModel",
    "dump_body",
    "reads_strictly",
    "validate_model",
    "validate_response",
]

logger = logging.getLogger("welkin")

M = TypeVar("M", bound="WelkinModel")
T = TypeVar("T")


def _date_to_datetime(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    return value


def _serialize_datetime(value: Any, info: SerializationInfo) -> Any:
    if not isinstance(value, datetime):
        return value  # a response field read leniently: its wire value goes back as it came
    # Request bodies go out in UTC (Welkin's documented form); a model dumped back keeps the
    # offset it came with.
    if info.context and info.context.get("request"):
        return format_datetime(value)
    return format_datetime_as_given(value)


class _OrPlainDate:
    """Besides an aware datetime, accept a plain ``date`` as midnight UTC (how Welkin stores
    birth dates). A union rather than a before-validator: the timestamps of a response, all
    text, are then read without a single Python call."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        midnight = core_schema.chain_schema(
            [
                core_schema.date_schema(strict=True),
                core_schema.no_info_plain_validator_function(_date_to_datetime),
            ]
        )
        return core_schema.union_schema(
            [handler(source), midnight],
            mode="left_to_right",
            custom_error_type="datetime_aware",
            custom_error_message="Input should be a timezone-aware datetime or a date",
        )


#: A timestamp field: parsed to an aware datetime, dumped back in Welkin's exact form.
WelkinDateTime = Annotated[
    AwareDatetime,
    _OrPlainDate,
    PlainSerializer(_serialize_datetime, return_type=str, when_used="json"),
]


class WelkinModel(BaseModel):
    """Base of all Welkin models.

    Welkin adds fields without notice, so unknown fields are kept (and dumped back), every
    field may be null, and both the Python name (``first_name``) and the wire name
    (``firstName``) are accepted on input. Responses are read leniently (see
    validate_response); validating a model directly (``Patient.model_validate``, request
    bodies) stays strict.
    """

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        arbitrary_types_allowed=True,
        # A model read leniently may hold wire values that do not fit: revalidated when it is
        # passed into another model (a request body), they fail there rather than go out.
        # Responses are dicts, not instances, so reading them costs nothing more.
        revalidate_instances="always",
    )

    def to_dict(self) -> dict[str, Any]:
        """The wire form: camelCase keys, only the fields that were set, unknown fields kept."""
        # A field read leniently holds its wire value, which pydantic would warn about (with
        # the value in the warning) while dumping it back exactly as it came.
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True, warnings=False)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The wire form (``to_dict()``) as a JSON string; ``indent=None`` for one line."""
        return _json_text(self.to_dict(), indent)


def _json_text(data: Any, indent: int | None) -> str:
    if indent is None:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(data, indent=indent, ensure_ascii=False)


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


# -- reading responses --------------------------------------------------------------------
#
# Welkin's API guide asks clients not to validate strictly: fields are added and changed
# without notice. So a response is first validated as declared (the fast path, all of it in
# pydantic-core); only when that fails is it read again field by field, keeping the wire
# value of each field that does not fit instead of failing the whole call.

_STRICT = {"strict": True}


def reads_strictly(context: Any) -> bool:
    """Whether a pydantic validation context asks for strict reading (see validate_response);
    page envelopes keep the answer for the items they validate later."""
    return isinstance(context, Mapping) and context.get("strict") is True


def validate_response(adapter: TypeAdapter[T], data: Any, *, strict: bool = False) -> T:
    """A decoded response body as its typed result (a model, a list of them, or a page).

    Lenient by default: a field that does not fit its type keeps the value as received and is
    logged once per process (model and field, never the value); a missing required field is
    None. A body that is not an object where a model is expected still raises, as does
    everything with ``strict``: pydantic's ValidationError, as before."""
    try:
        # The adapter's validator itself: TypeAdapter.validate_python adds a few
        # microseconds of Python per call.
        return cast(T, adapter.validator.validate_python(data, context=_STRICT if strict else None))
    except ValidationError:
        model, many = _response_model(adapter.core_schema)
        if strict or model is None or not _objects(data, many):
            raise
    # The casts: the adapter's T is the model (or a list of it), which mypy cannot see.
    if many:
        return cast(T, [_read(model, item, f"{model.__name__}[]") for item in data])
    return cast(T, _read_leniently(model, data, model.__name__))


def validate_model(model: type[M], data: Any, *, strict: bool = False) -> M:
    """``data`` as ``model``, read leniently unless ``strict`` (see validate_response)."""
    try:
        # What model_validate does, minus its frame: this runs once per item of a page.
        return cast(M, model.__pydantic_validator__.validate_python(data))
    except ValidationError:
        if strict or not isinstance(data, Mapping):
            raise
    return _read_leniently(model, data, model.__name__)


def _response_model(schema: Any) -> tuple[type[WelkinModel] | None, bool]:
    """The model a response adapter validates, and whether it validates a list of them.

    None for anything else (a page envelope validates its items itself)."""
    if schema["type"] == "definitions":
        schema = schema["schema"]
    many = schema["type"] == "list"
    if many:
        schema = schema["items_schema"]
    model = schema.get("cls") if schema["type"] == "model" else None
    if isinstance(model, type) and issubclass(model, WelkinModel):
        return model, many
    return None, many


def _objects(data: Any, many: bool) -> bool:
    """Whether ``data`` is a JSON object (or, with ``many``, a list of them): only objects
    can be read field by field."""
    if many:
        return isinstance(data, list) and all(isinstance(item, Mapping) for item in data)
    return isinstance(data, Mapping)


def _read(model: type[M], data: Mapping[str, Any], where: str) -> M:
    """``data`` as ``model``: validated as declared if it fits, else read leniently."""
    try:
        return model.model_validate(data)
    except ValidationError:
        pass
    return _read_leniently(model, data, where)


def _read_leniently(model: type[M], data: Mapping[str, Any], where: str) -> M:
    """``data`` as ``model``, field by field: what fits is typed, what does not keeps its wire
    value (so ``to_dict()`` gives ``data`` back), and a missing required field is None."""
    # Every value as received, unknown fields kept (the cast: the pydantic plugin types
    # model_construct on the base class).
    built = cast(M, model.model_construct(**data))
    validator = model.__pydantic_validator__
    for name, info in model.model_fields.items():
        path = f"{where}.{info.alias or name}"
        if name not in built.model_fields_set:
            if info.is_required():
                # Absent from the fields set, so to_dict() leaves it out as it came.
                built.__dict__[name] = None
                _warn_once(_MISSING, path, info.annotation)
            continue
        raw = built.__dict__[name]
        try:
            validator.validate_assignment(built, name, raw)
        except ValidationError:
            built.__dict__[name] = _salvage(info.annotation, raw, path)
    return built


def _salvage(annotation: Any, raw: Any, path: str) -> Any:
    """The value of a field that does not fit: a nested model (or list of them) rebuilt so
    that only its own fields that do not fit stay raw; anything else as received."""
    model, many = _nested_model(annotation)
    if model is not None and _objects(raw, many):
        if many:
            return [_read(model, item, path + "[]") for item in raw]
        return _read_leniently(model, raw, path)
    _warn_once(_MISFIT, path, annotation)
    return raw


def _nested_model(annotation: Any) -> tuple[type[WelkinModel] | None, bool]:
    """The model a field holds (``M``, ``M | None``) or lists (``list[M] | None``)."""
    options = [annotation]
    if get_origin(annotation) in (Union, UnionType):
        options = [option for option in get_args(annotation) if option is not type(None)]
    if len(options) != 1:
        return None, False
    option, many = options[0], get_origin(options[0]) is list
    if many:
        option = get_args(option)[0]
    if isinstance(option, type) and issubclass(option, WelkinModel):
        return option, many
    return None, False


_MISFIT = "response field %s does not fit %s: kept as received (Client(strict=True) raises)"
_MISSING = "response field %s (%s) is missing: read as None (Client(strict=True) raises)"
_warned: set[str] = set()


def _warn_once(message: str, path: str, annotation: Any) -> None:
    # Once per field and process: a page of a hundred records would otherwise log a hundred
    # times. Only the field and its type are named: the value is patient data.
    if path in _warned:
        return
    _warned.add(path)
    logger.warning(message, path, _type_name(annotation))


def _type_name(annotation: Any) -> str:
    """``annotation`` as one would write it: ``str | None``, ``list[CareTeamMember]``."""
    if get_origin(annotation) is Annotated:
        return _type_name(get_args(annotation)[0])
    args = get_args(annotation)
    if get_origin(annotation) in (Union, UnionType):
        return " | ".join(_type_name(arg) for arg in args)
    if args:
        return f"{_type_name(get_origin(annotation))}[{', '.join(map(_type_name, args))}]"
    if annotation is type(None):
        return "None"
    return getattr(annotation, "__name__", str(annotation))
