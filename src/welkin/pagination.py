"""The old package's page iterators (``welkin.pagination`` of welkin 0.1.x).

``collection.get(paginate=True)`` returns one of these: iterating it requests page after
page (``page=0``, ``page=1``, ... or a page token or cursor, by the endpoint's style) and
yields the items, which are also appended to the collection, as the old package did.
Unlike the old package, an iteration stops with ``welkin.APIResponseValidationError`` when
the server's paging does not advance, rather than requesting the same pages forever.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from typing_extensions import Self

from ._exceptions import APIResponseValidationError
from ._pagination import short_value

if TYPE_CHECKING:
    from .models.base import Collection, Resource

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "CursorIterator",
    "FormationIterator",
    "MetaInfoIterator",
    "MetaIterator",
    "PageIterator",
    "PageNumberIterator",
    "PageableIterator",
]

DEFAULT_PAGE_SIZE = 20


class PageIterator:
    """One request, no paging: the base of the paging styles below."""

    meta_key: str | None = None
    #: The query parameter that moves from page to page (None: there is one request).
    paging_param: str | None = None

    def __init__(
        self,
        collection: Collection,
        resource: str,
        method: Callable[..., Any],
        size: int = DEFAULT_PAGE_SIZE,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        self.collection = collection
        self.resource = resource
        self.method = method
        self.size = size
        self.meta_dict: dict[str, Any] = {"totalPages": 1, "number": 0, "last": True}
        if size != DEFAULT_PAGE_SIZE:
            kwargs.setdefault("params", {}).update(size=size)
        self.args = args
        self.kwargs = kwargs
        self._resources: list[Resource] = []
        self.last = False
        self._sent: set[str] = set()

    def __iter__(self) -> Self:
        self._resources = []
        self.last = False
        self._sent = set()
        return self

    def __next__(self) -> Resource:
        while not self._resources:
            if self.last:
                raise StopIteration
            self._pre_request()
            self._refuse_repeated_request()
            self.resources, meta = self._fetch()
            self._post_request(meta)
        return self._resources.pop(0)

    def _fetch(self) -> tuple[Any, dict[str, Any]]:
        items, meta = self.method(
            self.resource,
            *self.args,
            meta_key=self.meta_key,
            meta_dict=self.meta_dict,
            **self.kwargs,
        )
        return items, meta

    def _refuse_repeated_request(self) -> None:
        """Raise rather than send a query this iteration already sent: a server that repeats
        a page number, token or cursor (or alternates two) would be asked for them forever."""
        from ._legacy import encode_params  # the query exactly as it goes on the wire

        params = self.kwargs.get("params")
        query = encode_params(params)
        if query not in self._sent:
            self._sent.add(query)
            return
        name = self.paging_param
        again = (
            f"{name}={short_value(params.get(name))}"
            if name and isinstance(params, dict)
            else short_value(query)
        )
        method = getattr(self.method, "__name__", "request").upper()
        path = (
            self.resource if isinstance(self.resource, str) else "/".join(map(str, self.resource))
        )
        raise APIResponseValidationError(
            f"{type(self.collection).__name__}: the next page ({again}) was already requested "
            f"(the server's paging does not advance); stopped after {len(self._sent)} requests",
            method=method,
            url=path,
        )

    def _pre_request(self) -> None:
        """Before each request: set the paging parameters."""
        self.kwargs.setdefault("params", {})

    def _post_request(self, meta: dict[str, Any]) -> None:
        """After each request: note where the next page starts, or that this was the last."""
        self.last = True

    @property
    def resources(self) -> list[Resource]:
        return self._resources

    @resources.setter
    def resources(self, value: Any) -> None:
        self._resources = [self.collection._wrap(item) for item in value]
        self.collection.extend(self._resources)


class PageableIterator(PageIterator):
    """``page=N`` queries and a ``pageable`` envelope (``number``, ``last``)."""

    meta_key = "pageable"
    paging_param = "page"

    def __iter__(self) -> Self:
        self.page = 0
        return super().__iter__()

    def _pre_request(self) -> None:
        self.kwargs.setdefault("params", {}).update(page=self.page)

    def _post_request(self, meta: dict[str, Any]) -> None:
        self.page = meta["number"] + 1
        self.last = bool(meta.get("last"))


class FormationIterator(PageableIterator):
    """Designer (formation) lists; a single object (an encounter disposition) is one item."""

    def _fetch(self) -> tuple[Any, dict[str, Any]]:
        data = self.method(
            self.resource,
            *self.args,
            meta_key=self.meta_key,
            meta_dict=self.meta_dict,
            **self.kwargs,
        )
        return ([data] if isinstance(data, dict) else data), {}

    def _post_request(self, meta: dict[str, Any]) -> None:
        self.page = meta.get("number", 0) + 1
        self.last = bool(meta.get("last", True))


class PageNumberIterator(PageableIterator):
    """As ``PageableIterator``, with the page number in ``pageNumber``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.meta_dict["number"]
        self.meta_dict["pageNumber"] = 0

    def _post_request(self, meta: dict[str, Any]) -> None:
        self.page = meta["pageNumber"] + 1
        self.last = bool(meta.get("last"))


class MetaInfoIterator(PageableIterator):
    """``page=N`` queries and a ``metaInfo`` envelope (``page``, ``lastPage``)."""

    meta_key = "metaInfo"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.meta_dict["number"]
        self.meta_dict["page"] = 0

    def _post_request(self, meta: dict[str, Any]) -> None:
        self.page = meta["page"] + 1
        self.last = bool(meta.get("lastPage"))


class MetaIterator(PageIterator):
    """Page tokens: ``pageSize`` first, then ``pageToken`` alone, from a ``meta`` envelope."""

    meta_key = "meta"
    paging_param = "pageToken"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.page_token: str | None = kwargs.pop("page_token", None)
        super().__init__(*args, **kwargs)
        self.meta_dict = {
            "nextPageToken": None,
            "prevPageToken": None,
            "pageSize": self.size,
            "found": False,
        }
        self.kwargs.setdefault("params", {}).update(pageSize=self.size)

    def __iter__(self) -> Self:
        self.page_token = None
        return super().__iter__()

    def _pre_request(self) -> None:
        if self.page_token:
            self.kwargs["params"] = {"pageToken": self.page_token}

    def _post_request(self, meta: dict[str, Any]) -> None:
        self.page_token = meta["nextPageToken"]
        self.last = not meta.get("nextPageToken")


class CursorIterator(PageIterator):
    """Cursor paging (exports): ``pageSize``, then ``start`` set to the previous ``end``."""

    meta_key = "cursor"
    paging_param = "start"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meta_dict = {"start": None, "end": None, "pageSize": self.size}
        self.kwargs.setdefault("params", {}).update(pageSize=self.size)

    def _post_request(self, meta: dict[str, Any]) -> None:
        self.kwargs.setdefault("params", {}).update(start=meta.get("end"))
        self.last = not meta.get("hasNext")
