"""Pages of list calls: the items of one page, and lazy walks over every later page.

``SyncPage`` / ``AsyncPage`` wrap a parsed envelope (see ``_envelopes``) with the client
call that fetches the next page; iterating one walks every item of it and of later pages,
fetching each page only when the iteration reaches it. A walk stops with
``APIResponseValidationError`` when the server's paging does not advance (a page number,
page token or cursor it already sent), instead of asking for the same pages forever.
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


def short_value(value: object) -> str:
    """A value the server chose (a page token can be long, or hold a line break), fit for
    a one-line error message."""
    text = str(value)
    text = text if text.isprintable() else repr(text)
    return text if len(text) <= 40 else text[:37] + "..."


def _show(query: dict[str, str], baseline: dict[str, str]) -> str:
    """The parameters of ``query`` that paging changed from ``baseline`` (all, if none)."""
    changed = {k: v for k, v in query.items() if baseline.get(k) != v} or query
    return ", ".join(f"{k}={short_value(v)}" for k, v in changed.items()) or "the same query"


def _not_advancing(
    page: _PageBase[Any], query: dict[str, str], baseline: dict[str, str], pages: int
) -> APIResponseValidationError:
    problem = (
        f"{page.request.operation}: the next page ({_show(query, baseline)}) was already "
        f"fetched (the server's paging does not advance); "
        f"stopped after {pages} page{'s' if pages != 1 else ''}"
    )
    return APIResponseValidationError(problem, method=page.request.method, url=page.url)


class _Walk:
    """The queries of the pages fetched so far in one walk over pages.

    A server that sends a page number, token or cursor it already sent (``last: false``
    with the same ``number``, tokens alternating A/B/A...) would otherwise be asked for the
    same pages forever; one small entry per page is the price of noticing.
    """

    def __init__(self, first: _PageBase[Any]) -> None:
        self.first_query = first.request.query
        self.fetched = {frozenset(first.request.query.items())}

    def next_request(self, page: _PageBase[Any]) -> PreparedRequest | None:
        """The request of the page after ``page``, or None after the last page."""
        query = page.next_page_query
        if query is None:
            return None
        key = frozenset(query.items())
        if key in self.fetched:
            raise _not_advancing(page, query, self.first_query, len(self.fetched))
        self.fetched.add(key)
        return page.request.with_query(query)


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

    def _next_request(self) -> PreparedRequest:
        query = self.next_page_query
        if query is None:
            raise WelkinError("this is the last page: check has_next_page() first")
        # A page cannot be its own next page; a longer cycle only a walk (iter_pages) sees.
        if query == self.request.query:
            raise _not_advancing(self, query, self.request.query, 1)
        return self.request.with_query(query)

    def to_dict(self) -> Any:
        """The page's body, exactly as it came in."""
        return self.envelope.to_dict()

    def to_json(self, *, indent: int | None = 2) -> str:
        """The page's body as a JSON string; ``indent=None`` for one line."""
        return self.envelope.to_json(indent=indent)

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
        return self._fetch(self._next_request())

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        """This page and every later one, fetched as the iteration reaches them."""
        walk = _Walk(self)
        page: SyncPage[T] = self
        while True:
            yield page
            request = walk.next_request(page)
            if request is None:
                return
            page = page._fetch(request)

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            with _as_response_error(page):
                yield from page.envelope.iter_items()


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
        return await self._fetch(self._next_request())

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        """This page and every later one, fetched as the iteration reaches them."""
        walk = _Walk(self)
        page: AsyncPage[T] = self
        while True:
            yield page
            request = walk.next_request(page)
            if request is None:
                return
            page = await page._fetch(request)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            with _as_response_error(page):
                for item in page.envelope.iter_items():
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
