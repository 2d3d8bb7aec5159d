"""httpcore's async pool does more bookkeeping per request the more requests are in flight.

A self-contained reproduction with httpx alone (no welkin): an asyncio HTTP/1.1 server on
127.0.0.1, in a child process, waits 5 ms before each answer; raw ``httpx.AsyncClient`` sends
the same number of GETs as gathers of 16, 64 and 256 (a new client per round, httpx's
default pool). It prints, per width, the throughput and the client's CPU per request (the widths run
interleaved, round after round); then, from more rounds under cProfile, the calls per request
to ``AsyncConnectionPool._assign_requests_to_connections`` and to the connections'
``is_idle``, and the share of the profiled time spent inside the former.

    python benchmarks/httpcore_repro.py [--rounds 7] [--profiled 3] [--requests 512]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import statistics
import subprocess
import sys
import time

import httpx

HOST = "127.0.0.1"
WIDTHS = (16, 64, 256)
BODY = b'{"id":"0","name":"' + b"x" * 1900 + b'"}'  # about the size of a patient
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)
) + BODY


# -- the server (child process) ------------------------------------------------------------


class _Connection(asyncio.Protocol):
    """Keep-alive HTTP/1.1 for GETs without a body: each answer leaves after the delay."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            _head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            asyncio.get_running_loop().call_later(self.delay, self._answer)

    def _answer(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(RESPONSE)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


async def _serve(delay_ms: float) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Connection(delay_ms / 1000), HOST, 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin
    server.close()


# -- the client ----------------------------------------------------------------------------


async def _round(client: httpx.AsyncClient, url: str, width: int, requests: int) -> None:
    for _ in range(requests // width):
        responses = await asyncio.gather(*(client.get(url) for _ in range(width)))
        for response in responses:
            response.raise_for_status()


# The pool's own methods, and the is_idle it calls on its connections (which then asks the
# HTTP/1.1 connection inside: that inner call is not counted again).
ASSIGN = ("_async/connection_pool.py", "_assign_requests_to_connections")
IS_IDLE = ("_async/connection.py", "is_idle")


def _entry(profile: cProfile.Profile, where: tuple[str, str]) -> tuple[int, float]:
    """(calls, share of the profiled time spent inside, callees included) of one function."""
    stats = pstats.Stats(profile)
    suffix, name = where
    for (filename, _line, function), (_cc, calls, _tt, cumulative, _callers) in (
        stats.stats.items()  # type: ignore[attr-defined]
    ):
        if function == name and filename.replace(os.sep, "/").endswith(suffix):
            total = stats.total_tt  # type: ignore[attr-defined]
            return calls, cumulative / total if total else 0.0
    return 0, 0.0


def _rotated(index: int) -> tuple[int, ...]:
    shift = index % len(WIDTHS)
    return WIDTHS[shift:] + WIDTHS[:shift]


async def _measure(url: str, rounds: int, requests: int, profiled: int) -> None:
    rate: dict[int, list[float]] = {width: [] for width in WIDTHS}
    cpu: dict[int, list[float]] = {width: [] for width in WIDTHS}
    counts: dict[int, list[tuple[float, float, float]]] = {width: [] for width in WIDTHS}
    # Every round starts from a new client (built before the clock starts), so that every
    # round meets the pool in the same state: empty, as a burst from a new client or after
    # the keep-alive expiry (5 s) finds it. With a warm pool the state left by the round
    # before (how many connections survived) changes the counts from round to round.
    for width in WIDTHS:  # warm-up: imports, code paths
        async with httpx.AsyncClient() as client:
            await _round(client, url, width, requests)
    for index in range(rounds):
        for width in _rotated(index):
            async with httpx.AsyncClient() as client:  # httpx's default pool limits
                wall, used = time.perf_counter(), time.process_time()
                await _round(client, url, width, requests)
                rate[width].append(requests / (time.perf_counter() - wall))
                cpu[width].append((time.process_time() - used) / requests * 1e6)
    # Then rounds under cProfile (slower, so not timed), interleaved the same way.
    for index in range(profiled):
        for width in _rotated(index):
            async with httpx.AsyncClient() as client:
                profile = cProfile.Profile()
                profile.enable()
                await _round(client, url, width, requests)
                profile.disable()
            assign, share = _entry(profile, ASSIGN)
            idle, _ = _entry(profile, IS_IDLE)
            counts[width].append((assign / requests, idle / requests, share))
    print(
        f"httpx {httpx.__version__}, httpcore {_httpcore_version()}, Python "
        f"{sys.version.split()[0]}; {requests} GETs per round and width, {rounds} timed rounds "
        f"and {profiled} under cProfile, the widths interleaved; medians"
    )
    print(
        f"{'width':>5}  {'req/s':>7}  {'vs 16':>6}  {'CPU us/req':>10}  {'assign/req':>10}  "
        f"{'is_idle/req':>11}  {'in assign':>9}"
    )
    for width in WIDTHS:
        # Ratios to the narrowest width round by round, so drift between rounds cancels out.
        ratio = statistics.median(
            mine / base for mine, base in zip(rate[width], rate[WIDTHS[0]], strict=True)
        )
        assign, idle, share = (
            statistics.median(column) for column in zip(*counts[width], strict=True)
        )
        print(
            f"{width:>5}  {statistics.median(rate[width]):>7,.0f}  {ratio:>5.2f}x  "
            f"{statistics.median(cpu[width]):>10,.0f}  {assign:>10.1f}  {idle:>11,.0f}  "
            f"{share:>9.0%}"
        )


def _httpcore_version() -> str:
    import httpcore

    return str(httpcore.__version__)


def _pin() -> int | None:
    """Give the server the last CPU and this process the others, when there are two or more."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None
    os.sched_setaffinity(0, set(cpus[:-1]))
    return cpus[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds")
    parser.add_argument("--profiled", type=int, default=3, help="rounds under cProfile")
    parser.add_argument("--requests", type=int, default=512, help="GETs per round and width")
    parser.add_argument("--delay-ms", type=float, default=5.0, help="the server's wait")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.delay_ms))
        return
    server_cpu = _pin()
    server = subprocess.Popen(  # noqa: S603 - this very script, as the server
        [sys.executable, os.path.abspath(__file__), "--serve", "--delay-ms", str(args.delay_ms)],
        preexec_fn=None if server_cpu is None else lambda: os.sched_setaffinity(0, {server_cpu}),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        pinning = "not pinned" if server_cpu is None else f"pinned to CPU {server_cpu}"
        print(f"server on {HOST}:{port} ({pinning}), {args.delay_ms:g} ms before each answer")
        url = f"http://{HOST}:{port}/patients/1"
        asyncio.run(_measure(url, args.rounds, args.requests, args.profiled))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
