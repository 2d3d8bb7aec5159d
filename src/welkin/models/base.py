"""The bases of the old package's classes (``welkin.models.base`` of welkin 0.1.x).

A ``Resource`` is a dict of the JSON Welkin sent (camelCase keys, values as sent) with
attribute access by key; a ``Collection`` is a list of its resource class. Both are bound
to a client: ``client.Patient`` is a subclass of ``Patient`` whose ``_client`` is that
client, and an object reached from another (``patient.Encounters()``) also knows its
``_parent``, where it finds the ids it needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, SupportsIndex, overload

from typing_extensions import Self

from ..pagination import PageIterator

if TYPE_CHECKING:
    from .._client import Client
    from .._models import WelkinModel

__all__ = ["Collection", "Resource", "SchemaBase", "bind"]


def bind(cls: type[Any], client: Client | None, parent: Any = None, **extra: Any) -> type[Any]:
    """A subclass of ``cls`` bound to ``client`` (and reached from ``parent``).

    The old package set ``_client`` and ``_parent`` on the shared classes themselves, so two
    clients or two parents in one program overwrote each other; a subclass per binding
    keeps them apart and is still ``cls`` to ``isinstance`` and ``issubclass``.
    """
    namespace = {
        "_client": client,
        "_parent": parent,
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
        **extra,
    }
    return type(cls.__name__, (cls,), namespace)


def _set_private(obj: object, name: str, value: Any) -> None:
    # Resource maps attribute writes to dict keys; the binding must not become a key.
    object.__setattr__(obj, name, value)


class SchemaBase:
    """What every old class has: its client, its parent and the classes reachable from it."""

    _client: ClassVar[Any] = None
    _parent: Any = None
    subresources: ClassVar[tuple[type[Any], ...]] = ()

    def __getattr__(self, name: str) -> Any:
        for child in type(self).subresources:
            if child.__name__ == name:
                return bind(child, self._client, self)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


class Resource(dict[str, Any], SchemaBase):
    """One object of the API: the JSON dict itself, with attribute access by key."""

    nested_objects: ClassVar[MappingProxyType[str, str]] = MappingProxyType({})
    #: The typed model of ``welkin.types`` that ``.model`` validates into ("area.Name").
    typed_model: ClassVar[str | None] = None

    def __getattr__(self, name: str) -> Any:
        try:
            value = self[name]
        except KeyError:
            return SchemaBase.__getattr__(self, name)
        nested = type(self).nested_objects.get(name)
        if nested is None:
            return value
        cls = getattr(importlib.import_module("welkin.models"), nested)
        if issubclass(cls, Collection):
            collection = cls()
            _set_private(collection, "_client", self._client)
            _set_private(collection, "_parent", self)
            collection.extend(collection._wrap(item) for item in value)
            return collection
        obj = cls(value)
        _set_private(obj, "_client", self._client)
        _set_private(obj, "_parent", self)
        return obj

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        del self[name]

    def __str__(self) -> str:
        id_ = dict.get(self, "id", "")
        return f"{type(self).__name__} #{id_}" if id_ else type(self).__name__

    def __repr__(self) -> str:
        return object.__repr__(self)

    @property
    def model(self) -> Any:
        """This object as its typed model (``welkin.types``), for migrating code.

        Validated from the dict as it is now; the dict itself is not changed. (Should
        Welkin send a field named ``model``, that field is what this returns, as before.)"""
        if "model" in self:
            return self["model"]
        if self.typed_model is None:
            raise AttributeError(f"{type(self).__name__} has no typed model")
        area, name = self.typed_model.split(".")
        model: type[WelkinModel] = getattr(importlib.import_module(f"welkin.types.{area}"), name)
        return model.model_validate(dict(self))

    # -- HTTP, relative to the client's host -------------------------------------------

    def get(self, resource: Any, subresource: Any = None, *args: Any, **kwargs: Any) -> Self:
        self._update(self._client.get([resource, subresource], *args, **kwargs))
        return self

    def patch(self, resource: str, data: Any, *args: Any, **kwargs: Any) -> Self:
        self._update(self._client.patch(resource, *args, json=data, **kwargs))
        return self

    def post(self, resource: str, *args: Any, **kwargs: Any) -> Self:
        self._update(self._client.post(resource, *args, json=self, **kwargs))
        return self

    def put(self, resource: str, *args: Any, **kwargs: Any) -> Self:
        self._update(self._client.put(resource, *args, json=self, **kwargs))
        return self

    def delete(self, resource: str, *args: Any, **kwargs: Any) -> Self:
        self._update(self._client.delete(resource, *args, **kwargs))
        return self

    def _update(self, response: Any) -> None:
        dict.update(self, response)


class Collection(list[Any], SchemaBase):
    """A list of ``resource`` objects, filled by ``get`` (one page, or lazily with
    ``paginate=True``)."""

    resource: ClassVar[type[Resource]] = Resource
    iterator: ClassVar[type[PageIterator]] = PageIterator

    @overload
    def __getitem__(self, index: SupportsIndex) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> Self: ...
    def __getitem__(self, index: SupportsIndex | slice) -> Any:
        if isinstance(index, slice):
            part = type(self)(super().__getitem__(index))
            _set_private(part, "_client", self._client)
            _set_private(part, "_parent", self._parent)
            return part
        return super().__getitem__(index)

    def __str__(self) -> str:
        return str([str(item) for item in self])

    def __repr__(self) -> str:
        return object.__repr__(self)

    def _wrap(self, data: Any) -> Resource:
        """An item of this collection, bound to its client, with the collection as parent."""
        item = type(self).resource(data)
        _set_private(item, "_client", self._client)
        _set_private(item, "_parent", self)
        return item

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self.request(self._client.get, *args, **kwargs)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        return self.request(self._client.post, *args, **kwargs)

    def patch(self, *args: Any, **kwargs: Any) -> Any:
        return self.request(self._client.patch, *args, **kwargs)

    def request(
        self,
        method: Callable[..., Any],
        resource: str,
        paginate: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """One page into this collection (at most ``size`` items), or the lazy iterator."""
        paginator = self.iterator(self, resource, method, *args, **kwargs)
        if paginate:
            return paginator
        self.clear()
        for n, _ in enumerate(paginator):
            if n == paginator.size - 1:
                break
        return self
