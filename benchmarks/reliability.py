"""``python -m benchmarks.reliability`` (``nox -s reliability``): the client against a hostile
or broken server, one scenario a row: what was injected, what the client did, how many
requests it made and how long it took. Writes benchmarks/RELIABILITY.md.

Every server here is in process (httpx.MockTransport) or on 127.0.0.1; each scenario is
bounded by its own timeouts. The behaviours themselves are asserted in tests/ (see the
"test" column); this file measures them.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

import welkin
from welkin.testing import FakeWelkin, ScriptedWelkin, jwt

OUT = Path(__file__).resolve().parent / "RELIABILITY.md"
PID = "6801d498-26f4-4aee-961b-5daffcf193c8"


@dataclass
class Row:
    injected: str
    outcome: str
    requests: int
    seconds: float
    test: str


class Mock(ScriptedWelkin):
    """The scripted Welkin of these measurements: its clients wait for real between retries."""

    @property
    def sent(self) -> int:
        return len(self.requests)


def outcome_of(call: Callable[[], Any]) -> str:
    try:
        call()
    except welkin.WelkinError as exc:
        line = re.sub(r" for (GET|POST|PUT|PATCH|DELETE) \S+", "", str(exc).splitlines()[0])
        line = re.sub(r"^unexpected response to (GET|POST) \S+: ", "", line)
        return f"`{type(exc).__name__}`: {line[:100]}"
    except Exception as exc:
        return f"NOT A WelkinError: {type(exc).__name__}"
    return "succeeded"


def timed(call: Callable[[], str]) -> tuple[str, float]:
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


@contextmanager
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


# -- the scenarios ------------------------------------------------------------------------------


def dot_segment() -> Row:
    server = Mock()
    text, seconds = timed(
        lambda: outcome_of(lambda: server.client().users.delete_by_username(".."))
    )
    return Row('`users.delete_by_username("..")`', text, server.sent, seconds, "test_hardening.py")


def wrong_secret() -> Row:
    def token(request: httpx.Request) -> httpx.Response:
        if b"right" in request.content:
            return httpx.Response(200, json={"token": jwt(time.time() + 3600)})
        return httpx.Response(401, json=[{"errorCode": "BAD_CREDENTIALS", "message": "no"}])

    server = Mock(token=token)
    server.client(secret="right").patients.get(PID)  # noqa: S106
    before = server.sent
    text, seconds = timed(
        lambda: outcome_of(lambda: server.client(secret="wrong").patients.get(PID))  # noqa: S106
    )
    return Row(
        "a second client with a wrong secret, another client's token cached",
        text,
        server.sent - before,
        seconds,
        "test_hardening.py",
    )


def token_redirect() -> Row:
    def token(request: httpx.Request) -> httpx.Response:
        return httpx.Response(307, headers={"Location": "https://elsewhere.invalid/steal"})

    server = Mock(token=token)
    http = httpx.Client(transport=httpx.MockTransport(server.handle), follow_redirects=True)
    text, seconds = timed(
        lambda: outcome_of(lambda: server.client(http_client=http, total=0).patients.get(PID))
    )
    return Row(
        "307 to another origin on the token POST, `http_client(follow_redirects=True)`",
        text + " (the secret is not re-sent)",
        server.sent,
        seconds,
        "test_hardening.py",
    )


def token_stampede() -> Row:
    def token(request: httpx.Request) -> httpx.Response:
        time.sleep(0.2)  # every caller is waiting by then
        return httpx.Response(401, json=[{"errorCode": "BAD_CREDENTIALS"}])

    server = Mock(token=token)
    client = server.client()
    outcomes: list[str] = []

    def run() -> str:
        def call() -> None:
            outcomes.append(outcome_of(lambda: client.patients.get(PID)))

        threads = [threading.Thread(target=call) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        return f"{len(outcomes)} x " + outcomes[0].split(":")[0]

    text, seconds = timed(run)
    return Row(
        "50 threads, the token endpoint answers 401",
        text,
        server.sent,
        seconds,
        "test_hardening.py",
    )


def hanging_token_endpoint() -> Row:
    with silent_server() as port:
        base = f"http://127.0.0.1:{port}"
        outcomes: list[str] = []

        def run() -> str:
            client = welkin.Client(
                "gh", "sb-demo", "api", "secret", base_url=base, timeout=1, total=0
            )

            def call() -> None:
                outcomes.append(outcome_of(lambda: client.patients.get(PID)))

            threads = [threading.Thread(target=call) for _ in range(10)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            return f"{len(outcomes)} x " + outcomes[0].split(":")[0]

        text, seconds = timed(run)
    return Row(
        "10 threads, the token endpoint never answers, `timeout=1, total=0`",
        text,
        1,
        seconds,
        "test_hardening.py",
    )


def short_lived_token() -> Row:
    server = Mock(token=lambda r: httpx.Response(200, json={"token": jwt(time.time() + 30)}))
    client = server.client()
    text, seconds = timed(lambda: outcome_of(lambda: [client.patients.get(PID) for _ in range(20)]))
    return Row(
        "a token that expires in 30 s (inside the 60 s refresh margin), 20 calls",
        text + f" ({server.token_requests} token request)",
        server.sent,
        seconds,
        "test_hardening.py",
    )


def refused_with_max_retries_0() -> Row:
    base = f"http://127.0.0.1:{closed_port()}"
    client = welkin.Client("gh", "sb-demo", "api", "secret", base_url=base)
    text, seconds = timed(lambda: outcome_of(lambda: client.patients.get(PID, max_retries=0)))
    return Row(
        "connection refused, `max_retries=0` on the call", text, 1, seconds, "test_hardening.py"
    )


def retry_after_past_the_deadline() -> Row:
    server = Mock(api=lambda r: httpx.Response(503, headers={"Retry-After": "1"}))
    client = server.client()
    client.patients.get  # noqa: B018 - bind the resource before timing
    text, seconds = timed(lambda: outcome_of(lambda: client.patients.get(PID, deadline=2.5)))
    return Row(
        "503 with `Retry-After: 1` forever, `deadline=2.5`",
        text,
        server.sent,
        seconds,
        "test_hardening.py",
    )


def dripping_body() -> Row:
    def drip() -> Iterator[bytes]:
        for _ in range(10_000):
            time.sleep(0.05)
            yield b" "

    server = Mock(api=lambda r: httpx.Response(200, content=drip()))
    client = server.client(total=0)
    text, seconds = timed(lambda: outcome_of(lambda: client.patients.get(PID, deadline=1)))
    return Row(
        "a 200 whose body drips 20 bytes a second, `deadline=1`",
        text,
        server.sent,
        seconds,
        "test_hardening.py",
    )


def tls_failure() -> Row:
    def api(request: httpx.Request) -> httpx.Response:
        try:
            raise ssl.SSLCertVerificationError("certificate verify failed")
        except ssl.SSLError as exc:
            raise httpx.ConnectError("certificate verify failed", request=request) from exc

    server = Mock(api=api)
    text, seconds = timed(lambda: outcome_of(lambda: server.client().patients.get(PID)))
    return Row(
        "a certificate that does not verify", text, server.sent, seconds, "test_hardening.py"
    )


def token_429() -> Row:
    answers = iter([httpx.Response(429, headers={"Retry-After": "0.2"})])

    def token(request: httpx.Request) -> httpx.Response:
        return next(answers, httpx.Response(200, json={"token": jwt(time.time() + 3600)}))

    server = Mock(token=token)
    text, seconds = timed(lambda: outcome_of(lambda: server.client().patients.get(PID)))
    return Row(
        "the token POST answered 429 with `Retry-After: 0.2`, then a token",
        text,
        server.sent,
        seconds,
        "test_hardening.py",
    )


def closed_client() -> Row:
    server = Mock()
    client = server.client()
    client._http.close()
    text, seconds = timed(lambda: outcome_of(lambda: client.patients.get(PID)))
    return Row("a call on a closed client", text, server.sent, seconds, "test_hardening.py")


def second_event_loop() -> Row:
    fake = FakeWelkin()
    fake.seed(patients=1)
    pid = next(iter(fake.patients))
    with fake.serve() as base_url:  # real connections: they belong to the loop that opened them
        credentials = (fake.tenant, fake.instance, fake.api_client, fake.secret)
        client = welkin.AsyncClient(*credentials, base_url=base_url)
        asyncio.run(client.patients.get(pid))
        before = len(fake.requests)
        text, seconds = timed(lambda: outcome_of(lambda: asyncio.run(client.patients.get(pid))))
    return Row(
        "an AsyncClient used again after its event loop ended",
        text,
        len(fake.requests) - before,
        seconds,
        "test_hardening.py",
    )


def non_json_body() -> Row:
    server = Mock()
    client = server.client()
    call = lambda: client.patients.create(first_name="A", last_name="B", extra_body={"x": object()})  # noqa: E731
    text, seconds = timed(lambda: outcome_of(call))
    return Row('`extra_body={"x": object()}`', text, server.sent, seconds, "test_hardening.py")


def repeating_pages() -> Row:
    def api(request: httpx.Request) -> httpx.Response:
        page = {"content": [{"id": PID}], "pageable": {"pageNumber": 0}, "number": 0, "last": False}
        return httpx.Response(200, json=page)

    server = Mock(api=api)
    client = server.client()
    text, seconds = timed(lambda: outcome_of(lambda: sum(1 for _ in client.patients.list())))
    return Row(
        "every page says `last: false` and the same `number`",
        text,
        server.sent,
        seconds,
        "test_pagination_loops.py",
    )


def cli_unreachable() -> Row:
    import contextlib
    import io
    import os

    from welkin._cli import main

    env = {
        "WELKIN_TENANT": "gh",
        "WELKIN_INSTANCE": "sb-demo",
        "WELKIN_API_CLIENT": "api",
        "WELKIN_SECRET": "secret",
        "WELKIN_BASE_URL": f"http://127.0.0.1:{closed_port()}",
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            status, seconds = timed(lambda: str(main(["demo", "--live"])))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    lines = stderr.getvalue().strip().splitlines()
    text = f"exit {status}, {len(lines)} line on stderr: `{lines[-1][:70]}`"
    return Row(
        "`welkin demo --live` with the tenant's host refusing connections",
        text,
        0,
        seconds,
        "test_cli_errors.py",
    )


SCENARIOS: list[Callable[[], Row]] = [
    dot_segment,
    wrong_secret,
    token_redirect,
    token_stampede,
    hanging_token_endpoint,
    short_lived_token,
    refused_with_max_retries_0,
    retry_after_past_the_deadline,
    dripping_body,
    tls_failure,
    token_429,
    closed_client,
    second_event_loop,
    non_json_body,
    repeating_pages,
    cli_unreachable,
]


def table(rows: list[Row]) -> str:
    lines = [
        "| injected | what the client did | requests | seconds | test |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.injected} | {row.outcome} | {row.requests} | {row.seconds:.2f} | "
            f"`tests/{row.test}` |"
        )
    return "\n".join(lines)


def main() -> int:
    rows = []
    for scenario in SCENARIOS:
        welkin.clear_token_cache()
        rows.append(scenario())
        print(f"{scenario.__name__}: {rows[-1].outcome} ({rows[-1].seconds:.2f} s)", flush=True)
    text = (
        "# Reliability: the client against a hostile or broken server\n\n"
        "Written by `python -m benchmarks.reliability` (`nox -s reliability`); every server is "
        "in process or on 127.0.0.1. Requests counts every request the server saw (token calls "
        "included); seconds are wall time on this machine (2 cores).\n\n" + table(rows) + "\n"
    )
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")
    return 0 if all("NOT A WelkinError" not in r.outcome for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
