"""welkin: a typed Python SDK for the Welkin Health REST API.

from welkin import Client
with Client(tenant="gh", instance="sb-demo", api_client="...", secret_key="...") as welkin:
    patient = welkin.patients.get("6801d498-26f4-4aee-961b-5daffcf193c8")
"""

import importlib
from typing import Any

from ._auth import clear_token_cache
from ._client import AsyncClient, Client
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientStateError,
    ConfigurationError,
    ConflictError,
    ErrorDetail,
    InternalServerError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    WelkinError,
)
from ._pagination import AsyncPage, AsyncPaginator, SyncPage
from ._response import APIResponse, AsyncAPIResponse
from ._types import NOT_GIVEN, NotGiven, RequestOptions
from ._version import __version__

# The old package's modules (and the typed models), imported when first used: ``import
# welkin`` stays light, and ``welkin.models.Patient`` works after it, as it did.
_SUBMODULES = frozenset(
    {
        "authentication",
        "exceptions",
        "models",
        "pagination",
        "testing",
        "tokens",
        "types",
        "util",
        "webhooks",
    }
)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponse",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncAPIResponse",
    "AsyncClient",
    "AsyncPage",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ClientStateError",
    "ConfigurationError",
    "ConflictError",
    "ErrorDetail",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "NotGiven",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestOptions",
    "SyncPage",
    "UnprocessableEntityError",
    "WelkinError",
    "__version__",
    "clear_token_cache",
]
