"""Receivers with no web framework: a WSGI and an ASGI app that verify each delivery, parse
it, hand the event to your function and answer Welkin, skipping redeliveries.

Answers: 200 once the handler returned (or for a delivery already handled), 400 for a body
that is not a webhook's, 401 when verification fails, 405 for a method other than POST, 411
or 413 for a body without a length or too large, and 500 when the handler raised, so that
Welkin delivers again (it retries any non-2xx answer).
"""

from __future__ import annotations

import collections
import hashlib
import http
import inspect
import json
import logging
import threading
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, MutableMapping
from typing import Any, NamedTuple, Protocol

from .._exceptions import ConfigurationError
from ..types.webhooks import WebhookEvent
from ._errors import WebhookPayloadError, WebhookVerificationError
from ._events import unwrap
from ._verify import HeadersLike, Verifier

__all__ = [
    "DedupStore",
    "MemoryDedupStore",
    "asgi_app",
    "delivery_key",
    "wsgi_app",
]

logger = logging.getLogger("welkin")

#: The largest body a receiver reads (Welkin's notifications are small JSON objects).
MAX_BODY = 1024 * 1024

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
ASGIMessage = MutableMapping[str, Any]
ASGIReceive = Callable[[], Awaitable[ASGIMessage]]
ASGISend = Callable[[ASGIMessage], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], ASGIReceive, ASGISend], Awaitable[None]]


class DedupStore(Protocol):
    """Remembers which deliveries were handled, so that a redelivery is not handled twice.

    A store shared by several processes (Redis ``SET NX`` with an expiry, a database table
    with a unique key) makes every worker of a fleet skip the same redeliveries.
    """

    def claim(self, key: Hashable) -> bool:
        """Mark ``key`` as handled; False if it already was (the delivery is a duplicate)."""
        ...

    def release(self, key: Hashable) -> None:
        """Forget ``key``: its handler failed, and Welkin's redelivery must be handled."""
        ...


class MemoryDedupStore:
    """The keys of the last ``max_keys`` deliveries, in this process (thread-safe)."""

    def __init__(self, max_keys: int = 10_000) -> None:
        if max_keys < 1:
            raise ConfigurationError("max_keys must be at least 1")
        self.max_keys = max_keys
        self._keys: collections.OrderedDict[Hashable, None] = collections.OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._keys)

    def claim(self, key: Hashable) -> bool:
        with self._lock:
            if key in self._keys:
                self._keys.move_to_end(key)
                return False
            self._keys[key] = None
            while len(self._keys) > self.max_keys:
                self._keys.popitem(last=False)
            return True

    def release(self, key: Hashable) -> None:
        with self._lock:
            self._keys.pop(key, None)


def delivery_key(event: WebhookEvent) -> str | None:
    """The default deduplication key: a digest of the whole notification, but only when it
    says when its change was made (``initiatedBy.initiatedTime``, sent since April 2025).

    Welkin documents no delivery id. Without the change's time two changes of the same
    record can give identical notifications, which must both be handled: then the key is
    None and nothing is skipped (receivers must be idempotent anyway).
    """
    initiated = event.initiated_by
    if initiated is None or initiated.initiated_time is None:
        return None
    canonical = json.dumps(event.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class _Answer(NamedTuple):
    status: int
    message: str

    def body(self) -> bytes:
        key = "status" if self.status < 400 else "error"
        return json.dumps({key: self.message}).encode()

    def headers(self, length: int) -> list[tuple[str, str]]:
        headers = [("Content-Type", "application/json"), ("Content-Length", str(length))]
        if self.status == 405:
            headers.append(("Allow", "POST"))
        return headers


class _Delivery(NamedTuple):
    event: WebhookEvent
    key: Hashable | None


_HANDLED = _Answer(200, "handled")
_DUPLICATE = _Answer(200, "duplicate")
_FAILED = _Answer(500, "the handler failed")
_TOO_LARGE = _Answer(413, "body too large")
_NOT_POST = _Answer(405, "only POST is accepted")


class _Receiver:
    """What both apps do around the handler call: verify, parse, deduplicate."""

    def __init__(
        self,
        *,
        expected_headers: Mapping[str, str] | None,
        verifier: Verifier | None,
        allow_unverified: bool,
        dedup: DedupStore | bool,
        dedup_key: Callable[[WebhookEvent], Hashable | None],
        max_body: int,
    ) -> None:
        if not expected_headers and verifier is None and not allow_unverified:
            raise ConfigurationError(
                "a webhook receiver needs expected_headers= (the custom headers configured "
                "for the webhook) or verifier=; allow_unverified=True accepts any request"
            )
        self.expected_headers = dict(expected_headers or {})
        self.verifier = verifier
        self.store: DedupStore | None = (
            (MemoryDedupStore() if dedup else None) if isinstance(dedup, bool) else dedup
        )
        self.dedup_key = dedup_key
        self.max_body = max_body

    def accept(self, headers: HeadersLike, body: bytes) -> _Answer | _Delivery:
        """The answer to give at once, or the event to hand to the handler."""
        try:
            event = unwrap(
                body, headers, expected_headers=self.expected_headers, verifier=self.verifier
            )
        except WebhookVerificationError as exc:
            logger.warning("webhook refused: %s", exc)
            return _Answer(401, "verification failed")
        except WebhookPayloadError as exc:
            logger.warning("webhook refused: %s", exc)
            return _Answer(400, "not a Welkin webhook body")
        key = self.dedup_key(event) if self.store is not None else None
        if key is not None and self.store is not None and not self.store.claim(key):
            return _DUPLICATE
        return _Delivery(event, key)

    def failed(self, delivery: _Delivery) -> _Answer:
        logger.exception("webhook handler failed; answering 500 so that Welkin retries")
        if delivery.key is not None and self.store is not None:
            self.store.release(delivery.key)
        return _FAILED


def wsgi_app(
    handler: Callable[[WebhookEvent], object],
    *,
    expected_headers: Mapping[str, str] | None = None,
    verifier: Verifier | None = None,
    allow_unverified: bool = False,
    dedup: DedupStore | bool = True,
    dedup_key: Callable[[WebhookEvent], Hashable | None] = delivery_key,
    max_body: int = MAX_BODY,
) -> WSGIApp:
    """A WSGI app receiving Welkin's webhooks: each verified, new event goes to ``handler``.

    ``expected_headers`` and ``verifier`` are ``unwrap``'s checks; one of them is required
    unless ``allow_unverified``. ``dedup`` is where handled deliveries are remembered (by
    default the last 10 000 keys in memory; False handles every delivery) and ``dedup_key``
    what identifies one (``delivery_key`` by default; return None to handle it anyway).
    """
    receiver = _Receiver(
        expected_headers=expected_headers,
        verifier=verifier,
        allow_unverified=allow_unverified,
        dedup=dedup,
        dedup_key=dedup_key,
        max_body=max_body,
    )

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        answer = _wsgi_answer(receiver, handler, environ)
        body = answer.body()
        phrase = http.HTTPStatus(answer.status).phrase
        start_response(f"{answer.status} {phrase}", answer.headers(len(body)))
        return [body]

    return app


def _wsgi_answer(
    receiver: _Receiver, handler: Callable[[WebhookEvent], object], environ: dict[str, Any]
) -> _Answer:
    if str(environ.get("REQUEST_METHOD", "")).upper() != "POST":
        return _NOT_POST
    body = _wsgi_body(environ, receiver.max_body)
    if isinstance(body, _Answer):
        return body
    outcome = receiver.accept(_wsgi_headers(environ), body)
    if isinstance(outcome, _Answer):
        return outcome
    try:
        handler(outcome.event)
    except Exception:
        return receiver.failed(outcome)
    return _HANDLED


def _wsgi_body(environ: dict[str, Any], limit: int) -> bytes | _Answer:
    stream = environ["wsgi.input"]
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        return _Answer(400, "bad Content-Length")
    if length < 0:
        if not environ.get("wsgi.input_terminated"):  # PEP 3333: never read past the body
            return _Answer(411, "Content-Length required")
        data = stream.read(limit + 1)
        return _TOO_LARGE if len(data) > limit else bytes(data)
    if length > limit:
        return _TOO_LARGE
    return bytes(stream.read(length))


def _wsgi_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    headers = [
        (name[5:].replace("_", "-"), str(value))
        for name, value in environ.items()
        if name.startswith("HTTP_")
    ]
    if environ.get("CONTENT_TYPE"):
        headers.append(("Content-Type", str(environ["CONTENT_TYPE"])))
    return headers


def asgi_app(
    handler: Callable[[WebhookEvent], Any],
    *,
    expected_headers: Mapping[str, str] | None = None,
    verifier: Verifier | None = None,
    allow_unverified: bool = False,
    dedup: DedupStore | bool = True,
    dedup_key: Callable[[WebhookEvent], Hashable | None] = delivery_key,
    max_body: int = MAX_BODY,
) -> ASGIApp:
    """An ASGI app receiving Welkin's webhooks; the options are ``wsgi_app``'s.

    ``handler`` may be a coroutine function (awaited) or a plain function (called on the
    event loop: keep it quick, or make it async and use ``welkin.AsyncClient``).
    """
    receiver = _Receiver(
        expected_headers=expected_headers,
        verifier=verifier,
        allow_unverified=allow_unverified,
        dedup=dedup,
        dedup_key=dedup_key,
        max_body=max_body,
    )

    async def app(scope: MutableMapping[str, Any], receive: ASGIReceive, send: ASGISend) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise ValueError(f"a webhook receiver serves HTTP, not {scope['type']!r}")
        answer = await _asgi_answer(receiver, handler, scope, receive)
        body = answer.body()
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [
                    (name.lower().encode(), value.encode())
                    for name, value in answer.headers(len(body))
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


async def _asgi_answer(
    receiver: _Receiver,
    handler: Callable[[WebhookEvent], Any],
    scope: Mapping[str, Any],
    receive: ASGIReceive,
) -> _Answer:
    if str(scope.get("method", "")).upper() != "POST":
        return _NOT_POST
    body = await _asgi_body(receive, receiver.max_body)
    if body is None:
        return _TOO_LARGE
    headers = [
        (bytes(name).decode("latin-1"), bytes(value).decode("latin-1"))
        for name, value in scope.get("headers") or ()
    ]
    outcome = receiver.accept(headers, body)
    if isinstance(outcome, _Answer):
        return outcome
    try:
        result = handler(outcome.event)
        if inspect.isawaitable(result):
            await result
    except Exception:
        return receiver.failed(outcome)
    return _HANDLED


async def _asgi_body(receive: ASGIReceive, limit: int) -> bytes | None:
    """The request body, or None once it is longer than ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _lifespan(receive: ASGIReceive, send: ASGISend) -> None:
    """Nothing to start or stop; servers that run the lifespan protocol get their answers."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
