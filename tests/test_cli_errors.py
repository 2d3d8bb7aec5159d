"""Every ``welkin`` error is one line on stderr with exit status 2 (the traceback only under
``--debug``), and an unreachable tenant fails in seconds."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from welkin import _demo
from welkin._cli import main
from welkin.testing import FakeWelkin

SECRET = "s3cr3t-that-must-not-show"


def closed_port() -> int:
    """A loopback port nothing listens on (bound for a moment, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials for a tenant whose host refuses connections."""
    monkeypatch.setenv("WELKIN_TENANT", "gh")
    monkeypatch.setenv("WELKIN_INSTANCE", "sb-demo")
    monkeypatch.setenv("WELKIN_API_CLIENT", "VBOPNRYRWJIP")
    monkeypatch.setenv("WELKIN_SECRET", SECRET)
    monkeypatch.setenv("WELKIN_BASE_URL", f"http://127.0.0.1:{closed_port()}")


@pytest.fixture
def wrong_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWelkin]:
    fake = FakeWelkin()
    with fake.serve() as base_url:
        monkeypatch.setenv("WELKIN_TENANT", fake.tenant)
        monkeypatch.setenv("WELKIN_INSTANCE", fake.instance)
        monkeypatch.setenv("WELKIN_API_CLIENT", fake.api_client)
        monkeypatch.setenv("WELKIN_SECRET", SECRET)
        monkeypatch.setenv("WELKIN_BASE_URL", base_url)
        yield fake


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["demo", "--patients", "0"], "welkin demo: error: argument --patients: expected a whole"),
        (["demo", "--patients", "-5"], "welkin demo: error: argument --patients: expected a whole"),
        (["demo", "--patients", "many"], "welkin demo: error: argument --patients: expected"),
        (["fake-server", "--port", "99999"], "welkin fake-server: error: argument --port: "),
        (["fake-server", "--port", "-1"], "welkin fake-server: error: argument --port: "),
        (["fake-server", "--patients", "-1"], "welkin fake-server: error: argument --patients"),
        (["fake-server", "--users", "-2"], "welkin fake-server: error: argument --users: "),
        (["demo", "--bogus"], "welkin: error: unrecognized arguments: --bogus"),
        (["fake-server", "--designer=yes"], "welkin fake-server: error: argument --designer"),
        (["request", "GET"], "welkin request: error: the following arguments are required: PATH"),
        (["token", "--show", "x"], "welkin: error: unrecognized arguments: x"),
        (["sing"], "welkin: error: argument {demo,fake-server,request,token}: invalid choice"),
    ],
)
def test_a_bad_option_is_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert one_line(captured.err).startswith(expected)


def test_an_unreachable_tenant_fails_in_seconds_on_one_line(
    unreachable: None, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    status = main(["demo", "--live"])
    elapsed = time.monotonic() - started

    assert status == 2
    assert elapsed < 5  # the client's defaults would retry for about 18 s
    out, err = capsys.readouterr()
    line = one_line(err)
    assert line.startswith("welkin: error: ConnectError: ")
    assert "for POST http://127.0.0.1:" in line  # the token request, the first one
    assert "Traceback" not in err
    assert SECRET not in out + err


@pytest.mark.parametrize(
    "argv", [["--debug", "demo", "--live"], ["demo", "--live", "--debug"]], ids=["before", "after"]
)
def test_debug_adds_the_traceback(
    unreachable: None, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "welkin._exceptions.APIConnectionError" in err
    assert err.splitlines()[-1].startswith("welkin: error: ConnectError: ")
    assert SECRET not in err


def test_wrong_credentials_are_one_line_without_the_secret(
    wrong_secret: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--live"]) == 2
    out, err = capsys.readouterr()
    line = one_line(err)
    assert line.startswith("welkin: error: 401 Unauthorized for POST http://127.0.0.1:")
    assert "BAD_CREDENTIALS" in line
    assert SECRET not in out + err
    assert wrong_secret.secret not in out + err


def test_an_unsafe_base_url_is_a_configuration_error(
    unreachable: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WELKIN_BASE_URL", "http://welkin.example.invalid")  # never contacted
    assert main(["demo", "--live"]) == 2
    out, err = capsys.readouterr()
    assert one_line(err).startswith("welkin: error: base_url must use https")
    assert SECRET not in out + err


def test_a_busy_port_is_one_line_and_status_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        command = [sys.executable, "-m", "welkin._cli", "fake-server", "--port", str(port)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    line = one_line(done.stderr)
    assert line.startswith("welkin: error: ") and "in use" in line


def test_ctrl_c_exits_130_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(_demo, "run", interrupted)
    assert main(["demo"]) == 130
    assert capsys.readouterr() == ("", "")


def test_help_documents_debug_and_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ([], ["demo"], ["fake-server"], ["request"], ["token"]):
        argv = [*command, "--help"]
        with pytest.raises(SystemExit):
            main(argv)
        out = " ".join(capsys.readouterr().out.split())
        assert "--debug on an error, show the traceback" in out
        assert "is one line on stderr and exit status 2" in out
