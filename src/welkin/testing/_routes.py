"""The fake's one router: a route for every operation of the registry, chosen by path,
method and fixed query, and what a handler of a route receives and raises.

A route's *role* says what its path template touches (see ``_store``):

- a *collection* template is one that takes a POST or a paged/listed GET
  (``patients/{patientId}/encounters``);
- an *item* template is a collection template plus one placeholder
  (``.../encounters/{encounterId}``);
- anything else is a *single document* at its path (``admin/user-permissions/{userId}``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from welkin._operation import Operation

    from ._store import Store

__all__ = [
    "Call",
    "Handler",
    "RejectedError",
    "Route",
    "build_routes",
    "check_body",
    "component_of",
    "match",
    "normalise_path",
    "parent_template",
    "placeholder",
    "routes",
]

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
#: The fake publishes designer changes at once: ``current`` reads what ``draft`` holds.
_VERSION_ALIASES = {"current": "draft"}


class RejectedError(Exception):
    """Raised by a handler to answer with a Welkin error body."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class Route:
    operation: Operation[Any]
    pattern: re.Pattern[str]
    role: str  # "collection", "item" or "document"
    specificity: tuple[int, int]


@dataclass(frozen=True)
class Call:
    """A request matched to a route, as the handlers see it."""

    route: Route
    path: str  # the concrete path, formation versions normalised
    params: dict[str, str]
    query: dict[str, str]  # booleans spelled as Welkin's server reads them
    body: Any
    content: bytes
    content_type: str
    time: float  # the fake's clock
    now: str  # the same instant as Welkin writes timestamps

    @property
    def operation(self) -> Operation[Any]:
        return self.route.operation


@dataclass(frozen=True)
class Handler:
    """How the fake answers one operation that plain CRUD on the store does not describe.

    ``component`` names the ``componentType`` of its errors (by default the resource of the
    operation id). With ``own_checks``, the handler reads the request as sent and checks it
    itself: no validation with the SDK's body model, no reading of multipart fields, no
    check that the patient or user of the path exists.
    """

    handle: Callable[[Store, Call], httpx.Response]
    component: str | None = None
    own_checks: bool = False


def component_of(operation: Operation[Any]) -> str:
    """The ``componentType`` of an operation's errors: its resource (``PATIENTS``, ``CDTS``)."""
    return operation.id.split(".")[-2].upper()


def build_routes(operations: Iterable[Operation[Any]]) -> list[Route]:
    """Routes for the operations, most specific first (literal segments beat placeholders)."""
    operations = list(operations)
    collections = {
        op.path
        for op in operations
        if op.method == "POST" or (op.method == "GET" and (op.pagination or op.response_is_list))
    }
    built = []
    for op in operations:
        if op.path in collections:
            role = "collection"
        elif parent_template(op.path) in collections:
            role = "item"
        else:
            role = "document"
        literals = sum(1 for s in op.path.split("/") if not _PLACEHOLDER.fullmatch(s))
        specificity = (literals, len(op.fixed_query))
        built.append(Route(op, _regex(op.path), role, specificity))
    built.sort(key=lambda r: r.specificity, reverse=True)
    return built


@functools.cache
def routes() -> tuple[Route, ...]:
    """The routes of every operation of the registry (built once: they never change)."""
    from welkin.operations import OPERATIONS

    return tuple(build_routes(OPERATIONS.values()))


def match(
    method: str, path: str, query: Mapping[str, str]
) -> tuple[Route | None, dict[str, str], bool]:
    """The route for a request, its path parameters, and whether the path is known.

    A fixed query parameter picks one of the operations sharing a path and method
    (``type=EID``...); a request naming none of them goes to the first of them, whose handler
    reads the query itself.
    """
    known = False
    fallback: tuple[Route, dict[str, str]] | None = None
    for route in routes():
        found = route.pattern.fullmatch(path)
        if found is None:
            continue
        known = True
        if route.operation.method != method:
            continue
        fixed = route.operation.fixed_query
        if all(query.get(key) == value for key, value in fixed.items()):
            return route, found.groupdict(), True
        if fallback is None:
            fallback = route, found.groupdict()
    if fallback is not None:
        return *fallback, True
    return None, {}, known


def parent_template(template: str) -> str | None:
    """The collection template of an item template, None for another template."""
    head, _, last = template.rpartition("/")
    return head if _PLACEHOLDER.fullmatch(last) else None


def placeholder(segment: str) -> str | None:
    """The name of a ``{placeholder}`` path segment, None for a literal one."""
    found = _PLACEHOLDER.fullmatch(segment)
    return None if found is None else found.group(1)


def normalise_path(path: str) -> str:
    """Formation versions: the fake serves ``current`` from what ``draft`` holds."""
    parts = path.split("/")
    for index, part in enumerate(parts[:-1]):
        if part == "formations":
            parts[index + 1] = _VERSION_ALIASES.get(parts[index + 1], parts[index + 1])
    return "/".join(parts)


def check_body(call: Call) -> None:
    """Refuse a body the operation's model (the one the SDK sends) does not accept."""
    op = call.operation
    if op.files_field is not None and call.content_type.startswith("multipart/"):
        return
    if op.body_model is not None:
        from pydantic import ValidationError

        if not isinstance(call.body, dict):
            raise RejectedError(400, "BAD_REQUEST", "Body must be a JSON object")
        try:
            op.body_model.model_validate(call.body)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            raise RejectedError(400, "VALIDATION_ERROR", f"{where}: {first['msg']}") from None
    elif op.body_json and call.body is not None and not isinstance(call.body, dict):
        raise RejectedError(400, "BAD_REQUEST", "Body must be a JSON object")
    elif op.files_field is not None and op.body_model is None:
        raise RejectedError(400, "BAD_REQUEST", "Expected multipart/form-data with files")


def _regex(template: str) -> re.Pattern[str]:
    parts = []
    for segment in template.split("/"):
        name = placeholder(segment)
        if name is None:
            parts.append(re.escape(segment))
        elif name == "instance":
            parts.append(r"(?P<instance>(?!admin$)[^/]+)")
        else:
            parts.append(f"(?P<{name}>[^/]+)")
    return re.compile("/".join(parts))
