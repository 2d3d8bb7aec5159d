"""The request flow, free of I/O: build a request, decide what to do with its outcome.

``RequestFlow._flow`` is a generator yielding steps (get a token, send, sleep, drop a stale
token) that the sync and async clients (``_client.py``) carry out; only they touch the
network, so the two cannot drift apart. Building requests, retry decisions, deadlines,
redaction of what errors carry and parsing of answers all live here.
"""

from __future__ import annotations

import json
import logging
import math
import random
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._auth import REFRESH_CODES
from ._config import Settings, check_count, check_deadline, check_headers, httpx_timeout
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    AuthenticationError,
    InvalidArgumentError,
    error_for_response,
    parse_error_body,
)
from ._logs import logger, redacted_path
from ._operation import Operation, PreparedRequest, _wire
from ._retry import RetryPolicy, parse_retry_after
from ._serialization import check_path, query_string, query_text, to_wire
from ._types import NOT_GIVEN, NotGiven, RequestOptions
from .util import reset_file_offsets

if TYPE_CHECKING:
    from ._auth import TokenState
    from .types.auth import TokenResponse

__all__ = [
    "DEFAULT_DEADLINE",
    "DropToken",
    "Flow",
    "NeedToken",
    "RequestFlow",
    "Send",
    "Sleep",
    "Step",
]


R = TypeVar("R")

#: Seconds a call may take in all, token fetch, retries and waits included (``deadline=``).
DEFAULT_DEADLINE = 60.0


# The steps of a request flow (see RequestFlow._flow). Plain classes: dataclasses would
# cost a millisecond each at import.
class NeedToken:
    __slots__ = ("deadline_at", "options")

    def __init__(self, options: RequestOptions, deadline_at: float | None) -> None:
        # The call's own limits apply to the token fetch it waits for.
        self.options = options
        self.deadline_at = deadline_at


class Send:
    __slots__ = ("deadline_at", "request", "sent_at", "stream", "token_call")

    def __init__(
        self,
        request: httpx.Request,
        stream: bool = False,
        deadline_at: float | None = None,
        token_call: bool = False,
        sent_at: float = 0.0,
    ) -> None:
        self.request = request
        self.stream = stream  # a download: the driver reads the body only of an error
        self.deadline_at = deadline_at  # time.monotonic() by which the body must be read
        self.token_call = token_call  # never follows a redirect: the body holds the secret
        self.sent_at = sent_at  # time.monotonic() when the flow sent it (logs, elapsed)


class Sleep:
    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


class DropToken:
    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token


Step = NeedToken | Send | Sleep | DropToken
Flow = Generator[Step, Any, httpx.Response]
_NO_LIMIT = float("inf")


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


def is_header_safe(token: str) -> bool:
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


def longest(timeout: httpx.Timeout) -> float:
    """The longest of a timeout's limits (infinite when one has none)."""
    limits = [timeout.connect, timeout.read, timeout.write, timeout.pool]
    known = [limit for limit in limits if limit is not None]
    return max(known) if len(known) == len(limits) else math.inf


class RequestFlow:
    """The sans-IO half of a client: its settings in, requests and decisions out."""

    _settings: Settings
    _secret: str
    _strict: bool
    _deadline: float | None
    _httpx_timeout: httpx.Timeout
    _longest_timeout: float  # longest(_httpx_timeout)
    _timeouts: dict[str, Any]  # {"timeout": _httpx_timeout.as_dict()}, httpx's extension
    _retry: RetryPolicy
    _headers: dict[str, str]
    _sent_headers: dict[str, str]
    # The headers of the client's own pool as httpx keeps them (name casing included), or
    # None when requests must carry headers of their own (another pool, other defaults).
    _pool_headers: list[tuple[bytes, bytes]] | None
    _http: httpx.Client | httpx.AsyncClient
    _token_state: TokenState
    # Seams for tests (welkin.testing sets them): the wall clock (token expiry, Retry-After
    # dates), the monotonic clock (deadlines) and the jitter.
    _clock: Callable[[], float]
    _monotonic: Callable[[], float]
    _rng: random.Random

    def _policy(self, max_retries: int | NotGiven) -> RetryPolicy:
        if isinstance(max_retries, NotGiven) or max_retries == self._retry.max_retries:
            return self._retry
        check_count("max_retries", max_retries)
        return RetryPolicy(max_retries=max_retries, backoff_factor=self._retry.backoff_factor)

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
        if options.extra_headers is not None:
            check_headers("extra_headers", options.extra_headers)
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
        self,
        prepared: PreparedRequest,
        token: str | None,
        timeout: httpx.Timeout,
        extra_headers: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        if prepared.url is not None:
            headers = self._merged_headers(token, extra_headers)
            return self._legacy_http_request(prepared, headers, timeout)
        url = f"{self._settings.base_url}/{prepared.path}"
        if prepared.files:
            # Built again on every attempt: file objects are rewound, paths read again.
            return self._http.build_request(
                prepared.method,
                url,
                params=prepared.query or None,
                data=prepared.form,
                files=[part.for_httpx() for part in prepared.files],
                headers=self._merged_headers(token, extra_headers),
                timeout=timeout,
            )
        if prepared.query:
            # Encoded here, as httpx would: handing httpx ``params`` parses the URL twice.
            url = f"{url}?{prepared.query_text or query_string(prepared.query)}"
        if (
            not prepared.has_body
            and self._pool_headers is not None
            and not extra_headers
            and timeout is self._httpx_timeout
            and not self._http.cookies
        ):
            # A bodiless request on the client's own pool: what build_request would make (its
            # headers, then ours; no params, auth or cookies to merge), without the merging.
            raw = self._pool_headers
            if token is not None:
                raw = [*raw, (b"Authorization", f"Bearer {token}".encode("ascii"))]
            return httpx.Request(prepared.method, url, headers=raw, extensions=self._timeouts)
        headers = self._merged_headers(token, extra_headers)
        content = None
        if prepared.has_body:
            headers["Content-Type"] = "application/json"
            content = json.dumps(prepared.json, separators=(",", ":")).encode()
        if timeout is self._httpx_timeout:
            # The client's own timeout, as httpx's extension once and for all: httpx would
            # build a Timeout and its dict again for every request.
            return self._http.build_request(
                prepared.method, url, content=content, headers=headers, extensions=self._timeouts
            )
        return self._http.build_request(
            prepared.method, url, content=content, headers=headers, timeout=timeout
        )

    def _merged_headers(
        self, token: str | None, extra_headers: Mapping[str, str] | None
    ) -> dict[str, str]:
        """The headers a request carries beside its pool's: the client's (when the pool does
        not have them), the call's extra ones, then the token."""
        headers = {**self._sent_headers, **(extra_headers or {})}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

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

    # -- the request flow (shared) ------------------------------------------------------

    def _deadline_at(self, options: RequestOptions) -> float | None:
        """When (``time.monotonic()``) the call must be over: its ``deadline`` seconds from now."""
        deadline = options.deadline
        if isinstance(deadline, NotGiven):
            deadline = self._deadline  # checked when the client was made
        elif deadline is not None:
            check_deadline(deadline)
        if deadline is None:
            return None
        return self._monotonic() + deadline

    def _attempt_timeout(self, options: RequestOptions, deadline_at: float | None) -> httpx.Timeout:
        """This attempt's timeouts: the call's, cut to what is left of its deadline."""
        if isinstance(options.timeout, NotGiven):
            timeout = self._httpx_timeout
            if deadline_at is None or deadline_at - self._monotonic() >= self._longest_timeout:
                return timeout  # the usual case: nothing to cut, nothing to build
        else:
            timeout = httpx_timeout(options.timeout)
        if deadline_at is None:
            return timeout
        left = max(0.001, deadline_at - self._monotonic())

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
    ) -> Flow:
        """Send with auth, one token replay on a stale token, and retries; return the response.

        With ``stream``, the successful response is returned unread (the caller closes it).
        Everything (token fetch, attempts, sleeps, reading bodies) ends by the deadline. The
        token call is retried on 429 and 5xx like a GET: an answer that is not a token
        minted none."""
        policy = self._retry
        if not isinstance(options.max_retries, NotGiven):
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
            token = None
            if auth:
                # A cached token needs no step of the driver's.
                token = self._token_state.usable(self._clock())
                if token is None:
                    token = yield NeedToken(options, deadline_at)
            timeout = self._attempt_timeout(options, deadline_at)
            request = self._http_request(prepared, token, timeout, options.extra_headers)
            sent_at = self._monotonic()
            outcome = yield Send(request, stream, deadline_at, token_call, sent_at)
            if isinstance(outcome, httpx.TransportError):
                delay = None
                if policy.retries_error(retry_as, outcome):
                    delay = self._fits(policy.delay(retries + 1, None, self._rng), deadline_at)
                if delay is None:
                    raise self._connection_error(outcome, request)
                retries += 1
                self._log_retry(prepared, retries, delay, type(outcome).__name__)
                yield Sleep(delay)
                continue
            response: httpx.Response = outcome
            status = response.status_code
            if logger.isEnabledFor(logging.DEBUG):
                self._log_response(prepared, status, self._monotonic() - sent_at)
            if response.is_success:
                return response
            if status == 401 and token is not None and not replayed:
                codes = {e.error_code for e in parse_error_body(response.content)}
                if codes & REFRESH_CODES:
                    replayed = True
                    yield DropToken(token)
                    continue
            if policy.retries_status(retry_as, status):
                retry_after = parse_retry_after(response.headers.get("Retry-After"), self._clock())
                delay = self._fits(policy.delay(retries + 1, retry_after, self._rng), deadline_at)
                if delay is not None:
                    retries += 1
                    self._log_retry(prepared, retries, delay, str(status))
                    yield Sleep(delay)
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
    def _log_response(prepared: PreparedRequest, status: int, seconds: float) -> None:
        # The path's template, not the path: paths and queries hold patient identifiers.
        route = redacted_path(prepared.route, prepared.path)
        logger.debug(
            "%s %s %s -> %d in %.0f ms",
            prepared.operation,
            prepared.method,
            route,
            status,
            seconds * 1000,
        )

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
        # The token answer is always read strictly: a token that is not a string is no token.
        strict = self._strict or secret_sent
        try:
            return operation.parse_response(data, strict=strict)
        except Exception as exc:
            # Imported here, on failure only: pydantic loads on first use, not at import.
            from pydantic import ValidationError

            if isinstance(exc, ValidationError):
                raise _unexpected(response, exc, secret_sent) from None
            raise

    def _token_request(self) -> PreparedRequest:
        # The token call is the one operation the core itself needs.
        from .operations.auth import AUTH_CREATE_TOKEN

        return AUTH_CREATE_TOKEN.build(
            tenant=self._settings.tenant,
            instance=self._settings.instance,
            path={"apiClient": self._settings.api_client},
            body={"secret": self._secret},
        )

    def _store_token(self, response: httpx.Response) -> TokenResponse:
        from .operations.auth import AUTH_CREATE_TOKEN

        data = self._decode(response, secret_sent=True)
        result = self._parse(AUTH_CREATE_TOKEN, response, data, secret_sent=True)
        if not result.token:
            raise AuthenticationError(
                _redacted(response, keep_body=False, keep_response_body=False), []
            )
        if not is_header_safe(result.token):
            # Not echoed: even a malformed token may be a working credential.
            raise _unexpected(response, "the token is not printable ASCII", secret_sent=True)
        self._token_state.store(result.token, self._clock())
        logger.info(
            "fetched a token for API client %s of %s",
            self._settings.api_client,
            self._settings.tenant,
        )
        return result
