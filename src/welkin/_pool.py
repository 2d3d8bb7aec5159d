"""The AsyncClient's own connection pool: small httpcore pools side by side.

httpcore's pool scans every connection it holds (and, for each idle one, every connection
again) on each request it starts and each response it closes, so its cost per request grows
with the requests in flight: at 64 concurrent requests that scan, not the network, limits
throughput (benchmarks/README.md has a reproduction). This transport keeps each inner pool
small instead: a request goes to the first pool with fewer than ``per_pool`` requests in
flight, and another pool is opened only when all are that busy. Sequential use stays on the
first pool and its one connection; the pools share one TLS context (TLS verification as
httpx's defaults: on, with certifi's roots).

Used only for connections the client opens itself; an ``http_client`` passed in is used as
given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx

__all__ = ["ShardedTransport"]


class _Shard:
    __slots__ = ("in_flight", "transport")

    def __init__(self, transport: httpx.AsyncHTTPTransport) -> None:
        self.transport = transport
        self.in_flight = 0


class _Counted(httpx.AsyncByteStream):
    """A response body that frees its request's place in the pool when closed."""

    __slots__ = ("_done", "_shard", "_stream")

    def __init__(self, stream: httpx.AsyncByteStream, shard: _Shard) -> None:
        self._stream = stream
        self._shard = shard
        self._done = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        if not self._done:
            self._done = True
            self._shard.in_flight -= 1
        await self._stream.aclose()


class ShardedTransport(httpx.AsyncBaseTransport):
    """An ``httpx.AsyncHTTPTransport`` made of up to ``max_pools`` small ones."""

    def __init__(self, *, per_pool: int = 8, max_pools: int = 12, **transport_args: Any) -> None:
        self._per_pool = per_pool
        self._max_pools = max_pools
        # One TLS context for every inner pool: creating one costs tens of milliseconds.
        verify = transport_args.pop("verify", True)
        self._args = {**transport_args, "verify": httpx.create_ssl_context(verify=verify)}
        self._limits = httpx.Limits(
            max_connections=per_pool, max_keepalive_connections=per_pool, keepalive_expiry=5.0
        )
        self._shards = [self._open()]

    def _open(self) -> _Shard:
        return _Shard(httpx.AsyncHTTPTransport(limits=self._limits, **self._args))

    def _choose(self) -> _Shard:
        for shard in self._shards:
            if shard.in_flight < self._per_pool:
                return shard
        if len(self._shards) < self._max_pools:
            shard = self._open()
            self._shards.append(shard)
            return shard
        return min(self._shards, key=lambda shard: shard.in_flight)  # queue in the least busy

    @property
    def pools(self) -> int:
        """How many inner pools are open (for tests and benchmarks)."""
        return len(self._shards)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        shard = self._choose()
        shard.in_flight += 1
        try:
            response = await shard.transport.handle_async_request(request)
        except BaseException:
            shard.in_flight -= 1
            raise
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        response.stream = _Counted(stream, shard)
        return response

    async def aclose(self) -> None:
        for shard in self._shards:
            await shard.transport.aclose()
