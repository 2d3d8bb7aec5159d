"""A fast loopback Welkin stand-in: asyncio HTTP/1.1 keep-alive with pre-serialized bodies.

Run as ``python -m benchmarks.server``; it prints ``PORT <n>`` and serves 127.0.0.1 only, until
its stdin closes or ``--max-seconds`` pass. ``GET /_stats`` returns the request counts.
``--delay-ms`` adds a service time to every answer; ``--patients`` serves another number of
patients than data.py's 5,000 (the first 5,000 are the same).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from collections import Counter
from urllib.parse import parse_qs

from .data import PATIENT_COUNT, make_patients, make_token, spring_page, to_json_bytes

HOST = "127.0.0.1"
_HEAD_END = b"\r\n\r\n"
_REASONS = {
    200: b"OK",
    201: b"Created",
    400: b"Bad Request",
    401: b"Unauthorized",
    404: b"Not Found",
}
_PRESERIALIZED_SIZES = (20, 100)


def _response(status: int, body: bytes) -> bytes:
    head = b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (
        status,
        _REASONS[status],
        len(body),
    )
    return head + body


def _error(status: int, code: str) -> bytes:
    return _response(status, to_json_bytes([{"errorCode": code, "message": code.lower()}]))


class Welkin:
    """The routes, the pre-built responses and the request counters."""

    def __init__(self, count: int = PATIENT_COUNT) -> None:
        self._count_of_patients = count
        # make_patients(n) starts from the same seed for any n: a bigger set begins with the
        # usual 5,000. Only bytes are kept.
        self._patients: dict[bytes, bytes] = {}
        serialized = []
        for patient in make_patients(count):
            body = to_json_bytes(patient)
            serialized.append(body)
            self._patients[patient["id"].encode()] = _response(200, body)
        self._serialized = serialized
        self._pages: dict[tuple[int, int], bytes] = {}
        for size in _PRESERIALIZED_SIZES:
            for page in range(-(-count // size)):
                self._page(page, size)
        self._tokens: set[bytes] = set()
        # Counted per tenant, so that each client under test can be checked separately.
        self.counts: dict[str, Counter[str]] = {}

    def _count(self, tenant: bytes, kind: str) -> None:
        name = tenant.decode(errors="replace")
        counter = self.counts.get(name)
        if counter is None:
            counter = self.counts[name] = Counter()
        counter[kind] += 1

    def _page(self, page: int, size: int) -> bytes:
        key = (page, size)
        cached = self._pages.get(key)
        if cached is None:
            items = self._serialized[page * size : (page + 1) * size]
            envelope = spring_page(items, page, size, self._count_of_patients)
            del envelope["content"]
            # Splice the pre-serialized patients in rather than re-encoding them.
            body = b'{"content":[' + b",".join(items) + b"]," + to_json_bytes(envelope)[1:]
            cached = self._pages[key] = _response(200, body)
        return cached

    def _issue_token(self, tenant: bytes, client: bytes, body: bytes) -> bytes:
        try:
            secret = json.loads(body).get("secret")
        except (ValueError, AttributeError):
            secret = None
        if not secret:
            return _error(400, "MISSING_SECRET")
        self._count(tenant, "token")
        token = make_token(client.decode(), time.time(), len(self._tokens) + 1)
        self._tokens.add(b"Bearer " + token.encode())
        reply = {"clientName": client.decode(), "token": token, "enabled": True}
        return _response(201, to_json_bytes(reply))

    def _list(self, tenant: bytes, query: bytes) -> bytes:
        params = parse_qs(query.decode())
        try:
            page = int(params.get("page", ["0"])[0])
            size = int(params.get("size", ["20"])[0])
        except ValueError:
            return _error(400, "BAD_PAGE")
        if page < 0 or not 1 <= size <= 1000:
            return _error(400, "BAD_PAGE")
        self._count(tenant, "page")
        return self._page(page, size)

    def respond(self, method: bytes, target: bytes, authorization: bytes, body: bytes) -> bytes:
        path, _, query = target.partition(b"?")
        parts = path.strip(b"/").split(b"/")
        if parts == [b"_stats"]:
            counts = {tenant: dict(counter) for tenant, counter in self.counts.items()}
            return _response(200, to_json_bytes(counts))
        tenant = parts[0]
        if method == b"POST" and len(parts) == 4 and parts[1:3] == [b"admin", b"api_clients"]:
            return self._issue_token(tenant, parts[3], body)
        if authorization not in self._tokens:
            self._count(tenant, "unauthorized")
            return _error(401, "NOT_VALID_JSON_WEB_TOKEN")
        if method == b"GET" and len(parts) == 4 and parts[2] == b"patients":
            found = self._patients.get(parts[3])
            self._count(tenant, "get" if found else "not_found")
            return found or _error(404, "NOT_FOUND")
        if (method == b"GET" and len(parts) == 3 and parts[2] == b"patients") or (
            method == b"POST" and len(parts) == 4 and parts[2:] == [b"by-filter", b"patients"]
        ):
            return self._list(tenant, query)
        self._count(tenant, "unknown_route")
        return _error(404, "NOT_FOUND")


class _Connection(asyncio.Protocol):
    """One keep-alive connection; requests may arrive split or pipelined."""

    def __init__(self, app: Welkin, delay: float) -> None:
        self._app = app
        self._delay = delay
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while self._transport is not None and not self._transport.is_closing():
            end = self._buffer.find(_HEAD_END)
            if end < 0:
                return
            lines = bytes(self._buffer[:end]).split(b"\r\n")
            method, target, _version = lines[0].split(b" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get(b"content-length", b"0"))
            total = end + len(_HEAD_END) + length
            if len(self._buffer) < total:
                return
            body = bytes(self._buffer[end + len(_HEAD_END) : total])
            del self._buffer[:total]
            authorization = headers.get(b"authorization", b"")
            response = self._app.respond(method, target, authorization, body)
            close = headers.get(b"connection", b"").lower() == b"close"
            if self._delay:
                # A simulated service time: the answer waits, the CPU does not.
                loop = asyncio.get_running_loop()
                loop.call_later(self._delay, self._send, self._transport, response, close)
            else:
                self._send(self._transport, response, close)

    @staticmethod
    def _send(transport: asyncio.Transport, response: bytes, close: bool) -> None:
        if transport.is_closing():
            return
        transport.write(response)
        if close:
            transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    # The runner holds our stdin open: EOF means it is gone, so stop rather than linger.
    sys.stdin.buffer.read()
    loop.call_soon_threadsafe(stop.set)


async def serve(port: int, max_seconds: float, delay_ms: float, patients: int) -> None:
    app = Welkin(patients)
    loop = asyncio.get_running_loop()
    delay = delay_ms / 1000
    server = await loop.create_server(lambda: _Connection(app, delay), HOST, port, backlog=512)
    stop = asyncio.Event()
    threading.Thread(target=_watch_stdin, args=(loop, stop), daemon=True).start()
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    try:
        await asyncio.wait_for(stop.wait(), max_seconds)
    except asyncio.TimeoutError:
        print("benchmark server: time limit reached, stopping", file=sys.stderr)
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cpu", type=int, default=None, help="pin the server to this CPU")
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument("--delay-ms", type=float, default=0.0, help="simulated service time")
    parser.add_argument("--patients", type=int, default=PATIENT_COUNT, help="patients served")
    args = parser.parse_args()
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    asyncio.run(serve(args.port, args.max_seconds, args.delay_ms, args.patients))


if __name__ == "__main__":
    main()
