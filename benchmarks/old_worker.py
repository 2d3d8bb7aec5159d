"""Drives the old ``welkin`` 0.1.12 package inside its own venv, on commands from the runner.

Stdlib and the old package only (it runs under benchmarks/.venv-old's python). One JSON
command per stdin line, one JSON answer per stdout line; times are taken here, not over IPC.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# The memory readings of the walks, shared with walk_worker.py (stdlib only; this script's
# folder is on its path, as for any script).
from walk_worker import peak_rss_mb, rss_mb

import welkin
import welkin.authentication


class Worker:
    """Holds one old-package client pointed at the loopback server."""

    def __init__(self) -> None:
        self.client: Any = None
        self.ids: list[str] = []

    def _client(self, command: dict[str, Any], tenant: str) -> Any:
        # Any: this runs against the old package, whose Client is a requests.Session.
        client: Any = welkin.Client(
            tenant=tenant,
            instance=command["instance"],
            api_client=command["api_client"],
            secret_key=command["secret"],
        )
        # The host is hard-coded to the live API; point it at the loopback server instead.
        client.host = f"{command['base_url']}/{tenant}/"
        return client

    def setup(self, command: dict[str, Any]) -> dict[str, Any]:
        self.client = self._client(command, command["tenant"])
        self.ids = command["ids"]
        return {
            "version": welkin.__version__,
            "host": self.client.host,
            "token_db": welkin.authentication.DB_PATH,
        }

    def get(self, command: dict[str, Any]) -> dict[str, Any]:
        ids, client = self.ids, self.client
        count = command["n"]
        start = time.perf_counter()
        for index in range(count):
            patient = client.Patient(id=ids[index % len(ids)]).get()
        seconds = time.perf_counter() - start
        if patient["id"] != ids[(count - 1) % len(ids)]:
            raise AssertionError("the old package returned the wrong patient")
        return {"seconds": seconds}

    def walk(self, command: dict[str, Any]) -> dict[str, Any]:
        start = time.perf_counter()
        count = 0
        for _patient in self.client.Patients().get(paginate=True, size=command["size"]):
            count += 1
        return {"seconds": time.perf_counter() - start, "count": count}

    def walk_memory(self, command: dict[str, Any]) -> dict[str, Any]:
        """A walk as walk_worker.py times it: after one page fetched, with the memory it took.

        Meant for a worker started for this walk alone, so that its memory starts clean.
        """
        next(iter(self.client.Patients().get(paginate=True, size=1)))  # warm-up
        before = rss_mb()
        answer = self.walk(command)
        return {**answer, "rss_before": before, "rss_peak": peak_rss_mb()}

    def threads(self, command: dict[str, Any]) -> dict[str, Any]:
        """``calls`` GETs over ``threads`` threads sharing one fresh client (a new tenant)."""
        client = self._client(command, command["tenant"])
        barrier = threading.Barrier(command["threads"])
        errors: list[str] = []

        def one(index: int) -> None:
            if index < command["threads"]:
                barrier.wait()  # every thread asks for its first token at the same moment
            try:
                client.Patient(id=self.ids[index % len(self.ids)]).get()
            except Exception as exc:
                errors.append(f"{type(exc).__name__}: {exc}")

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=command["threads"]) as pool:
            list(pool.map(one, range(command["calls"])))
        return {"seconds": time.perf_counter() - start, "errors": errors[:5], "failed": len(errors)}


def main() -> None:
    worker = Worker()
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "quit":
            break
        try:
            answer = getattr(worker, command["cmd"])(command)
        except Exception as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
