"""When to retry a request, and how long to wait first.

``max_retries`` (the old package's ``total``) and ``backoff_factor`` mean what they meant in
the old package (urllib3's Retry): up to ``max_retries`` retries, waiting
``backoff_factor * 2 ** (n - 1)`` seconds before the n-th, here with up to 25% jitter, capped
at ``backoff_max``, and replaced by ``Retry-After`` when the server sends one.
"""

from __future__ import annotations

import random
import ssl
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

__all__ = ["RetryPolicy", "parse_retry_after"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# Errors raised before a single byte of the request could have reached the server.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _is_tls_failure(error: BaseException) -> bool:
    """Whether a TLS handshake failure (a bad certificate, a protocol mismatch) caused it."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, ssl.SSLError):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    backoff_factor: float = 0.5
    backoff_max: float = 30.0
    #: A Retry-After longer than this is not waited out: the error is raised at once.
    retry_after_max: float = 60.0

    def retries_status(self, method: str, status: int) -> bool:
        # Welkin has no idempotency keys: a POST or PATCH that got an answer may have acted.
        return status in RETRY_STATUSES and method in IDEMPOTENT_METHODS

    def retries_error(self, method: str, error: httpx.TransportError) -> bool:
        if _is_tls_failure(error):
            return False  # a certificate that does not verify will not verify on a retry
        return isinstance(error, _NEVER_SENT) or method in IDEMPOTENT_METHODS

    def delay(self, retry: int, retry_after: float | None, rng: random.Random) -> float | None:
        """Seconds before the ``retry``-th retry (from 1), or None when it should not happen."""
        if retry > self.max_retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.retry_after_max else None
        base: float = self.backoff_factor * 2.0 ** (retry - 1)
        return min(self.backoff_max, base * (1 + 0.25 * rng.random()))
