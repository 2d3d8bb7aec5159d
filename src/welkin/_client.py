"""``Client`` and ``AsyncClient``: settings, auth, retries and sending.

Both clients run the same request flow (``_BaseClient._flow``), a generator that decides
what to do next (get a token, send, sleep, drop a stale token) and is driven by a sync or an
async loop. Only those loops touch I/O, so the two clients cannot drift apart.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import logging
import os
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import httpx

from ._auth import REFRESH_CODES, Token, TokenDict, TokenState, jwt_expiry, token_state
from ._config import resolve_settings
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    ClientStateError,
    InvalidArgumentError,
    WelkinError,
    error_for_response,
    parse_error_body,
)
from ._files import Destination, check_destination, copy_chunks, open_destination
from ._legacy import LegacyClient
from ._operation import Operation, PreparedRequest, _wire
from ._pagination import AsyncPage, AsyncPaginator, SyncPage
from ._retry import RetryPolicy, parse_retry_after
from ._serialization import check_path, query_text, to_wire
from ._types import DEFAULT_OPTIONS, NOT_GIVEN, NotGiven, RequestOptions, Timeout
from ._version import __version__
from .resources import AsyncResources, SyncResources
from .util import reset_file_offsets

if TYPE_CHECKING:
    from .tokens import TokenStore
    from .types.auth import TokenResponse
    from .webhooks import AsyncWebhooks, Webhooks

__all__ = ["AsyncClient", "Client", "RequestOptions"]

logger = logging.getLogger("welkin")

R = TypeVar("R")
T = TypeVar("T")
Environment = Literal["live", "stg"]


#: Seconds a call may take in all, token fetch, retries and waits included (``deadline=``).
DEFAULT_DEADLINE = 60.0


# The steps of a request flow (see _BaseClient._flow). Plain classes: dataclasses would
# cost a millisecond each at import.
class _NeedToken:
    __slots__ = ("deadline_at", "options")

    def __init__(self, options: RequestOptions, deadline_at: float | None) -> None:
        # The call's own limits apply to the token fetch it waits for.
        self.options = options
        self.deadline_at = deadline_at


class _Send:
    __slots__ = ("deadline_at", "request", "stream", "token_call")

    def __init__(
        self,
        request: httpx.Request,
        stream: bool = False,
        deadline_at: float | None = None,
        token_call: bool = False,
    ) -> None:
        self.request = request
        self.stream = stream  # a download: the driver reads the body only of an error
        self.deadline_at = deadline_at  # time.monotonic() by which the body must be read
        self.token_call = token_call  # never follows a redirect: the body holds the secret


class _Sleep:
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class _DropToken:
    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token


_Step = _NeedToken | _Send | _Sleep | _DropToken
_Flow = Generator[_Step, Any, httpx.Response]
_NO_LIMIT = float("inf")


def _check_deadline(value: Any) -> None:
    if value is not None:
        _check_number("deadline", value)


def _check_number(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidArgumentError(name, f"expected a number >= 0, got {value!r}")


def _check_count(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError(name, f"expected an int >= 0, got {value!r}")


def _httpx_timeout(value: Any) -> httpx.Timeout:
    """``timeout`` as httpx takes it: seconds (or None, no limit) or an httpx.Timeout."""
    if isinstance(value, httpx.Timeout):
        return value
    if value is not None:
        _check_number("timeout", value)
    return httpx.Timeout(value)


def _redacted(
    response: httpx.Response, *, keep_body: bool, keep_response_body: bool = True
) -> httpx.Response:
    """The response, attached to a request copy without the token (and, for the token call,
    without the secret; for a token answer that is not used, without that answer), so that
    an exception can carry it safely."""
    original = response.request
    headers = {k: v for k, v in original.headers.items() if k.lower() != "authorization"}
    request = httpx.Request(
        original.method,
        original.url,
        headers=headers,
        content=original.content if keep_body else b"",
    )
    # Only the status line's reason is kept of the extensions (the old package's error text
    # shows it); the rest belong to the connection.
    reason = response.extensions.get("reason_phrase")
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        content=response.content if keep_response_body else b"",
        request=request,
        extensions={"reason_phrase": reason} if reason is not None else None,
    )


def _redirects(step: _Send) -> dict[str, bool]:
    # The token call never follows a redirect (a 307 would re-send the secret elsewhere);
    # other calls follow the http_client's setting (httpx drops the token across origins).
    return {"follow_redirects": False} if step.token_call else {}


def _until(chunks: Iterator[bytes], step: _Send, now: Callable[[], float]) -> Iterator[bytes]:
    """The body's chunks, stopped by a ReadTimeout once the call's deadline has passed."""
    deadline_at = step.deadline_at
    for chunk in chunks:
        if deadline_at is not None and now() >= deadline_at:
            raise httpx.ReadTimeout("deadline exceeded while reading", request=step.request)
        yield chunk


async def _until_async(
    response: httpx.Response, step: _Send, now: Callable[[], float]
) -> AsyncIterator[bytes]:
    deadline_at = step.deadline_at
    async for chunk in response.aiter_bytes():
        if deadline_at is not None and now() >= deadline_at:
            raise httpx.ReadTimeout("deadline exceeded while reading", request=step.request)
        yield chunk


def _unusable(error: RuntimeError) -> ClientStateError:
    """httpx's RuntimeErrors of a client that cannot send (closed, or its event loop gone)."""
    hint = ""
    if "loop" in str(error).lower():
        hint = " (an AsyncClient's connections belong to its first event loop: "
        hint += "use one client per loop)"
    return ClientStateError(f"the client cannot send: {error}{hint}")


def _to_share(store: TokenStore | None, result: TokenResponse) -> TokenStore | None:
    """The store a freshly fetched token goes into, or None (no store, no token)."""
    return store if store is not None and result.token else None


def _resolve_store(given: Any) -> TokenStore | None:
    """The token store: the one given, else the one WELKIN_TOKEN_STORE names, else none
    (tokens are then shared within this process only)."""
    if not isinstance(given, NotGiven):
        if given is not None and not all(
            callable(getattr(given, name, None)) for name in ("get", "set", "delete_if", "lock")
        ):
            raise InvalidArgumentError("token_store", "expected a welkin.tokens.TokenStore")
        return cast("TokenStore | None", given)
    if not os.environ.get("WELKIN_TOKEN_STORE"):
        return None  # welkin.tokens is not even imported
    from .tokens import store_from_env

    return store_from_env()


def _store_key(base_url: str, tenant: str, api_client: str, secret: str) -> str:
    from .tokens import token_key

    return token_key(base_url, tenant, api_client, secret)


def _quietly(method: Callable[..., T], *args: Any) -> T | None:
    """A token store call; a store that fails (a full disk, Redis down) is worked around,
    with a warning: the token is fetched as if there were no store."""
    try:
        return method(*args)
    except Exception as exc:
        logger.warning("token store %s failed (%s): going on without it", method.__name__, exc)
        return None


async def _aquietly(method: Callable[..., Awaitable[T]], *args: Any) -> T | None:
    try:
        return await method(*args)
    except Exception as exc:
        logger.warning("token store %s failed (%s): going on without it", method.__name__, exc)
        return None


@contextlib.contextmanager
def _quietly_held(lock: contextlib.AbstractContextManager[Any]) -> Iterator[None]:
    """Hold a store's lock; if it cannot be taken, go on without it (with a warning)."""
    try:
        lock.__enter__()
    except Exception as exc:
        logger.warning("token store lock failed (%s): fetching without it", exc)
        yield
        return
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


@contextlib.asynccontextmanager
async def _aquietly_held(lock: contextlib.AbstractAsyncContextManager[Any]) -> AsyncIterator[None]:
    try:
        await lock.__aenter__()
    except Exception as exc:
        logger.warning("token store lock failed (%s): fetching without it", exc)
        yield
        return
    try:
        yield
    finally:
        await lock.__aexit__(None, None, None)


def _is_header_safe(token: str) -> bool:
    return all(33 <= ord(char) < 127 for char in token)


def _unexpected(
    response: httpx.Response, problem: Any, secret_sent: bool
) -> APIResponseValidationError:
    """The error for a 2xx body that is not JSON (``problem`` a str) or does not fit the
    model (a pydantic ValidationError), carrying the response safely."""
    safe = _redacted(response, keep_body=not secret_sent, keep_response_body=not secret_sent)
    method, url = safe.request.method, str(safe.request.url)
    if isinstance(problem, str):
        return APIResponseValidationError(problem, method=method, url=url, response=safe)
    return APIResponseValidationError.from_validation(
        problem, method=method, url=url, response=safe
    )


class _BaseClient:
    _http: httpx.Client | httpx.AsyncClient

    def __init__(
        self,
        tenant: str | None,
        instance: str | None,
        api_client: str | None,
        secret_key: str | None,
        timeout: Timeout,
        total: int,
        backoff_factor: float,
        base_url: str | None,
        deadline: float | None,
        token_store: TokenStore | NotGiven | None = NOT_GIVEN,
        environment: Environment | None = None,
        strict: bool = False,
    ) -> None:
        self._strict = bool(strict)
        settings, secret = resolve_settings(
            tenant, instance, api_client, secret_key, base_url, environment
        )
        _check_count("total", total)
        _check_number("backoff_factor", backoff_factor)
        _check_deadline(deadline)
        self._deadline = deadline
        self._settings = settings
        self._secret = secret
        self._timeout = timeout
        self._httpx_timeout = _httpx_timeout(timeout)
        self._retry = RetryPolicy(total=total, backoff_factor=backoff_factor)
        self._token_state: TokenState = token_state(
            settings.base_url, settings.tenant, settings.api_client, secret
        )
        self._store: TokenStore | None = _resolve_store(token_store)
        self._store_key = (
            ""
            if self._store is None
            else _store_key(settings.base_url, settings.tenant, settings.api_client, secret)
        )
        self._headers = {"User-Agent": f"welkin-python/{__version__}", "Accept": "application/json"}
        # Seams for tests: the wall clock (token expiry, Retry-After dates) and the jitter.
        self._clock: Callable[[], float] = time.time
        self._monotonic: Callable[[], float] = time.monotonic  # deadlines
        self._rng = random.Random()  # noqa: S311 - jitter, not cryptography
        self._owns_http = True

    @property
    def tenant(self) -> str:
        return self._settings.tenant

    @property
    def instance(self) -> str:
        return self._settings.instance

    @property
    def api_client(self) -> str:
        return self._settings.api_client

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def timeout(self) -> Timeout:
        return self._timeout

    @property
    def max_retries(self) -> int:
        return self._retry.total

    def __repr__(self) -> str:
        s = self._settings
        return (
            f"{type(self).__name__}(tenant={s.tenant!r}, instance={s.instance!r}, "
            f"api_client={s.api_client!r}, base_url={s.base_url!r})"
        )

    def _copy_with(
        self,
        timeout: Timeout | NotGiven,
        max_retries: int | NotGiven,
        deadline: float | NotGiven | None = NOT_GIVEN,
    ) -> Any:
        clone = copy.copy(self)
        # Resources are cached under public names and hold the client: start them afresh.
        clone.__dict__ = {k: v for k, v in self.__dict__.items() if k.startswith("_")}
        if not isinstance(timeout, NotGiven):
            clone._httpx_timeout = _httpx_timeout(timeout)
            clone._timeout = timeout
        if not isinstance(max_retries, NotGiven):
            clone._retry = self._policy(max_retries)
        if not isinstance(deadline, NotGiven):
            _check_deadline(deadline)
            clone._deadline = deadline
        clone._owns_http = False
        return clone

    def _policy(self, max_retries: int | NotGiven) -> RetryPolicy:
        if isinstance(max_retries, NotGiven) or max_retries == self._retry.total:
            return self._retry
        _check_count("max_retries", max_retries)
        return RetryPolicy(total=max_retries, backoff_factor=self._retry.backoff_factor)

    # -- request building (pure) ---------------------------------------------------------

    def _prepare(
        self,
        operation: Operation[Any],
        path: Mapping[str, Any] | None,
        query: Mapping[str, Any] | None,
        body: Any,
        options: RequestOptions,
        files: Any = None,
    ) -> PreparedRequest:
        return operation.build(
            tenant=self._settings.tenant,
            instance=self._settings.instance,
            path=path,
            query=query,
            body=body,
            extra_query=options.extra_query,
            extra_body=options.extra_body,
            files=files,
        )

    def _prepare_raw(
        self, method: str, path: str, params: Mapping[str, Any] | None, json_body: Any
    ) -> PreparedRequest:
        if not isinstance(method, str) or not method.isalpha():
            raise InvalidArgumentError("method", f"expected an HTTP method, got {method!r}")
        if not isinstance(path, str) or "://" in path:
            raise InvalidArgumentError("path", "expected a path relative to the API root")
        tenant = self._settings.tenant
        try:
            relative = path.lstrip("/").format(tenant=tenant, instance=self._settings.instance)
        except (KeyError, IndexError, ValueError) as exc:
            problem = f"only {{tenant}} and {{instance}} can be filled in ({exc!r} in {path!r})"
            raise InvalidArgumentError("path", problem) from None
        check_path("path", relative)
        if relative != tenant and not relative.startswith(f"{tenant}/"):
            raise InvalidArgumentError("path", "must start with the tenant: '{tenant}/...'")
        query = {k: query_text(v) for k, v in (params or {}).items() if v is not None}
        return PreparedRequest(
            operation="request",
            method=method.upper(),
            path=relative,
            query=query,
            json=_wire("json", to_wire, json_body),
            has_body=json_body is not None,
        )

    def _http_request(
        self, prepared: PreparedRequest, token: str | None, timeout: httpx.Timeout
    ) -> httpx.Request:
        headers = dict(self._headers)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if prepared.url is not None:
            return self._legacy_http_request(prepared, headers, timeout)
        url = f"{self._settings.base_url}/{prepared.path}"
        params = prepared.query or None
        if prepared.files:
            # Built again on every attempt: file objects are rewound, paths read again.
            return self._http.build_request(
                prepared.method,
                url,
                params=params,
                data=prepared.form,
                files=[part.for_httpx() for part in prepared.files],
                headers=headers,
                timeout=timeout,
            )
        content = None
        if prepared.has_body:
            headers["Content-Type"] = "application/json"
            content = json.dumps(prepared.json, separators=(",", ":")).encode()
        return self._http.build_request(
            prepared.method, url, params=params, content=content, headers=headers, timeout=timeout
        )

    def _legacy_http_request(
        self, prepared: PreparedRequest, headers: dict[str, str], timeout: httpx.Timeout
    ) -> httpx.Request:
        headers.update(prepared.headers or {})
        if prepared.raw_files:
            reset_file_offsets(prepared.raw_files)  # a retry sends the whole file again
        return self._http.build_request(
            prepared.method,
            prepared.url or "",
            content=prepared.content,
            data=prepared.data,
            files=prepared.raw_files,
            headers=headers,
            timeout=timeout,
        )

    def _set_base_url(self, base_url: str) -> None:
        settings = self._settings
        self._settings = dataclasses.replace(settings, base_url=base_url)
        self._token_state = token_state(
            base_url, settings.tenant, settings.api_client, self._secret
        )
        if self._store is not None:
            self._store_key = _store_key(
                base_url, settings.tenant, settings.api_client, self._secret
            )

    # -- the request flow (shared) ------------------------------------------------------

    def _deadline_at(self, options: RequestOptions) -> float | None:
        """When (``time.monotonic()``) the call must be over: its ``deadline`` seconds from now."""
        deadline = self._deadline if isinstance(options.deadline, NotGiven) else options.deadline
        if deadline is None:
            return None
        _check_deadline(deadline)
        return self._monotonic() + deadline

    def _attempt_timeout(self, options: RequestOptions, deadline_at: float | None) -> httpx.Timeout:
        """This attempt's timeouts: the call's, cut to what is left of its deadline."""
        timeout = (
            self._httpx_timeout
            if isinstance(options.timeout, NotGiven)
            else _httpx_timeout(options.timeout)
        )
        if deadline_at is None:
            return timeout
        left = max(0.001, deadline_at - self._monotonic())
        limits = (timeout.connect, timeout.read, timeout.write, timeout.pool)
        if all(limit is not None and limit <= left for limit in limits):
            return timeout  # the usual case: nothing to cut, nothing to build

        def cut(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=cut(timeout.connect),
            read=cut(timeout.read),
            write=cut(timeout.write),
            pool=cut(timeout.pool),
        )

    def _flow(
        self,
        prepared: PreparedRequest,
        auth: bool,
        options: RequestOptions,
        stream: bool = False,
        *,
        deadline_at: float | NotGiven | None = NOT_GIVEN,
        token_call: bool = False,
    ) -> _Flow:
        """Send with auth, one token replay on a stale token, and retries; return the response.

        With ``stream``, the successful response is returned unread (the caller closes it).
        Everything (token fetch, attempts, sleeps, reading bodies) ends by the deadline. The
        token call is retried on 429 and 5xx like a GET: an answer that is not a token
        minted none."""
        policy = self._policy(options.max_retries)
        if isinstance(deadline_at, NotGiven):
            deadline_at = self._deadline_at(options)
        method = prepared.method
        retry_as = "GET" if token_call else method
        retries = 0
        replayed = False
        while True:
            if deadline_at is not None and self._monotonic() >= deadline_at:
                raise self._deadline_error(prepared)
            token = (yield _NeedToken(options, deadline_at)) if auth else None
            timeout = self._attempt_timeout(options, deadline_at)
            request = self._http_request(prepared, token, timeout)
            outcome = yield _Send(request, stream, deadline_at, token_call)
            if isinstance(outcome, httpx.TransportError):
                delay = None
                if policy.retries_error(retry_as, outcome):
                    delay = self._fits(policy.delay(retries + 1, None, self._rng), deadline_at)
                if delay is None:
                    raise self._connection_error(outcome, request)
                retries += 1
                self._log_retry(prepared, retries, delay, type(outcome).__name__)
                yield _Sleep(delay)
                continue
            response: httpx.Response = outcome
            status = response.status_code
            logger.debug("%s /%s -> %d", method, prepared.path, status)
            if response.is_success:
                return response
            if status == 401 and token is not None and not replayed:
                codes = {e.error_code for e in parse_error_body(response.content)}
                if codes & REFRESH_CODES:
                    replayed = True
                    yield _DropToken(token)
                    continue
            if policy.retries_status(retry_as, status):
                retry_after = parse_retry_after(response.headers.get("Retry-After"), self._clock())
                delay = self._fits(policy.delay(retries + 1, retry_after, self._rng), deadline_at)
                if delay is not None:
                    retries += 1
                    self._log_retry(prepared, retries, delay, str(status))
                    yield _Sleep(delay)
                    continue
            raise error_for_response(_redacted(response, keep_body=auth))

    def _fits(self, delay: float | None, deadline_at: float | None) -> float | None:
        """``delay``, unless waiting it out would end past the deadline (then: no retry)."""
        if delay is None or deadline_at is None:
            return delay
        return delay if self._monotonic() + delay < deadline_at else None

    def _deadline_error(self, prepared: PreparedRequest) -> APITimeoutError:
        url = prepared.url or f"{self._settings.base_url}/{prepared.path}"
        return APITimeoutError(method=prepared.method, url=url, cause="deadline exceeded")

    @staticmethod
    def _log_retry(prepared: PreparedRequest, retry: int, delay: float, reason: str) -> None:
        # The operation id, not the URL: paths and query strings can hold patient identifiers.
        logger.info(
            "retry %d of %s (%s) in %.2fs after %s",
            retry,
            prepared.operation,
            prepared.method,
            delay,
            reason,
        )

    @staticmethod
    def _connection_error(
        error: httpx.TransportError, request: httpx.Request
    ) -> APIConnectionError:
        url = str(request.url)
        if isinstance(error, httpx.TimeoutException):
            return APITimeoutError(method=request.method, url=url)
        return APIConnectionError(
            method=request.method, url=url, cause=f"{type(error).__name__}: {error}"
        )

    @staticmethod
    def _decode(response: httpx.Response, *, secret_sent: bool = False) -> Any:
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            raise _unexpected(response, "the body is not JSON", secret_sent) from None

    def _parse(
        self,
        operation: Operation[R],
        response: httpx.Response,
        data: Any,
        *,
        secret_sent: bool = False,
    ) -> R:
        from pydantic import ValidationError  # here: pydantic loads on first use, not at import

        # The token answer is always read strictly: a token that is not a string is no token.
        strict = self._strict or secret_sent
        try:
            return operation.parse_response(data, strict=strict)
        except ValidationError as exc:
            raise _unexpected(response, exc, secret_sent) from None

    def _token_request(self) -> PreparedRequest:
        # The token call is the one operation the core itself needs.
        from .operations.auth import AUTH_CREATE_TOKEN

        return AUTH_CREATE_TOKEN.build(
            tenant=self._settings.tenant,
            instance=self._settings.instance,
            path={"apiClient": self._settings.api_client},
            body={"secret": self._secret},
        )

    def _adopt(self, token: str | None) -> Token | None:
        """A token read from the shared store, cached here if it is still good to use."""
        if not token or not _is_header_safe(token):
            return None
        self._token_state.store(token, self._clock())
        return self._token_state.usable(self._clock())

    def _share(self, result: TokenResponse) -> None:
        shared = _to_share(self._store, result)
        if shared is not None:
            _quietly(shared.set, self._store_key, result.token, jwt_expiry(result.token or ""))

    def _store_token(self, response: httpx.Response) -> TokenResponse:
        from .operations.auth import AUTH_CREATE_TOKEN

        data = self._decode(response, secret_sent=True)
        result = self._parse(AUTH_CREATE_TOKEN, response, data, secret_sent=True)
        if not result.token:
            raise AuthenticationError(
                _redacted(response, keep_body=False, keep_response_body=False), []
            )
        if not _is_header_safe(result.token):
            # Not echoed: even a malformed token may be a working credential.
            raise _unexpected(response, "the token is not printable ASCII", secret_sent=True)
        self._token_state.store(result.token, self._clock())
        return result


class Client(_BaseClient, SyncResources, LegacyClient):
    """Synchronous Welkin client.

    ``Client(tenant, instance, api_client, secret_key)``; any credential left out is read
    from ``WELKIN_TENANT``, ``WELKIN_INSTANCE``, ``WELKIN_API_CLIENT`` or ``WELKIN_SECRET``
    (and the base URL from ``WELKIN_BASE_URL``; or ``environment="stg"`` / ``WELKIN_ENVIRONMENT``
    for Welkin's staging host). ``total`` is the number of retries and
    ``backoff_factor`` scales the exponential wait between them.
    """

    _http: httpx.Client

    def __init__(
        self,
        tenant: str | None = None,
        instance: str | None = None,
        api_client: str | None = None,
        secret_key: str | None = None,
        timeout: Timeout = 5,
        total: int = 5,
        backoff_factor: float = 0.5,
        *,
        base_url: str | None = None,
        http_client: httpx.Client | None = None,
        deadline: float | None = DEFAULT_DEADLINE,
        token_store: TokenStore | NotGiven | None = NOT_GIVEN,
        environment: Environment | None = None,
        strict: bool = False,
    ) -> None:
        super().__init__(
            tenant,
            instance,
            api_client,
            secret_key,
            timeout,
            total,
            backoff_factor,
            base_url,
            deadline,
            token_store,
            environment,
            strict,
        )
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise InvalidArgumentError("http_client", "expected an httpx.Client")
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(follow_redirects=False)
        self._sleep: Callable[[float], None] = time.sleep

    def close(self) -> None:
        """Close the HTTP connections (only those the client opened itself)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def with_options(
        self,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
    ) -> Client:
        """A client sharing this one's connections and token, with other defaults."""
        clone: Client = self._copy_with(timeout, max_retries, deadline)
        return clone

    @cached_property
    def webhooks(self) -> Webhooks:
        """What to do with a received webhook event: ``client.webhooks.resolve(event)``."""
        from .webhooks import Webhooks

        return Webhooks(self)

    def get_token(self) -> TokenDict:
        """Request a new token now (and cache it); Welkin's answer as a dict, as the old
        package returned it. Normally tokens are handled for you."""
        with self._token_state.thread_lock:
            return TokenDict(self._fetch_token(DEFAULT_OPTIONS, None).to_dict())

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> Any:
        """Call an endpoint that is not in the spec yet, with the same auth, retries and errors.

        ``path`` is relative to the API root and may use ``{tenant}`` and ``{instance}``,
        e.g. ``"{tenant}/{instance}/patients"``. Returns the decoded JSON body as sent (or
        None). (``client.request``, ``client.get`` ... are the old package's methods: paths
        relative to the tenant, envelopes removed.)
        """
        prepared = self._prepare_raw(method, path, params, json)
        return self._decode(self._run(self._flow(prepared, True, options)))

    # -- used by the generated resources --------------------------------------------------

    def _call(
        self,
        operation: Operation[R],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        files: Any = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> R:
        prepared = self._prepare(operation, path, query, body, options, files)
        response = self._run(self._flow(prepared, operation.auth, options))
        return self._parse(operation, response, self._decode(response))

    def _call_bytes(
        self,
        operation: Operation[Any],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> bytes:
        prepared = self._prepare(operation, path, query, None, options)
        return self._run(self._flow(prepared, operation.auth, options)).content

    def _call_to_file(
        self,
        operation: Operation[Any],
        destination: Destination,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> int:
        prepared = self._prepare(operation, path, query, None, options)
        check_destination("destination", destination)
        response = self._run(self._flow(prepared, operation.auth, options, stream=True))
        try:
            out, owned = open_destination("destination", destination)
            try:
                return copy_chunks(response.iter_bytes(), out)
            finally:
                if owned:
                    out.close()
        finally:
            response.close()

    def _call_raw(
        self,
        operation: Operation[Any],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> Any:
        prepared = self._prepare(operation, path, query, body, options)
        return self._decode(self._run(self._flow(prepared, operation.auth, options)))

    def _call_page(
        self,
        operation: Operation[Any],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> SyncPage[Any]:
        prepared = self._prepare(operation, path, query, body, options)

        def fetch(request: PreparedRequest) -> SyncPage[Any]:
            response = self._run(self._flow(request, operation.auth, options))
            envelope = self._parse(operation, response, self._decode(response))
            return SyncPage(envelope, request, str(response.request.url), fetch)

        return fetch(prepared)

    # -- the sync driver ------------------------------------------------------------------

    def _run(self, flow: _Flow) -> httpx.Response:
        try:
            step = next(flow)
            while True:
                step = flow.send(self._perform(step))
        except StopIteration as stop:
            response: httpx.Response = stop.value
            return response

    def _perform(self, step: _Step) -> Any:
        if isinstance(step, _Send):
            return self._send(step)
        if isinstance(step, _NeedToken):
            return self._token(step)
        if isinstance(step, _Sleep):
            self._sleep(step.seconds)
        else:
            self._token_state.discard(step.token)
            if self._store is not None:
                _quietly(self._store.delete_if, self._store_key, step.token)
        return None

    def _send(self, step: _Send) -> httpx.Response | httpx.TransportError:
        try:
            response = self._http.send(
                step.request,
                stream=True,
                **_redirects(step),  # type: ignore[arg-type]
            )
        except httpx.TransportError as error:
            return error
        except RuntimeError as error:
            raise _unusable(error) from None
        if step.stream and response.is_success:
            return response  # a download, read by the caller
        try:
            # Read here rather than by httpx, to stop a body that drips past the deadline.
            response._content = b"".join(_until(response.iter_bytes(), step, self._monotonic))
        except httpx.TransportError as error:
            return error
        finally:
            response.close()
        return response

    def _token(self, step: _NeedToken) -> Token:
        state = self._token_state
        token = state.usable(self._clock())
        if token is not None:
            return token
        seen = state.generation
        with state.thread_lock:
            token = state.usable(self._clock())
            if token is not None:
                return token
            failure = state.shared_failure(seen, self._clock())
            if failure is not None:
                raise failure
            store = self._store
            if store is None:
                return self._fetch_now(step)
            token = self._adopt(_quietly(store.get, self._store_key))
            if token is not None:
                return token
            with _quietly_held(store.lock(self._store_key)):
                # Another process may have fetched while this one waited for the lock.
                token = self._adopt(_quietly(store.get, self._store_key))
                return token if token is not None else self._fetch_now(step)

    def _fetch_now(self, step: _NeedToken) -> Token:
        state = self._token_state
        try:
            result = self._fetch_token(step.options, step.deadline_at)
        except WelkinError as error:
            state.fail(error, self._clock())
            raise
        self._share(result)
        return state.usable(self._clock()) or Token(result.token or "")

    def _current_token(self) -> Token:
        """The token a call would use now (fetched first when there is none)."""
        return self._token(_NeedToken(DEFAULT_OPTIONS, self._deadline_at(DEFAULT_OPTIONS)))

    def _fetch_token(self, options: RequestOptions, deadline_at: float | None) -> TokenResponse:
        prepared = self._token_request()
        flow = self._flow(prepared, False, options, deadline_at=deadline_at, token_call=True)
        return self._store_token(self._run(flow))


class AsyncClient(_BaseClient, AsyncResources):
    """Asynchronous Welkin client; the same arguments and behaviour as ``Client``."""

    _http: httpx.AsyncClient

    def __init__(
        self,
        tenant: str | None = None,
        instance: str | None = None,
        api_client: str | None = None,
        secret_key: str | None = None,
        timeout: Timeout = 5,
        total: int = 5,
        backoff_factor: float = 0.5,
        *,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        deadline: float | None = DEFAULT_DEADLINE,
        token_store: TokenStore | NotGiven | None = NOT_GIVEN,
        environment: Environment | None = None,
        strict: bool = False,
    ) -> None:
        super().__init__(
            tenant,
            instance,
            api_client,
            secret_key,
            timeout,
            total,
            backoff_factor,
            base_url,
            deadline,
            token_store,
            environment,
            strict,
        )
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise InvalidArgumentError("http_client", "expected an httpx.AsyncClient")
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(follow_redirects=False)
        import asyncio  # not at module level: it would slow `import welkin` for sync users

        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    async def close(self) -> None:
        """Close the HTTP connections (only those the client opened itself)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def with_options(
        self,
        *,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
    ) -> AsyncClient:
        """A client sharing this one's connections and token, with other defaults."""
        clone: AsyncClient = self._copy_with(timeout, max_retries, deadline)
        return clone

    @cached_property
    def webhooks(self) -> AsyncWebhooks:
        """What to do with a received webhook event: ``await client.webhooks.resolve(event)``."""
        from .webhooks import AsyncWebhooks

        return AsyncWebhooks(self)

    async def get_token(self) -> TokenDict:
        """Request a new token now (and cache it); Welkin's answer as a dict."""
        async with self._token_state.async_lock():
            return TokenDict((await self._fetch_token(DEFAULT_OPTIONS, None)).to_dict())

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> Any:
        """Call an endpoint that is not in the spec yet; see ``Client.call``."""
        prepared = self._prepare_raw(method, path, params, json)
        return self._decode(await self._run(self._flow(prepared, True, options)))

    async def _call(
        self,
        operation: Operation[R],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        files: Any = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> R:
        prepared = self._prepare(operation, path, query, body, options, files)
        response = await self._run(self._flow(prepared, operation.auth, options))
        return self._parse(operation, response, self._decode(response))

    async def _call_bytes(
        self,
        operation: Operation[Any],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> bytes:
        prepared = self._prepare(operation, path, query, None, options)
        return (await self._run(self._flow(prepared, operation.auth, options))).content

    async def _call_to_file(
        self,
        operation: Operation[Any],
        destination: Destination,
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> int:
        prepared = self._prepare(operation, path, query, None, options)
        check_destination("destination", destination)
        response = await self._run(self._flow(prepared, operation.auth, options, stream=True))
        try:
            # Writing a local file blocks briefly per chunk, as aiofiles-free SDKs do.
            out, owned = open_destination("destination", destination)
            try:
                written = 0
                async for chunk in response.aiter_bytes():
                    out.write(chunk)
                    written += len(chunk)
                return written
            finally:
                if owned:
                    out.close()
        finally:
            await response.aclose()

    def _call_page(
        self,
        operation: Operation[Any],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> AsyncPaginator[Any]:
        # Built now, so that bad arguments raise at the call, not at the first await.
        prepared = self._prepare(operation, path, query, body, options)

        async def fetch(request: PreparedRequest) -> AsyncPage[Any]:
            response = await self._run(self._flow(request, operation.auth, options))
            envelope = self._parse(operation, response, self._decode(response))
            return AsyncPage(envelope, request, str(response.request.url), fetch)

        return AsyncPaginator(lambda: fetch(prepared))

    async def _run(self, flow: _Flow) -> httpx.Response:
        try:
            step = next(flow)
            while True:
                step = flow.send(await self._perform(step))
        except StopIteration as stop:
            response: httpx.Response = stop.value
            return response

    async def _perform(self, step: _Step) -> Any:
        if isinstance(step, _Send):
            return await self._send(step)
        if isinstance(step, _NeedToken):
            return await self._token(step)
        if isinstance(step, _Sleep):
            await self._sleep(step.seconds)
        else:
            self._token_state.discard(step.token)
            if self._store is not None:
                await _aquietly(self._store.adelete_if, self._store_key, step.token)
        return None

    async def _send(self, step: _Send) -> httpx.Response | httpx.TransportError:
        try:
            response = await self._http.send(
                step.request,
                stream=True,
                **_redirects(step),  # type: ignore[arg-type]
            )
        except httpx.TransportError as error:
            return error
        except RuntimeError as error:
            raise _unusable(error) from None
        if step.stream and response.is_success:
            return response
        try:
            chunks = [chunk async for chunk in _until_async(response, step, self._monotonic)]
            response._content = b"".join(chunks)
        except httpx.TransportError as error:
            return error
        finally:
            await response.aclose()
        return response

    async def _token(self, step: _NeedToken) -> Token:
        state = self._token_state
        token = state.usable(self._clock())
        if token is not None:
            return token
        seen = state.generation
        async with state.async_lock():
            token = state.usable(self._clock())
            if token is not None:
                return token
            failure = state.shared_failure(seen, self._clock())
            if failure is not None:
                raise failure
            store = self._store
            if store is None:
                return await self._fetch_now(step)
            token = self._adopt(await _aquietly(store.aget, self._store_key))
            if token is not None:
                return token
            async with _aquietly_held(store.alock(self._store_key)):
                token = self._adopt(await _aquietly(store.aget, self._store_key))
                return token if token is not None else await self._fetch_now(step)

    async def _fetch_now(self, step: _NeedToken) -> Token:
        state = self._token_state
        try:
            result = await self._fetch_token(step.options, step.deadline_at)
        except WelkinError as error:
            state.fail(error, self._clock())
            raise
        shared = _to_share(self._store, result)
        if shared is not None:
            expires_at = jwt_expiry(result.token or "")
            await _aquietly(shared.aset, self._store_key, result.token, expires_at)
        return state.usable(self._clock()) or Token(result.token or "")

    async def _fetch_token(
        self, options: RequestOptions, deadline_at: float | None
    ) -> TokenResponse:
        prepared = self._token_request()
        flow = self._flow(prepared, False, options, deadline_at=deadline_at, token_call=True)
        return self._store_token(await self._run(flow))
