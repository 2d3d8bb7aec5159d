"""The ``welkin`` command: its version, help, and ``welkin fake-server`` on 127.0.0.1."""

from __future__ import annotations

import argparse
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import welkin
from welkin import __version__
from welkin._cli import _parser, export_lines, main
from welkin.testing import FakeWelkin

README = Path(__file__).resolve().parents[1] / "README.md"


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"welkin {__version__}"


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "demo" in capsys.readouterr().err


VARIABLES = (
    "WELKIN_BASE_URL",
    "WELKIN_TENANT",
    "WELKIN_INSTANCE",
    "WELKIN_API_CLIENT",
    "WELKIN_SECRET",
)


def fake_server(*options: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "welkin._cli", "fake-server", "--port", "0", *options]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def read_exports(process: subprocess.Popen[str]) -> tuple[list[str], dict[str, str]]:
    """The lines ``welkin fake-server`` printed, up to its last ``export``, and the variables
    they set as a shell reads them."""
    assert process.stdout is not None
    lines: list[str] = []
    variables: dict[str, str] = {}
    while len(variables) < len(VARIABLES):
        line = process.stdout.readline()
        assert line, "fake-server stopped before printing its variables"
        lines.append(line.rstrip("\n"))
        words = shlex.split(line, comments=True)
        if words:
            assert words[0] == "export" and len(words) == 2, line
            name, _, value = words[1].partition("=")
            variables[name] = value
    assert tuple(variables) == VARIABLES
    return lines, variables


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0


def test_fake_server_prints_export_lines_and_serves_until_stopped() -> None:
    with fake_server("--patients", "3") as process:
        try:
            lines, variables = read_exports(process)
            assert lines[0].startswith("# a fake Welkin on http://127.0.0.1:")
            assert variables["WELKIN_BASE_URL"].startswith("http://127.0.0.1:")
            assert variables["WELKIN_SECRET"] == FakeWelkin().secret
            with client_of(variables) as client:
                assert len(client.patients.list().items) == 3
                assert client.formations.cdts.list() == []  # no --designer
        finally:
            stop(process)


def client_of(variables: dict[str, str]) -> welkin.Client:
    return welkin.Client(
        variables["WELKIN_TENANT"],
        variables["WELKIN_INSTANCE"],
        variables["WELKIN_API_CLIENT"],
        variables["WELKIN_SECRET"],
        base_url=variables["WELKIN_BASE_URL"],
    )


def test_fake_server_designer_seeds_the_designer_objects() -> None:
    with fake_server("--patients", "0", "--users", "0", "--designer") as process:
        try:
            _, variables = read_exports(process)
            with client_of(variables) as client:
                formations = client.formations
                assert [cdt.name for cdt in formations.cdts.list()] == ["vitals"]
                assert [a.name for a in formations.assessments.list()] == ["phq_2"]
                templates = [t.name for t in formations.encounter_templates.list()]
                assert templates == ["intake", "follow_up"]
                assert [p.name for p in formations.programs.list()] == ["onboarding"]
        finally:
            stop(process)


def readme_session() -> list[list[str]]:
    """The commands of the README's command-line session, without comments and pipes."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.DOTALL)
    [block] = [block for block in blocks if "welkin fake-server --designer" in block]
    commands = [shlex.split(line.split(" | ")[0], comments=True) for line in block.splitlines()]
    return [words for words in commands if words]


def test_the_readme_session_runs_against_the_served_fake(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (_, *server), *commands = readme_session()
    assert server[0] == "fake-server" and ["welkin", "demo", "--live"] in commands
    process = subprocess.Popen(
        [sys.executable, "-m", "welkin._cli", *server], stdout=subprocess.PIPE, text=True
    )
    with process:
        try:
            _, variables = read_exports(process)
            for name, value in variables.items():
                monkeypatch.setenv(name, value)
            monkeypatch.delenv("WELKIN_TOKEN_STORE", raising=False)
            for words in commands:
                assert words[0] == "welkin"
                assert main(words[1:]) == 0, words
            out = capsys.readouterr().out
            assert "designer       template=intake assessment=phq_2 cdt=vitals" in out
            assert '"firstName": "Ada"' in out
        finally:
            stop(process)


def test_export_lines_read_back_the_same_in_a_shell() -> None:
    variables = {
        "WELKIN_TENANT": "gh",
        "WELKIN_SECRET": 'it\'s a "secret" with spaces, $HOME, `date` and ; #',
    }
    lines = export_lines(variables)
    assert lines[0] == "export WELKIN_TENANT=gh"
    for line, (name, value) in zip(lines, variables.items(), strict=True):
        assert shlex.split(line) == ["export", f"{name}={value}"]
    script = "\n".join([*lines, 'printf "%s" "$WELKIN_SECRET"'])
    done = subprocess.run(["/bin/sh", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout == variables["WELKIN_SECRET"]


def test_fake_server_output_can_be_pasted_into_a_shell() -> None:
    with fake_server("--patients", "0") as process:
        try:
            lines, variables = read_exports(process)
        finally:
            stop(process)
    script = "\n".join([*lines, 'printf "%s" "$WELKIN_SECRET"'])
    done = subprocess.run(["/bin/sh", "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout == variables["WELKIN_SECRET"] == FakeWelkin().secret


# -- help ----------------------------------------------------------------------------------


def help_text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main([*argv, "--help"])
    assert exited.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_help_shows_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    server = help_text(capsys, "fake-server")
    assert "port on 127.0.0.1; 0 picks a free one (default: 0)" in server
    assert "patients to seed (default: 100)" in server
    assert "users to seed (default: 10)" in server
    demo = help_text(capsys, "demo")
    assert "patients to create (default: 25, or 3 with --live)" in demo
    assert "(default: None)" not in demo


def test_every_command_and_option_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    commands = [
        action for action in _parser()._actions if isinstance(action, argparse._SubParsersAction)
    ]
    for name, command in commands[0].choices.items():
        for action in command._actions:
            assert action.help, f"welkin {name} {action.dest} has no help"
        assert name in help_text(capsys)
        assert help_text(capsys, name).startswith(f"usage: welkin {name}")
