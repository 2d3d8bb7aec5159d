"""``welkin demo`` walks through the SDK against the in-process fake."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

import welkin
from welkin import __version__
from welkin._cli import main


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


def test_fake_server_prints_its_url_and_serves_until_stopped() -> None:
    command = [sys.executable, "-m", "welkin._cli", "fake-server", "--port", "0", "--patients", "3"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        check_fake_server(process)


def check_fake_server(process: subprocess.Popen[str]) -> None:
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        credentials = dict(
            part.split("=", 1) for part in process.stdout.readline().strip().split(" ")
        )
        assert base_url.startswith("http://127.0.0.1:")
        with welkin.Client(
            credentials["tenant"],
            credentials["instance"],
            credentials["api_client"],
            credentials["secret"],
            base_url=base_url,
        ) as client:
            assert len(client.patients.list().items) == 3
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
