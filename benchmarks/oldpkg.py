"""The old ``welkin`` 0.1.12 package: its own venv (never ours) and a worker process driving it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from .context import stop_process

__all__ = ["OLD_VERSION", "OldPackage", "ensure_venv"]

OLD_VERSION = "0.1.12"
HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-old"
_WORKER = HERE / "old_worker.py"


def _python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _installed_version(python: Path) -> str | None:
    probe = "import importlib.metadata as m; print(m.version('welkin'))"
    result = subprocess.run(  # noqa: S603 - our own venv's interpreter
        [str(python), "-c", probe], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def ensure_venv(venv: Path = VENV) -> Path:
    """Create (or reuse) the venv holding the old package; return its python."""
    python = _python(venv)
    if python.exists() and _installed_version(python) == OLD_VERSION:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    print(f"creating {venv.relative_to(HERE.parent)} with welkin=={OLD_VERSION}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, f"welkin=={OLD_VERSION}"], check=True)  # noqa: S603
    return python


class OldPackage:
    """A worker process running the old package, with a private temp dir for its token file.

    The old package keeps its token in a shelve file under ``tempfile.gettempdir()``, keyed
    by tenant only; a private TMPDIR keeps runs apart and leaves nothing behind.
    """

    def __init__(self, python: Path) -> None:
        self.python = python
        self.tmpdir = Path(tempfile.mkdtemp(prefix="welkin-bench-old-"))
        self.env = {**os.environ, "TMPDIR": str(self.tmpdir), "PYTHONDONTWRITEBYTECODE": "1"}
        self._process = subprocess.Popen(  # noqa: S603
            [str(python), str(_WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=self.tmpdir,
            env=self.env,
        )

    def call(self, cmd: str, **fields: Any) -> dict[str, Any]:
        stdin: IO[str] | None = self._process.stdin
        stdout: IO[str] | None = self._process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(json.dumps({"cmd": cmd, **fields}) + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise RuntimeError(f"the old-package worker died during {cmd!r}")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"old package, {cmd}: {answer['error']}")
        return answer

    def token_files(self) -> list[str]:
        """What the old package wrote in its temp dir (its shelve token cache)."""
        return sorted(p.name for p in self.tmpdir.iterdir())

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self._process.stdin.close()
        stop_process(self._process)
        shutil.rmtree(self.tmpdir, ignore_errors=True)
