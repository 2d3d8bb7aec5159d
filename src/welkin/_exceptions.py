"""Every exception the SDK raises.

    WelkinError
    ├── InvalidArgumentError        bad input, raised before any request is sent (also a ValueError)
    ├── ConfigurationError          a missing or unsafe client setting (also a ValueError)
    ├── ClientStateError            the client cannot send: closed, or its event loop ended
    └── APIError                    a request was attempted; carries method and URL
        ├── APIConnectionError      no response: connection refused, reset, DNS ...
        │   └── APITimeoutError
        ├── APIResponseValidationError   a 2xx whose body is not what the spec says
        └── APIStatusError          a non-2xx response; carries status, Welkin's errors, response
            ├── BadRequestError            400
            ├── AuthenticationError        401
            ├── PermissionDeniedError      403
            ├── NotFoundError              404
            ├── ConflictError              409
            ├── UnprocessableEntityError   422
            ├── RateLimitError             429
            └── InternalServerError        5xx

Messages never contain the secret or a token: only the method, the URL (which holds
neither) and what Welkin said.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "ErrorDetail",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "WelkinError",
]


class WelkinError(Exception):
    """Base of every exception raised by welkin."""


class InvalidArgumentError(WelkinError, ValueError):
    """An argument is missing, of the wrong type or out of range; nothing was sent."""

    def __init__(self, argument: str, problem: str) -> None:
        super().__init__(f"{argument}: {problem}")
        self.argument = argument
        self.problem = problem


class ConfigurationError(WelkinError, ValueError):
    """The client cannot be built: a credential is missing or a setting is unsafe."""


class ClientStateError(WelkinError, RuntimeError):
    """The client cannot send: it was closed (nothing was sent), or (AsyncClient) the event
    loop its connections belong to has ended (the request may have been written)."""


@dataclass(frozen=True)
class ErrorDetail:
    """One item of Welkin's error body (a JSON array of these)."""

    error_code: str | None
    message: str | None = None
    component_type: str | None = None
    details: Any = None
    date: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> ErrorDetail:
        return cls(
            error_code=_str_or_none(item.get("errorCode")),
            message=_str_or_none(item.get("message")),
            component_type=_str_or_none(item.get("componentType")),
            details=item.get("details"),
            date=_str_or_none(item.get("date")),
            raw=item,
        )


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_error_body(content: bytes) -> list[ErrorDetail]:
    """Welkin's error list, from a body that may also be one object, HTML or empty."""
    try:
        body = json.loads(content)
    except ValueError:
        return []
    items = body if isinstance(body, list) else [body]
    return [ErrorDetail.from_json(item) for item in items if isinstance(item, dict)]


class APIError(WelkinError):
    """A request was attempted and failed."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """No response arrived: the connection failed or was cut."""

    def __init__(self, *, method: str, url: str, cause: str = "connection failed") -> None:
        super().__init__(f"{cause} for {method} {url}", method=method, url=url)


class APITimeoutError(APIConnectionError):
    """The request timed out."""

    def __init__(self, *, method: str, url: str, cause: str = "timed out") -> None:
        super().__init__(method=method, url=url, cause=cause)


class APIStatusError(APIError):
    """Welkin answered with a non-2xx status."""

    status_code: int

    def __init__(self, response: httpx.Response, errors: list[ErrorDetail]) -> None:
        request = response.request
        method, url = request.method, str(request.url)
        self.status_code = response.status_code
        self.response = response
        self.errors = errors
        super().__init__(self._describe(method, url), method=method, url=url)

    @property
    def error_codes(self) -> list[str]:
        """Welkin's error codes, e.g. ``["TOKEN_EXPIRED"]``."""
        return [e.error_code for e in self.errors if e.error_code]

    def _describe(self, method: str, url: str) -> str:
        text = f"{self.status_code} {self.response.reason_phrase} for {method} {url}"
        said = "; ".join(
            ": ".join(part for part in (e.error_code, e.message) if part) for e in self.errors
        )
        return f"{text}: {said}" if said else text


class BadRequestError(APIStatusError):
    status_code = 400


class AuthenticationError(APIStatusError):
    status_code = 401


class PermissionDeniedError(APIStatusError):
    status_code = 403


class NotFoundError(APIStatusError):
    status_code = 404


class ConflictError(APIStatusError):
    status_code = 409


class UnprocessableEntityError(APIStatusError):
    status_code = 422


class RateLimitError(APIStatusError):
    status_code = 429


class InternalServerError(APIStatusError):
    status_code = 500


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_for_response(response: httpx.Response) -> APIStatusError:
    """The typed exception for a non-2xx response (the body must already be read)."""
    status = response.status_code
    cls = _BY_STATUS.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    return cls(response, parse_error_body(response.content))


class APIResponseValidationError(APIError):
    """Welkin answered 2xx with a body that is not JSON or does not fit the expected shape."""

    def __init__(
        self, problem: str, *, method: str, url: str, response: httpx.Response | None = None
    ) -> None:
        super().__init__(
            f"unexpected response to {method} {url}: {problem}", method=method, url=url
        )
        self.response = response

    @classmethod
    def from_validation(
        cls,
        error: Any,
        *,
        method: str,
        url: str,
        response: httpx.Response | None = None,
    ) -> APIResponseValidationError:
        """From a pydantic ValidationError: locations and reasons only, since the input
        values are patient data."""
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors(include_input=False, include_url=False)[:5]
        )
        return cls(problems, method=method, url=url, response=response)
