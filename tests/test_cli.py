"""``welkin demo`` walks through the SDK against the in-process fake."""

from __future__ import annotations

import pytest

from welkin import __version__
from welkin._cli import main


def test_demo_walks_patients_and_users_with_one_token(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "found by MRN   Ada Lovelace" in out
    assert "updated phone  +15555550100" in out
    assert "walked 251 patients in 6 pages of 50" in out
    assert "old-style API  Patient(...).create().update(...) -> Baz" in out
    summary = dict(
        line.strip().rsplit(None, 1) for line in out.split("summary\n")[1].splitlines() if line
    )
    assert summary["token requests"] == "1"
    assert summary["patients"] == "251"


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
