"""One pagination engine for every envelope style Welkin uses.

Envelope models parse a response body (and dump it back unchanged); each knows its items
and the query that fetches the next page. ``SyncPage`` / ``AsyncPage`` wrap an envelope
with the client that fetches further pages lazily.

Styles: PAGE (Spring page), PAGE_IN_DATA (Spring page under ``data``), METAINFO (``data`` +
``metaInfo``), TOKEN (``content`` + ``meta.nextPageToken``), CURSOR (items + ``cursor``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import Field, model_validator

from ._exceptions import WelkinError
from ._models import WelkinModel

if TYPE_CHECKING:
    from ._operation import PreparedRequest

__all__ = [
    "AsyncPage",
    "AsyncPaginator",
    "CursorPage",
    "Envelope",
    "MetaInfoPage",
    "SpringDataPage",
    "SpringPage",
    "SyncPage",
    "TokenPage",
]

T = TypeVar("T")


class Envelope(WelkinModel, Generic[T]):
    """A parsed page: its items, and how to ask for the next one."""

    @property
    def items(self) -> list[T]:
        raise NotImplementedError

    def next_query(self, query: dict[str, str]) -> dict[str, str] | None:
        """The query string of the next page, or None on the last page."""
        raise NotImplementedError


def _wrap_bare_list(data: Any, key: str) -> Any:
    # Some endpoints answer a bare array even when a page is asked for: one, last, page.
    return {key: data} if isinstance(data, list) else data


class SpringSort(WelkinModel):
    sorted: bool | None = None
    unsorted: bool | None = None
    empty: bool | None = None


class Pageable(WelkinModel):
    sort: SpringSort | None = None
    page_number: int | None = Field(None, alias="pageNumber")
    page_size: int | None = Field(None, alias="pageSize")
    offset: int | None = None
    paged: bool | None = None
    unpaged: bool | None = None


class SpringPage(Envelope[T]):
    """PAGE: ``content`` plus Spring's ``pageable``, ``last``, ``number``, ``totalPages``..."""

    content: list[T] = Field(default_factory=list)
    # Spring writes the string "INSTANCE" here for unpaged results.
    pageable: Pageable | str | None = None
    last: bool | None = None
    first: bool | None = None
    number: int | None = None
    size: int | None = None
    number_of_elements: int | None = Field(None, alias="numberOfElements")
    total_elements: int | None = Field(None, alias="totalElements")
    total_pages: int | None = Field(None, alias="totalPages")
    sort: SpringSort | None = None
    empty: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _accept_bare_list(cls, data: Any) -> Any:
        return _wrap_bare_list(data, "content")

    @property
    def items(self) -> list[T]:
        return self.content

    def next_query(self, query: dict[str, str]) -> dict[str, str] | None:
        number = self.number
        if number is None and isinstance(self.pageable, Pageable):
            number = self.pageable.page_number
        if self.last is not False or not self.content or number is None:
            return None
        if self.total_pages is not None and number + 1 >= self.total_pages:
            return None
        return {**query, "page": str(number + 1)}


class SpringDataPage(Envelope[T]):
    """PAGE_IN_DATA: ``{name, data: <Spring page>}`` (CDT records)."""

    name: str | None = None
    data: SpringPage[T] = Field(default_factory=SpringPage)

    @model_validator(mode="before")
    @classmethod
    def _accept_bare_list(cls, data: Any) -> Any:
        return {"data": {"content": data}} if isinstance(data, list) else data

    @property
    def items(self) -> list[T]:
        return self.data.content

    def next_query(self, query: dict[str, str]) -> dict[str, str] | None:
        return self.data.next_query(query)


class MetaInfo(WelkinModel):
    page: int | None = None
    page_size: int | None = Field(None, alias="pageSize")
    total_elements: int | None = Field(None, alias="totalElements")
    number_of_elements: int | None = Field(None, alias="numberOfElements")
    total_pages: int | None = Field(None, alias="totalPages")
    first_page: bool | None = Field(None, alias="firstPage")
    last_page: bool | None = Field(None, alias="lastPage")


class MetaInfoPage(Envelope[T]):
    """METAINFO: ``data`` plus ``metaInfo{page, lastPage, ...}``."""

    data: list[T] = Field(default_factory=list)
    meta_info: MetaInfo | None = Field(None, alias="metaInfo")

    @model_validator(mode="before")
    @classmethod
    def _accept_bare_list(cls, data: Any) -> Any:
        return _wrap_bare_list(data, "data")

    @property
    def items(self) -> list[T]:
        return self.data

    def next_query(self, query: dict[str, str]) -> dict[str, str] | None:
        meta = self.meta_info
        if meta is None or meta.last_page is not False or meta.page is None or not self.data:
            return None
        return {**query, "page": str(meta.page + 1)}


class TokenMeta(WelkinModel):
    next_page_token: str | None = Field(None, alias="nextPageToken")
    prev_page_token: str | None = Field(None, alias="prevPageToken")
    page_size: int | None = Field(None, alias="pageSize")
    found: int | None = None


class TokenPage(Envelope[T]):
    """TOKEN: ``content`` plus ``meta{nextPageToken, prevPageToken}`` (chat)."""

    content: list[T] = Field(default_factory=list)
    meta: TokenMeta | None = None

    @model_validator(mode="before")
    @classmethod
    def _accept_bare_list(cls, data: Any) -> Any:
        return _wrap_bare_list(data, "content")

    @property
    def items(self) -> list[T]:
        return self.content

    def next_query(self, query: dict[str, str]) -> dict[str, str] | None:
        token = self.meta.next_page_token if self.meta else None
        # A page token cannot be combined with the other parameters: it replaces them.
        return {"pageToken": token} if token else None


class Cursor(WelkinModel):
    start: str | None = None
    end: str | None = None
    has_next: bool | None = Field(None, alias="hasNext")


class CursorPage(Envelope[T]):
    """CURSOR: items (under ``data`` or ``content``) plus ``cursor{start, end, hasNext}``."""

    data: list[T] | None = None
    content: list[T] | None = None
    cursor: Cursor | None = None

    @model_validator(mode="before")
    @classmethod
    def _accept_bare_list(cls, data: Any) -> Any:
        return _wrap_bare_list(data, "data")

    @property
    def items(self) -> list[T]:
        return self.data if self.data is not None else (self.content or [])

    def next_query(self, query: dict[str, str]) -> dict[str, str] | None:
        cursor = self.cursor
        if cursor is None or not cursor.has_next or not cursor.end:
            return None
        return {**query, "start": cursor.end}


STYLES: dict[str, type[Envelope[Any]]] = {
    "PAGE": SpringPage,
    "PAGE_IN_DATA": SpringDataPage,
    "METAINFO": MetaInfoPage,
    "TOKEN": TokenPage,
    "CURSOR": CursorPage,
}


class _PageBase(Generic[T]):
    def __init__(self, envelope: Envelope[T], request: PreparedRequest) -> None:
        self.envelope = envelope
        self.request = request

    @property
    def items(self) -> list[T]:
        """This page's items."""
        return self.envelope.items

    @property
    def next_page_query(self) -> dict[str, str] | None:
        """The query parameters of the next page (to resume later), or None on the last page."""
        return self.envelope.next_query(self.request.query)

    def has_next_page(self) -> bool:
        return self.next_page_query is not None

    def to_json(self) -> Any:
        """The page's body, exactly as it came in."""
        return self.envelope.to_json()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(items={len(self.items)}, "
            f"has_next_page={self.has_next_page()}, {self.request.method} {self.request.path})"
        )


class SyncPage(_PageBase[T]):
    """One page of a list call. Iterating walks every item of this and later pages, lazily."""

    def __init__(
        self,
        envelope: Envelope[T],
        request: PreparedRequest,
        fetch: Callable[[PreparedRequest], SyncPage[T]],
    ) -> None:
        super().__init__(envelope, request)
        self._fetch = fetch

    def get_next_page(self) -> SyncPage[T]:
        query = self.next_page_query
        if query is None:
            raise WelkinError("this is the last page: check has_next_page() first")
        return self._fetch(self.request.with_query(query))

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        """This page and every later one, fetched as the iteration reaches them."""
        page: SyncPage[T] = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.items


class AsyncPage(_PageBase[T]):
    """One page of an async list call; ``async for`` walks every later item lazily."""

    def __init__(
        self,
        envelope: Envelope[T],
        request: PreparedRequest,
        fetch: Callable[[PreparedRequest], Awaitable[AsyncPage[T]]],
    ) -> None:
        super().__init__(envelope, request)
        self._fetch = fetch

    async def get_next_page(self) -> AsyncPage[T]:
        query = self.next_page_query
        if query is None:
            raise WelkinError("this is the last page: check has_next_page() first")
        return await self._fetch(self.request.with_query(query))

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        page: AsyncPage[T] = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item


class AsyncPaginator(Generic[T]):
    """What an async list call returns: ``await`` it for the first page, or ``async for`` items."""

    def __init__(self, first_page: Callable[[], Awaitable[AsyncPage[T]]]) -> None:
        self._first_page = first_page

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._first_page().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page = await self._first_page()
        async for item in page:
            yield item
