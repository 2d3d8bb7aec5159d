"""Client settings: arguments, falling back to ``WELKIN_*`` environment variables, checked once."""

from __future__ import annotations

import ipaddress
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import httpx

from ._exceptions import ConfigurationError, InvalidArgumentError
from ._types import NotGiven
from ._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "Settings",
    "check_count",
    "check_deadline",
    "check_number",
    "httpx_timeout",
    "resolve_settings",
]

DEFAULT_BASE_URL = "https://api.live.welkincloud.io"

#: Welkin's hosts by environment: ``live`` (the default) and ``stg``, the staging host of
#: Welkin's own sample code (NEWER.md, "Hosts").
ENVIRONMENTS = {"live": DEFAULT_BASE_URL, "stg": "https://api.stg.welkincloud.io"}

_ENV = {
    "tenant": "WELKIN_TENANT",
    "instance": "WELKIN_INSTANCE",
    "api_client": "WELKIN_API_CLIENT",
    "secret_key": "WELKIN_SECRET",
}


@dataclass(frozen=True)
class Settings:
    tenant: str
    instance: str
    api_client: str
    base_url: str


def _from_env(argument: str, value: str | None) -> str | None:
    if value is None:
        value = os.environ.get(_ENV[argument])
    if value is None or not value.strip():
        return None
    if argument != "secret_key":
        problem = _name_problem(value)
        if problem:
            raise ConfigurationError(f"{argument} {problem}: {value!r}")
    return value


def _name_problem(value: str) -> str | None:
    """Why a tenant, instance or API client name cannot go into a URL path, or None.

    They are path segments: a '/', '?' or '#' (or a dot segment) would send every request
    somewhere else."""
    if value in (".", ".."):
        return "must not be '.' or '..'"
    for char in value:
        if char in "/?#%\\" or char.isspace() or not char.isprintable():
            return f"must not contain {char!r}"
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; plain http is only allowed on loopback."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"base_url must be an http(s) URL, got {base_url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"base_url must use https (plain http is only allowed for loopback hosts): {base_url!r}"
        )
    return base_url.rstrip("/")


def _base_url(base_url: str | None, environment: str | None) -> str:
    """``base_url`` or the host of ``environment``, else ``WELKIN_BASE_URL``, else the host of
    ``WELKIN_ENVIRONMENT``, else the live host."""
    if base_url is not None and environment is not None:
        raise ConfigurationError("pass base_url or environment, not both")
    if base_url is not None:
        return base_url
    if environment is None:
        if os.environ.get("WELKIN_BASE_URL"):
            return os.environ["WELKIN_BASE_URL"]
        environment = os.environ.get("WELKIN_ENVIRONMENT") or "live"
    if environment not in ENVIRONMENTS:
        raise ConfigurationError(
            f"environment must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}"
        )
    return ENVIRONMENTS[environment]


def resolve_settings(
    tenant: str | None,
    instance: str | None,
    api_client: str | None,
    secret_key: str | None,
    base_url: str | None,
    environment: str | None = None,
) -> tuple[Settings, str]:
    """The settings and the secret (kept apart so that the secret never lands in a repr)."""
    given = {
        "tenant": _from_env("tenant", tenant),
        "instance": _from_env("instance", instance),
        "api_client": _from_env("api_client", api_client),
        "secret_key": _from_env("secret_key", secret_key),
    }
    missing = [name for name, value in given.items() if value is None]
    if missing:
        raise ConfigurationError(
            "missing credentials: "
            + ", ".join(f"pass {name}=... or set {_ENV[name]}" for name in missing)
        )
    settings = Settings(
        tenant=str(given["tenant"]),
        instance=str(given["instance"]),
        api_client=str(given["api_client"]),
        base_url=check_base_url(_base_url(base_url, environment)),
    )
    return settings, str(given["secret_key"])


# Checks of the clients' numeric arguments, at construction and per call.


def check_deadline(value: Any) -> float | None:
    if value is not None:
        check_number("deadline", value)
    return cast("float | None", value)


def check_number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidArgumentError(name, f"expected a number >= 0, got {value!r}")
    return float(value)


def check_count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError(name, f"expected an int >= 0, got {value!r}")
    return value


def httpx_timeout(value: Any) -> httpx.Timeout:
    """``timeout`` as httpx takes it: seconds (or None, no limit) or an httpx.Timeout."""
    if isinstance(value, httpx.Timeout):
        return value
    if value is not None:
        check_number("timeout", value)
    return httpx.Timeout(value)


def retry_count(total: int | NotGiven, max_retries: int | NotGiven) -> int:
    """The number of retries: ``max_retries``, or ``total`` (its old-package name), else 5."""
    if not isinstance(total, NotGiven) and not isinstance(max_retries, NotGiven):
        raise InvalidArgumentError(
            "max_retries", "pass max_retries or total (its old name), not both"
        )
    if not isinstance(max_retries, NotGiven):
        return check_count("max_retries", max_retries)
    if not isinstance(total, NotGiven):
        return check_count("total", total)
    return DEFAULT_MAX_RETRIES


#: Headers the SDK manages itself: they cannot be set through ``default_headers`` or
#: ``extra_headers``.
_MANAGED_HEADERS = frozenset({"authorization", "host", "content-length"})


def check_headers(name: str, headers: Mapping[str, str] | None) -> dict[str, str]:
    """Headers given by the caller, as a dict: text names and values, no line breaks."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise InvalidArgumentError(
            name, f"expected a mapping of header names to values, got {type(headers).__name__}"
        )
    checked = {}
    for key, value in headers.items():
        if (
            not isinstance(key, str)
            or not key
            or not all(33 <= ord(c) < 127 and c != ":" for c in key)
        ):
            raise InvalidArgumentError(name, f"not a header name: {key!r}")
        if key.lower() in _MANAGED_HEADERS:
            raise InvalidArgumentError(name, f"{key} is set by the client and cannot be given")
        if not isinstance(value, str) or "\r" in value or "\n" in value or "\0" in value:
            raise InvalidArgumentError(name, f"the value of {key} must be text on one line")
        checked[key] = value
    return checked


DEFAULT_MAX_RETRIES = 5

#: What every request says about its sender.
SDK_HEADERS = {
    "User-Agent": (
        f"welkin-python/{__version__} {sys.implementation.name}/"
        f"{sys.version_info[0]}.{sys.version_info[1]}.{sys.version_info[2]}"
    ),
    "Accept": "application/json",
}


class ClientArgs:
    """A client's constructor arguments, as given (checked by the client)."""

    def __init__(self, **given: Any) -> None:
        self.tenant: str | None = given["tenant"]
        self.instance: str | None = given["instance"]
        self.api_client: str | None = given["api_client"]
        self.secret_key: str | None = given["secret_key"]
        self.timeout: Any = given["timeout"]
        self.total: int | NotGiven = given["total"]
        self.max_retries: int | NotGiven = given["max_retries"]
        self.backoff_factor: float = given["backoff_factor"]
        self.base_url: str | None = given["base_url"]
        self.environment: str | None = given["environment"]
        self.default_headers: Mapping[str, str] | None = given["default_headers"]
        self.deadline: float | None = given["deadline"]
        self.token_store: Any = given["token_store"]
        self.strict: bool = given["strict"]
