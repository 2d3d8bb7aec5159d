"""Optional profiles of the SDK's side of each scenario (``--profile``; needs pyinstrument).

Writes call trees and cProfile listings to benchmarks/profiles/, and ``-X importtime`` output.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from .scenarios import Clients

__all__ = ["profile_all"]


def _profile(name: str, action: Callable[[], object], directory: Path) -> None:
    from pyinstrument import Profiler

    # A fine interval: single requests take a few hundred microseconds.
    profiler = Profiler(interval=0.0002, async_mode="disabled")
    profiler.start()
    action()
    profiler.stop()
    tree = profiler.output_text(unicode=True, color=False, show_all=False)
    # The tree hides library frames; cProfile's call counts show what httpx and pydantic do.
    calls = cProfile.Profile()
    calls.runcall(action)
    listing = io.StringIO()
    pstats.Stats(calls, stream=listing).sort_stats("tottime").print_stats(30)
    text = f"{tree}\n\ncProfile of a second run, by own time:\n{listing.getvalue()}"
    (directory / f"{name}.txt").write_text(text, encoding="utf-8")


def _import_profile(directory: Path) -> None:
    with tempfile.TemporaryDirectory() as cwd:
        result = subprocess.run(
            [sys.executable, "-I", "-X", "importtime", "-c", "import welkin"],
            capture_output=True,
            text=True,
            check=True,
            cwd=cwd,
        )
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and line.split("|")[1].strip().isdigit()
    ]
    # Slowest first by cumulative time, so the heavy subtrees show at the top.
    lines.sort(key=lambda line: -int(line.split("|")[1]))
    (directory / "import_welkin.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def profile_all(clients: Clients, directory: Path) -> None:
    directory.mkdir(exist_ok=True)
    _profile("get_sync", lambda: clients.welkin_gets(2_000), directory)
    _profile("get_async_sequential", lambda: clients.welkin_async_gets(1_000), directory)
    _profile("gather_64_async", lambda: clients.welkin_gather(64, 16), directory)
    _profile("walk_sync_pages_of_100", lambda: clients.welkin_walk(100), directory)
    _import_profile(directory)
