"""Raw and streamed responses: ``client.with_raw_response.patients.get(id)`` returns an
``APIResponse`` (status, headers, request, elapsed time; ``.parse()`` for the typed result),
and ``client.with_streaming_response.documents.download(...)`` a context manager whose body
is read only as the caller asks (``iter_bytes()``).

The generated ``...WithRawResponse`` classes wrap each method with the functions below; they
set a context variable that the client's calls read, so that a call returns the response
instead of (or besides) its parsed result. Errors are raised as usual, with or without it.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, Generic, Literal, ParamSpec, TypeVar, cast

import httpx

__all__ = [
    "APIResponse",
    "AsyncAPIResponse",
    "async_to_raw_response_wrapper",
    "async_to_streamed_response_wrapper",
    "to_raw_response_wrapper",
    "to_streamed_response_wrapper",
]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

Mode = Literal["raw", "stream"]
#: How the calls made inside a wrapper return: None (parsed), "raw" or "stream".
response_mode: ContextVar[Mode | None] = ContextVar("welkin_response_mode", default=None)


def _safe_request(request: httpx.Request) -> httpx.Request:
    """The request as sent, minus its Authorization header (the token) and its body."""
    headers = [(k, v) for k, v in request.headers.items() if k.lower() != "authorization"]
    return httpx.Request(request.method, request.url, headers=headers)


class _BaseAPIResponse(Generic[R]):
    def __init__(
        self,
        response: httpx.Response,
        parse: Callable[[httpx.Response], R],
        *,
        operation: str,
    ) -> None:
        self.http_response = response
        self.operation = operation  #: the operation id, e.g. ``patients.get``
        self._parse = parse
        self._parsed: list[R] = []

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def http_request(self) -> httpx.Request:
        """The request as sent, without its token header or body."""
        return _safe_request(self.http_response.request)

    @property
    def url(self) -> httpx.URL:
        return self.http_response.request.url

    @property
    def method(self) -> str:
        return self.http_response.request.method

    @property
    def elapsed(self) -> timedelta:
        """Time from sending the request to the end of its answer (once it has been read)."""
        return self.http_response.elapsed

    @property
    def is_closed(self) -> bool:
        return self.http_response.is_closed

    def __repr__(self) -> str:
        response = self.http_response
        return (
            f"<{type(self).__name__} [{response.status_code} {response.reason_phrase}] "
            f"{self.operation}>"
        )


class APIResponse(_BaseAPIResponse[R]):
    """A successful response and how to read it: ``parse()`` gives what the method returns."""

    def parse(self) -> R:
        """The typed result, as the method without ``with_raw_response`` returns it (read and
        parsed once; later calls return the same object)."""
        if not self._parsed:
            self.read()
            self._parsed.append(self._parse(self.http_response))
        return self._parsed[0]

    def read(self) -> bytes:
        try:
            return self.http_response.read()
        finally:
            self.http_response.close()

    def text(self) -> str:
        self.read()
        return self.http_response.text

    def json(self) -> Any:
        self.read()
        return self.http_response.json()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body in chunks as it arrives (a streamed response), or as read."""
        try:
            yield from self.http_response.iter_bytes(chunk_size)
        finally:
            self.http_response.close()

    def close(self) -> None:
        self.http_response.close()

    def __enter__(self) -> APIResponse[R]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncAPIResponse(_BaseAPIResponse[R]):
    """A successful response of the AsyncClient: ``await parse()`` gives the typed result."""

    async def parse(self) -> R:
        if not self._parsed:
            await self.read()
            self._parsed.append(self._parse(self.http_response))
        return self._parsed[0]

    async def read(self) -> bytes:
        try:
            return await self.http_response.aread()
        finally:
            await self.http_response.aclose()

    async def text(self) -> str:
        await self.read()
        return self.http_response.text

    async def json(self) -> Any:
        await self.read()
        return self.http_response.json()

    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.http_response.aiter_bytes(chunk_size):
                yield chunk
        finally:
            await self.http_response.aclose()

    async def close(self) -> None:
        await self.http_response.aclose()

    async def __aenter__(self) -> AsyncAPIResponse[R]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


# -- the wrappers the generated classes use ---------------------------------------------------


def to_raw_response_wrapper(func: Callable[P, R]) -> Callable[P, APIResponse[R]]:
    """``func``, returning its response (read) rather than its result."""

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        token = response_mode.set("raw")
        try:
            return cast("APIResponse[R]", func(*args, **kwargs))
        finally:
            response_mode.reset(token)

    return wrapped


def to_streamed_response_wrapper(
    func: Callable[P, R],
) -> Callable[P, contextlib.AbstractContextManager[APIResponse[R]]]:
    """``func`` as a context manager over its response, whose body is read only on demand
    and whose connection is released at the end of the ``with`` block."""

    @functools.wraps(func)
    @contextlib.contextmanager
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> Iterator[APIResponse[R]]:
        token = response_mode.set("stream")
        try:
            response = cast("APIResponse[R]", func(*args, **kwargs))
        finally:
            response_mode.reset(token)
        with response:
            yield response

    return wrapped


def async_to_raw_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[AsyncAPIResponse[R]]]:
    @functools.wraps(func)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncAPIResponse[R]:
        token = response_mode.set("raw")
        try:
            return cast("AsyncAPIResponse[R]", await func(*args, **kwargs))
        finally:
            response_mode.reset(token)

    return wrapped


def async_to_streamed_response_wrapper(
    func: Callable[P, Awaitable[R]],
) -> Callable[P, contextlib.AbstractAsyncContextManager[AsyncAPIResponse[R]]]:
    @functools.wraps(func)
    @contextlib.asynccontextmanager
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncIterator[AsyncAPIResponse[R]]:
        token = response_mode.set("stream")
        try:
            response = cast("AsyncAPIResponse[R]", await func(*args, **kwargs))
        finally:
            response_mode.reset(token)
        async with response:
            yield response

    return wrapped
