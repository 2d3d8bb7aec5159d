"""The AsyncClient's own connection pool (small pools side by side) and ``max_concurrency``,
against a loopback server that counts connections and requests in flight."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

import welkin
from welkin._pool import ShardedTransport

TOKEN = json.dumps({"token": "not-a-jwt-but-printable"}).encode()
OK = json.dumps({"ok": True}).encode()


class Loopback:
    """HTTP/1.1 keep-alive on 127.0.0.1: a token for any POST, ``{"ok": true}`` after
    ``delay`` seconds for any GET; ``/drop`` closes the connection without an answer."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.connections = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.requests = 0
        self.open = 0
        self._writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.open += 1
        self._writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                method, target, _ = lines[0].split(" ")
                length = next(
                    (
                        int(line.split(":")[1])
                        for line in lines
                        if line.lower().startswith("content-length:")
                    ),
                    0,
                )
                await reader.readexactly(length)
                self.requests += 1
                if target.endswith("/drop"):
                    break
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
                try:
                    if method == "GET":
                        await asyncio.sleep(self.delay)
                    body = TOKEN if method == "POST" else OK
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        + f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                    await writer.drain()
                finally:
                    self.in_flight -= 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open -= 1
            writer.close()

    @asynccontextmanager
    async def serve(self) -> AsyncIterator[str]:
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            for writer in self._writers:
                writer.close()
            server.close()
            await server.wait_closed()


def make_client(base_url: str, **kwargs: Any) -> welkin.AsyncClient:
    return welkin.AsyncClient("t", "i", "c", "s", base_url=base_url, **kwargs)


def transport(client: welkin.AsyncClient) -> ShardedTransport:
    pool = client._http._transport
    assert isinstance(pool, ShardedTransport)
    return pool


async def test_sequential_calls_use_one_pool_and_one_connection() -> None:
    server = Loopback()
    async with server.serve() as base_url, make_client(base_url) as client:
        for _ in range(20):
            assert await client.call("GET", "{tenant}/x") == {"ok": True}
        assert transport(client).pools == 1
    assert server.connections == 1
    assert server.requests == 21  # the token, then 20 calls


async def test_concurrent_calls_spread_over_small_pools() -> None:
    server = Loopback(delay=0.05)
    async with server.serve() as base_url, make_client(base_url) as client:
        await client.call("GET", "{tenant}/x")  # the token first
        answers = await asyncio.gather(*(client.call("GET", "{tenant}/x") for _ in range(40)))
        assert answers == [{"ok": True}] * 40
        pool = transport(client)
        assert pool.pools == 5  # 40 in flight, 8 per pool
        assert server.most_in_flight == 40  # no cap: every request was on the wire at once
        assert all(shard.in_flight == 0 for shard in pool._shards)


async def test_pools_are_bounded_and_the_rest_queue() -> None:
    server = Loopback(delay=0.02)
    async with server.serve() as base_url:
        client = make_client(
            base_url,
            http_client=httpx.AsyncClient(transport=ShardedTransport(per_pool=2, max_pools=3)),
        )
        await client.call("GET", "{tenant}/x")
        answers = await asyncio.gather(*(client.call("GET", "{tenant}/x") for _ in range(30)))
        assert len(answers) == 30
        assert client._http._transport.pools == 3  # type: ignore[attr-defined]
        assert server.most_in_flight <= 6
        await client._http.aclose()


async def test_max_concurrency_caps_requests_in_flight() -> None:
    server = Loopback(delay=0.02)
    async with server.serve() as base_url, make_client(base_url, max_concurrency=3) as client:
        await client.call("GET", "{tenant}/x")
        answers = await asyncio.gather(*(client.call("GET", "{tenant}/x") for _ in range(12)))
        assert len(answers) == 12
        assert server.most_in_flight == 3


async def test_with_options_changes_the_cap() -> None:
    server = Loopback(delay=0.02)
    async with server.serve() as base_url, make_client(base_url, max_concurrency=2) as client:
        wider = client.with_options(max_concurrency=None)
        await asyncio.gather(*(wider.call("GET", "{tenant}/x") for _ in range(6)))
        assert server.most_in_flight == 6
        assert client.max_concurrency == 2 and wider.max_concurrency is None


@pytest.mark.parametrize("bad", [0, -1, True, "3", 2.5])
def test_a_bad_cap_is_refused_by_name(bad: Any) -> None:
    with pytest.raises(welkin.InvalidArgumentError, match="max_concurrency"):
        make_client("http://127.0.0.1:9", max_concurrency=bad)


async def test_a_dropped_connection_frees_its_place() -> None:
    server = Loopback()
    async with server.serve() as base_url, make_client(base_url, max_retries=0) as client:
        with pytest.raises(welkin.APIConnectionError):
            await client.call("GET", "{tenant}/drop")
        pool = transport(client)
        assert all(shard.in_flight == 0 for shard in pool._shards)
        assert await client.call("GET", "{tenant}/x") == {"ok": True}


async def test_closing_the_client_closes_every_pool() -> None:
    server = Loopback(delay=0.02)
    async with server.serve() as base_url:
        client = make_client(base_url)
        await asyncio.gather(*(client.call("GET", "{tenant}/x") for _ in range(20)))
        assert transport(client).pools == 3
        assert server.open == 20
        await client.close()
        for _ in range(100):  # the server sees each connection end
            if server.open == 0:
                break
            await asyncio.sleep(0.01)
        assert server.open == 0
