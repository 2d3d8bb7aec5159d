"""The old package's helpers (``welkin.util`` of welkin 0.1.x), with the outputs they had.

They turn request values into the wire form the old classes send (UTC timestamps with
milliseconds and a ``Z``, UUIDs as text, lists comma-joined in queries) and find the ids a
child object takes from its parents.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from uuid import UUID

if TYPE_CHECKING:
    from .models.base import Collection, Resource

__all__ = [
    "Target",
    "clean_data",
    "clean_date",
    "clean_datetime",
    "clean_json_list",
    "clean_request_params",
    "clean_request_payload",
    "find_model_id",
    "model_id",
    "reset_file_offsets",
    "to_camel_case",
    "to_snake_case",
]

P = ParamSpec("P")
R = TypeVar("R")


def __getattr__(name: str) -> Any:
    # The old module also exported the model bases; they are imported on first use, since
    # welkin.models itself imports this module.
    if name in ("Collection", "Resource", "SchemaBase"):
        from .models import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Target:
    """A scope bound to a client that is not a resource itself (the old ``Formation``)."""

    _client: Any = None

    def __init__(self) -> None:
        self._base_path = ""


def clean_data(value: Any) -> Any:
    """A request value in its JSON form: timestamps and dates as UTC text, UUIDs as text."""
    if isinstance(value, datetime):
        return clean_datetime(value)
    if isinstance(value, date):
        return clean_date(value)
    if isinstance(value, dict):
        return clean_request_payload(value)
    if isinstance(value, list):
        return clean_json_list(value)
    if isinstance(value, UUID):
        return str(value)
    return value


def clean_request_payload(payload: Mapping[Any, Any]) -> dict[Any, Any]:
    """A JSON body with every value cleaned (``clean_data``), nested ones included."""
    return {key: clean_data(value) for key, value in payload.items()}


def clean_json_list(data: Iterable[Any]) -> list[Any]:
    """A JSON list with every item cleaned."""
    return [clean_data(item) for item in data]


def clean_request_params(params: Mapping[Any, Any]) -> dict[Any, Any]:
    """Query values as the old package sent them: timestamps as UTC text, lists comma-joined.

    Other values are left alone (booleans then go out as ``True``/``False``, as they did)."""
    result: dict[Any, Any] = {}
    for key, value in params.items():
        if isinstance(value, datetime):
            result[key] = clean_datetime(value)
        elif isinstance(value, date):
            result[key] = clean_date(value)
        elif isinstance(value, list):
            result[key] = ",".join(value)
        else:
            result[key] = value
    return result


def clean_date(value: date) -> str:
    """A date as midnight UTC: ``2024-05-01T00:00:00.000Z``."""
    return clean_datetime(datetime(value.year, value.month, value.day, tzinfo=timezone.utc))


def clean_datetime(value: datetime) -> str:
    """A timestamp in UTC with milliseconds and a ``Z``.

    A naive datetime is taken as local time, as the old package took it."""
    text = value.astimezone(tz=timezone.utc).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def find_model_id(instance: Collection | Resource, model_name: str) -> str:
    """The id of the nearest ``model_name`` object: the instance itself, its
    ``<modelName>Id`` field, or (recursively) its parent's.

    Raises AttributeError when the parent chain ends without one."""
    body_id_key = f"{to_camel_case(model_name)}Id"
    if type(instance).__name__ == model_name:
        return instance.id  # type: ignore[no-any-return]
    if hasattr(instance, body_id_key):
        return getattr(instance, body_id_key)  # type: ignore[no-any-return]
    if instance._parent is not None:
        return find_model_id(instance._parent, model_name)
    raise AttributeError(f"Cannot find {model_name} id. Model._parent chain ends in {instance}")


def model_id(*models: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Fill the ``<model>_id`` arguments a method was not given from the object's parents.

    Nothing is filled when positional arguments are given: they are the ids."""

    def decorator(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            self, given = args[0], args[1:]
            missing: AttributeError | None = None
            for model in models:
                key = f"{to_snake_case(model)}_id"
                if not given and key not in kwargs:
                    try:
                        kwargs[key] = find_model_id(self, model)  # type: ignore[arg-type]
                    except AttributeError as exc:
                        exc.__cause__ = missing
                        missing = exc
            try:
                return method(*args, **kwargs)
            except TypeError as exc:
                # A missing id surfaces as a missing argument; keep why it was not found.
                raise exc from missing

        return wrapper

    return decorator


def reset_file_offsets(files: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> None:
    """Rewind every file object of a request's ``files`` (so a retry sends it whole)."""
    pairs = files.items() if isinstance(files, Mapping) else files
    for _, info in pairs:
        handle = info[1] if isinstance(info, (tuple, list)) else info
        if hasattr(handle, "seek"):
            handle.seek(0)


@functools.lru_cache
def to_camel_case(text: str) -> str:
    """``patient_id`` and ``PatientId`` -> ``patientId``."""
    snake = to_snake_case(text)
    upper = re.sub(r"(?:^|_)(.)", lambda m: m.group(1).upper(), snake)
    return snake[:1].lower() + upper[1:]


@functools.lru_cache
def to_snake_case(text: str) -> str:
    """``DocumentSummary`` and ``documentSummary`` -> ``document_summary``."""
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"([a-z\d])([A-Z])", r"\1_\2", text)
    return text.replace("-", "_").lower()
