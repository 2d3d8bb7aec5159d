"""Bases of the generated classes that keep the old ``welkin`` package's usage working.

``client.Patient(firstName="Foo").create()`` builds a typed model bound to the client; its
methods call the same operations as ``client.patients``. Children reached from a parent
need no repeated ids: ``patient.Encounter(id=...).get()`` takes the patient id from the
patient, as the old package did.

Each method is a list of *calls* (``Call``): an operation and where each of its path
placeholders comes from. The first call whose values are all known is made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar
from uuid import UUID

from pydantic import PrivateAttr
from typing_extensions import Self

from ._exceptions import InvalidArgumentError, WelkinError
from ._models import WelkinModel

if TYPE_CHECKING:
    from ._client import Client
    from ._operation import Operation

__all__ = ["Call", "CompatCollection", "CompatInstance", "CompatNamespace", "Ref"]

ItemT = TypeVar("ItemT")


@dataclass(frozen=True)
class Ref:
    """Where a path placeholder's value comes from.

    ``field``: an attribute of the object itself. ``context``: the argument ``arg`` if
    given, else (for an ``@Class`` id) the object's own attribute of that name, else the
    ``attr`` of the nearest ancestor of class ``owner`` (``patient_id`` from the Patient an
    Encounter was reached from). ``arg``: a plain argument of the method.
    """

    kind: str  # "field", "context" or "arg"
    attr: str
    arg: str = ""
    owner: str = ""
    wire: str = ""  # the wire name of a field (extra fields keep it)


@dataclass(frozen=True)
class Call:
    operation: Operation[Any]
    path: Mapping[str, Ref] = field(default_factory=dict)
    when: str | None = None  # a flag argument that must be true to choose this call
    rename: Mapping[str, str] = field(default_factory=dict)  # old argument -> wire name


def _query(
    operation: Operation[Any], kwargs: Mapping[str, Any], rename: Mapping[str, str]
) -> dict[str, Any]:
    """Keyword arguments (Python names, or the old package's names) as the query."""
    query = {}
    for name, value in kwargs.items():
        if value is None:
            continue  # as in the old package: None means "not given"
        wire = rename.get(name)
        param = operation.param(name) if wire is None else _by_wire(operation, wire)
        if param is None:
            raise InvalidArgumentError(name, f"is not a parameter of {operation.id}")
        if param.kind == "datetime" and isinstance(value, str):
            value = _parse_datetime(name, value)  # the old package passed strings through
        query[param.wire] = value
    return query


def _parse_datetime(name: str, text: str) -> datetime | date:
    """An ISO-8601 date (midnight UTC, as typed dates are sent) or timestamp given as text; a
    timestamp must say its offset (``Z`` or ``+02:00``)."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidArgumentError(name, f"{text!r} is not an ISO-8601 timestamp") from None
    if value.utcoffset() is None:
        raise InvalidArgumentError(name, f"{text!r} has no UTC offset (add Z or +hh:mm)")
    return value


def _by_wire(operation: Operation[Any], wire: str) -> Any:
    return next((p for p in operation.query_params if p.wire == wire), None)


class _Node:
    """What instances, collections and namespaces share: a client and a parent."""

    _parent: Any

    def _ancestors(self) -> Iterator[Any]:
        node = self._parent
        while node is not None:
            yield node
            node = getattr(node, "_parent", None)

    def _lookup(self, ref: Ref, context: Mapping[str, Any]) -> Any:
        if ref.kind == "arg":
            return context.get(ref.arg)
        if ref.kind == "field":
            return _attribute(self, ref.attr, ref.wire)
        value = context.get(ref.arg)
        if value is None and ref.attr == "id":
            # An Encounter's own patient_id names its patient; but a designer object's own
            # `version` is its definition's number, not the formation version (@Formation.version).
            value = _attribute(self, ref.arg, "")
        for ancestor in self._ancestors():
            if value is not None:
                break
            if type(ancestor).__name__ == ref.owner:
                value = _attribute(ancestor, ref.attr, "")
            else:
                value = _attribute(ancestor, ref.arg, "")
        return value

    def _choose(
        self, calls: Sequence[Call], context: Mapping[str, Any], flags: Mapping[str, Any]
    ) -> tuple[Call, dict[str, Any]]:
        """The first call whose flag is set (if it needs one) and whose path is known."""
        tried = []
        for call in calls:
            if call.when is not None and not flags.get(call.when):
                continue
            path = {
                wire: _path_value(call.operation, wire, self._lookup(ref, context))
                for wire, ref in call.path.items()
            }
            if all(value is not None for value in path.values()):
                return call, path
            tried.append([_describe(ref) for wire, ref in call.path.items() if path[wire] is None])
        if not tried:
            raise InvalidArgumentError(", ".join(flags), "no operation fits these flags")
        first, *others = [" and ".join(missing) for missing in tried]
        problem = f"is needed to call this on a {type(self).__name__}"
        if others:
            problem += f" (or else {' or '.join(others)})"
        raise InvalidArgumentError(first, problem)


def _path_value(operation: Operation[Any], wire: str, value: Any) -> Any:
    """A model's UUID id fits a path parameter that takes names or ids (``programNameOrId``)."""
    if isinstance(value, UUID):
        param = next((p for p in operation.path_params if p.wire == wire), None)
        if param is not None and param.kind == "string":
            return str(value)
    return value


def _attribute(obj: Any, name: str, wire: str) -> Any:
    if not name:
        return None
    value = getattr(obj, name, None)
    if value is None and wire:
        extra = getattr(obj, "__pydantic_extra__", None) or {}
        value = extra.get(wire)
    return value


def _describe(ref: Ref) -> str:
    return ref.attr if ref.kind == "field" else ref.arg


class CompatInstance(_Node, WelkinModel):
    """A model bound to a client, with the old package's ``create/get/update/delete``."""

    # Typed Any: pydantic resolves annotations at class creation, before Client can be imported.
    _client: Any = PrivateAttr(default=None)
    _parent: Any = PrivateAttr(default=None)

    @classmethod
    def _bind(cls, client: Client, data: Any, parent: Any = None) -> Self:
        instance = cls.model_validate(data)
        instance._client = client
        instance._parent = parent
        return instance

    def _bound(self) -> Client:
        client: Client | None = self._client
        if client is None:
            raise WelkinError(
                f"{type(self).__name__} is not bound to a client: create it with "
                f"client.{type(self).__name__}(...)"
            )
        return client

    def _absorb(self, data: Any) -> Self:
        """Refresh this object from a response body, as the old package did; return it."""
        if not isinstance(data, dict):
            return self  # an empty body (204) leaves the object as it was
        fresh = self.model_validate(data)
        for name in fresh.model_fields_set:
            setattr(self, name, getattr(fresh, name))
        if fresh.__pydantic_extra__ and self.__pydantic_extra__ is not None:
            self.__pydantic_extra__.update(fresh.__pydantic_extra__)
        return self

    def _send(
        self,
        calls: Sequence[Call],
        context: Mapping[str, Any],
        *,
        flags: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        call, path = self._choose(calls, context, {**(query or {}), **(flags or {})})
        kwargs = dict(query or {})
        for flag, value in (flags or {}).items():
            if call.operation.param(flag) is not None:
                kwargs[flag] = value  # a flag that is also a query parameter is sent
        wire_query = _query(call.operation, kwargs, call.rename)
        return self._bound()._call_raw(call.operation, path=path, query=wire_query, body=body)

    def _create(self, calls: Sequence[Call], context: Mapping[str, Any]) -> Self:
        return self._absorb(self._send(calls, context, body=self.to_json()))

    def _get(
        self,
        calls: Sequence[Call],
        context: Mapping[str, Any],
        flags: Mapping[str, Any],
        query: Mapping[str, Any],
    ) -> Self:
        return self._absorb(self._send(calls, context, flags=flags, query=query))

    def _update(
        self, calls: Sequence[Call], context: Mapping[str, Any], fields: Mapping[str, Any]
    ) -> Self:
        return self._absorb(self._send(calls, context, body=fields))

    def _replace(self, calls: Sequence[Call], context: Mapping[str, Any]) -> Self:
        """An update that sends the whole object (the old package's PUT)."""
        return self._absorb(self._send(calls, context, body=self.to_json()))

    def _delete(self, calls: Sequence[Call], context: Mapping[str, Any]) -> Self:
        return self._absorb(self._send(calls, context))

    def _download(self, calls: Sequence[Call], context: Mapping[str, Any]) -> BytesIO:
        call, path = self._choose(calls, context, {})
        return BytesIO(self._bound()._call_bytes(call.operation, path=path))


class CompatCollection(_Node, Generic[ItemT]):
    """The old package's collection classes: ``client.Patients().get(paginate=False)``."""

    #: The class of the items: a compat instance class, or a plain model.
    item: ClassVar[type[Any]]

    def __init__(self, client: Client, parent: Any = None) -> None:
        self._client = client
        self._parent = parent

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    def _bound(self) -> Client:
        return self._client

    def _list(
        self,
        calls: Sequence[Call],
        context: Mapping[str, Any],
        flags: Mapping[str, Any],
        paginate: bool,
        kwargs: Mapping[str, Any],
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> list[ItemT] | Iterator[ItemT]:
        call, path = self._choose(calls, context, {**kwargs, **flags})
        operation = call.operation
        kwargs = dict(kwargs)
        for flag, value in flags.items():
            if operation.param(flag) is not None:
                kwargs[flag] = value
        from ._client import RequestOptions

        query = _query(operation, kwargs, call.rename)
        # The old package's params={...}: wire names and values, sent as given.
        options = RequestOptions(extra_query=params)
        bind = self._binder(operation)
        if operation.pagination is None:  # a bare list: one request, no pages
            raw = self._client._call_raw(
                operation, path=path, query=query, body=body, options=options
            )
            items = [bind(item) for item in raw or []]
            return iter(items) if paginate else items
        page = self._client._call_page(
            operation, path=path, query=query, body=body, options=options
        )
        # Straight from each item's JSON to the compat class: validated once, not twice.
        if not paginate:
            return list(page._iter_as(bind))
        return (item for each in page.iter_pages() for item in each._iter_as(bind))

    def _binder(self, operation: Operation[Any]) -> Callable[[Any], ItemT]:
        """How to turn this call's items into objects: the compat class, unless the call
        answers another shape (Encounters().get(related_data=True) gives FullEncounter
        models, an encounter with its related data, as the old package gave those dicts)."""
        from pydantic import BaseModel

        response = operation.response
        if (
            isinstance(response, type)
            and issubclass(response, BaseModel)
            and not issubclass(self.item, response)
        ):
            model: Any = response  # items of another model than ItemT: typed loosely on purpose
            return model.model_validate  # type: ignore[no-any-return]
        return self._bind_item

    def _bind_item(self, raw: Any) -> ItemT:
        if issubclass(self.item, CompatInstance):
            bound: ItemT = self.item._bind(self._client, raw, parent=self._parent)  # type: ignore[assignment]
            return bound
        item: ItemT = self.item.model_validate(raw)
        return item

    def _send(
        self,
        calls: Sequence[Call],
        context: Mapping[str, Any],
        *,
        body: Any = None,
        files: Any = None,
    ) -> Any:
        call, path = self._choose(calls, context, {})
        return self._client._call(call.operation, path=path, body=body, files=files)


class CompatNamespace(_Node):
    """A scope without an endpoint of its own, e.g. ``client.Formation(version="draft")``."""

    def __init__(self, client: Client, parent: Any = None) -> None:
        self._client = client
        self._parent = parent

    def _bound(self) -> Client:
        return self._client
