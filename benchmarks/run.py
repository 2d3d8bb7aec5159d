"""Runs every scenario against the loopback server and writes benchmarks/RESULTS.md.

``python -m benchmarks [--scale 0.3] [--profile]``; ``nox -s bench`` installs what it needs.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import gc
import platform
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime, timezone
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import welkin

from . import fresh
from . import scenarios as sc
from .context import Context, ServerProcess, pin_cpus
from .data import PATIENT_COUNT
from .harness import Sample
from .oldpkg import OLD_VERSION, OldPackage, ensure_venv
from .report import render
from .results import Check, Results, Section, Target

HERE = Path(__file__).resolve().parent
T = TypeVar("T")

GET_RATIO_LIMIT = 1.10
# Width of the gather -> least throughput against the sync client one GET after another.
CONCURRENCY_LIMITS = {64: 4.0, 256: 3.0}
VS_RAW_ASYNC_LIMIT = 1.0  # welkin async against raw httpx.AsyncClient at the same width
CAP_LIMIT = 0.95  # the default max_concurrency against no cap
#: What a walk may add to the same validation done without the SDK.
WALK_SDK_LIMIT = 1.1
WALK_LIMIT = 1.3
FIRST_CALL_VS_OLD, FIRST_CALL_VS_RAW = 1.1, 1.3
IMPORT_OVERHEAD_MS = 60.0
TOKEN_CALLS, TOKEN_THREADS = 1_000, 50
SERVICE_DELAY_MS = 5.0
CAP_DELAYS_MS = (5.0, 50.0)  # service times of the concurrency-cap tables
BIG_WALK_PATIENTS = 50_000
SLOW_TITLE = f"64 and 256 concurrent GETs vs sequential ({SERVICE_DELAY_MS:.0f} ms service time)"
LOOPBACK_TITLE = "64 concurrent GETs vs sequential (loopback, no service time: diagnostic)"
GET_TITLE = "Sequential GET patient latency"
WALK_TITLE = "Walking 5,000 patients (typed)"
BIG_TIME_TITLE = f"Walking {BIG_WALK_PATIENTS:,} patients (typed), one process per walk: time"
BIG_MEMORY_TITLE = f"Walking {BIG_WALK_PATIENTS:,} patients (typed), one process per walk: memory"
PARSE_TITLE = "Parsing a 1,000-patient page"
IMPORT_TITLE = "Import time in a fresh process"
FIRST_TITLE = "First call in a fresh process"


def cap_title(delay_ms: float) -> str:
    return f"The concurrency cap: {sc.WIDTH} concurrent GETs ({delay_ms:.0f} ms service time)"


def _step(title: str, action: Callable[[], T], started: float) -> T:
    print(f"[{time.perf_counter() - started:6.1f}s] {title}...", flush=True)
    gc.collect()  # start every scenario from the same clean heap
    return action()


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_facts(pinning: str, old_version: str) -> dict[str, str]:
    import os

    return {
        "date (UTC)": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "cores": f"{os.cpu_count()} ({_cpu_model()})",
        "CPU pinning": pinning,
        "Python": f"{platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        "welkin (this SDK)": welkin.__version__,
        "httpx / httpcore": f"{_version('httpx')} / {_version('httpcore')}",
        "pydantic / pydantic-core": f"{_version('pydantic')} / {_version('pydantic-core')}",
        "requests / urllib3": f"{_version('requests')} / {_version('urllib3')}",
        "anyio / sniffio": f"{_version('anyio')} / {_version('sniffio')}",
        "old package": f"welkin {old_version} (own venv: benchmarks/.venv-old)",
        "server": "benchmarks/server.py: asyncio HTTP/1.1 keep-alive on 127.0.0.1, "
        "pre-serialized bodies, own process; others with a "
        f"{SERVICE_DELAY_MS:.0f} ms and a {CAP_DELAYS_MS[-1]:.0f} ms service time for the "
        f"concurrency tables and one serving {BIG_WALK_PATIENTS:,} patients for the long walk",
    }


def _difference(a: Sample, b: Sample) -> Sample:
    return Sample(tuple(x - y for x, y in zip(a.values, b.values, strict=True)))


def _fmt_x(value: float, limit: float | None = None) -> str:
    """``1.23x``; with three decimals when two would round onto ``limit`` and hide the verdict."""
    text = f"{value:.2f}x"
    if limit is not None and text == f"{limit:.2f}x" and value != limit:
        text = f"{value:.3f}x"
    return text


def _fmt_ratio(sample: Sample, limit: float | None = None, *, ci: bool = False) -> str:
    spread = f"p10-p90 {sample.p10:.2f}-{sample.p90:.2f}"
    if ci:
        low, high = sample.median_ci()
        spread += f"; 95% CI of the median {low:.2f}-{high:.2f}"
    return f"{_fmt_x(sample.median, limit)} ({spread})"


def _at_least(name: str, ratio: Sample, limit: float, *, ci: bool = False) -> Target:
    return Target(name, _fmt_ratio(ratio, limit, ci=ci), f">= {limit}x", ratio.median >= limit)


def _at_most(name: str, ratio: Sample, limit: float) -> Target:
    return Target(name, _fmt_ratio(ratio, limit), f"<= {limit}x", ratio.median <= limit)


def _cap_targets(results: Results) -> list[Target]:
    found = []
    for delay in CAP_DELAYS_MS:
        name = (
            f"default `max_concurrency` vs no cap, 64 concurrent GETs, {delay:.0f} ms service time"
        )
        section = results.find(cap_title(delay))
        if section is None:
            found.append(
                Target(
                    name,
                    "AsyncClient has no `max_concurrency` argument yet",
                    f">= {CAP_LIMIT}x",
                    False,
                    status="not available",
                )
            )
        else:
            found.append(_at_least(name, section.ratio(sc.CAP_DEFAULT), CAP_LIMIT))
    return found


def targets(results: Results, thread_tokens: int) -> list[Target]:
    get = results.section(GET_TITLE)
    slow = results.section(SLOW_TITLE)
    walk = results.section(WALK_TITLE)
    first = results.section(FIRST_TITLE)
    imports = results.section(IMPORT_TITLE)
    overhead = _difference(imports.samples[sc.IMPORT_WELKIN], imports.samples[sc.IMPORT_BASE])
    vs_old_import = imports.ratio(sc.IMPORT_WELKIN, sc.IMPORT_OLD)
    found = [
        _at_most("welkin sync GET vs raw httpx", get.ratio(sc.WELKIN_SYNC), GET_RATIO_LIMIT),
        Target(
            "welkin sync GET vs the old package",
            _fmt_ratio(get.ratio(sc.WELKIN_SYNC, sc.OLD_GET), 1),
            "< 1x",
            get.ratio(sc.WELKIN_SYNC, sc.OLD_GET).median < 1,
        ),
    ]
    for width, limit in CONCURRENCY_LIMITS.items():
        found.append(
            _at_least(
                f"{width} concurrent async GETs vs sync sequential "
                f"(throughput, {SERVICE_DELAY_MS:.0f} ms service time)",
                slow.ratio(sc.gather_label(width)),
                limit,
                ci=True,
            )
        )
    for width in CONCURRENCY_LIMITS:
        found.append(
            _at_least(
                f"welkin async vs raw httpx.AsyncClient, {width} concurrent GETs "
                f"({SERVICE_DELAY_MS:.0f} ms service time)",
                slow.ratio(sc.gather_label(width), sc.raw_gather_label(width)),
                VS_RAW_ASYNC_LIMIT,
            )
        )
    found += _cap_targets(results)
    for size in (20, 100):
        found.append(
            _at_most(
                f"walk 5,000 patients, pages of {size}: welkin sync vs raw loop",
                walk.ratio(sc.welkin_walk_label(size)),
                WALK_LIMIT,
            )
        )
    for size in (20, 100):
        # Not an issue's target: what the SDK adds to the validation it must do.
        found.append(
            _at_most(
                f"walk 5,000 patients, pages of {size}: welkin sync vs the raw loop validating "
                "each patient with `Patient.model_validate`",
                walk.ratio(sc.welkin_walk_label(size), sc.typed_walk_label(size)),
                WALK_SDK_LIMIT,
            )
        )
    found += [
        _at_most(
            "first call in a fresh process (import, client, token, GET): welkin vs the old package",
            first.ratio(fresh.FIRST_WELKIN, fresh.FIRST_OLD),
            FIRST_CALL_VS_OLD,
        ),
        _at_most(
            "first call in a fresh process: welkin vs `import httpx, pydantic` + raw httpx "
            "token and GET",
            first.ratio(fresh.FIRST_WELKIN),
            FIRST_CALL_VS_RAW,
        ),
        Target(
            "`import welkin` minus `import httpx, pydantic`",
            f"{overhead.median:.1f} ms (p10-p90 {overhead.p10:.1f}-{overhead.p90:.1f})",
            f"<= {IMPORT_OVERHEAD_MS:.0f} ms",
            overhead.median <= IMPORT_OVERHEAD_MS,
        ),
        Target(
            "`import welkin` vs the old package's",
            _fmt_ratio(vs_old_import, 1),
            "< 1x",
            vs_old_import.median < 1,
        ),
        Target(
            f"token requests, {TOKEN_CALLS:,} calls over {TOKEN_THREADS} threads, one Client",
            str(thread_tokens),
            "== 1",
            thread_tokens == 1,
        ),
    ]
    return found


def request_checks(name: str, ctx: Context, counted: dict[str, dict[str, int]]) -> list[Check]:
    """Compare what each client should have sent with what the server received."""
    checks = []
    for tenant, expected in ctx.expected.items():
        got = counted.get(tenant, {})
        wanted = {k: v for k, v in expected.items() if v}
        received = {k: got.get(k, 0) for k in wanted}
        rejected = {k: v for k, v in got.items() if k not in ("token", "get", "page")}
        ok = received == wanted and not rejected
        detail = f"expected {wanted}, server counted {dict(got)}"
        checks.append(
            Check(f"{name}: requests of tenant `{tenant}` reached the server", ok, detail)
        )
    return checks


def _old_token_checks(old: OldPackage, db_path: str) -> list[Check]:
    inside = db_path.startswith(str(old.tmpdir))
    return [
        Check(
            "old package's token shelve lives in a private temp dir (removed at exit)",
            inside and bool(old.token_files()),
            f"DB_PATH={Path(db_path).name} under a private TMPDIR, files {old.token_files()}",
        )
    ]


class Runner:
    """Owns the processes of a run and collects its Results."""

    def __init__(self, scale: float, stack: ExitStack) -> None:
        self.scale = scale
        self.stack = stack
        self.started = time.perf_counter()
        self.results = Results()
        self.loop = asyncio.new_event_loop()
        stack.callback(self.loop.close)

    def rounds(self, base: int) -> int:
        return max(3, round(base * self.scale))

    def step(self, title: str, action: Callable[[], T]) -> T:
        return _step(title, action, self.started)

    def open_clients(
        self, ctx: Context, old: OldPackage | None, stack: ExitStack | None = None
    ) -> sc.Clients:
        clients = sc.Clients.open(ctx, self.loop, old)
        (stack or self.stack).callback(clients.close)
        return clients

    def server(
        self,
        cpu: int | None,
        delay_ms: float = 0.0,
        stack: ExitStack | None = None,
        patients: int = PATIENT_COUNT,
    ) -> ServerProcess:
        server = ServerProcess(cpu=cpu, delay_ms=delay_ms, patients=patients)
        (stack or self.stack).callback(server.stop)
        return server

    def run(self, profile: bool) -> Results:
        server_cpu, pinning = pin_cpus()
        old_python = self.step("old package venv", ensure_venv)
        server = self.step("starting the loopback server", lambda: self.server(server_cpu))
        ctx = Context.create(server.base_url)
        old = OldPackage(old_python)
        self.stack.callback(old.close)
        clients = self.open_clients(ctx, old)
        setup = clients.old_setup
        results = self.results
        add = results.sections.append
        add(self.step("sequential GETs", lambda: sc.get_latency(clients, self.rounds(40))))
        self.slow_concurrency(server_cpu, ctx)
        add(
            self.step(
                "64 concurrent GETs (loopback, diagnostic)",
                lambda: sc.concurrency(
                    clients,
                    self.rounds(16),
                    title=LOOPBACK_TITLE,
                    note="Diagnostic, not a target: the same scenario against the loopback server, "
                    "which answers at once, so nothing waits on the network (see Remarks). "
                    f"Each repetition sends {sc.WIDTH * sc.BATCHES} GETs: {sc.BATCHES} x "
                    f"{sc.WIDTH} at once, or one after another. Raw httpx.AsyncClient's ratio is "
                    "to raw httpx.Client one GET after another.",
                    diagnostic=True,
                    raw_sequential=True,
                    budget_s=30,
                ),
            )
        )
        add(self.step("walking 5,000 patients", lambda: sc.walk(clients, self.rounds(12))))
        self.big_walk(server_cpu, ctx, old_python)
        add(self.step("parsing a 1,000-patient page", lambda: sc.parse(self.rounds(25), ctx)))
        add(self.step("import times", lambda: sc.import_time(self.rounds(25), old_python)))
        add(
            self.step(
                "first call in a fresh process",
                lambda: fresh.first_call(ctx, self.rounds(20), old_python),
            )
        )
        thread_tenant, thread_s = self.step(
            "token requests (threads)",
            lambda: sc.welkin_thread_tokens(ctx, TOKEN_CALLS, TOKEN_THREADS),
        )
        task_tenant, task_s = self.step(
            "token requests (tasks)", lambda: sc.welkin_task_tokens(ctx, self.loop, TOKEN_CALLS)
        )
        old_tenant, old_answer = self.step(
            "old package token requests (threads)",
            lambda: sc.old_thread_tokens(ctx, old, TOKEN_CALLS, TOKEN_THREADS),
        )
        counted = server.stats()
        tokens = {t: counted.get(t, {}).get("token", 0) for t in (thread_tenant, task_tenant)}
        old_tokens = counted.get(old_tenant, {}).get("token", 0)
        old_note = f"{old_answer['seconds']:.2f} s; {old_answer['failed']} calls failed"
        if old_answer["errors"]:
            old_note += f" (first: {old_answer['errors'][0]})"
        results.counts += [
            (
                f"welkin Client, {TOKEN_CALLS:,} GETs over {TOKEN_THREADS} threads",
                str(tokens[thread_tenant]),
                f"{thread_s:.2f} s; the threads start together (barrier)",
            ),
            (
                f"welkin AsyncClient, {TOKEN_CALLS:,} GETs as concurrent tasks",
                str(tokens[task_tenant]),
                f"{task_s:.2f} s; one `asyncio.gather`",
            ),
            (
                f"old welkin {OLD_VERSION}, {TOKEN_CALLS:,} GETs over {TOKEN_THREADS} threads, "
                "one Client",
                str(old_tokens),
                old_note,
            ),
        ]
        results.checks += request_checks("loopback", ctx, counted)
        results.checks += _old_token_checks(old, str(setup["token_db"]))
        if profile:
            from .profiling import profile_all

            self.step("profiling", lambda: profile_all(clients, HERE / "profiles"))
        results.facts = machine_facts(pinning, str(setup["version"]))
        results.targets = targets(results, tokens[thread_tenant])
        results.remarks = remarks(results)
        return results

    def slow_concurrency(self, cpu: int | None, ctx: Context) -> None:
        """The concurrency targets: against servers that wait before each answer, as an API does.

        Each server and its clients are closed right after, so they cannot weigh on later
        scenarios.
        """
        for delay in sorted({SERVICE_DELAY_MS, *CAP_DELAYS_MS}):
            with ExitStack() as local:
                server = self.step(
                    f"starting a server with a {delay:.0f} ms service time",
                    partial(self.server, cpu, delay, local),
                )
                slow = Context(
                    base_url=server.base_url, run_id=f"{ctx.run_id}d{delay:.0f}", ids=ctx.ids
                )
                clients = self.open_clients(slow, None, local)
                if delay == SERVICE_DELAY_MS:
                    widths = partial(self._widths, clients)
                    self.results.sections.append(self.step("64 and 256 concurrent GETs", widths))
                if delay in CAP_DELAYS_MS:
                    self._cap(clients, delay)
                self.results.checks += request_checks(
                    f"{delay:.0f} ms server", slow, server.stats()
                )

    def _widths(self, clients: sc.Clients) -> Section:
        sends = ", ".join(
            f"{batches} x {width} at once" for width, batches in sc.WIDE_BATCHES.items()
        )
        return sc.concurrency(
            clients,
            self.rounds(24),
            title=SLOW_TITLE,
            note=f"The targets: the server waits {SERVICE_DELAY_MS:.0f} ms before each answer, "
            "as a real API does (the waits overlap). Each repetition sends "
            f"{sends}, or {sc.SEQUENTIAL_COUNT} GETs one after another. Each client keeps its "
            "default connection pool (raw httpx: at most 100 connections).",
            widths=sc.WIDE_BATCHES,
            budget_s=55,
        )

    def _cap(self, clients: sc.Clients, delay: float) -> None:
        if not sc.cap_supported():
            print(
                f"  AsyncClient has no `{sc.CAP_ARGUMENT}` argument: the concurrency-cap "
                f"table ({delay:.0f} ms) is not available",
                flush=True,
            )
            return
        waves = sc.WIDTH // 8
        section = self.step(
            f"the concurrency cap ({delay:.0f} ms service time)",
            lambda: sc.concurrency_cap(
                clients,
                self.rounds(16 if delay < 20 else 10),
                title=cap_title(delay),
                note=f"Three AsyncClients that differ only in `{sc.CAP_ARGUMENT}`, each with its "
                f"own tenant and connection pool; the server waits {delay:.0f} ms before each "
                f"answer. Each repetition sends {sc.BATCHES} x {sc.WIDTH} GETs at once. The "
                "ratio column compares with no cap (the target: the default is never below "
                f"{CAP_LIMIT}x of it). With a cap of 8, {sc.WIDTH} GETs take at least {waves} "
                f"waits of {delay:.0f} ms.",
                budget_s=25,
            ),
        )
        self.results.sections.append(section)

    def big_walk(self, cpu: int | None, ctx: Context, old_python: Path) -> None:
        """The long walk, against a server of its own holding 50,000 patients (closed after)."""
        with ExitStack() as local:
            server = self.step(
                f"starting a server with {BIG_WALK_PATIENTS:,} patients",
                lambda: self.server(cpu, stack=local, patients=BIG_WALK_PATIENTS),
            )
            big = Context(base_url=server.base_url, run_id=f"{ctx.run_id}w", ids=ctx.ids)
            sections = self.step(
                f"walking {BIG_WALK_PATIENTS:,} patients (a new process per walk)",
                lambda: fresh.big_walk(big, self.rounds(3), old_python, BIG_WALK_PATIENTS),
            )
            self.results.sections += sections
            self.results.checks += request_checks(
                f"{BIG_WALK_PATIENTS:,}-patient server", big, server.stats()
            )


def _remark_concurrency(results: Results) -> str:
    get = results.section(GET_TITLE)
    slow = results.section(SLOW_TITLE)
    loop = results.section(LOOPBACK_TITLE)
    rate = {label: sample.median for label, sample in loop.samples.items()}
    median = {label: sample.median for label, sample in slow.samples.items()}
    parts = []
    for width, limit in CONCURRENCY_LIMITS.items():
        gather = slow.ratio(sc.gather_label(width))
        vs_raw = slow.ratio(sc.gather_label(width), sc.raw_gather_label(width)).median
        low, high = gather.median_ci()
        connections = min(width, 100)  # raw httpx's default pool holds at most 100
        ceiling = 1e3 / SERVICE_DELAY_MS * connections
        verdict = "met" if gather.median >= limit else f"below {limit}x"
        parts.append(
            f"at {width}-way welkin reaches {median[sc.gather_label(width)]:,.0f} req/s, "
            f"{gather.median:.2f}x the sync client ({verdict}; p10-p90 "
            f"{gather.p10:.2f}-{gather.p90:.2f}, bootstrap 95% interval of the median "
            f"{low:.2f}-{high:.2f}), and {vs_raw:.2f}x raw httpx.AsyncClient at the same width "
            f"({median[sc.raw_gather_label(width)]:,.0f} req/s); the {SERVICE_DELAY_MS:.0f} ms "
            f"waits alone would allow {ceiling:,.0f} req/s over {connections} connections"
        )
    return (
        f"**Async throughput.** Against a server with a {SERVICE_DELAY_MS:.0f} ms service time "
        f"the sync client one GET after another makes {median[sc.SYNC_SEQUENTIAL]:,.0f} req/s; "
        f"{'; '.join(parts)}. With the waits overlapped, throughput is bounded by the client's "
        "CPU per request, and httpx's async CPU per request grows with the width: httpcore's "
        "async pool re-examines every connection and every queued request (a socket poll per "
        "idle connection) whenever a request starts or ends, and past 100 requests in flight "
        "(httpx's default pool) requests queue and each start or end scans the whole queue "
        '(benchmarks/README.md, "Upstream: httpcore\'s pool bookkeeping", reproduces it with '
        "raw httpx alone). The loopback table, whose server answers at once, is a diagnostic "
        "and cannot show concurrency gains: nothing waits on the network, so concurrency can "
        "only overlap CPU, and httpx's async stack costs more CPU per request than the sync "
        "client's whole round trip. A sequential raw `httpx.AsyncClient` GET takes "
        f"{get.samples[sc.RAW_HTTPX_ASYNC].median:.0f} µs against "
        f"{get.samples[sc.RAW_HTTPX].median:.0f} µs for the sync `httpx.Client`; 64 concurrent "
        f"raw httpx GETs reach {rate[sc.RAW_GATHER]:,.0f} req/s there against "
        f"{rate[sc.RAW_SEQUENTIAL]:,.0f} for raw `httpx.Client` one after another "
        f"({loop.ratio(sc.RAW_GATHER).median:.2f}x); welkin's reach "
        f"{rate[sc.WELKIN_GATHER]:,.0f} req/s against {rate[sc.SYNC_SEQUENTIAL]:,.0f} for its "
        f"sync client ({loop.ratio(sc.WELKIN_GATHER).median:.2f}x)."
    )


def _remark_cap(results: Results) -> str:
    found = [(delay, results.find(cap_title(delay))) for delay in CAP_DELAYS_MS]
    if any(section is None for _delay, section in found):
        return (
            f"**The concurrency cap.** Not measured: this welkin's `AsyncClient` takes no "
            f"`{sc.CAP_ARGUMENT}` argument (checked with `inspect.signature`); its tables and "
            "targets appear once it does."
        )
    parts = []
    default: object = None
    for delay, section in found:
        assert section is not None
        default = section.extra["default"]
        median = {label: sample.median for label, sample in section.samples.items()}
        parts.append(
            f"at {delay:.0f} ms the default makes {median[sc.CAP_DEFAULT]:,.0f} req/s against "
            f"{median[sc.CAP_NONE]:,.0f} with no cap "
            f"({section.ratio(sc.CAP_DEFAULT).median:.2f}x) and {median[sc.CAP_EIGHT]:,.0f} "
            f"with a cap of 8 ({section.ratio(sc.CAP_EIGHT).median:.2f}x; raw httpx "
            f"{median[sc.RAW_GATHER]:,.0f})"
        )
    if default is None:
        meaning = (
            "In this welkin the default is no cap (`None`), so the default and no-cap rows are "
            "the same client twice and their ratio shows the run's noise."
        )
    elif isinstance(default, int):
        meaning = f"In this welkin the default caps requests in flight at {default}."
    else:
        meaning = "This welkin's AsyncClient does not expose its default setting."
    return (
        f"**The concurrency cap.** {sc.WIDTH} concurrent GETs on AsyncClients that differ only "
        f"in `{sc.CAP_ARGUMENT}`: {'; '.join(parts)}. {meaning}"
    )


def _remark_first_call(results: Results) -> str:
    first = results.section(FIRST_TITLE)
    imports = results.section(IMPORT_TITLE)
    ms = {label: sample.median for label, sample in first.samples.items()}
    imported = {label: sample.median for label, sample in imports.samples.items()}
    ours, raw = ms[fresh.FIRST_WELKIN], ms[fresh.FIRST_RAW]
    import_excess = imported[sc.IMPORT_FIRST_USE] - imported[sc.IMPORT_BASE]
    return (
        f"**First call in a fresh process.** welkin takes {ours:.0f} ms from `import welkin` to "
        f"the patient in hand, the old package {ms[fresh.FIRST_OLD]:.0f} ms, and raw httpx "
        f"(importing pydantic too, with the same token request and GET) {raw:.0f} ms "
        f"({ms[fresh.FIRST_RAW_GIVEN]:.0f} ms with a token given). Of welkin's "
        f"{ours - raw:.0f} ms over raw httpx, about {import_excess:.0f} ms are imports: "
        "`import welkin` plus the modules a first patient call loads, against "
        f"`import httpx, pydantic` (import table: {imported[sc.IMPORT_FIRST_USE]:.0f} ms against "
        f"{imported[sc.IMPORT_BASE]:.0f} ms, measured in other processes, so an estimate), "
        "and pydantic builds the envelope and patient model classes as those modules load; "
        f"the remaining {ours - raw - import_excess:.0f} ms are the SDK's own work on a first "
        "call (the client, the token flow, the first validation). The old package imports "
        "requests but no pydantic, and a requests Session builds no SSL context for an "
        "http:// URL, where `httpx.Client()` builds one at construction (welkin and raw httpx "
        "both pay it)."
    )


def _remark_big_walk(results: Results) -> str:
    timing = results.section(BIG_TIME_TITLE)
    memory = results.section(BIG_MEMORY_TITLE)
    seconds = {label: sample.median for label, sample in timing.samples.items()}
    grown = {label: sample.median for label, sample in memory.samples.items()}
    return (
        f"**Walking {BIG_WALK_PATIENTS:,} patients.** welkin walks them in "
        f"{seconds[fresh.BIG_WELKIN]:.2f} s ({timing.ratio(fresh.BIG_WELKIN).median:.2f}x the "
        f"raw loop's {seconds[fresh.BIG_RAW]:.2f} s; the old package "
        f"{seconds[fresh.BIG_OLD]:.2f} s, {timing.ratio(fresh.BIG_OLD).median:.2f}x) and its "
        f"memory grows by {grown[fresh.BIG_WELKIN]:.0f} MB at most during the walk, against "
        f"{grown[fresh.BIG_RAW]:.0f} MB for the raw loop and {grown[fresh.BIG_OLD]:.0f} MB for "
        "the old package, whose paginating iterator appends every patient it yields to its "
        "collection, while the raw loop holds one page at a time. "
        f"{len(timing.samples[fresh.BIG_RAW].values)} walks per variant: few repetitions, so "
        "the ratios are rough."
    )


def _remark_walk(results: Results) -> str:
    parse = results.section(PARSE_TITLE)
    loads, items, walked, envelope, no_gc = (
        parse.samples[label].median
        for label in (
            sc.PARSE_LOADS,
            sc.PARSE_ITEMS,
            sc.PARSE_WALK,
            sc.PARSE_ENVELOPE,
            sc.PARSE_NO_GC,
        )
    )
    shape = parse.extra
    walk = results.section(WALK_TITLE)
    sizes = (20, 100)
    ours = {size: walk.ratio(sc.welkin_walk_label(size)).median for size in sizes}
    typed = {size: walk.ratio(sc.typed_walk_label(size)).median for size in sizes}
    raw = {size: walk.samples[sc.raw_walk_label(size)].median for size in sizes}
    old = {
        size: walk.ratio(sc.welkin_walk_label(size), sc.old_walk_label(size)).median
        for size in sizes
    }
    per_walk = PATIENT_COUNT / 1000
    validation = (walked - loads) * per_walk  # validating 5,000 patients, as a walk does
    decoding = loads * per_walk
    samples = walk.samples
    sdk_ms = {  # welkin minus the same validation without the SDK, round by round
        size: _difference(
            samples[sc.welkin_walk_label(size)], samples[sc.typed_walk_label(size)]
        ).median
        for size in sizes
    }
    # How much of welkin's excess over the raw loop the validation alone accounts for.
    share = {
        size: min(1.0, (typed[size] - 1) / (ours[size] - 1)) if ours[size] > 1 else 1.0
        for size in sizes
    }
    verdicts = []
    for size in sizes:
        if typed[size] > WALK_LIMIT:
            verdicts.append(
                f"at pages of {size} the validation alone is over {WALK_LIMIT}x "
                f"({_fmt_x(typed[size])}): HTTP is too small a share of that walk for any typed "
                "walk with these models to fit"
            )
        elif ours[size] > WALK_LIMIT:
            verdicts.append(
                f"at pages of {size} the validation alone fits ({_fmt_x(typed[size])}) and the "
                f"SDK's own work, about {sdk_ms[size]:.0f} ms over the walk, takes welkin to "
                f"{_fmt_x(ours[size], WALK_LIMIT)}"
            )
        else:
            verdicts.append(f"at pages of {size} welkin is within {WALK_LIMIT}x")
    return (
        "**Walking 5,000 patients.** What was done: page items are validated one by one as the "
        "iteration reaches them and dropped after, so a walk never holds a page of models "
        f"(`parse_response` alone now takes {envelope:.1f} ms for a 1,000-patient page against "
        f"{loads:.1f} ms for `json.loads`: the items are still raw). What remains is the "
        f"validation itself: a patient has {shape['fields']:.0f} top-level fields and "
        f"{shape['objects']:.0f} nested objects, {shape['models']:.0f} of them typed models "
        "(UUIDs, aware datetimes, care teams, territories, unknown fields kept). Decoding and "
        f"validating each patient as reached takes {walked:.1f} ms per 1,000 against "
        f"{loads:.1f} ms for `json.loads` alone ({parse.ratio(sc.PARSE_WALK).median:.2f}x); "
        f"keeping the whole page (`.items`) costs {items:.1f} ms ({no_gc:.1f} ms with the "
        "cyclic GC paused). For the 5,000 patients of a walk that is about "
        f"{validation:.0f} ms of validation on top of about {decoding:.0f} ms of decoding "
        "(estimated from the parse table). The raw loop takes "
        f"{raw[100]:.0f} ms at pages of 100 (so HTTP is only about {raw[100] - decoding:.0f} ms "
        f"of it) and {raw[20]:.0f} ms at pages of 20: {WALK_LIMIT}x leaves "
        f"{(WALK_LIMIT - 1) * raw[100]:.0f} ms / {(WALK_LIMIT - 1) * raw[20]:.0f} ms for the "
        "validation and all of the SDK's work. Measured directly, the raw loop plus "
        "`Patient.model_validate` of each patient and nothing else (diagnostic rows) walks in "
        f"{typed[20]:.2f}x / {typed[100]:.2f}x the raw loop at pages of 20 / 100 and welkin in "
        f"{_fmt_x(ours[20], WALK_LIMIT)} / {_fmt_x(ours[100], WALK_LIMIT)}, so the validation "
        f"is {share[20]:.0%} / {share[100]:.0%} of welkin's excess over the raw loop. This run: "
        f"{'; '.join(verdicts)}. Against the old package (plain dicts) welkin's walk is "
        f"{old[20]:.2f}x at pages of 20 and {old[100]:.2f}x at pages of 100."
    )


def _remark_import(results: Results) -> str:
    imports = results.section(IMPORT_TITLE)
    median = {label: sample.median for label, sample in imports.samples.items()}
    ours, base = median[sc.IMPORT_WELKIN], median[sc.IMPORT_BASE]
    return (
        f"**Import time.** `import welkin` takes {ours:.0f} ms against {base:.0f} ms for "
        f"`import httpx, pydantic` and {median[sc.IMPORT_HTTPX]:.0f} ms for `import httpx` "
        f"alone; the old package takes {median[sc.IMPORT_OLD]:.0f} ms (it imports requests). "
        "`import welkin` no longer imports pydantic or asyncio: pydantic, the envelopes and a "
        "resource's operations and models load at the first call that needs them, so the cost "
        "moves to that call rather than vanishing (`import welkin` plus the modules of a first "
        f"patient call: {median[sc.IMPORT_FIRST_USE]:.0f} ms, diagnostic row)."
    )


def remarks(results: Results) -> list[str]:
    missed = {t.name for t in results.targets if not t.met}
    # The concurrency, cap, long-walk, first-call and import remarks explain diagnostics shown
    # in every run (the loopback table, the deferred imports...), so they are written whether
    # or not the targets are met; the walk remark only explains a miss.
    found = [_remark_concurrency(results), _remark_cap(results)]
    if any(name.startswith("walk") for name in missed):
        found.append(_remark_walk(results))
    found += [_remark_big_walk(results), _remark_first_call(results), _remark_import(results)]
    if any(name.startswith("welkin sync GET vs raw") for name in missed):
        found.append(
            "**GET latency.** welkin's sync GET is over the limit against raw httpx this run; "
            "see the sequential GET table (run `nox -s bench -- --profile` for a profile)."
        )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="scale the repetitions")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument(
        "--profile", action="store_true", help="also write profiles/ (pyinstrument)"
    )
    args = parser.parse_args(argv)
    # Fresh processes (import and first-call tables) must run welkin's bytecode as an
    # installed wheel has it: compiled at install, as the old package's venv has it. A tree
    # edited since its last import (or run with PYTHONDONTWRITEBYTECODE) would otherwise
    # compile every module in each process and be timed doing so.
    compileall.compile_dir(Path(welkin.__file__).parent, quiet=1)
    with ExitStack() as stack:
        runner = Runner(args.scale, stack)
        results = runner.run(args.profile)
        elapsed = time.perf_counter() - runner.started
    results.facts["benchmark run time"] = f"{elapsed:.0f} s (old-package venv set-up included)"
    args.output.write_text(render(results), encoding="utf-8")
    print(f"wrote {args.output} in {elapsed:.0f} s")
    for target in results.targets:
        verdict = target.status or ("met" if target.met else "MISSED")
        print(f"  {verdict:<6} {target.name}: {target.measured}")
    failed = [c for c in results.checks if not c.ok]
    for check in failed:
        print(f"  CHECK FAILED {check.name}: {check.detail}", file=sys.stderr)
    return 1 if failed else 0
