"""Pages of list calls: the items of one page, and lazy walks over every later page.

``SyncPage`` / ``AsyncPage`` wrap a parsed envelope (see ``_envelopes``) with the client
call that fetches the next page; iterating one walks every item of it and of later pages,
fetching each page only when the iteration reaches it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._exceptions import APIResponseValidationError, WelkinError

if TYPE_CHECKING:
    from ._envelopes import Envelope
    from ._operation import PreparedRequest

__all__ = ["AsyncPage", "AsyncPaginator", "SyncPage"]

T = TypeVar("T")
V = TypeVar("V")


@contextmanager
def _as_response_error(page: _PageBase[Any]) -> Iterator[None]:
    """Report an item that does not fit its model as a response error of ``page``."""
    from pydantic import ValidationError

    try:
        yield
    except ValidationError as exc:
        raise APIResponseValidationError.from_validation(
            exc, method=page.request.method, url=page.url
        ) from None


class _PageBase(Generic[T]):
    def __init__(self, envelope: Envelope[T], request: PreparedRequest, url: str) -> None:
        self.envelope = envelope
        self.request = request
        self.url = url

    @property
    def items(self) -> list[T]:
        """This page's items, as typed models (validated on first access)."""
        with _as_response_error(self):
            return self.envelope.items

    def iter_items(self) -> Iterator[T]:
        """This page's items, each validated as the iteration reaches it."""
        with _as_response_error(self):
            yield from self.envelope.iter_items()

    def _iter_as(self, convert: Callable[[Any], V]) -> Iterator[V]:
        """This page's items, each turned into another type straight from its JSON."""
        with _as_response_error(self):
            for raw in self.envelope.raw_items():
                yield convert(raw)

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
            f"{type(self).__name__}(items={len(self.envelope.raw_items())}, "
            f"has_next_page={self.has_next_page()}, {self.request.method} {self.request.path})"
        )


class SyncPage(_PageBase[T]):
    """One page of a list call. Iterating walks every item of this and later pages, lazily."""

    def __init__(
        self,
        envelope: Envelope[T],
        request: PreparedRequest,
        url: str,
        fetch: Callable[[PreparedRequest], SyncPage[T]],
    ) -> None:
        super().__init__(envelope, request, url)
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
            yield from page.iter_items()


class AsyncPage(_PageBase[T]):
    """One page of an async list call; ``async for`` walks every later item lazily."""

    def __init__(
        self,
        envelope: Envelope[T],
        request: PreparedRequest,
        url: str,
        fetch: Callable[[PreparedRequest], Awaitable[AsyncPage[T]]],
    ) -> None:
        super().__init__(envelope, request, url)
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
            for item in page.iter_items():
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
