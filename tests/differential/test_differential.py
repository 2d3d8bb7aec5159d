"""The old ``welkin`` 0.1.12 and ours, driven through the same scenarios, send the same
requests and return the same results.

driver.py runs once per interpreter (the old package's venv, then ours) against its own
recording server; each scenario of scenarios.py is one test comparing the two records.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from .scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("driver.py")
DRIVER_TIMEOUT = 120
INSTALL_TIMEOUT = 600

Record = dict[str, Any]


def old_python() -> Path:
    """The old package's interpreter (benchmarks/.venv-old, created on first use), or skip.

    ensure_venv() runs in a child process so that pip's complaint can go into the reason.
    """
    probe = "from benchmarks.oldpkg import ensure_venv; print(ensure_venv())"
    try:
        result = subprocess.run(
            [sys.executable, "-c", probe],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"installing welkin==0.1.12 took over {INSTALL_TIMEOUT} s; no package index?")
    if result.returncode != 0:
        why = "\n".join(result.stderr.strip().splitlines()[-5:])
        pytest.skip(
            "the old package welkin==0.1.12 could not be installed into "
            f"benchmarks/.venv-old (is the package index reachable?):\n{why}"
        )
    return Path(result.stdout.strip().splitlines()[-1])


def run_driver(python: Path, label: str) -> dict[str, Record]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)  # the old interpreter must not find our src/welkin
    with tempfile.TemporaryDirectory(prefix="welkin-differential-") as tmpdir:
        env["TMPDIR"] = tmpdir  # the old package's token cache (a shelve file) lands here
        result = subprocess.run(
            [str(python), str(DRIVER)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=DRIVER_TIMEOUT,
            check=False,
        )
    if result.returncode != 0:
        pytest.fail(f"driver.py under {label} exited with {result.returncode}:\n{result.stderr}")
    try:
        records: dict[str, Record] = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"driver.py under {label} printed no JSON:\n{result.stdout[:2000]}")
    return records


@pytest.fixture(scope="module")
def runs() -> tuple[dict[str, Record], dict[str, Record]]:
    old = run_driver(old_python(), "welkin 0.1.12")
    ours = run_driver(Path(sys.executable), "our welkin")
    return old, ours


def diff(title: str, old: Any, ours: Any) -> str:
    lines = difflib.unified_diff(
        json.dumps(old, indent=1, sort_keys=True).splitlines(),
        json.dumps(ours, indent=1, sort_keys=True).splitlines(),
        "welkin 0.1.12",
        "our welkin",
        lineterm="",
    )
    return f"{title}:\n" + "\n".join(lines)


@pytest.mark.parametrize("name", [name for name, _ in SCENARIOS])
def test_same_requests_and_result_as_the_old_package(
    runs: tuple[dict[str, Record], dict[str, Record]], name: str
) -> None:
    old, ours = runs[0][name], runs[1].get(name)
    if old["error"] is not None and not name.startswith("error_"):
        pytest.fail(f"the scenario is wrong: the old package fails it too: {old['error']}")
    assert ours is not None, f"our driver did not run {name}"

    problems = []
    if ours["requests"] != old["requests"]:
        problems.append(diff("requests differ", old["requests"], ours["requests"]))
    outcome_old = {"result": old["result"], "error": old["error"]}
    outcome_ours = {"result": ours["result"], "error": ours["error"]}
    if outcome_ours != outcome_old:
        problems.append(diff("results differ", outcome_old, outcome_ours))
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
