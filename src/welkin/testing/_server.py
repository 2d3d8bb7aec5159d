"""Serve a ``FakeWelkin`` over real HTTP on 127.0.0.1, for any client (curl, the old package...)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

__all__ = ["serve"]

_Handler = Callable[[httpx.Request], httpx.Response]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Lets a test restart on the same port at once; the port is loopback-only anyway.
    allow_reuse_address = True

    def __init__(self, port: int, handle: _Handler) -> None:
        super().__init__(("127.0.0.1", port), _RequestHandler)
        self.handle_fake = handle


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Welkin's servers do
    # Headers and body go out in two writes: with Nagle's algorithm on, the second waits for
    # the client's delayed ACK (about 40 ms a request).
    disable_nagle_algorithm = True
    server: _Server

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        request = httpx.Request(
            self.command, f"http://{host}{self.path}", headers=self.headers.items(), content=body
        )
        try:
            response = self.server.handle_fake(request)
        except httpx.TransportError:
            # An injected network fault: drop the connection without answering.
            self.close_connection = True
            self.connection.shutdown(2)
            return
        content = response.read()
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815 - http.server's names

    def log_message(self, format: str, *args: object) -> None:
        """Silent: request lines can hold patient identifiers."""


@contextlib.contextmanager
def serve(handle: _Handler, port: int = 0) -> Iterator[str]:
    """Serve ``handle`` on 127.0.0.1 (``port=0`` picks a free port); yields the base URL."""
    server = _Server(port, handle)
    thread = threading.Thread(
        # A short poll keeps shutdown (and so each test using the server) quick.
        target=server.serve_forever,
        args=(0.05,),
        name="welkin-fake-server",
        daemon=True,
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
