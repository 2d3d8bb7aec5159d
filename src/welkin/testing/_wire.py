"""How the fake writes what Welkin writes: timestamps and error bodies."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import httpx

__all__ = ["error", "error_body", "iso"]


def iso(timestamp: float) -> str:
    """``timestamp`` (seconds since the epoch) as Welkin writes it: UTC, to the millisecond."""
    seconds, millis = divmod(round(timestamp * 1000), 1000)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds))}.{millis:03d}Z"


def error_body(code: str, component: str, message: str, now: float) -> list[dict[str, Any]]:
    return [
        {
            "errorCode": code,
            "componentType": component,
            "message": message,
            "details": {},
            "date": iso(now),
        }
    ]


def error(
    now: float,
    status: int,
    code: str,
    component: str,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """A Welkin error answer."""
    return httpx.Response(status, headers=headers, json=error_body(code, component, message, now))
