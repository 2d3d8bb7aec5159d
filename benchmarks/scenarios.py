"""The measured scenarios; each runs its variants interleaved and returns a Section."""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import requests
from pydantic import BaseModel

import welkin
from welkin.operations import OPERATIONS
from welkin.types.patients import Patient

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


def _run(loop: asyncio.AbstractEventLoop, coroutine: Coroutine[Any, Any, float]) -> float:
    return loop.run_until_complete(coroutine)


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
    # welkin's clients fetch their token on first use: expected once they are used.
    used: set[str] = field(default_factory=set)

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

    def _expect(self, who: str, kind: str, count: int) -> None:
        """Requests of welkin's ``sync`` or ``async`` client; the first use adds its token."""
        tenant = self.ctx.tenant(who)
        if who not in self.used:
            self.used.add(who)
            self.ctx.expect(tenant, "token")
        self.ctx.expect(tenant, kind, count)

    def patient_url(self, index: int) -> str:
        ctx = self.ctx
        patient_id = ctx.ids[index % len(ctx.ids)]
        # The request welkin sends for client.patients.get(id): the read by id says type=ID.
        return f"{ctx.base_url}/{ctx.tenant('raw')}/{ctx.instance}/patients/{patient_id}?type=ID"

    # -- one batch of sequential GETs per variant; each returns microseconds per GET -----------

    def welkin_gets(self, count: int) -> float:
        ids, client = self.ctx.ids, self.sync
        self._expect("sync", "get", count)
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
        self._expect("async", "get", count)
        return _run(self.loop, self._welkin_async_gets(count))

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

    def welkin_gather(self, width: int, batches: int) -> float:
        self._expect("async", "get", width * batches)
        return _run(self.loop, _gather_rate(self.aio.patients.get, self.ctx.ids, width, batches))

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

    def raw_sequential_rate(self, count: int) -> float:
        return 1e6 / self.raw_httpx_gets(count)

    # -- walking every patient: milliseconds per walk --------------------------------------

    def welkin_walk(self, size: int) -> float:
        self._expect("sync", "page", -(-PATIENT_COUNT // size))
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
        self._expect("async", "page", -(-PATIENT_COUNT // size))
        return _run(self.loop, self._welkin_async_walk(size))

    def old_walk(self, size: int) -> float:
        self.ctx.expect(self.ctx.tenant("old"), "page", -(-PATIENT_COUNT // size))
        answer = self._old().call("walk", size=size)
        assert answer["count"] == PATIENT_COUNT, answer
        return float(answer["seconds"]) * 1e3

    def raw_walk(self, size: int, *, typed: bool = False) -> float:
        """The raw loop; ``typed`` also validates each patient as it is reached (diagnostic)."""
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
    }
    return Section(
        title="Sequential GET patient latency",
        unit="µs per GET",
        reference=RAW_HTTPX,
        samples=interleave(variants, rounds, budget_s=45),
        diagnostics=frozenset({RAW_HTTPX_ASYNC}),
        note=f"Each repetition is {batch} sequential GETs of different patients.",
    )


WIDTH, BATCHES = 64, 2
# Concurrent widths measured against the 5 ms server, and how many gathers one repetition
# makes at each: 128 or 256 GETs a repetition.
WIDE_BATCHES = {64: 2, 256: 1}
SEQUENTIAL_COUNT = WIDTH * BATCHES
SYNC_SEQUENTIAL = f"welkin sync, {SEQUENTIAL_COUNT} GETs one after another"
RAW_SEQUENTIAL = f"raw httpx.Client, {SEQUENTIAL_COUNT} GETs one after another"


def gather_label(width: int) -> str:
    return f"welkin async, {width} concurrent GETs (`asyncio.gather`)"


def raw_gather_label(width: int) -> str:
    return f"raw httpx.AsyncClient, {width} concurrent GETs"


WELKIN_GATHER = gather_label(WIDTH)
RAW_GATHER = raw_gather_label(WIDTH)


def concurrency(
    clients: Clients,
    rounds: int,
    *,
    title: str,
    note: str,
    widths: dict[int, int] | None = None,
    diagnostic: bool = False,
    raw_sequential: bool = False,
    budget_s: float = 40,
) -> Section:
    """Throughput of ``asyncio.gather`` at each width against the sync client one at a time.

    ``widths`` maps a width to the gathers per repetition (default: 2 x 64). With
    ``raw_sequential``, raw httpx one GET at a time is the reference of raw httpx's own
    concurrent rows: what httpx itself gains from concurrency, without the SDK.
    """
    widths = widths or {WIDTH: BATCHES}
    variants: dict[str, Callable[[], float]] = {
        SYNC_SEQUENTIAL: lambda: clients.welkin_sequential_rate(SEQUENTIAL_COUNT)
    }
    for width, batches in widths.items():
        variants[gather_label(width)] = partial(clients.welkin_gather, width, batches)
        variants[raw_gather_label(width)] = partial(clients.raw_gather, width, batches)
    row_reference: dict[str, str] = {}
    if raw_sequential:
        variants[RAW_SEQUENTIAL] = lambda: clients.raw_sequential_rate(SEQUENTIAL_COUNT)
        row_reference.update({raw_gather_label(width): RAW_SEQUENTIAL for width in widths})
    diagnostics = set(variants) - {SYNC_SEQUENTIAL}
    if not diagnostic:
        diagnostics -= {gather_label(width) for width in widths}
    return Section(
        title=title,
        unit="requests per second",
        reference=SYNC_SEQUENTIAL,
        samples=interleave(variants, rounds, budget_s=budget_s),
        diagnostics=frozenset(diagnostics),
        note=note,
        higher_is_better=True,
        row_reference=row_reference,
    )


# -- the AsyncClient's cap on requests in flight ----------------------------------------------

CAP_DEFAULT = f"welkin async, {WIDTH} concurrent GETs, default `max_concurrency`"
CAP_NONE = f"welkin async, {WIDTH} concurrent GETs, `max_concurrency=None` (no cap)"
CAP_EIGHT = f"welkin async, {WIDTH} concurrent GETs, `max_concurrency=8`"
CAP_ARGUMENT = "max_concurrency"


def cap_supported() -> bool:
    """Whether this welkin's AsyncClient takes ``max_concurrency`` (it is being added)."""
    return CAP_ARGUMENT in inspect.signature(welkin.AsyncClient).parameters


def concurrency_cap(
    clients: Clients, rounds: int, *, title: str, note: str, budget_s: float
) -> Section:
    """64-way gathers on three AsyncClients that differ only in ``max_concurrency``.

    Each client has its own tenant and connection pool; raw httpx.AsyncClient is a diagnostic.
    """
    ctx, loop = clients.ctx, clients.loop
    capped: dict[str, tuple[str, dict[str, Any]]] = {
        CAP_DEFAULT: ("cap-default", {}),
        CAP_NONE: ("cap-none", {CAP_ARGUMENT: None}),
        CAP_EIGHT: ("cap-8", {CAP_ARGUMENT: 8}),
    }
    opened: dict[str, welkin.AsyncClient] = {}
    try:
        for label, (who, options) in capped.items():
            tenant = ctx.tenant(who)
            opened[label] = welkin.AsyncClient(**ctx.client_kwargs(tenant), **options)
            ctx.expect(tenant, "token")

        def rate(label: str) -> float:
            ctx.expect(ctx.tenant(capped[label][0]), "get", WIDTH * BATCHES)
            client = opened[label]
            return _run(loop, _gather_rate(client.patients.get, ctx.ids, WIDTH, BATCHES))

        variants: dict[str, Callable[[], float]] = {label: partial(rate, label) for label in capped}
        variants[RAW_GATHER] = lambda: clients.raw_gather(WIDTH, BATCHES)
        samples = interleave(variants, rounds, budget_s=budget_s)
        # What "default" meant in this run (the client exposes its setting, if it does).
        default = getattr(opened[CAP_DEFAULT], CAP_ARGUMENT, "not exposed")
    finally:
        for client in opened.values():
            loop.run_until_complete(client.close())
    return Section(
        title=title,
        unit="requests per second",
        reference=CAP_NONE,
        samples=samples,
        diagnostics=frozenset({RAW_GATHER}),
        note=f"{note} This welkin's default: `{CAP_ARGUMENT}={default!r}`.",
        higher_is_better=True,
        extra={"default": default},
    )


async def _gather_rate(
    get: Callable[[str], Awaitable[Any]], ids: list[str], width: int, batches: int
) -> float:
    start = time.perf_counter()
    for batch in range(batches):
        offset = batch * width
        await asyncio.gather(*(get(ids[(offset + i) % len(ids)]) for i in range(width)))
    return width * batches / (time.perf_counter() - start)


def raw_walk_label(size: int) -> str:
    return f"raw httpx loop + `json.loads`, pages of {size}"


def old_walk_label(size: int) -> str:
    return f"old welkin `Patients().get(paginate=True, size={size})`"


def typed_walk_label(size: int) -> str:
    return (
        f"raw loop + `Patient.model_validate` of each item, pages of {size} "
        "(diagnostic: the SDK's validation without the SDK)"
    )


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


PARSE_LOADS = "`json.loads` alone"
PARSE_ITEMS = "`json.loads` + `parse_response` + `.items` (every item validated, page kept)"
PARSE_WALK = "`json.loads` + `parse_response` + `iter_items()`, each item dropped (as a walk)"
PARSE_ENVELOPE = "`json.loads` + `parse_response` only, items not validated yet (diagnostic)"
PARSE_NO_GC = "`json.loads` + `parse_response` + `.items`, cyclic GC paused (diagnostic)"


def _count_models(value: Any) -> int:
    if isinstance(value, BaseModel):
        fields = [getattr(value, name) for name in type(value).model_fields]
        return 1 + sum(_count_models(v) for v in [*fields, *(value.model_extra or {}).values()])
    if isinstance(value, (list, tuple)):
        return sum(_count_models(v) for v in value)
    if isinstance(value, dict):
        return sum(_count_models(v) for v in value.values())
    return 0


def _count_objects(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_count_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_objects(v) for v in value)
    return 0


def patient_shape(raw_patients: list[Any], models: list[Any]) -> dict[str, float]:
    """Per patient, on average: top-level fields, nested JSON objects, nested typed models."""
    return {
        "fields": statistics.mean(len(p) for p in raw_patients),
        "objects": statistics.mean(_count_objects(p) - 1 for p in raw_patients),
        "models": statistics.mean(_count_models(m) - 1 for m in models),
    }


def parse(rounds: int, ctx: Context) -> Section:
    body = ctx.page_of_1000
    operation = OPERATIONS["patients.filter"]
    decoded = json.loads(body)
    # Build the validators outside the timing, and check that items really come out typed.
    items = operation.parse_response(decoded).items
    assert len(items) == len(decoded["content"]) and isinstance(items[0], Patient), items[:1]
    shape = patient_shape(decoded["content"], items)
    del items, decoded

    def page_items() -> None:
        operation.parse_response(json.loads(body)).items  # noqa: B018 - validates the items

    def walk_items() -> None:
        for _patient in operation.parse_response(json.loads(body)).iter_items():
            pass

    def with_gc_paused() -> float:
        gc.disable()
        try:
            return timed(page_items, 1) / 1e3
        finally:
            gc.enable()

    variants: dict[str, Callable[[], float]] = {
        PARSE_LOADS: lambda: timed(lambda: json.loads(body), 1) / 1e3,
        PARSE_ITEMS: lambda: timed(page_items, 1) / 1e3,
        PARSE_WALK: lambda: timed(walk_items, 1) / 1e3,
        PARSE_ENVELOPE: lambda: timed(lambda: operation.parse_response(json.loads(body)), 1) / 1e3,
        PARSE_NO_GC: with_gc_paused,
    }
    return Section(
        title="Parsing a 1,000-patient page",
        unit="ms per page",
        reference=PARSE_LOADS,
        samples=interleave(variants, rounds, warmup=2, budget_s=30),
        diagnostics=frozenset({PARSE_ENVELOPE, PARSE_NO_GC}),
        note=f"The same {len(body) / 1e6:.1f} MB of bytes for every row, in-process (no HTTP), "
        '`OPERATIONS["patients.filter"]`. A patient has on average '
        f"{shape['fields']:.0f} top-level fields and {shape['objects']:.0f} nested JSON "
        f"objects, {shape['models']:.0f} of which become typed models.",
        digits=1,
        extra=shape,
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
IMPORT_OLD = "`import welkin` (old 0.1.12, in its venv)"
IMPORT_HTTPX = "`import httpx` alone (diagnostic)"
IMPORT_FIRST_USE = (
    "`import welkin` + the modules a first patient call loads "
    "(pydantic, envelopes, patient operations and models; diagnostic)"
)
# What ``client.patients.get`` / ``.filter`` import on first use (not at ``import welkin``).
FIRST_USE_MODULES = (
    "welkin._models, welkin._envelopes, welkin.resources.patients, welkin.operations.auth, "
    "welkin.operations.patients, welkin.types.patients"
)


def import_time(rounds: int, old_python: Path) -> Section:
    ours = sys.executable
    variants: dict[str, Callable[[], float]] = {
        IMPORT_BASE: lambda: _import_ms(ours, "import httpx, pydantic"),
        IMPORT_WELKIN: lambda: _import_ms(ours, "import welkin"),
        IMPORT_OLD: lambda: _import_ms(str(old_python), "import welkin"),
        IMPORT_HTTPX: lambda: _import_ms(ours, "import httpx"),
        IMPORT_FIRST_USE: lambda: _import_ms(ours, f"import welkin, {FIRST_USE_MODULES}"),
    }
    return Section(
        title="Import time in a fresh process",
        unit="ms",
        reference=IMPORT_BASE,
        samples=interleave(variants, rounds, budget_s=40),
        diagnostics=frozenset({IMPORT_HTTPX, IMPORT_FIRST_USE}),
        note="Time of the import statement itself (interpreter start-up excluded), `python -I`, "
        "each in a new process.",
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
