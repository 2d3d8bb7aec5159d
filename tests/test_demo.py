"""``welkin demo``: a care team's workflow on the fake, on a loopback "live" tenant, and its
progress bar and summary table."""

from __future__ import annotations

import io
import json

import pytest

from welkin._cli import main
from welkin._demo import Options, Progress, run, table
from welkin.testing import FakeWelkin


def summary_rows(out: str) -> dict[str, list[str]]:
    lines = out.split("summary\n", 1)[1].splitlines()[2:]  # skip the header and its rule
    return {line.split()[0]: line.split()[1:] for line in lines if line.strip()[:1].isalpha()}


def test_the_demo_runs_the_whole_workflow_on_the_fake(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--patients", "6"]) == 0
    out = capsys.readouterr().out
    assert "designer       template=intake assessment=phq_2 cdt=vitals" in out
    rows = summary_rows(out)
    assert rows["care"][1] == "3"  # "care team": items
    assert rows["patients"][0] == "6"
    assert rows["encounters"][0] == "6"
    assert rows["cdt"][1] == "12"  # two vitals records per patient
    assert rows["export"][0] == "12"
    # 1000 seeded patients plus 6, their 6 full encounters and 12 CDT records.
    assert rows["paging"][0] == str(1006 + 6 + 12)
    assert "token requests: 1" in out


def test_the_workflow_leaves_what_it_says_in_the_fake() -> None:
    fake = FakeWelkin(seed=1)
    fake.seed(patients=30, designer=True)
    lines: list[str] = []
    assert run(lines.append, Options(patients=4, keep=True, progress=io.StringIO()), fake=fake) == 0

    demo_patients = [p for p in fake.patients.values() if str(p.get("mrn", "")).startswith("DEMO-")]
    assert len(demo_patients) == 4
    assert all(len(p["careTeam"]) == 3 for p in demo_patients)
    finalized = [r for r in fake.requests if r.method == "PATCH" and "/encounters/" in r.path]
    assert len(finalized) == 4 and all(r.json == {"status": "FINALIZED"} for r in finalized)
    links = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/assessments")]
    assert len(links) == 4
    assert all(r.json["assessmentName"] == "phq_2" for r in links)
    assert all(r.json["assessmentRecordId"] for r in links)
    vitals = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/cdts/vitals")]
    assert len(vitals) == 8
    assert set(vitals[0].json) == {"weight", "systolic", "diastolic", "measured_on", "notes"}
    export = [r for r in fake.requests if "/export/CDT_RECORD" in r.path]
    assert len(export) == 1  # 8 records fit one page of 20


def test_cleanup_removes_what_the_demo_created() -> None:
    fake = FakeWelkin(seed=2)
    fake.seed(patients=5, users=2, designer=True)
    assert run(lambda line: None, Options(patients=3, progress=io.StringIO()), fake=fake) == 0
    assert len(fake.patients) == 5
    assert len(fake.users) == 2
    deletes = [r for r in fake.requests if r.method == "DELETE"]
    assert len(deletes) == 3 + 3 + 3  # encounters, patients, users


def test_live_needs_the_welkin_variables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("WELKIN_TENANT", "WELKIN_INSTANCE", "WELKIN_API_CLIENT", "WELKIN_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WELKIN_TENANT", "gh")
    assert main(["demo", "--live"]) == 2
    out = capsys.readouterr().out
    assert "WELKIN_INSTANCE, WELKIN_API_CLIENT, WELKIN_SECRET" in out
    assert "WELKIN_TENANT" not in out.split(":", 1)[1]


def test_live_runs_against_whatever_the_variables_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeWelkin(tenant="acme", instance="prod", seed=3)
    fake.seed(patients=2, designer=True)
    with fake.serve() as base_url:
        monkeypatch.setenv("WELKIN_TENANT", fake.tenant)
        monkeypatch.setenv("WELKIN_INSTANCE", fake.instance)
        monkeypatch.setenv("WELKIN_API_CLIENT", fake.api_client)
        monkeypatch.setenv("WELKIN_SECRET", fake.secret)
        monkeypatch.setenv("WELKIN_BASE_URL", base_url)
        assert main(["demo", "--live", "--keep", "--cdt", "vitals"]) == 0
    out = capsys.readouterr().out
    assert "care-team demo against live tenant acme/prod" in out
    assert summary_rows(out)["patients"][0] == "3"  # --live creates 3 by default
    assert len(fake.patients) == 2 + 3
    assert "token requests" not in out  # only the fake can count those
    assert fake.secret not in out


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_a_bar_on_a_terminal() -> None:
    stream = Terminal()
    progress = Progress("paging", 4, stream, width=8)
    for _ in progress.track(range(4)):
        pass
    assert stream.getvalue().endswith("\rpaging                 [########] 4/4\n")


def test_progress_without_a_total_counts() -> None:
    stream = Terminal()
    progress = Progress("exporting", None, stream)
    progress.advance(7)
    progress.close()
    assert stream.getvalue().endswith("\rexporting              7\n")


def test_progress_off_a_terminal_writes_one_line() -> None:
    stream = io.StringIO()
    for _ in Progress("creating", 3, stream).track(range(3)):
        pass
    assert stream.getvalue() == "creating: 3 done\n"


def test_table_aligns_text_left_and_numbers_right() -> None:
    assert table([["step", "n"], ["a", "10"], ["bbb", "2"]]) == [
        "step   n",
        "----  --",
        "a     10",
        "bbb    2",
    ]


def test_the_demo_prints_no_patient_bodies(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--patients", "2"]) == 0
    out = capsys.readouterr().out
    assert "Lovelace" not in out and json.dumps({"firstName": "Ada"})[1:-1] not in out
