"""Bearer tokens: one cache per (base URL, tenant, API client, secret), shared by every client.

Welkin blocks an API client for five minutes after 100 token requests in five minutes, so
a token is fetched once and shared by all threads and tasks, refreshed shortly before the
``exp`` its JWT carries, and on a 401 replaced at most once per request. A failed fetch is
shared too: the callers that waited for it get its error, and new calls get it for a short,
growing while before one of them tries again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "REFRESH_CODES",
    "Token",
    "TokenDict",
    "TokenState",
    "clear_token_cache",
    "token_state",
]

#: 401 error codes after which a fresh token (and one replay) can help.
REFRESH_CODES = frozenset({"TOKEN_EXPIRED", "NOT_VALID_JSON_WEB_TOKEN"})

#: Refresh this many seconds before the token's ``exp`` (at most half of its lifetime).
REFRESH_MARGIN = 60.0

#: After a failed fetch, new calls get its error for this long before one tries again;
#: doubled after each failure in a row, up to FAILURE_BACKOFF_MAX.
FAILURE_BACKOFF = 1.0
FAILURE_BACKOFF_MAX = 30.0


class Token(str):
    """A bearer token: a str whose repr hides it (tracebacks with locals, debuggers)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Token('<redacted>')"


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
    """The cached token of one API client, the locks that make its refresh single-flight,
    and the last failed fetch."""

    def __init__(self) -> None:
        self.thread_lock = threading.Lock()
        self._async_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]
        self._async_locks = weakref.WeakKeyDictionary()
        self._guard = threading.Lock()
        self._token: Token | None = None
        self._refresh_at: float | None = None
        #: Counts finished fetches: a caller that saw another value before waiting for the
        #: lock knows a fetch ended meanwhile, and takes its outcome instead of fetching.
        self.generation = 0
        self._failure: Exception | None = None
        self._failures = 0
        self._retry_at = 0.0

    def __repr__(self) -> str:
        return f"TokenState(cached={self._token is not None}, failures={self._failures})"

    def usable(self, now: float) -> Token | None:
        """The cached token, unless it is missing or about to expire."""
        token, refresh_at = self._token, self._refresh_at
        if token is None or (refresh_at is not None and now >= refresh_at):
            return None
        return token

    def store(self, token: str, now: float) -> Token:
        """Cache a fresh token: refreshed ``REFRESH_MARGIN`` before its ``exp``, or at half its
        lifetime when that is shorter; one already expired by our clock (skew) is used until
        Welkin says so."""
        exp = jwt_expiry(token)
        with self._guard:
            self._token = Token(token)
            if exp is None or exp <= now:
                self._refresh_at = None
            else:
                self._refresh_at = exp - min(REFRESH_MARGIN, (exp - now) / 2)
            self._failure, self._failures = None, 0
            self.generation += 1
            return self._token

    def fail(self, error: Exception, now: float) -> None:
        """Remember a failed fetch: shared with its waiters, and with new calls for a while."""
        with self._guard:
            self._failure = error
            self._failures += 1
            backoff = FAILURE_BACKOFF * 2.0 ** (self._failures - 1)
            self._retry_at = now + min(FAILURE_BACKOFF_MAX, backoff)
            self.generation += 1

    def shared_failure(self, seen_generation: int, now: float) -> Exception | None:
        """The error a caller should raise instead of fetching: the failure of the fetch it
        waited for, or a recent one whose backoff has not run out."""
        failure = self._failure
        if failure is None:
            return None
        if self.generation != seen_generation or now < self._retry_at:
            return failure
        return None

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


_STATES: dict[tuple[str, str, str, str], TokenState] = {}
_STATES_LOCK = threading.Lock()


def token_state(base_url: str, tenant: str, api_client: str, secret: str) -> TokenState:
    """The process-wide token state for these credentials.

    Keyed on a hash of the secret too (never the secret itself): a client built with a wrong
    secret must not use the token another client fetched with the right one."""
    digest = hashlib.sha256(secret.encode()).hexdigest()
    key = (base_url, tenant, api_client, digest)
    with _STATES_LOCK:
        state = _STATES.get(key)
        if state is None:
            state = _STATES[key] = TokenState()
        return state


def clear_token_cache() -> None:
    """Forget every cached token (new clients fetch a fresh one)."""
    with _STATES_LOCK:
        _STATES.clear()
