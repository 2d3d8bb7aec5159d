"""The measured scenarios; each runs its variants interleaved and returns a Section."""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import json
import subprocess
import sys
import tempfile
import threading
import time
import types
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import requests

import welkin
from welkin.models.patients import Patient
from welkin.operations import OPERATIONS

from .context import Context
from .data import PATIENT_COUNT
from .harness import Sample, interleave, timed
from .oldpkg import OldPackage
from .results import Section

__all__ = ["Clients"]

WELKIN_SYNC = "welkin sync `client.patients.get(id)`"
WELKIN_ASYNC = "welkin async `await client.patients.get(id)`"
OLD_GET = "old welkin 0.1.12 `client.Patient(id=...).get()`"
RAW_HTTPX = "raw httpx (keep-alive Client, bearer header, `response.json()`)"
RAW_REQUESTS = "raw requests (Session, `response.json()`)"
RAW_HTTPX_ASYNC = "raw httpx.AsyncClient (`response.json()`)"
SNIFFIO_WHATIF = "welkin async, with `sniffio` importable (what-if)"


def _run(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, float]) -> float:
    return loop.run_until_complete(coroutine)


@contextmanager
def sniffio_importable() -> Iterator[None]:
    """Make ``import sniffio`` succeed for a while, as if the package were installed.

    httpcore imports sniffio on every async request; when it is missing the failed import is
    not cached and walks sys.path each time. This shows what installing it would save.
    """
    if "sniffio" in sys.modules or importlib.util.find_spec("sniffio") is not None:
        yield
        return
    stub = types.ModuleType("sniffio")
    stub.current_async_library = lambda: "asyncio"  # type: ignore[attr-defined]
    sys.modules["sniffio"] = stub
    try:
        yield
    finally:
        del sys.modules["sniffio"]


@dataclass
class Clients:
    """One client per variant, each on its own tenant so the server counts them apart."""

    ctx: Context
    loop: asyncio.AbstractEventLoop
    old: OldPackage | None
    old_setup: dict[str, Any]
    sync: welkin.Client
    aio: welkin.AsyncClient
    raw: httpx.Client
    raw_async: httpx.AsyncClient
    session: requests.Session
    raw_headers: dict[str, str]

    @classmethod
    def open(cls, ctx: Context, loop: asyncio.AbstractEventLoop, old: OldPackage | None) -> Clients:
        """Clients for ``ctx``'s server; the old package's worker is pointed at it if given."""
        raw = httpx.Client()
        tenant = ctx.tenant("raw")
        token = raw.post(
            f"{ctx.base_url}/{tenant}/admin/api_clients/{ctx.api_client}",
            json={"secret": ctx.secret},
        )
        token.raise_for_status()
        ctx.expect(tenant, "token")
        old_setup: dict[str, Any] = {}
        if old is not None:
            old_setup = old.call(
                "setup",
                base_url=ctx.base_url,
                tenant=ctx.tenant("old"),
                instance=ctx.instance,
                api_client=ctx.api_client,
                secret=ctx.secret,
                ids=ctx.ids,
            )
            ctx.expect(ctx.tenant("old"), "token")
        for who in ("sync", "async"):
            ctx.expect(ctx.tenant(who), "token")
        return cls(
            ctx=ctx,
            loop=loop,
            old=old,
            old_setup=old_setup,
            sync=welkin.Client(**ctx.client_kwargs(ctx.tenant("sync"))),
            aio=welkin.AsyncClient(**ctx.client_kwargs(ctx.tenant("async"))),
            raw=raw,
            raw_async=httpx.AsyncClient(),
            session=requests.Session(),
            raw_headers={"Authorization": f"Bearer {token.json()['token']}"},
        )

    def close(self) -> None:
        self.sync.close()
        self.raw.close()
        self.session.close()
        self.loop.run_until_complete(self.aio.close())
        self.loop.run_until_complete(self.raw_async.aclose())

    def patient_url(self, index: int) -> str:
        ctx = self.ctx
        patient_id = ctx.ids[index % len(ctx.ids)]
        return f"{ctx.base_url}/{ctx.tenant('raw')}/{ctx.instance}/patients/{patient_id}"

    # -- one batch of sequential GETs per variant; each returns microseconds per GET -----------

    def welkin_gets(self, count: int) -> float:
        ids, client = self.ctx.ids, self.sync
        self.ctx.expect(self.ctx.tenant("sync"), "get", count)
        start = time.perf_counter()
        for index in range(count):
            patient = client.patients.get(ids[index % len(ids)])
        elapsed = time.perf_counter() - start
        assert str(patient.id) == ids[(count - 1) % len(ids)]
        return elapsed / count * 1e6

    async def _welkin_async_gets(self, count: int) -> float:
        ids, client = self.ctx.ids, self.aio
        start = time.perf_counter()
        for index in range(count):
            await client.patients.get(ids[index % len(ids)])
        return (time.perf_counter() - start) / count * 1e6

    def welkin_async_gets(self, count: int) -> float:
        self.ctx.expect(self.ctx.tenant("async"), "get", count)
        return _run(self.loop, self._welkin_async_gets(count))

    def welkin_async_gets_with_sniffio(self, count: int) -> float:
        with sniffio_importable():
            return self.welkin_async_gets(count)

    def _old(self) -> OldPackage:
        if self.old is None:
            raise RuntimeError("these clients were opened without the old package")
        return self.old

    def old_gets(self, count: int) -> float:
        self.ctx.expect(self.ctx.tenant("old"), "get", count)
        return float(self._old().call("get", n=count)["seconds"]) / count * 1e6

    def raw_httpx_gets(self, count: int) -> float:
        self.ctx.expect(self.ctx.tenant("raw"), "get", count)
        urls = [self.patient_url(index) for index in range(count)]
        raw, headers = self.raw, self.raw_headers
        return timed(lambda: [raw.get(url, headers=headers).json() for url in urls], count)

    def raw_requests_gets(self, count: int) -> float:
        self.ctx.expect(self.ctx.tenant("raw"), "get", count)
        urls = [self.patient_url(index) for index in range(count)]
        session, headers = self.session, self.raw_headers
        return timed(lambda: [session.get(url, headers=headers).json() for url in urls], count)

    async def _raw_async_gets(self, count: int) -> float:
        urls = [self.patient_url(index) for index in range(count)]
        raw, headers = self.raw_async, self.raw_headers
        start = time.perf_counter()
        for url in urls:
            (await raw.get(url, headers=headers)).json()
        return (time.perf_counter() - start) / count * 1e6

    def raw_async_gets(self, count: int) -> float:
        self.ctx.expect(self.ctx.tenant("raw"), "get", count)
        return _run(self.loop, self._raw_async_gets(count))

    # -- concurrency: requests per second --------------------------------------------------

    async def _welkin_gather(self, width: int, batches: int) -> float:
        ids, client = self.ctx.ids, self.aio
        start = time.perf_counter()
        for batch in range(batches):
            offset = batch * width
            await asyncio.gather(
                *(client.patients.get(ids[(offset + i) % len(ids)]) for i in range(width))
            )
        return width * batches / (time.perf_counter() - start)

    def welkin_gather(self, width: int, batches: int) -> float:
        self.ctx.expect(self.ctx.tenant("async"), "get", width * batches)
        return _run(self.loop, self._welkin_gather(width, batches))

    def welkin_gather_with_sniffio(self, width: int, batches: int) -> float:
        with sniffio_importable():
            return self.welkin_gather(width, batches)

    async def _raw_gather(self, width: int, batches: int) -> float:
        raw, headers = self.raw_async, self.raw_headers
        start = time.perf_counter()
        for batch in range(batches):
            urls = [self.patient_url(batch * width + i) for i in range(width)]
            responses = await asyncio.gather(*(raw.get(url, headers=headers) for url in urls))
            for response in responses:
                response.json()
        return width * batches / (time.perf_counter() - start)

    def raw_gather(self, width: int, batches: int) -> float:
        self.ctx.expect(self.ctx.tenant("raw"), "get", width * batches)
        return _run(self.loop, self._raw_gather(width, batches))

    def welkin_sequential_rate(self, count: int) -> float:
        return 1e6 / self.welkin_gets(count)

    # -- walking every patient: milliseconds per walk --------------------------------------

    def welkin_walk(self, size: int) -> float:
        self.ctx.expect(self.ctx.tenant("sync"), "page", -(-PATIENT_COUNT // size))
        start = time.perf_counter()
        count = sum(1 for _patient in self.sync.patients.filter({}, size=size))
        elapsed = time.perf_counter() - start
        assert count == PATIENT_COUNT, count
        return elapsed * 1e3

    async def _welkin_async_walk(self, size: int) -> float:
        start = time.perf_counter()
        count = 0
        async for _patient in self.aio.patients.filter({}, size=size):
            count += 1
        elapsed = time.perf_counter() - start
        assert count == PATIENT_COUNT, count
        return elapsed * 1e3

    def welkin_async_walk(self, size: int) -> float:
        self.ctx.expect(self.ctx.tenant("async"), "page", -(-PATIENT_COUNT // size))
        return _run(self.loop, self._welkin_async_walk(size))

    def old_walk(self, size: int) -> float:
        self.ctx.expect(self.ctx.tenant("old"), "page", -(-PATIENT_COUNT // size))
        answer = self._old().call("walk", size=size)
        assert answer["count"] == PATIENT_COUNT, answer
        return float(answer["seconds"]) * 1e3

    def raw_walk(self, size: int, *, typed: bool = False) -> float:
        """The raw loop; ``typed`` also validates each patient as it is reached (a what-if)."""
        ctx = self.ctx
        ctx.expect(ctx.tenant("raw"), "page", -(-PATIENT_COUNT // size))
        url = f"{ctx.base_url}/{ctx.tenant('raw')}/{ctx.instance}/by-filter/patients"
        raw, headers = self.raw, self.raw_headers
        validate = Patient.model_validate
        start = time.perf_counter()
        count, page = 0, 0
        while True:
            response = raw.post(url, params={"page": page, "size": size}, json={}, headers=headers)
            response.raise_for_status()
            data = json.loads(response.content)
            for patient in data["content"]:
                if typed:
                    validate(patient)
                count += 1
            if data["last"]:
                break
            page += 1
        elapsed = time.perf_counter() - start
        assert count == PATIENT_COUNT, count
        return elapsed * 1e3


# -- scenarios ---------------------------------------------------------------------------


def get_latency(clients: Clients, rounds: int, batch: int = 100) -> Section:
    variants: dict[str, Callable[[], float]] = {
        RAW_HTTPX: lambda: clients.raw_httpx_gets(batch),
        WELKIN_SYNC: lambda: clients.welkin_gets(batch),
        WELKIN_ASYNC: lambda: clients.welkin_async_gets(batch),
        OLD_GET: lambda: clients.old_gets(batch),
        RAW_REQUESTS: lambda: clients.raw_requests_gets(batch),
        RAW_HTTPX_ASYNC: lambda: clients.raw_async_gets(batch),
        SNIFFIO_WHATIF: lambda: clients.welkin_async_gets_with_sniffio(batch),
    }
    return Section(
        title="Sequential GET patient latency",
        unit="µs per GET",
        reference=RAW_HTTPX,
        samples=interleave(variants, rounds, budget_s=45),
        diagnostics=frozenset({RAW_HTTPX_ASYNC, SNIFFIO_WHATIF}),
        note=f"Each repetition is {batch} sequential GETs of different patients.",
    )


def concurrency(clients: Clients, rounds: int, *, title: str, note: str) -> Section:
    width, batches = 64, 2
    sync_label = f"welkin sync, {width * batches} GETs one after another"
    variants: dict[str, Callable[[], float]] = {
        sync_label: lambda: clients.welkin_sequential_rate(width * batches),
        f"welkin async, {width} concurrent GETs (`asyncio.gather`)": lambda: clients.welkin_gather(
            width, batches
        ),
        f"raw httpx.AsyncClient, {width} concurrent GETs": lambda: clients.raw_gather(
            width, batches
        ),
        f"welkin async, {width} concurrent, `sniffio` importable (what-if)": lambda: (
            clients.welkin_gather_with_sniffio(width, batches)
        ),
    }
    diagnostics = frozenset(list(variants)[2:])
    return Section(
        title=title,
        unit="requests per second",
        reference=sync_label,
        samples=interleave(variants, rounds, budget_s=40),
        diagnostics=diagnostics,
        note=note,
        higher_is_better=True,
    )


def raw_walk_label(size: int) -> str:
    return f"raw httpx loop + `json.loads`, pages of {size}"


def old_walk_label(size: int) -> str:
    return f"old welkin `Patients().get(paginate=True, size={size})`"


def typed_walk_label(size: int) -> str:
    return f"raw loop + `Patient.model_validate` of each item as reached, pages of {size} (what-if)"


def welkin_walk_label(size: int) -> str:
    return f"welkin sync `client.patients.filter({{}}, size={size})`"


def walk(clients: Clients, rounds: int) -> Section:
    variants: dict[str, Callable[[], float]] = {}
    row_reference: dict[str, str] = {}
    for size in (20, 100):
        before = set(variants)
        variants.update(
            {
                raw_walk_label(size): (
                    lambda size=size: clients.raw_walk(size)  # type: ignore[misc]
                ),
                welkin_walk_label(size): (
                    lambda size=size: clients.welkin_walk(size)  # type: ignore[misc]
                ),
                f"welkin async, pages of {size}": (
                    lambda size=size: clients.welkin_async_walk(size)  # type: ignore[misc]
                ),
                old_walk_label(size): (
                    lambda size=size: clients.old_walk(size)  # type: ignore[misc]
                ),
                typed_walk_label(size): (
                    lambda size=size: clients.raw_walk(size, typed=True)  # type: ignore[misc]
                ),
            }
        )
        for label in set(variants) - before:
            row_reference[label] = raw_walk_label(size)
    return Section(
        title=f"Walking {PATIENT_COUNT:,} patients (typed)",
        unit="ms per walk",
        reference=raw_walk_label(20),
        samples=interleave(variants, rounds, budget_s=90),
        row_reference=row_reference,
        diagnostics=frozenset(typed_walk_label(size) for size in (20, 100)),
        note="POST by-filter/patients page after page; the ratio column compares each row "
        "with the raw loop of the same page size.",
    )


def parse(rounds: int, ctx: Context) -> Section:
    body = ctx.page_of_1000
    operation = OPERATIONS["patients.filter"]
    decoded = json.loads(body)
    operation.parse_response(decoded)  # build the validator outside the timing

    def with_gc_paused() -> float:
        gc.disable()
        try:
            return timed(lambda: operation.parse_response(json.loads(body)), 1) / 1e3
        finally:
            gc.enable()

    def lazy_items() -> float:
        # What-if: parse the envelope with raw items, validate each patient when reached.
        def run() -> None:
            envelope = json.loads(body)
            for raw_item in envelope.pop("content"):
                Patient.model_validate(raw_item)

        return timed(run, 1) / 1e3

    variants: dict[str, Callable[[], float]] = {
        "`json.loads` alone": lambda: timed(lambda: json.loads(body), 1) / 1e3,
        "`json.loads` + `parse_response(data)`": lambda: (
            timed(lambda: operation.parse_response(json.loads(body)), 1) / 1e3
        ),
        "`parse_response(data)` of decoded data": lambda: (
            timed(lambda: operation.parse_response(decoded), 1) / 1e3
        ),
        "`json.loads` + `parse_response`, cyclic GC paused (diagnostic)": with_gc_paused,
        "`json.loads` + one `Patient.model_validate` per item, discarded (what-if)": lazy_items,
    }
    return Section(
        title="Parsing a 1,000-patient page",
        unit="ms per page",
        reference="`json.loads` alone",
        samples=interleave(variants, rounds, warmup=2, budget_s=30),
        diagnostics=frozenset(list(variants)[3:]),
        note=f"The same {len(body) / 1e6:.1f} MB of bytes for every row, in-process (no HTTP).",
        digits=1,
    )


def _import_ms(python: str, statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    with tempfile.TemporaryDirectory() as cwd:  # nothing in the cwd can shadow a package
        out = subprocess.run(  # noqa: S603 - our own interpreters
            [python, "-I", "-c", code], capture_output=True, text=True, check=True, cwd=cwd
        )
    return float(out.stdout) * 1e3


IMPORT_WELKIN = "`import welkin`"
IMPORT_BASE = "`import httpx, pydantic`"


def import_time(rounds: int, old_python: Path) -> Section:
    ours = sys.executable
    variants: dict[str, Callable[[], float]] = {
        IMPORT_BASE: lambda: _import_ms(ours, "import httpx, pydantic"),
        IMPORT_WELKIN: lambda: _import_ms(ours, "import welkin"),
        "`import welkin` (old 0.1.12, in its venv)": lambda: _import_ms(
            str(old_python), "import welkin"
        ),
        "`import httpx, pydantic; from pydantic import BaseModel` (diagnostic)": (
            lambda: _import_ms(ours, "import httpx, pydantic; from pydantic import BaseModel")
        ),
    }
    return Section(
        title="Import time in a fresh process",
        unit="ms",
        reference=IMPORT_BASE,
        samples=interleave(variants, rounds, budget_s=40),
        diagnostics=frozenset(list(variants)[3:]),
        note="Time of the import statement itself (interpreter start-up excluded), `python -I`.",
        digits=1,
    )


# -- token requests under concurrency -------------------------------------------------------


def welkin_thread_tokens(ctx: Context, calls: int, threads: int) -> tuple[str, float]:
    """``calls`` GETs over ``threads`` threads on one fresh Client; its tenant and seconds."""
    tenant = ctx.tenant("threads")
    barrier = threading.Barrier(threads)
    with welkin.Client(**ctx.client_kwargs(tenant)) as client:

        def one(index: int) -> None:
            if index < threads:
                barrier.wait()  # every thread needs its first token at the same moment
            client.patients.get(ctx.ids[index % len(ctx.ids)])

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, range(calls)))
        seconds = time.perf_counter() - start
    ctx.expect(tenant, "get", calls)
    ctx.expect(tenant, "token")
    return tenant, seconds


def welkin_task_tokens(
    ctx: Context, loop: asyncio.AbstractEventLoop, calls: int
) -> tuple[str, float]:
    """``calls`` concurrent GETs as tasks on one fresh AsyncClient; its tenant and seconds."""
    tenant = ctx.tenant("tasks")

    async def run() -> float:
        async with welkin.AsyncClient(**ctx.client_kwargs(tenant)) as client:
            ids = ctx.ids
            start = time.perf_counter()
            await asyncio.gather(*(client.patients.get(ids[i % len(ids)]) for i in range(calls)))
            return time.perf_counter() - start

    seconds = loop.run_until_complete(run())
    ctx.expect(tenant, "get", calls)
    ctx.expect(tenant, "token")
    return tenant, seconds


def old_thread_tokens(ctx: Context, old: OldPackage, calls: int, threads: int) -> tuple[str, Any]:
    tenant = ctx.tenant("old-threads")
    answer = old.call(
        "threads",
        base_url=ctx.base_url,
        tenant=tenant,
        instance=ctx.instance,
        api_client=ctx.api_client,
        secret=ctx.secret,
        calls=calls,
        threads=threads,
    )
    ctx.expect(tenant, "get", calls - int(answer["failed"]))
    return tenant, answer


def summary(sample: Sample) -> str:
    return f"{sample.median:.2f}x (p10 {sample.p10:.2f}, p90 {sample.p90:.2f})"
