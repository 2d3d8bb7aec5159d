"""``python -m benchmarks.fleet`` (``nox -s fleet``): 100 short-lived processes, each making
one call, with the token kept in memory (each process fetches its own), in one file, or in
Redis. Counts the token requests the loopback fake saw and times the whole fleet; writes the
table into benchmarks/RESULTS.md between the fleet markers.

Needs ``redis-server`` on PATH for the Redis row (skipped, and said so, without it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from welkin.testing import FakeWelkin

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
START = "<!-- fleet: written by `python -m benchmarks.fleet`; do not edit -->"
END = "<!-- end of fleet -->"
PROCESSES = 100
AT_ONCE = 8  # processes running at the same time: a rolling deploy, not a thundering herd

WORKER = textwrap.dedent(
    """
    import sys, welkin
    from welkin.tokens import store_from_env
    base_url, tenant, instance, api_client, secret, store, patient = sys.argv[1:8]
    client = welkin.Client(tenant, instance, api_client, secret, base_url=base_url,
                           token_store=store_from_env(store))
    client.patients.get(patient)
    """
)


@contextmanager
def redis_server() -> Iterator[str | None]:
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


def fleet(store: str) -> tuple[int, float]:
    """Token requests and seconds for PROCESSES workers, AT_ONCE at a time."""
    fake = FakeWelkin()
    fake.seed(patients=1)
    patient = next(iter(fake.patients))
    env = {k: v for k, v in os.environ.items() if k != "WELKIN_TOKEN_STORE"}
    with fake.serve() as base_url:
        args = [base_url, fake.tenant, fake.instance, fake.api_client, fake.secret, store, patient]

        def one(_: int) -> int:
            command = [sys.executable, "-c", WORKER, *args]
            return subprocess.run(command, env=env, check=False, timeout=120).returncode  # noqa: S603

        start = time.perf_counter()
        with ThreadPoolExecutor(AT_ONCE) as pool:
            codes = list(pool.map(one, range(PROCESSES)))
        seconds = time.perf_counter() - start
    if any(codes):
        raise SystemExit(f"{sum(1 for c in codes if c)} workers failed")
    return fake.token_requests, seconds


def main() -> int:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, redis_server() as redis_url:
        variants = [
            ("memory (each process its own)", "memory"),
            ("`FileTokenStore`", f"file://{tmp}/tokens.json"),
        ]
        if redis_url:
            variants.append(("`RedisTokenStore`", redis_url))
        for label, store in variants:
            tokens, seconds = fleet(store)
            print(f"{label}: {tokens} token requests, {seconds:.1f} s", flush=True)
            rows.append(
                f"| {label} | {tokens} | {seconds:.1f} | {seconds / PROCESSES * 1000:.0f} |"
            )
        if not redis_url:
            rows.append("| `RedisTokenStore` | not run: no redis-server on PATH | | |")
    table = "\n".join(
        [
            START,
            f"## A fleet of {PROCESSES} short-lived processes, one call each",
            "",
            f"`python -m benchmarks.fleet`: {PROCESSES} processes, {AT_ONCE} at a time, each "
            "starting a client and making one GET against the loopback fake. Token requests "
            "are counted by the fake; Welkin blocks an API client after 100 in 5 minutes. "
            "The Redis row includes importing redis-py in every process (about 90 ms here).",
            "",
            "| token store | token requests | seconds, whole fleet | ms per process |",
            "|---|---|---|---|",
            *rows,
            END,
        ]
    )
    text = RESULTS.read_text()
    if START in text:
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        text = f"{head}{table}{tail}"
    else:
        text = f"{text.rstrip()}\n\n{table}\n"
    RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
