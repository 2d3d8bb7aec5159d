"""Project checks. ``nox`` runs them all; ``nox -s codegen`` regenerates the SDK from spec/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

nox.options.sessions = ["lint", "typecheck", "codegen_check", "tests", "docs"]
nox.options.reuse_existing_virtualenvs = True

LINTED = ["src", "codegen", "tests", "docs", "noxfile.py"]
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")


def installed_pythons() -> list[str]:
    """The supported Pythons this machine can run. pyenv hides the versions that are not
    its global one behind shims that fail; naming them all in PYENV_VERSION opens them."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    if shutil.which("pyenv") and (pyenv_root / "versions").is_dir():
        names = sorted(p.name for p in (pyenv_root / "versions").iterdir())
        wanted = [n for n in names if n.rsplit(".", 1)[0] in SUPPORTED]
        if wanted:
            os.environ["PYENV_VERSION"] = ":".join(wanted)
    found = []
    for version in SUPPORTED:
        exe = shutil.which(f"python{version}")
        if exe and subprocess.run([exe, "-c", ""], capture_output=True).returncode == 0:  # noqa: S603
            found.append(version)
    return found or [f"{sys.version_info[0]}.{sys.version_info[1]}"]


@nox.session(python=installed_pythons())
def tests(session: nox.Session) -> None:
    """Run the test suite on every supported Python installed here (offline: every test
    talks to the fake, in process or on 127.0.0.1)."""
    session.install("-e", ".[test,codegen]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff>=0.15")
    session.run("ruff", "check", *LINTED)
    session.run("ruff", "format", "--check", *LINTED)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src/ and on the typed examples, with and without pydantic's plugin."""
    session.install("-e", ".[test]", "mypy>=1.15")
    session.run("mypy", "src")
    session.run("mypy", "tests/typed")
    session.run("mypy", "--config-file", "tests/typed/mypy-without-plugin.ini", "tests/typed")


@nox.session
def codegen(session: nox.Session) -> None:
    """Regenerate the generated packages of src/welkin/ from spec/ (``-- --check``: verify)."""
    session.install("-e", ".[codegen]")
    session.run("python", "-m", "codegen", *session.posargs)


@nox.session(name="codegen_check")
def codegen_check(session: nox.Session) -> None:
    """Fail when the committed generated code differs from what spec/ produces."""
    session.install("-e", ".[codegen]")
    session.run("python", "-m", "codegen", "--check")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site with ``mkdocs build --strict`` (a broken link or reference
    fails) into .nox/docs/tmp/site; pages are made from README.md, CHANGELOG.md and spec/."""
    session.install("-e", ".[docs]")
    site = Path(session.create_tmp()) / "site"
    # NO_MKDOCS_2_WARNING: mkdocs-material's end-of-life banner, printed at every build.
    env = {"NO_MKDOCS_2_WARNING": "1"}
    session.run("mkdocs", "build", "--strict", "--site-dir", str(site), *session.posargs, env=env)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks on a loopback server, written to benchmarks/RESULTS.md (opt-in, not in ``nox``).

    ``nox -s bench -- --profile`` also writes pyinstrument profiles to benchmarks/profiles/.
    """
    session.install("-e", ".", "httpx", "requests")
    if "--profile" in session.posargs:
        session.install("pyinstrument")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session
def reliability(session: nox.Session) -> None:
    """The client against hostile servers, measured: writes benchmarks/RELIABILITY.md."""
    session.install("-e", ".")
    session.run("python", "-m", "benchmarks.reliability")


@nox.session
def fleet(session: nox.Session) -> None:
    """100 short-lived processes with and without a shared token store (into RESULTS.md)."""
    session.install("-e", ".[redis]")
    session.run("python", "-m", "benchmarks.fleet")
