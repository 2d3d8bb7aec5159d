"""Bearer tokens: one cache per (base URL, tenant, API client), shared by every client.

Welkin blocks an API client for five minutes after 100 token requests in five minutes, so
a token is fetched once and shared by all threads and tasks, refreshed shortly before the
``exp`` its JWT carries, and on a 401 replaced at most once per request.
"""

from __future__ import annotations

import base64
import json
import threading
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

__all__ = ["REFRESH_CODES", "TokenDict", "TokenState", "clear_token_cache", "token_state"]

#: 401 error codes after which a fresh token (and one replay) can help.
REFRESH_CODES = frozenset({"TOKEN_EXPIRED", "NOT_VALID_JSON_WEB_TOKEN"})

#: Refresh this many seconds before the token's ``exp``.
REFRESH_MARGIN = 60.0


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT, or None when the token is not a readable JWT."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims: Any = json.loads(base64.urlsafe_b64decode(payload))
    except ValueError:
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None


class TokenDict(dict[str, Any]):
    """Welkin's token answer as a dict (what ``client.get_token()`` returns, as the old
    package did) whose repr and str leave the token out."""

    def __repr__(self) -> str:
        shown = {k: ("<redacted>" if k == "token" else v) for k, v in self.items()}
        return f"TokenDict({shown!r})"

    __str__ = __repr__


class TokenState:
    """The cached token of one API client, and the locks that make its refresh single-flight."""

    def __init__(self) -> None:
        self.thread_lock = threading.Lock()
        self._async_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]
        self._async_locks = weakref.WeakKeyDictionary()
        self._guard = threading.Lock()
        self._token: str | None = None
        self._refresh_at: float | None = None

    def __repr__(self) -> str:
        return f"TokenState(cached={self._token is not None})"

    def usable(self, now: float) -> str | None:
        """The cached token, unless it is missing or about to expire."""
        token, refresh_at = self._token, self._refresh_at
        if token is None or (refresh_at is not None and now >= refresh_at):
            return None
        return token

    def store(self, token: str) -> None:
        exp = jwt_expiry(token)
        self._token = token
        self._refresh_at = None if exp is None else exp - REFRESH_MARGIN

    def discard(self, token: str) -> None:
        """Forget ``token`` if it is still the cached one (another caller may have refreshed it)."""
        if self._token == token:
            self._token = None

    def async_lock(self) -> asyncio.Lock:
        import asyncio  # here, not at the top: asyncio alone costs sync users ~50 ms of import

        loop = asyncio.get_running_loop()
        with self._guard:
            lock = self._async_locks.get(loop)
            if lock is None:
                lock = self._async_locks[loop] = asyncio.Lock()
            return lock


_STATES: dict[tuple[str, str, str], TokenState] = {}
_STATES_LOCK = threading.Lock()


def token_state(base_url: str, tenant: str, api_client: str) -> TokenState:
    """The process-wide token state for these credentials."""
    key = (base_url, tenant, api_client)
    with _STATES_LOCK:
        state = _STATES.get(key)
        if state is None:
            state = _STATES[key] = TokenState()
        return state


def clear_token_cache() -> None:
    """Forget every cached token (new clients fetch a fresh one)."""
    with _STATES_LOCK:
        _STATES.clear()
