"""``wsgi_app`` and ``asgi_app``: called as a WSGI server (a wsgiref environ) and an ASGI
server (a minimal harness) would call them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest

from welkin import ConfigurationError
from welkin.webhooks import (
    DedupStore,
    MemoryDedupStore,
    WebhookEvent,
    asgi_app,
    delivery_key,
    wsgi_app,
)

TOKEN = "0d5e1c0fb3b04a6a"
HEADERS = {"X-Welkin-Token": TOKEN}


def notification(subtype: str = "CDT_UPDATED", time: str = "2025-05-02T14:03:11.250Z") -> bytes:
    return json.dumps(
        {
            "tenantName": "gh",
            "instanceName": "sb-demo",
            "eventEntity": "CDT",
            "eventSubtype": subtype,
            "sourceId": "bd20fc04-2b88-45ad-a52e-76d0d0a649ab",
            "initiatedBy": {"initiatedBy": "u1", "initiatedTime": time},
        }
    ).encode()


BODY = notification()


# -- a WSGI server, as wsgiref would call the app -----------------------------------------


def wsgi_call(
    app: Callable[[dict[str, Any], Any], Iterable[bytes]],
    body: bytes = BODY,
    headers: dict[str, str] | None = None,
    method: str = "POST",
    *,
    length: bool = True,
    terminated: bool = False,
) -> tuple[int, dict[str, str], Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/webhooks/welkin",
        "CONTENT_TYPE": "application/json",
        "wsgi.input": io.BytesIO(body),
    }
    if length:
        environ["CONTENT_LENGTH"] = str(len(body))
    if terminated:
        environ["wsgi.input_terminated"] = True
    for name, value in (HEADERS if headers is None else headers).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    setup_testing_defaults(environ)
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        started.append((status, response_headers))

    content = b"".join(app(environ, start_response))
    [(status, response_headers)] = started
    answer_headers = dict(response_headers)
    assert int(answer_headers["Content-Length"]) == len(content)
    return int(status.split()[0]), answer_headers, json.loads(content)


@pytest.fixture
def received() -> list[WebhookEvent]:
    return []


@pytest.fixture
def app(received: list[WebhookEvent]) -> Callable[..., Iterable[bytes]]:
    return wsgi_app(received.append, expected_headers=HEADERS)


def test_a_verified_delivery_reaches_the_handler(
    app: Callable[..., Iterable[bytes]], received: list[WebhookEvent]
) -> None:
    status, headers, answer = wsgi_call(app)

    assert (status, answer) == (200, {"status": "handled"})
    assert headers["Content-Type"] == "application/json"
    [event] = received
    assert (event.event_entity, event.event_subtype) == ("CDT", "CDT_UPDATED")


def test_a_redelivery_is_answered_2xx_without_calling_the_handler_again(
    app: Callable[..., Iterable[bytes]], received: list[WebhookEvent]
) -> None:
    assert wsgi_call(app)[0] == 200
    status, _, answer = wsgi_call(app)

    assert (status, answer) == (200, {"status": "duplicate"})
    assert len(received) == 1
    assert wsgi_call(app, notification(time="2025-05-02T14:05:00.000Z"))[2] == {"status": "handled"}
    assert len(received) == 2  # another change of the same record


def test_notifications_without_the_changes_time_are_never_taken_for_duplicates(
    app: Callable[..., Iterable[bytes]], received: list[WebhookEvent]
) -> None:
    """Without initiatedTime, two changes of a record may give identical bodies."""
    old_style = json.dumps({"eventEntity": "CDT", "eventSubtype": "CDT_UPDATED"}).encode()
    assert wsgi_call(app, old_style)[2] == {"status": "handled"}
    assert wsgi_call(app, old_style)[2] == {"status": "handled"}
    assert len(received) == 2


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Welkin-Token": "forged"}, {"X-Other": TOKEN}],
    ids=["none", "wrong", "another header"],
)
def test_a_delivery_failing_verification_is_answered_401(
    app: Callable[..., Iterable[bytes]],
    received: list[WebhookEvent],
    headers: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "welkin")
    status, _, answer = wsgi_call(app, headers=headers)

    assert (status, answer) == (401, {"error": "verification failed"})
    assert received == []
    assert "webhook refused: the X-Welkin-Token header" in caplog.text
    assert "forged" not in caplog.text and TOKEN not in caplog.text


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"eventSubtype": 1}'])
def test_a_body_that_is_not_a_webhook_is_answered_400(
    app: Callable[..., Iterable[bytes]], received: list[WebhookEvent], body: bytes
) -> None:
    status, _, answer = wsgi_call(app, body)

    assert (status, answer) == (400, {"error": "not a Welkin webhook body"})
    assert received == []


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_only_post_is_accepted(app: Callable[..., Iterable[bytes]], method: str) -> None:
    status, headers, _ = wsgi_call(app, method=method)
    assert (status, headers["Allow"]) == (405, "POST")


def test_a_body_over_the_limit_is_answered_413(received: list[WebhookEvent]) -> None:
    app = wsgi_app(received.append, expected_headers=HEADERS, max_body=len(BODY) - 1)
    assert wsgi_call(app)[0] == 413
    assert wsgi_call(app, length=False, terminated=True)[0] == 413
    assert received == []


def test_a_body_without_a_length_is_read_only_when_the_server_ends_it(
    app: Callable[..., Iterable[bytes]], received: list[WebhookEvent]
) -> None:
    assert wsgi_call(app, length=False)[0] == 411
    assert wsgi_call(app, length=False, terminated=True)[0] == 200
    assert len(received) == 1


def test_a_failing_handler_is_answered_500_so_that_welkin_redelivers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[WebhookEvent] = []

    def handler(event: WebhookEvent) -> None:
        calls.append(event)
        if len(calls) == 1:
            raise RuntimeError("database down")

    app = wsgi_app(handler, expected_headers=HEADERS)
    status, _, answer = wsgi_call(app)
    assert (status, answer) == (500, {"error": "the handler failed"})
    assert "webhook handler failed" in caplog.text

    assert wsgi_call(app)[2] == {"status": "handled"}  # the redelivery is not a duplicate
    assert wsgi_call(app)[2] == {"status": "duplicate"}
    assert len(calls) == 2


def test_dedup_can_be_turned_off(received: list[WebhookEvent]) -> None:
    app = wsgi_app(received.append, expected_headers=HEADERS, dedup=False)
    wsgi_call(app)
    wsgi_call(app)
    assert len(received) == 2


def test_the_key_is_the_users_choice(received: list[WebhookEvent]) -> None:
    def by_record(event: WebhookEvent) -> Hashable:
        return (event.event_entity, event.source_id)

    app = wsgi_app(received.append, expected_headers=HEADERS, dedup_key=by_record)
    wsgi_call(app, notification("CDT_CREATED", "2025-05-02T14:00:00.000Z"))
    assert wsgi_call(app, notification("CDT_UPDATED", "2025-05-02T14:09:00.000Z"))[2] == {
        "status": "duplicate"
    }
    assert len(received) == 1


class SharedStore:
    """A store of the user's (a Redis SET NX, say): only the protocol matters."""

    def __init__(self) -> None:
        self.keys: set[Hashable] = set()
        self.released: list[Hashable] = []

    def claim(self, key: Hashable) -> bool:
        if key in self.keys:
            return False
        self.keys.add(key)
        return True

    def release(self, key: Hashable) -> None:
        self.keys.discard(key)
        self.released.append(key)


def test_a_store_of_the_users_is_shared_between_apps(received: list[WebhookEvent]) -> None:
    store = SharedStore()
    first, second = (wsgi_app(received.append, expected_headers=HEADERS, dedup=store) for _ in "ab")
    _typed: DedupStore = store

    assert wsgi_call(first)[2] == {"status": "handled"}
    assert wsgi_call(second)[2] == {"status": "duplicate"}
    assert store.keys == {delivery_key(received[0])}


def test_the_memory_store_forgets_the_oldest_keys() -> None:
    store = MemoryDedupStore(max_keys=2)
    assert store.claim("a") and store.claim("b")
    assert not store.claim("a")  # and "a" is now the most recent
    assert store.claim("c")  # evicts "b"
    assert len(store) == 2
    assert not store.claim("a") and store.claim("b")
    with pytest.raises(ConfigurationError):
        MemoryDedupStore(max_keys=0)


def test_a_receiver_must_verify_or_say_it_does_not() -> None:
    with pytest.raises(ConfigurationError, match="expected_headers="):
        wsgi_app(print)
    with pytest.raises(ConfigurationError):
        asgi_app(print, expected_headers={})
    app = wsgi_app(lambda event: None, allow_unverified=True)
    assert wsgi_call(app, headers={})[0] == 200


def test_the_delivery_key_digests_the_whole_notification() -> None:
    app_events: list[WebhookEvent] = []
    app = wsgi_app(app_events.append, expected_headers=HEADERS, dedup=False)
    wsgi_call(app)
    wsgi_call(app, notification(time="2025-05-02T14:03:11.251Z"))
    first, second = (delivery_key(event) for event in app_events)
    assert first is not None and second is not None and first != second
    assert len(first) == 64


# -- an ASGI server, reduced to what the app uses ------------------------------------------

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def asgi_call(
    app: ASGIApp,
    body: bytes = BODY,
    headers: dict[str, str] | None = None,
    method: str = "POST",
    chunk: int | None = None,
) -> tuple[int, dict[str, str], Any]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "path": "/webhooks/welkin",
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in {
                "content-type": "application/json",
                **(HEADERS if headers is None else headers),
            }.items()
        ],
    }
    size = chunk or max(len(body), 1)
    parts = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
    incoming = [
        {"type": "http.request", "body": part, "more_body": index < len(parts) - 1}
        for index, part in enumerate(parts)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start, content = sent
    assert start["type"] == "http.response.start" and content["type"] == "http.response.body"
    answer_headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert int(answer_headers["content-length"]) == len(content["body"])
    return start["status"], answer_headers, json.loads(content["body"])


async def test_asgi_hands_a_verified_delivery_to_an_async_handler() -> None:
    received: list[WebhookEvent] = []

    async def handler(event: WebhookEvent) -> None:
        received.append(event)

    app = asgi_app(handler, expected_headers=HEADERS)
    status, headers, answer = await asgi_call(app, chunk=7)  # a body in several messages

    assert (status, answer) == (200, {"status": "handled"})
    assert headers["content-type"] == "application/json"
    assert [event.event_subtype for event in received] == ["CDT_UPDATED"]
    assert (await asgi_call(app))[2] == {"status": "duplicate"}
    assert len(received) == 1


async def test_asgi_takes_a_plain_function_too() -> None:
    received: list[WebhookEvent] = []
    app = asgi_app(received.append, expected_headers=HEADERS)
    assert (await asgi_call(app))[0] == 200
    assert len(received) == 1


@pytest.mark.parametrize(
    ("body", "headers", "method", "status"),
    [
        (BODY, {"X-Welkin-Token": "forged"}, "POST", 401),
        (BODY, {}, "POST", 401),
        (b"{", HEADERS, "POST", 400),
        (BODY, HEADERS, "GET", 405),
        (b"x" * 2000, HEADERS, "POST", 413),
    ],
    ids=["wrong header", "missing header", "bad JSON", "GET", "too large"],
)
async def test_asgi_answers_4xx_without_calling_the_handler(
    body: bytes, headers: dict[str, str], method: str, status: int
) -> None:
    received: list[WebhookEvent] = []
    app = asgi_app(received.append, expected_headers=HEADERS, max_body=1000)
    assert (await asgi_call(app, body, headers, method, chunk=100))[0] == status
    assert received == []


async def test_asgi_answers_500_when_the_handler_fails_and_takes_the_redelivery() -> None:
    calls = 0

    async def handler(event: WebhookEvent) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("queue full")

    app = asgi_app(handler, expected_headers=HEADERS)
    assert (await asgi_call(app))[0] == 500
    assert (await asgi_call(app))[2] == {"status": "handled"}
    assert calls == 2


async def test_asgi_answers_the_lifespan_protocol() -> None:
    app = asgi_app(print, allow_unverified=True)
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)
    assert sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


async def test_asgi_serves_http_only() -> None:
    app = asgi_app(print, allow_unverified=True)

    async def nothing() -> dict[str, Any]:
        raise AssertionError

    with pytest.raises(ValueError, match="websocket"):
        await app({"type": "websocket"}, nothing, nothing)
