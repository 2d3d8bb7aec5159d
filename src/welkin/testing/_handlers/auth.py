"""Tokens: issuing them to the API client (with Welkin's rate limit on token requests),
checking the bearer token of every other request, and expiring them all."""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from .._routes import Call, Handler, RejectedError

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS", "Tokens", "is_token_path"]

_TOKEN_PATH = re.compile(r"[^/]+/admin/api_clients/[^/]+")
_TOKEN_WINDOW = 300.0
_TOKEN_LIMIT = 100


def is_token_path(path: str) -> bool:
    """Whether ``path`` asks for a token: it needs none, and injected faults spare it."""
    return _TOKEN_PATH.fullmatch(path) is not None


@dataclass(frozen=True)
class _Token:
    jti: int
    exp: int


class Tokens:
    """The tokens issued to the API client, and the token requests counted for the limit."""

    def __init__(self, api_client: str, secret: str, ttl: float) -> None:
        self.api_client = api_client
        self.secret = secret
        self.ttl = ttl
        self.requests = 0  # every request to the token path, answered or not
        self._issued: dict[str, _Token] = {}
        self._last_jti = 0
        self._expired_through_jti = 0
        self._times: list[float] = []
        self._blocked_until = -math.inf

    def expire_all(self) -> None:
        """Make every token issued so far answer TOKEN_EXPIRED."""
        self._expired_through_jti = self._last_jti

    def refusal(self, headers: Mapping[str, str], now: float) -> tuple[str, str] | None:
        """Why a request with these headers may not be answered (error code, message), or
        None when its bearer token is good."""
        scheme, _, value = headers.get("authorization", "").partition(" ")
        token = self._issued.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            return "NOT_VALID_JSON_WEB_TOKEN", "Missing or invalid token"
        if token.exp <= now or token.jti <= self._expired_through_jti:
            return "TOKEN_EXPIRED", "Token expired"
        return None

    def issue(self, call: Call) -> httpx.Response:
        self._check_rate(call.time)
        if not isinstance(call.body, dict):
            raise RejectedError(400, "BAD_REQUEST", "Body must be a JSON object")
        if call.params["apiClient"] != self.api_client or call.body.get("secret") != self.secret:
            raise RejectedError(401, "BAD_CREDENTIALS", "Unknown API client or wrong secret")
        self._last_jti += 1
        iat = int(call.time)
        exp = int(call.time + self.ttl)
        token = _jwt(
            {
                "custom:type": "API_CLIENT",
                "token_use": "id",
                "sub": self.api_client,
                "iat": iat,
                "exp": exp,
                "jti": self._last_jti,
            }
        )
        self._issued[token] = _Token(jti=self._last_jti, exp=exp)
        return httpx.Response(
            201, json={"clientName": self.api_client, "token": token, "enabled": True}
        )

    def _check_rate(self, now: float) -> None:
        if now < self._blocked_until:
            raise _too_many_tokens(self._blocked_until - now)
        self._times = [t for t in self._times if t > now - _TOKEN_WINDOW]
        self._times.append(now)
        if len(self._times) > _TOKEN_LIMIT:
            self._blocked_until = now + _TOKEN_WINDOW
            self._times.clear()
            raise _too_many_tokens(_TOKEN_WINDOW)


def _create_token(store: Store, call: Call) -> httpx.Response:
    return store.tokens.issue(call)


def _too_many_tokens(wait: float) -> RejectedError:
    return RejectedError(
        429,
        "TOO_MANY_REQUESTS",
        "Too many token requests; authentication is blocked",
        headers={"Retry-After": str(max(1, math.ceil(wait)))},
    )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwt(payload: dict[str, Any]) -> str:
    header = _b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    body = _b64url(json.dumps(payload, separators=(",", ":")).encode())
    return f"{header}.{body}.{_b64url(b'fake-welkin-signature')}"


HANDLERS = {"auth.create_token": Handler(_create_token, component="AUTH", own_checks=True)}
