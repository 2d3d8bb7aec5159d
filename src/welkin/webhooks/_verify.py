"""Checking that a delivery comes from Welkin: its configured custom headers, or a signature.

Welkin sends the custom headers configured for a webhook (Admin -> Integrations -> Webhooks)
with every delivery, and the chat webhook its X-WEBHOOK-API-KEY and X-WEBHOOK-API-SECRET.
Welkin's guide also mentions a signature header checked with a shared secret, but names
neither the header nor the algorithm: ``HmacVerifier`` takes both as settings, so the check
can be switched on without a new release once they are known.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Literal, Protocol

from .._exceptions import ConfigurationError
from ._errors import WebhookVerificationError

__all__ = ["HeaderVerifier", "HeadersLike", "HmacVerifier", "Verifier", "normalise_headers"]

#: Request headers as web frameworks give them: a mapping (Django, Starlette, werkzeug) or
#: ``(name, value)`` pairs.
HeadersLike = Mapping[str, str] | Iterable[tuple[str, str]]


def header_key(name: str) -> str:
    """A header name as it is looked up: lowercase, ``_`` read as ``-`` (WSGI servers turn
    both into ``HTTP_X_NAME``, so the two spellings cannot be told apart there)."""
    return name.strip().lower().replace("_", "-")


def normalise_headers(headers: HeadersLike) -> dict[str, str]:
    """Headers keyed by ``header_key``. A header sent twice keeps both values, joined by
    ``", "`` as HTTP does: a second copy of a checked header makes the check fail, it never
    replaces the first."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    found: dict[str, str] = {}
    for name, value in pairs:
        key = header_key(name)
        found[key] = f"{found[key]}, {value}" if key in found else value
    return found


class Verifier(Protocol):
    """A check of one delivery: raise ``WebhookVerificationError`` to refuse it.

    It gets the raw body and the headers keyed by ``header_key`` (lowercase names).
    """

    def __call__(self, body: bytes, headers: Mapping[str, str], /) -> None: ...


def _equal(given: str, expected: str) -> bool:
    # Bytes, not str: compare_digest refuses non-ASCII text.
    return hmac.compare_digest(given.encode(), expected.encode())


class HeaderVerifier:
    """Every configured header must be there with exactly its configured value (compared in
    constant time)."""

    def __init__(self, expected: Mapping[str, str]) -> None:
        if not expected:
            raise ConfigurationError("HeaderVerifier needs at least one header to check")
        self._expected = [(header_key(name), name, value) for name, value in expected.items()]

    def __repr__(self) -> str:
        return f"HeaderVerifier({[name for _, name, _ in self._expected]!r})"  # not the values

    def __call__(self, body: bytes, headers: Mapping[str, str], /) -> None:
        for key, name, value in self._expected:
            given = headers.get(key)
            if given is None:
                raise WebhookVerificationError(f"the {name} header is missing")
            if not _equal(given, value):
                raise WebhookVerificationError(f"the {name} header does not match")


class HmacVerifier:
    """An HMAC of the raw body, keyed with a shared secret, carried in a header.

    ``header`` and ``algorithm`` (any name ``hashlib`` knows) are settings because Welkin has
    not published them; ``encoding`` is how the digest is written (``hex`` or ``base64``) and
    ``prefix`` what comes before it (``"sha256="`` for a GitHub-style header).
    ``signature(body)`` gives the header value a sender would send.
    """

    def __init__(
        self,
        secret: str | bytes,
        *,
        header: str,
        algorithm: str = "sha256",
        encoding: Literal["hex", "base64"] = "hex",
        prefix: str = "",
    ) -> None:
        if not secret:
            raise ConfigurationError("HmacVerifier needs a non-empty secret")
        try:
            hashlib.new(algorithm)
        except ValueError:
            raise ConfigurationError(f"unknown HMAC algorithm {algorithm!r}") from None
        if encoding not in ("hex", "base64"):
            raise ConfigurationError("encoding must be 'hex' or 'base64'")
        self._secret = secret.encode() if isinstance(secret, str) else bytes(secret)
        self.header = header
        self.algorithm = algorithm
        self.encoding = encoding
        self.prefix = prefix
        self._key = header_key(header)

    def __repr__(self) -> str:
        return f"HmacVerifier(header={self.header!r}, algorithm={self.algorithm!r})"

    def signature(self, body: bytes) -> str:
        """The header value that signs ``body``."""
        digest = hmac.new(self._secret, body, self.algorithm).digest()
        text = digest.hex() if self.encoding == "hex" else base64.b64encode(digest).decode()
        return self.prefix + text

    def __call__(self, body: bytes, headers: Mapping[str, str], /) -> None:
        given = headers.get(self._key)
        if given is None:
            raise WebhookVerificationError(f"the {self.header} signature header is missing")
        given, expected = given.strip(), self.signature(body)
        if self.encoding == "hex":  # hex digits in either case
            given, expected = given.lower(), expected.lower()
        if not _equal(given, expected):
            raise WebhookVerificationError(f"the {self.header} signature does not match")
