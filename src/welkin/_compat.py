"""Bases of the generated classes that keep the old ``welkin`` package's usage working.

``client.Patient(firstName="Foo").create()`` builds a typed model bound to the client; its
methods call the same operations as ``client.patients``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import PrivateAttr
from typing_extensions import Self

from ._exceptions import InvalidArgumentError, WelkinError
from ._models import WelkinModel

if TYPE_CHECKING:
    from ._client import Client
    from ._operation import Operation

__all__ = ["CompatCollection", "CompatInstance"]

ItemT = TypeVar("ItemT", bound="CompatInstance")

#: An operation and the instance fields that fill its path placeholders.
Call = tuple["Operation[Any]", Mapping[str, str]]


def _query(operation: Operation[Any], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments (Python names) as the operation's query, keyed by wire name."""
    query = {}
    for name, value in kwargs.items():
        if value is None:
            continue  # as in the old package: None means "not given"
        param = operation.param(name)
        if param is None:
            raise InvalidArgumentError(name, f"is not a parameter of {operation.id}")
        query[param.wire] = value
    return query


class CompatInstance(WelkinModel):
    """A model bound to a client, with the old package's ``create/get/update/delete``."""

    # Typed Any: pydantic resolves annotations at class creation, before Client can be imported.
    _client: Any = PrivateAttr(default=None)

    @classmethod
    def _bind(cls, client: Client, data: Any) -> Self:
        instance = cls.model_validate(data)
        instance._client = client
        return instance

    def _bound(self) -> Client:
        client: Client | None = self._client
        if client is None:
            raise WelkinError(
                f"{type(self).__name__} is not bound to a client: create it with "
                f"client.{type(self).__name__}(...)"
            )
        return client

    def _choose(self, calls: Sequence[Call]) -> tuple[Operation[Any], dict[str, Any]]:
        """The first call whose path fields are all set on this object, with its path."""
        for operation, fields in calls:
            path = {wire: getattr(self, field, None) for wire, field in fields.items()}
            if all(value is not None for value in path.values()):
                return operation, path
        first, *others = [", ".join(fields.values()) for _, fields in calls]
        problem = f"must be set to call this on a {type(self).__name__}"
        if others:
            problem += f" (or else {' or '.join(others)})"
        raise InvalidArgumentError(first, problem)

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

    def _create(self, calls: Sequence[Call]) -> Self:
        operation, path = self._choose(calls)
        return self._absorb(self._bound()._call_raw(operation, path=path, body=self.to_json()))

    def _get(self, calls: Sequence[Call], kwargs: Mapping[str, Any]) -> Self:
        operation, path = self._choose(calls)
        query = _query(operation, kwargs)
        return self._absorb(self._bound()._call_raw(operation, path=path, query=query))

    def _update(self, calls: Sequence[Call], fields: Mapping[str, Any]) -> Self:
        operation, path = self._choose(calls)
        return self._absorb(self._bound()._call_raw(operation, path=path, body=fields))

    def _delete(self, calls: Sequence[Call]) -> Self:
        operation, path = self._choose(calls)
        return self._absorb(self._bound()._call_raw(operation, path=path))


class CompatCollection(Generic[ItemT]):
    """The old package's collection classes: ``client.Patients().get(paginate=False)``."""

    item: ClassVar[type[CompatInstance]]

    def __init__(self, client: Client) -> None:
        self._client = client

    def _list(
        self,
        operation: Operation[Any],
        paginate: bool,
        kwargs: Mapping[str, Any],
        body: Mapping[str, Any] | None = None,
    ) -> list[ItemT] | Iterator[ItemT]:
        query = _query(operation, kwargs)
        page = self._client._call_page(operation, query=query, body=body)
        # Straight from each item's JSON to the compat class: validated once, not twice.
        if not paginate:
            return list(page._iter_as(self._bind_item))
        return (item for each in page.iter_pages() for item in each._iter_as(self._bind_item))

    def _bind_item(self, raw: Any) -> ItemT:
        item: ItemT = self.item._bind(self._client, raw)  # type: ignore[assignment]
        return item
