"""Scenarios whose every repetition runs in a new process: the first call, the long walk.

A new interpreter per repetition is what a short-lived job pays (the first call), and what
makes memory figures comparable between clients (the 50,000-patient walk).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from .context import Context
from .harness import Sample, interleave
from .oldpkg import OLD_VERSION, OldPackage
from .results import Section

__all__ = ["BIG_WALK_SIZE", "big_walk", "first_call"]

HERE = Path(__file__).resolve().parent


def _clean_env(**extra: str) -> dict[str, str]:
    """Our environment without welkin's settings (a token store named there would be shared)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WELKIN_")}
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", **extra}


def _run_python(python: str, args: list[str], env: dict[str, str], cwd: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreters and scripts
        [python, *args], capture_output=True, text=True, cwd=cwd, env=env, check=False
    )
    if result.returncode:
        raise RuntimeError(f"{python} {args[:2]} failed:\n{result.stderr[-2000:]}")
    return result.stdout


# -- the first call in a fresh process -------------------------------------------------------

FIRST_WELKIN = "welkin: `import welkin`, `Client(...)`, token, `client.patients.get(id)`"
FIRST_OLD = (
    f"old welkin {OLD_VERSION}: `import welkin`, `Client(...)`, token, "
    "`client.Patient(id=...).get()`"
)
FIRST_RAW = "`import httpx, pydantic`, `httpx.Client()`, token POST, GET with the bearer token"
FIRST_RAW_GIVEN = (
    "`import httpx, pydantic`, `httpx.Client()`, one GET with a token given "
    "(no token request; diagnostic)"
)

# Each snippet starts its clock before its first import and prints the seconds at the end.
_WELKIN_FIRST = """
    import time; start = time.perf_counter()
    import welkin
    client = welkin.Client({tenant!r}, {instance!r}, {api_client!r}, {secret!r},
                           base_url={base_url!r})
    patient = client.patients.get({patient!r})
    seconds = time.perf_counter() - start
    assert str(patient.id) == {patient!r}
    print(seconds)
"""
_OLD_FIRST = """
    import time; start = time.perf_counter()
    import welkin
    client = welkin.Client(tenant={tenant!r}, instance={instance!r}, api_client={api_client!r},
                           secret_key={secret!r})
    client.host = {base_url!r} + "/" + {tenant!r} + "/"  # the live API's host is hard-coded
    patient = client.Patient(id={patient!r}).get()
    seconds = time.perf_counter() - start
    assert patient["id"] == {patient!r}
    print(seconds)
"""
_RAW_FIRST = """
    import time; start = time.perf_counter()
    import httpx, pydantic
    http = httpx.Client()
    token = http.post({base_url!r} + "/" + {tenant!r} + "/admin/api_clients/" + {api_client!r},
                      json={{"secret": {secret!r}}})
    token.raise_for_status()
    headers = {{"Authorization": "Bearer " + token.json()["token"]}}
    response = http.get({base_url!r} + "/" + {tenant!r} + "/" + {instance!r} + "/patients/"
                        + {patient!r}, headers=headers)
    response.raise_for_status()
    patient = response.json()
    seconds = time.perf_counter() - start
    assert patient["id"] == {patient!r}
    print(seconds)
"""
_RAW_GIVEN_FIRST = """
    import time; start = time.perf_counter()
    import httpx, pydantic
    http = httpx.Client()
    response = http.get({base_url!r} + "/" + {tenant!r} + "/" + {instance!r} + "/patients/"
                        + {patient!r}, headers={{"Authorization": {authorization!r}}})
    response.raise_for_status()
    patient = response.json()
    seconds = time.perf_counter() - start
    assert patient["id"] == {patient!r}
    print(seconds)
"""


def _first_call_ms(python: str, snippet: str, fields: dict[str, str]) -> float:
    code = textwrap.dedent(snippet).format(**fields)
    # A fresh temp dir per run: the cwd shadows nothing, and the old package's token file
    # (kept under TMPDIR) starts empty, so every run asks for its token as a new process does.
    with tempfile.TemporaryDirectory(prefix="welkin-bench-first-") as cwd:
        out = _run_python(python, ["-I", "-c", code], _clean_env(TMPDIR=cwd), cwd)
    return float(out) * 1e3


def first_call(ctx: Context, rounds: int, old_python: Path) -> Section:
    ours, old = sys.executable, str(old_python)
    fields = {
        "base_url": ctx.base_url,
        "instance": ctx.instance,
        "api_client": ctx.api_client,
        "secret": ctx.secret,
        "patient": ctx.ids[0],
    }
    given = ctx.tenant("first-given")
    token = httpx.post(
        f"{ctx.base_url}/{given}/admin/api_clients/{ctx.api_client}", json={"secret": ctx.secret}
    )
    token.raise_for_status()
    ctx.expect(given, "token")
    authorization = f"Bearer {token.json()['token']}"

    def variant(
        python: str, snippet: str, who: str, *, asks_token: bool = True
    ) -> Callable[[], float]:
        tenant = ctx.tenant(who)
        values = {**fields, "tenant": tenant, "authorization": authorization}

        def run() -> float:
            if asks_token:
                ctx.expect(tenant, "token")
            ctx.expect(tenant, "get")
            return _first_call_ms(python, snippet, values)

        return run

    variants = {
        FIRST_RAW: variant(ours, _RAW_FIRST, "first-raw"),
        FIRST_WELKIN: variant(ours, _WELKIN_FIRST, "first-welkin"),
        FIRST_OLD: variant(old, _OLD_FIRST, "first-old"),
        FIRST_RAW_GIVEN: variant(ours, _RAW_GIVEN_FIRST, "first-given", asks_token=False),
    }
    return Section(
        title="First call in a fresh process",
        unit="ms",
        reference=FIRST_RAW,
        samples=interleave(variants, rounds, budget_s=40),
        diagnostics=frozenset({FIRST_RAW_GIVEN}),
        note="From before the first import to the patient in hand, timed inside a new "
        "`python -I` process (interpreter start-up excluded) against the loopback server: "
        "imports, client construction, the token request and one GET. Each run has a new "
        "temp dir, so the old package's token file starts empty as in a new deployment.",
        digits=1,
    )


# -- walking 50,000 patients, one process per walk ---------------------------------------------

BIG_WALK_SIZE = 100
BIG_RAW = f"raw httpx loop + `json.loads`, pages of {BIG_WALK_SIZE}"
BIG_WELKIN = f"welkin sync `client.patients.filter({{}}, size={BIG_WALK_SIZE})`"
BIG_OLD = f"old welkin `Patients().get(paginate=True, size={BIG_WALK_SIZE})`"


def _walk_ours(ctx: Context, variant: str, tenant: str, total: int) -> dict[str, Any]:
    args = {
        "variant": variant,
        "base_url": ctx.base_url,
        "tenant": tenant,
        "instance": ctx.instance,
        "api_client": ctx.api_client,
        "secret": ctx.secret,
        "size": BIG_WALK_SIZE,
    }
    with tempfile.TemporaryDirectory(prefix="welkin-bench-walk-") as cwd:
        out = _run_python(
            sys.executable,
            ["-I", str(HERE / "walk_worker.py"), json.dumps(args)],
            _clean_env(),
            cwd,
        )
    answer: dict[str, Any] = json.loads(out)
    assert answer["count"] == total, answer
    return answer


def _walk_old(ctx: Context, old_python: Path, tenant: str, total: int) -> dict[str, Any]:
    old = OldPackage(old_python)  # a new worker, and a new token file, for every walk
    try:
        old.call(
            "setup",
            base_url=ctx.base_url,
            tenant=tenant,
            instance=ctx.instance,
            api_client=ctx.api_client,
            secret=ctx.secret,
            ids=[],
        )
        answer = old.call("walk_memory", size=BIG_WALK_SIZE)
    finally:
        old.close()
    assert answer["count"] == total, answer
    return answer


def big_walk(ctx: Context, rounds: int, old_python: Path, total: int) -> tuple[Section, Section]:
    """The time and the memory of walking ``total`` patients: two tables from the same runs."""
    pages = 1 + -(-total // BIG_WALK_SIZE)  # the warm-up page, then the walk
    growth: dict[str, list[float]] = {BIG_RAW: [], BIG_WELKIN: [], BIG_OLD: []}

    def measured(
        label: str, who: str, walk: Callable[[str], dict[str, Any]]
    ) -> Callable[[], float]:
        tenant = ctx.tenant(who)

        def run() -> float:
            ctx.expect(tenant, "token")
            ctx.expect(tenant, "page", pages)
            answer = walk(tenant)
            growth[label].append(answer["rss_peak"] - answer["rss_before"])
            return float(answer["seconds"])

        return run

    variants = {
        BIG_RAW: measured(BIG_RAW, "big-raw", lambda t: _walk_ours(ctx, "raw", t, total)),
        BIG_WELKIN: measured(
            BIG_WELKIN, "big-welkin", lambda t: _walk_ours(ctx, "welkin", t, total)
        ),
        BIG_OLD: measured(BIG_OLD, "big-old", lambda t: _walk_old(ctx, old_python, t, total)),
    }
    # No warm-up round: every walk is a new process anyway, and these are slow.
    times = interleave(variants, rounds, warmup=0, budget_s=60)
    how = (
        f"Each walk runs in a new process (one per walk and variant, interleaved, {rounds} "
        "rounds at most: these walks are slow, so the repetitions are few), which fetches its "
        "token and the first page of one patient before the walk is timed."
    )
    time_section = Section(
        title=f"Walking {total:,} patients (typed), one process per walk: time",
        unit="s per walk",
        reference=BIG_RAW,
        samples=times,
        note=f"POST by-filter/patients in pages of {BIG_WALK_SIZE}. {how}",
        digits=2,
    )
    memory_section = Section(
        title=f"Walking {total:,} patients (typed), one process per walk: memory",
        unit="MB of peak RSS growth",
        reference=BIG_OLD,
        samples={label: Sample(tuple(values)) for label, values in growth.items()},
        note="The same walks as the table above: the process's peak resident memory during "
        "the walk minus its resident memory just before (VmHWM, reset just before the walk, "
        "and VmRSS, from /proc/self/status). "
        "The ratio column compares with the old package, which keeps every patient it walked.",
        digits=1,
    )
    return time_section, memory_section
