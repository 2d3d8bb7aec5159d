"""Client settings: arguments, falling back to ``WELKIN_*`` environment variables, checked once."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from ._exceptions import ConfigurationError

__all__ = ["DEFAULT_BASE_URL", "Settings", "resolve_settings"]

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
