"""What every scenario shares: the loopback server process, credentials, ids and request counts."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from .data import PATIENT_COUNT, make_patients, spring_page, to_json_bytes
from .server import HOST

__all__ = ["Context", "ServerProcess"]

ROOT = Path(__file__).resolve().parent.parent


class ServerProcess:
    """``python -m benchmarks.server`` in its own process; it stops when we close its stdin."""

    def __init__(
        self, *, cpu: int | None, delay_ms: float = 0.0, patients: int = PATIENT_COUNT
    ) -> None:
        command = [sys.executable, "-m", "benchmarks.server", "--max-seconds", "900"]
        if cpu is not None:
            command += ["--cpu", str(cpu)]
        if delay_ms:
            command += ["--delay-ms", str(delay_ms)]
        if patients != PATIENT_COUNT:
            command += ["--patients", str(patients)]
        self._process = subprocess.Popen(  # noqa: S603 - our own server module
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        self.base_url = f"http://{HOST}:{self._read_port()}"

    def _read_port(self) -> int:
        stdout: IO[str] | None = self._process.stdout
        assert stdout is not None
        line: list[str] = []
        # Building 5,000 patients takes a second or two (50,000: about five); a dead server
        # must not hang us.
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout=60)
        if not line or not line[0].startswith("PORT "):
            self.stop()
            raise RuntimeError("the benchmark server did not start")
        return int(line[0].split()[1])

    def stats(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = httpx.get(f"{self.base_url}/_stats").json()
        return counts

    def stop(self) -> None:
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()  # the server stops when its stdin closes
        stop_process(self._process)


@dataclass
class Context:
    """Credentials and patient ids for the clients under test, and the requests we expect."""

    base_url: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    instance: str = "bench"
    api_client: str = "BENCHCLIENT"
    secret: str = "bench-secret"  # noqa: S105 - a loopback stand-in, not a credential
    ids: list[str] = field(default_factory=list)
    # Bytes, not the decoded patients: a big live heap would slow every GC pass we measure.
    page_of_1000: bytes = b""
    # tenant -> kind -> count; compared with the server's own counts at the end.
    expected: dict[str, Counter[str]] = field(default_factory=dict)

    @classmethod
    def create(cls, base_url: str) -> Context:
        patients = make_patients()
        page = spring_page(patients[:1000], 0, 1000, PATIENT_COUNT)
        return cls(
            base_url=base_url,
            ids=[p["id"] for p in patients[:200]],
            page_of_1000=to_json_bytes(page),
        )

    def tenant(self, who: str) -> str:
        """A tenant name of this run: the server counts per tenant, the old cache keys on it."""
        return f"b{self.run_id}-{who}"

    def expect(self, tenant: str, kind: str, count: int = 1) -> None:
        self.expected.setdefault(tenant, Counter())[kind] += count

    def client_kwargs(self, tenant: str) -> dict[str, Any]:
        return {
            "tenant": tenant,
            "instance": self.instance,
            "api_client": self.api_client,
            "secret_key": self.secret,
            "base_url": self.base_url,
        }


def pin_cpus() -> tuple[int | None, str]:
    """Pin this process to every CPU but the last, which the server gets; describe the split."""
    if not hasattr(os, "sched_getaffinity"):
        return None, "not pinned (no sched_setaffinity here)"
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, f"not pinned (only CPU {cpus} available)"
    server_cpu = cpus[-1]
    os.sched_setaffinity(0, set(cpus[:-1]))
    return server_cpu, f"server on CPU {server_cpu}, clients on CPU {cpus[:-1]}"


def stop_process(process: subprocess.Popen[str]) -> None:
    """Wait for a helper process told to stop (killing it after 10 s), and close its output."""
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()
