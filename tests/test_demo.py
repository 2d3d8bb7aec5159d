"""``welkin demo``: a care team's workflow on the fake, on a loopback "live" tenant, and its
progress bar and summary table."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import httpx
import pytest

from welkin import _demo
from welkin._cli import main
from welkin._demo import Options, Progress, Workflow, run, table
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
    assert rows["webhook"][0] == "1"
    assert (
        "webhook        CDT_CREATED POSTed to a wsgi_app receiver, header verified, "
        "resolved to CdtRecord (the new record)"
    ) in out
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
    assert len(vitals) == 8 + 1  # and one more for the webhook
    assert set(vitals[0].json) == {"weight", "systolic", "diastolic", "measured_on", "notes"}
    export = [r for r in fake.requests if "/export/CDT_RECORD" in r.path]
    assert len(export) == 1  # 8 records fit one page of 20
    with fake.client() as client:
        [delivery] = client.audits.webhook.list()
    assert (delivery.event_subtype, delivery.status) == ("CDT_CREATED", "DELIVERED")
    assert fake.webhooks == ()  # the demo's receiver is unregistered after its step


def test_cleanup_removes_what_the_demo_created() -> None:
    fake = FakeWelkin(seed=2)
    fake.seed(patients=5, users=2, designer=True)
    assert run(lambda line: None, Options(patients=3, progress=io.StringIO()), fake=fake) == 0
    assert len(fake.patients) == 5
    assert len(fake.users) == 2
    deleted = [kind_of(r.path) for r in fake.requests if r.method == "DELETE"]
    assert sorted(deleted) == sorted(
        ["cdts"] * 7  # two per patient, one for the webhook
        + ["assessment-records"] * 3
        + ["encounters"] * 3
        + ["patient"] * 3
        + ["user"] * 3
    )


def kind_of(path: str) -> str:
    """What a DELETE path removes: "user", "patient", or a patient's "encounters" ..."""
    parts = path.split("/")
    if parts[1] == "admin":
        return "user"
    return parts[4] if len(parts) > 4 else "patient"


def test_cleanup_deletes_a_patients_records_before_the_patient() -> None:
    fake = FakeWelkin(seed=2)
    fake.seed(designer=True)
    assert run(lambda line: None, Options(patients=2, progress=io.StringIO()), fake=fake) == 0
    deletes = [r.path for r in fake.requests if r.method == "DELETE"]
    for index, path in enumerate(deletes):
        if kind_of(path) == "patient":
            assert not any(later.startswith(path + "/") for later in deletes[index:])


def test_live_needs_the_welkin_variables(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("WELKIN_TENANT", "WELKIN_INSTANCE", "WELKIN_API_CLIENT", "WELKIN_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WELKIN_TENANT", "gh")
    assert main(["demo", "--live"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "welkin: error: demo --live needs these environment variables: "
        "WELKIN_INSTANCE, WELKIN_API_CLIENT, WELKIN_SECRET\n"
    )


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


# -- a run that fails: what it created is deleted anyway ---------------------------------------


@pytest.fixture
def demo_fake(monkeypatch: pytest.MonkeyPatch) -> FakeWelkin:
    """The in-process fake ``welkin demo`` runs on: a small one, to queue faults on."""
    fake = FakeWelkin(seed=4)
    fake.seed(patients=4, users=2, designer=True)
    monkeypatch.setattr(_demo, "_seeded_fake", lambda: fake)
    return fake


@pytest.fixture
def tenant(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWelkin]:
    """A fake served on loopback and named by the WELKIN_* variables: a live tenant."""
    fake = FakeWelkin(seed=5)
    fake.seed(patients=4, users=2, designer=True)
    with fake.serve() as base_url:
        monkeypatch.setenv("WELKIN_TENANT", fake.tenant)
        monkeypatch.setenv("WELKIN_INSTANCE", fake.instance)
        monkeypatch.setenv("WELKIN_API_CLIENT", fake.api_client)
        monkeypatch.setenv("WELKIN_SECRET", fake.secret)
        monkeypatch.setenv("WELKIN_BASE_URL", base_url)
        yield fake


def fail_after(
    fake: FakeWelkin, passes: int, status: int, *, method: str, path_contains: str
) -> None:
    """Answer ``status`` to the matching request after the next ``passes`` ones (faults are
    taken in order, and one with only a delay answers normally)."""
    if passes:
        fake.fail_next(delay=0.001, times=passes, method=method, path_contains=path_contains)
    fake.fail_next(status, method=method, path_contains=path_contains)


def error_line(err: str) -> str:
    """The one line a failed command writes on stderr (progress lines aside)."""
    lines = [line for line in err.splitlines() if not line.endswith(" done")]
    assert len(lines) == 1, err
    assert lines[0].startswith("welkin: error: ")
    return lines[0]


def reports(out: str) -> list[str]:
    return [line for line in out.splitlines() if "could not remove" in line]


# A failure in each step of the workflow, most of them after the step has created something.
# The first column is the step's summary row: the steps before it finished, it did not.
STEP_FAULTS = [
    pytest.param("designer", 0, 403, "GET", "/formations/current/cdts", id="designer"),
    pytest.param("care", 1, 409, "POST", "/admin/users", id="care team"),
    pytest.param("patients", 1, 500, "POST", "/patients", id="patients"),
    pytest.param("encounters", 1, 422, "POST", "/comments", id="encounters"),
    pytest.param("cdt", 3, 500, "POST", "/cdts/vitals", id="cdt records"),
    pytest.param("paging", 1, 403, "GET", "/full-encounters", id="paging"),
    # The first GET .../encounters is the designer's list of templates.
    pytest.param("old-style", 1, 404, "GET", "/encounters", id="old-style API"),
    pytest.param("export", 0, 403, "GET", "/export/CDT_RECORD", id="export"),
    # Reading the record back: only resolve reads one CDT record by id.
    pytest.param("webhook", 0, 403, "GET", "/cdts/vitals/", id="webhook"),
]
STEP_ROWS = [
    *("designer", "care", "patients", "encounters", "cdt", "paging", "old-style", "export"),
    "webhook",
]


@pytest.mark.parametrize(("step", "passes", "status", "method", "path"), STEP_FAULTS)
def test_a_failed_step_still_deletes_what_the_demo_created(
    demo_fake: FakeWelkin,
    capsys: pytest.CaptureFixture[str],
    step: str,
    passes: int,
    status: int,
    method: str,
    path: str,
) -> None:
    patients, users = set(demo_fake.patients), set(demo_fake.users)
    fail_after(demo_fake, passes, status, method=method, path_contains=path)

    assert main(["demo", "--patients", "2"]) == 2

    out, err = capsys.readouterr()
    assert f"welkin: error: {status} " in error_line(err)
    assert reports(out) == []
    assert set(demo_fake.patients) == patients
    assert set(demo_fake.users) == users
    finished = STEP_ROWS[: STEP_ROWS.index(step)]
    if finished:
        rows = [name for name in summary_rows(out) if name != "token"]  # "token requests: 1"
        assert rows == [*finished, "cleanup", "total"]
    else:
        assert "summary" not in out  # nothing was created, nothing to clean up


def test_a_failed_step_deletes_the_records_it_had_made(
    demo_fake: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    # The second patient's encounter, assessment record and link exist when its comment fails.
    fail_after(demo_fake, 1, 422, method="POST", path_contains="/comments")
    assert main(["demo", "--patients", "2"]) == 2
    deleted = [kind_of(r.path) for r in demo_fake.requests if r.method == "DELETE"]
    assert sorted(deleted) == sorted(
        ["assessment-records"] * 2 + ["encounters"] * 2 + ["patient"] * 2 + ["user"] * 3
    )


def test_a_failed_live_step_still_deletes_what_the_demo_created(
    tenant: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    patients, users = set(tenant.patients), set(tenant.users)
    tenant.fail_next(500, method="POST", path_contains="/cdts/vitals")

    assert main(["demo", "--live", "--patients", "1"]) == 2

    out, err = capsys.readouterr()
    assert "welkin: error: 500 Internal Server Error for POST http://127.0.0.1:" in error_line(err)
    assert reports(out) == []
    assert set(tenant.patients) == patients
    assert set(tenant.users) == users


def test_what_cannot_be_deleted_is_reported_and_fails_the_run(
    demo_fake: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    patients, users = set(demo_fake.patients), set(demo_fake.users)
    demo_fake.fail_next(403, times=3, method="DELETE", path_contains="/admin/users/")

    assert main(["demo", "--patients", "2"]) == 2

    out, err = capsys.readouterr()
    left = set(demo_fake.users) - users
    assert len(left) == 3
    [report] = reports(out)
    assert report.startswith("cleanup        could not remove 3 users: ")
    assert set(report.split(": ", 1)[1].split(", ")) == left
    assert error_line(err) == "welkin: error: the demo could not remove what it created: 3 users"
    assert set(demo_fake.patients) == patients  # the rest went


def test_a_steps_error_wins_over_the_leftovers(
    demo_fake: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    demo_fake.fail_next(403, method="GET", path_contains="/export/")
    demo_fake.fail_next(403, times=3, method="DELETE", path_contains="/admin/users/")
    assert main(["demo", "--patients", "2"]) == 2
    out, err = capsys.readouterr()
    assert [line.split(": ")[0] for line in reports(out)] == [
        "cleanup        could not remove 3 users"
    ]
    assert "403 Forbidden for GET" in error_line(err)


def test_cleanup_stops_trying_once_the_tenant_stops_answering(
    tenant: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    patients = set(tenant.patients)
    tenant.fail_next(exception=httpx.ConnectError, times=100, method="DELETE")

    assert main(["demo", "--live", "--patients", "1"]) == 2

    out, err = capsys.readouterr()
    deletes = [r for r in tenant.requests if r.method == "DELETE"]
    assert len(deletes) == 3  # the first record, tried and retried twice; then no more
    assert [line.split(": ")[0] for line in reports(out)] == [
        "cleanup        could not remove 2 CDT records",
        "cleanup        could not remove 1 assessment records",
        "cleanup        could not remove 1 encounters",
        "cleanup        could not remove 1 patients",
        "cleanup        could not remove 3 users",
    ]
    assert len(set(tenant.patients) - patients) == 1  # reported, and indeed still there
    assert error_line(err).endswith(
        "could not remove what it created: 2 CDT records, "
        "1 assessment records, 1 encounters, 1 patients, 3 users"
    )


def test_keep_leaves_everything_even_after_a_failure(
    demo_fake: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    patients = set(demo_fake.patients)
    demo_fake.fail_next(403, method="GET", path_contains="/export/")
    assert main(["demo", "--patients", "2", "--keep"]) == 2
    assert len(set(demo_fake.patients) - patients) == 2
    assert not [r for r in demo_fake.requests if r.method == "DELETE"]


def test_ctrl_c_during_a_step_still_cleans_up(
    demo_fake: FakeWelkin, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    patients, users = set(demo_fake.patients), set(demo_fake.users)

    def interrupted(self: Workflow) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(Workflow, "paging", interrupted)
    assert main(["demo", "--patients", "2"]) == 130
    err = capsys.readouterr().err
    assert "error" not in err and "Traceback" not in err  # quietly (progress lines aside)
    assert set(demo_fake.patients) == patients
    assert set(demo_fake.users) == users


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
