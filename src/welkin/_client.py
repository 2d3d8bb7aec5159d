"""``Client`` and ``AsyncClient``: settings, auth, retries and sending.

Both clients run the same request flow (``_BaseClient._flow``), a generator that decides
what to do next (get a token, send, sleep, drop a stale token) and is driven by a sync or an
async loop. Only those loops touch I/O, so the two clients cannot drift apart.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import logging
import os
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import httpx

from ._auth import Token, TokenDict, TokenState, jwt_expiry, token_state
from ._config import (
    SDK_HEADERS,
    ClientArgs,
    check_deadline,
    check_headers,
    check_number,
    httpx_timeout,
    resolve_settings,
    retry_count,
)
from ._exceptions import (
    ClientStateError,
    InvalidArgumentError,
    WelkinError,
)
from ._files import Destination, check_destination, copy_chunks, open_destination
from ._flow import (
    DEFAULT_DEADLINE,
    Flow,
    NeedToken,
    RequestFlow,
    Send,
    Sleep,
    Step,
    is_header_safe,
    longest,
)
from ._legacy import LegacyClient
from ._logs import setup_from_env
from ._operation import Operation, PreparedRequest
from ._pagination import AsyncPage, AsyncPaginator, SyncPage
from ._response import APIResponse, AsyncAPIResponse, response_mode
from ._retry import RetryPolicy
from ._types import DEFAULT_OPTIONS, NOT_GIVEN, NotGiven, RequestOptions, Timeout
from .resources import AsyncResources, SyncResources, cached_resource

if TYPE_CHECKING:
    from ._envelopes import Envelope
    from .resources import (
        AsyncResourcesWithRawResponse,
        AsyncResourcesWithStreamingResponse,
        SyncResourcesWithRawResponse,
        SyncResourcesWithStreamingResponse,
    )
    from .tokens import TokenStore
    from .types.auth import TokenResponse
    from .webhooks import AsyncWebhooks, Webhooks

__all__ = ["AsyncClient", "Client", "RequestOptions"]

logger = logging.getLogger("welkin")

R = TypeVar("R")
T = TypeVar("T")
Environment = Literal["live", "stg"]


def _content(response: httpx.Response) -> bytes:
    return response.content


def _late(step: Send) -> httpx.ReadTimeout:
    return httpx.ReadTimeout("deadline exceeded while reading", request=step.request)


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


class Concurrency:
    """How many requests an AsyncClient has in flight at once (``max_concurrency``).

    ``None`` sets no cap; a number caps requests in flight (the others wait their turn
    before reaching the connection pool)."""

    __slots__ = ("semaphore", "setting")

    def __init__(self, setting: int | NotGiven | None) -> None:
        if isinstance(setting, NotGiven):
            setting = None
        if setting is not None and (
            isinstance(setting, bool) or not isinstance(setting, int) or setting < 1
        ):
            raise InvalidArgumentError(
                "max_concurrency", f"expected an int >= 1 or None, got {setting!r}"
            )
        self.setting = setting
        import asyncio

        self.semaphore = None if setting is None else asyncio.Semaphore(setting)


class _BaseClient(RequestFlow):
    _http: httpx.Client | httpx.AsyncClient
    _limit: Concurrency  # the AsyncClient's max_concurrency

    def _new_http(self) -> Any:
        """The connection pool of the client's own (when no ``http_client`` is given)."""
        raise NotImplementedError

    def __init__(self, args: ClientArgs, http_client: Any, http_type: type[Any]) -> None:
        setup_from_env()
        settings, secret = resolve_settings(
            args.tenant,
            args.instance,
            args.api_client,
            args.secret_key,
            args.base_url,
            args.environment,
        )
        self._settings = settings
        self._secret = secret
        self._strict = bool(args.strict)
        self._deadline = check_deadline(args.deadline)
        self._set_timeout(args.timeout)
        self._retry = RetryPolicy(
            max_retries=retry_count(args.total, args.max_retries),
            backoff_factor=check_number("backoff_factor", args.backoff_factor),
        )
        self._default_headers = check_headers("default_headers", args.default_headers)
        self._token_state: TokenState = token_state(
            settings.base_url, settings.tenant, settings.api_client, secret
        )
        self._store: TokenStore | None = _resolve_store(args.token_store)
        self._store_key = (
            ""
            if self._store is None
            else _store_key(settings.base_url, settings.tenant, settings.api_client, secret)
        )
        # Seams for tests (welkin.testing sets them): the wall clock (token expiry,
        # Retry-After dates), the monotonic clock (deadlines) and the jitter.
        self._clock: Callable[[], float] = time.time
        self._monotonic: Callable[[], float] = time.monotonic
        self._rng = random.Random()  # noqa: S311 - jitter, not cryptography
        if http_client is not None and not isinstance(http_client, http_type):
            raise InvalidArgumentError("http_client", f"expected an {http_type.__qualname__}")
        self._owns_http = http_client is None
        self._http = http_client or self._new_http()
        self._headers = {**SDK_HEADERS, **self._default_headers}
        # The headers every request carries go onto a connection pool of the client's own
        # once, rather than into each request (httpx would merge them every time).
        self._sent_headers: dict[str, str] = self._headers
        self._pool_headers = None
        if self._owns_http:
            self._http.headers.update(self._headers)
            self._sent_headers = {}
            self._pool_headers = list(self._http.headers.raw)

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
        return self._retry.max_retries

    @property
    def default_headers(self) -> dict[str, str]:
        """The headers every request carries (User-Agent and Accept included), a copy."""
        return dict(self._headers)

    def __repr__(self) -> str:
        s = self._settings
        return (
            f"{type(self).__name__}(tenant={s.tenant!r}, instance={s.instance!r}, "
            f"api_client={s.api_client!r}, base_url={s.base_url!r})"
        )

    def _copy_with(self, changes: dict[str, Any]) -> Any:
        """A client sharing this one's token (and, unless another is given, its connections),
        with the settings in ``changes`` (``with_options``' arguments) replaced."""
        changes = {k: v for k, v in changes.items() if not isinstance(v, NotGiven)}
        if "http_client" in changes or "base_url" in changes:
            return self._rebuilt(changes)
        clone = copy.copy(self)
        # Resources are cached under public names and hold the client: start them afresh.
        clone.__dict__ = {k: v for k, v in self.__dict__.items() if k.startswith("_")}
        if "timeout" in changes:
            clone._set_timeout(changes["timeout"])
        if "max_retries" in changes:
            clone._retry = self._policy(changes["max_retries"])
        if "deadline" in changes:
            clone._deadline = check_deadline(changes["deadline"])
        if "default_headers" in changes:
            extra = check_headers("default_headers", changes["default_headers"])
            clone._default_headers = {**self._default_headers, **extra}
            clone._headers = {**self._headers, **extra}
            clone._sent_headers = clone._headers  # the shared pool carries the old ones
            clone._pool_headers = None
        if "max_concurrency" in changes:
            clone._limit = Concurrency(changes["max_concurrency"])
        clone._owns_http = False
        return clone

    def _rebuilt(self, changes: dict[str, Any]) -> Any:
        """A new client of the same type: another base URL or connection pool."""
        args: dict[str, Any] = dict(
            tenant=self.tenant,
            instance=self.instance,
            api_client=self.api_client,
            secret_key=self._secret,
            timeout=self._timeout,
            backoff_factor=self._retry.backoff_factor,
            max_retries=self.max_retries,
            base_url=self.base_url,
            deadline=self._deadline,
            token_store=self._store,
            strict=self._strict,
        )
        if isinstance(self, AsyncClient):
            args["max_concurrency"] = self._limit.setting
        args.update(changes)
        # Another base URL keeps the connection pool (still this client's to close).
        args.setdefault("http_client", self._http)
        args["default_headers"] = {
            **self._default_headers,
            **(changes.get("default_headers") or {}),
        }
        clone = type(self)(**args)
        for seam in ("_clock", "_monotonic", "_rng", "_sleep"):
            setattr(clone, seam, getattr(self, seam))
        return clone

    def _set_timeout(self, timeout: Timeout) -> None:
        self._timeout = timeout
        self._httpx_timeout = httpx_timeout(timeout)
        self._longest_timeout = longest(self._httpx_timeout)
        self._timeouts = {"timeout": self._httpx_timeout.as_dict()}

    def _parser(self, operation: Operation[R]) -> Callable[[httpx.Response], R]:
        return lambda response: self._parse(operation, response, self._decode(response))

    def _as_response(
        self, operation: Operation[Any], response: httpx.Response, parse: Callable[..., Any]
    ) -> Any:
        """What a call made through ``with_raw_response`` or ``with_streaming_response``
        returns: the response and how to parse it."""
        if response.is_closed and not hasattr(response, "_elapsed"):
            # A body the transport had read already (httpx.MockTransport): nothing to time.
            response.elapsed = timedelta(0)
        wrapper = APIResponse if isinstance(self, Client) else AsyncAPIResponse
        return wrapper(response, parse, operation=operation.id)

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

    def _adopt(self, token: str | None) -> Token | None:
        """A token read from the shared store, cached here if it is still good to use."""
        if not token or not is_header_safe(token):
            return None
        self._token_state.store(token, self._clock())
        return self._token_state.usable(self._clock())

    def _share(self, result: TokenResponse) -> None:
        shared = _to_share(self._store, result)
        if shared is not None:
            _quietly(shared.set, self._store_key, result.token, jwt_expiry(result.token or ""))


class Client(_BaseClient, SyncResources, LegacyClient):
    """Synchronous Welkin client: ``client.patients.get(id)``, and the old package's API.

    ``with Client() as client: ...`` reads every credential left out from the environment.

    Args:
        tenant: Your tenant's name (``WELKIN_TENANT``).
        instance: The instance (environment) within the tenant (``WELKIN_INSTANCE``).
        api_client: The API client's name (``WELKIN_API_CLIENT``).
        secret_key: The API client's secret (``WELKIN_SECRET``); never shown in a repr,
            log line or exception.
        timeout: Seconds for each attempt (connect, read, write, pool), or an
            ``httpx.Timeout``; None: no limit.
        total: The old package's name for ``max_retries`` (positional in 0.1.x).
        backoff_factor: Scales the wait before retry n: ``backoff_factor * 2 ** (n - 1)``
            seconds plus up to 25% jitter, at most 30 s; a ``Retry-After`` header wins.
        max_retries: Retries of a failed attempt (429, 5xx, connection errors; only for
            requests that cannot act twice). Default 5.
        base_url: The API's root URL (``WELKIN_BASE_URL``); default Welkin's live host.
        environment: ``"live"`` or ``"stg"`` (``WELKIN_ENVIRONMENT``), instead of base_url.
        http_client: An ``httpx.Client`` to send with (proxies, certificates, event hooks);
            the client does not close it.
        default_headers: Headers added to every request.
        deadline: Seconds a whole call may take, token fetch, retries and waits included
            (default 60); None: no limit.
        token_store: Where tokens are shared between processes (``welkin.tokens``;
            ``WELKIN_TOKEN_STORE``); default: within this process only.
        strict: Raise on a response field that does not fit its type, instead of keeping
            the value as sent (with a warning).
    """

    _http: httpx.Client

    def __init__(
        self,
        tenant: str | None = None,
        instance: str | None = None,
        api_client: str | None = None,
        secret_key: str | None = None,
        timeout: Timeout = 5,
        total: int | NotGiven = NOT_GIVEN,
        backoff_factor: float = 0.5,
        *,
        max_retries: int | NotGiven = NOT_GIVEN,
        base_url: str | None = None,
        environment: Environment | None = None,
        http_client: httpx.Client | None = None,
        default_headers: Mapping[str, str] | None = None,
        deadline: float | None = DEFAULT_DEADLINE,
        token_store: TokenStore | NotGiven | None = NOT_GIVEN,
        strict: bool = False,
    ) -> None:
        args = ClientArgs(
            tenant=tenant,
            instance=instance,
            api_client=api_client,
            secret_key=secret_key,
            timeout=timeout,
            total=total,
            max_retries=max_retries,
            backoff_factor=backoff_factor,
            base_url=base_url,
            environment=environment,
            default_headers=default_headers,
            deadline=deadline,
            token_store=token_store,
            strict=strict,
        )
        super().__init__(args, http_client, httpx.Client)
        self._sleep: Callable[[float], None] = time.sleep

    def _new_http(self) -> httpx.Client:
        return httpx.Client(follow_redirects=False)

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
        default_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
        base_url: str | NotGiven = NOT_GIVEN,
        http_client: httpx.Client | NotGiven = NOT_GIVEN,
    ) -> Client:
        """A client with other defaults, sharing this one's token and (unless ``http_client``
        is given) its connections: ``client.with_options(timeout=30).patients.get(id)``.

        ``default_headers`` are added to this client's. The copy never closes connections it
        did not open; close the original when done."""
        clone: Client = self._copy_with(
            dict(
                timeout=timeout,
                max_retries=max_retries,
                deadline=deadline,
                default_headers=default_headers,
                base_url=base_url,
                http_client=http_client,
            )
        )
        return clone

    copy = with_options

    @cached_resource
    def with_raw_response(self) -> SyncResourcesWithRawResponse:
        """Every method, returning its response (status, headers, ``parse()`` for the result):
        ``client.with_raw_response.patients.get(id)``."""
        from .resources import SyncResourcesWithRawResponse

        return SyncResourcesWithRawResponse(self)

    @cached_resource
    def with_streaming_response(self) -> SyncResourcesWithStreamingResponse:
        """Every method, as a context manager over its response, read only on demand:
        ``with client.with_streaming_response.exports.records(...) as response:``, then
        ``for chunk in response.iter_bytes(): ...``."""
        from .resources import SyncResourcesWithStreamingResponse

        return SyncResourcesWithStreamingResponse(self)

    @cached_resource
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
        mode = response_mode.get()
        prepared = self._prepare(operation, path, query, body, options, files)
        response = self._run(self._flow(prepared, operation.auth, options, mode == "stream"))
        if mode is None:
            return self._parse(operation, response, self._decode(response))
        return cast(R, self._as_response(operation, response, self._parser(operation)))

    def _call_bytes(
        self,
        operation: Operation[Any],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> bytes:
        mode = response_mode.get()
        prepared = self._prepare(operation, path, query, None, options)
        response = self._run(self._flow(prepared, operation.auth, options, mode == "stream"))
        if mode is None:
            return response.content
        return cast(bytes, self._as_response(operation, response, _content))

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
        operation: Operation[Envelope[T]],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> SyncPage[T]:
        prepared = self._prepare(operation, path, query, body, options)

        def page(request: PreparedRequest, response: httpx.Response) -> SyncPage[T]:
            envelope = self._parse(operation, response, self._decode(response))
            return SyncPage(envelope, request, str(response.request.url), fetch)

        def fetch(request: PreparedRequest) -> SyncPage[T]:
            return page(request, self._run(self._flow(request, operation.auth, options)))

        mode = response_mode.get()
        if mode is None:
            return fetch(prepared)
        # The first page's response; later pages are fetched as usual.
        response = self._run(self._flow(prepared, operation.auth, options, mode == "stream"))
        raw = self._as_response(operation, response, lambda r: page(prepared, r))
        return cast("SyncPage[T]", raw)

    # -- the sync driver ------------------------------------------------------------------

    def _run(self, flow: Flow) -> httpx.Response:
        send, perform = self._send, self._perform
        try:
            step = next(flow)
            while True:
                step = flow.send(send(step) if type(step) is Send else perform(step))
        except StopIteration as stop:
            response: httpx.Response = stop.value
            return response

    def _perform(self, step: Step) -> Any:
        if isinstance(step, Send):
            return self._send(step)
        if isinstance(step, NeedToken):
            return self._token(step)
        if isinstance(step, Sleep):
            self._sleep(step.seconds)
        else:
            self._token_state.discard(step.token)
            if self._store is not None:
                _quietly(self._store.delete_if, self._store_key, step.token)
        return None

    def _send(self, step: Send) -> httpx.Response | httpx.TransportError:
        try:
            if step.token_call:
                # Never follows a redirect: a 307 would send the secret elsewhere.
                response = self._http.send(step.request, stream=True, follow_redirects=False)
            else:
                response = self._http.send(step.request, stream=True)
        except httpx.TransportError as error:
            return error
        except RuntimeError as error:
            raise _unusable(error) from None
        if step.stream and response.is_success:
            return response  # a download, read by the caller
        try:
            # Read here rather than by httpx, to stop a body that drips past the deadline.
            chunks = []
            deadline_at, now = step.deadline_at, self._monotonic
            for chunk in response.iter_bytes():
                if deadline_at is not None and now() >= deadline_at:
                    raise _late(step)
                chunks.append(chunk)
            response._content = b"".join(chunks)
            if response.is_closed and not hasattr(response, "_elapsed"):
                # A transport that answered with a body already read (httpx.MockTransport)
                # never gets its time set by httpx.
                response.elapsed = timedelta(seconds=now() - step.sent_at)
        except httpx.TransportError as error:
            return error
        finally:
            response.close()
        return response

    def _token(self, step: NeedToken) -> Token:
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

    def _fetch_now(self, step: NeedToken) -> Token:
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
        return self._token(NeedToken(DEFAULT_OPTIONS, self._deadline_at(DEFAULT_OPTIONS)))

    def _fetch_token(self, options: RequestOptions, deadline_at: float | None) -> TokenResponse:
        prepared = self._token_request()
        flow = self._flow(prepared, False, options, deadline_at=deadline_at, token_call=True)
        return self._store_token(self._run(flow))


class AsyncClient(_BaseClient, AsyncResources):
    """Asynchronous Welkin client: ``await client.patients.get(id)``.

    The same arguments and behaviour as ``Client`` (``http_client`` is an
    ``httpx.AsyncClient``), and:

    Args:
        max_concurrency: The most requests in flight at once; the others wait in the client.
            Default None: no cap (the client's own connections are small pools side by side,
            which keeps high concurrency cheap).
    """

    _http: httpx.AsyncClient

    def __init__(
        self,
        tenant: str | None = None,
        instance: str | None = None,
        api_client: str | None = None,
        secret_key: str | None = None,
        timeout: Timeout = 5,
        total: int | NotGiven = NOT_GIVEN,
        backoff_factor: float = 0.5,
        *,
        max_retries: int | NotGiven = NOT_GIVEN,
        base_url: str | None = None,
        environment: Environment | None = None,
        http_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        deadline: float | None = DEFAULT_DEADLINE,
        token_store: TokenStore | NotGiven | None = NOT_GIVEN,
        strict: bool = False,
        max_concurrency: int | NotGiven | None = NOT_GIVEN,
    ) -> None:
        args = ClientArgs(
            tenant=tenant,
            instance=instance,
            api_client=api_client,
            secret_key=secret_key,
            timeout=timeout,
            total=total,
            max_retries=max_retries,
            backoff_factor=backoff_factor,
            base_url=base_url,
            environment=environment,
            default_headers=default_headers,
            deadline=deadline,
            token_store=token_store,
            strict=strict,
        )
        super().__init__(args, http_client, httpx.AsyncClient)
        self._limit = Concurrency(max_concurrency)
        import asyncio  # not at module level: it would slow `import welkin` for sync users

        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def _new_http(self) -> httpx.AsyncClient:
        from ._pool import ShardedTransport

        return httpx.AsyncClient(follow_redirects=False, transport=ShardedTransport())

    @property
    def max_concurrency(self) -> int | None:
        """The most requests this client has in flight at once (None: no cap)."""
        return self._limit.setting

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
        default_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
        base_url: str | NotGiven = NOT_GIVEN,
        http_client: httpx.AsyncClient | NotGiven = NOT_GIVEN,
        max_concurrency: int | NotGiven | None = NOT_GIVEN,
    ) -> AsyncClient:
        """A client with other defaults, sharing this one's token and (unless ``http_client``
        is given) its connections: ``client.with_options(timeout=30).patients.get(id)``.

        ``default_headers`` are added to this client's. The copy never closes connections it
        did not open; close the original when done."""
        clone: AsyncClient = self._copy_with(
            dict(
                timeout=timeout,
                max_retries=max_retries,
                deadline=deadline,
                default_headers=default_headers,
                base_url=base_url,
                http_client=http_client,
                max_concurrency=max_concurrency,
            )
        )
        return clone

    copy = with_options

    @cached_resource
    def with_raw_response(self) -> AsyncResourcesWithRawResponse:
        """Every method, returning its response (status, headers, ``parse()`` for the result):
        ``await client.with_raw_response.patients.get(id)``."""
        from .resources import AsyncResourcesWithRawResponse

        return AsyncResourcesWithRawResponse(self)

    @cached_resource
    def with_streaming_response(self) -> AsyncResourcesWithStreamingResponse:
        """Every method, as a context manager over its response, read only on demand:
        ``async with client.with_streaming_response.exports.records(...) as response:``,
        then ``async for chunk in response.iter_bytes(): ...``."""
        from .resources import AsyncResourcesWithStreamingResponse

        return AsyncResourcesWithStreamingResponse(self)

    @cached_resource
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
        mode = response_mode.get()
        prepared = self._prepare(operation, path, query, body, options, files)
        flow = self._flow(prepared, operation.auth, options, mode == "stream")
        response = await self._run(flow)
        if mode is None:
            return self._parse(operation, response, self._decode(response))
        return cast(R, self._as_response(operation, response, self._parser(operation)))

    async def _call_bytes(
        self,
        operation: Operation[Any],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> bytes:
        mode = response_mode.get()
        prepared = self._prepare(operation, path, query, None, options)
        flow = self._flow(prepared, operation.auth, options, mode == "stream")
        response = await self._run(flow)
        if mode is None:
            return response.content
        return cast(bytes, self._as_response(operation, response, _content))

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
        operation: Operation[Envelope[T]],
        *,
        path: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        options: RequestOptions = DEFAULT_OPTIONS,
    ) -> AsyncPaginator[T]:
        # Built now, so that bad arguments raise at the call, not at the first await.
        prepared = self._prepare(operation, path, query, body, options)

        def page(request: PreparedRequest, response: httpx.Response) -> AsyncPage[T]:
            envelope = self._parse(operation, response, self._decode(response))
            return AsyncPage(envelope, request, str(response.request.url), fetch)

        async def fetch(request: PreparedRequest) -> AsyncPage[T]:
            return page(request, await self._run(self._flow(request, operation.auth, options)))

        mode = response_mode.get()
        if mode is None:
            return AsyncPaginator(lambda: fetch(prepared))

        async def first() -> Any:
            flow = self._flow(prepared, operation.auth, options, mode == "stream")
            response = await self._run(flow)
            return self._as_response(operation, response, lambda r: page(prepared, r))

        # The wrapper awaits this for the first page's response.
        return cast("AsyncPaginator[T]", first())

    async def _run(self, flow: Flow) -> httpx.Response:
        try:
            step = next(flow)
            while True:
                step = flow.send(await self._perform(step))
        except StopIteration as stop:
            response: httpx.Response = stop.value
            return response

    async def _perform(self, step: Step) -> Any:
        if isinstance(step, Send):
            return await self._send(step)
        if isinstance(step, NeedToken):
            return await self._token(step)
        if isinstance(step, Sleep):
            await self._sleep(step.seconds)
        else:
            self._token_state.discard(step.token)
            if self._store is not None:
                await _aquietly(self._store.adelete_if, self._store_key, step.token)
        return None

    async def _send(self, step: Send) -> httpx.Response | httpx.TransportError:
        semaphore = self._limit.semaphore
        if semaphore is None:
            return await self._exchange(step)
        # Waiting here is cheap; waiting inside httpcore's pool costs every request in
        # flight a scan of every connection.
        async with semaphore:
            return await self._exchange(step)

    async def _exchange(self, step: Send) -> httpx.Response | httpx.TransportError:
        try:
            if step.token_call:
                send = self._http.send(step.request, stream=True, follow_redirects=False)
            else:
                send = self._http.send(step.request, stream=True)
            response = await send
        except httpx.TransportError as error:
            return error
        except RuntimeError as error:
            raise _unusable(error) from None
        if step.stream and response.is_success:
            return response
        try:
            chunks = []
            deadline_at, now = step.deadline_at, self._monotonic
            async for chunk in response.aiter_bytes():
                if deadline_at is not None and now() >= deadline_at:
                    raise _late(step)
                chunks.append(chunk)
            response._content = b"".join(chunks)
            if response.is_closed and not hasattr(response, "_elapsed"):
                # A transport that answered with a body already read (httpx.MockTransport)
                # never gets its time set by httpx.
                response.elapsed = timedelta(seconds=now() - step.sent_at)
        except httpx.TransportError as error:
            return error
        finally:
            await response.aclose()
        return response

    async def _token(self, step: NeedToken) -> Token:
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

    async def _fetch_now(self, step: NeedToken) -> Token:
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
