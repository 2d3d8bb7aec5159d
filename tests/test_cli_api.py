"""``welkin request`` and ``welkin token`` against a fake served on 127.0.0.1 and named by the
``WELKIN_*`` variables, as a live tenant would be."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import api_calls

from welkin._cli import main
from welkin._cli_api import jwt_expiry, read_page, walk
from welkin.testing import FakeWelkin

PATIENTS = "{tenant}/{instance}/patients"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWelkin]:
    fake = FakeWelkin(seed=11)
    fake.seed(patients=45, users=10, designer=True)
    with fake.serve() as base_url:
        monkeypatch.delenv("WELKIN_TOKEN_STORE", raising=False)
        monkeypatch.setenv("WELKIN_TENANT", fake.tenant)
        monkeypatch.setenv("WELKIN_INSTANCE", fake.instance)
        monkeypatch.setenv("WELKIN_API_CLIENT", fake.api_client)
        monkeypatch.setenv("WELKIN_SECRET", fake.secret)
        monkeypatch.setenv("WELKIN_BASE_URL", base_url)
        yield fake


class Run:
    """``welkin ARGS`` in this process: the exit status, stdout and stderr."""

    def __init__(self, capsys: pytest.CaptureFixture[str], *argv: str) -> None:
        self.status = main(list(argv))
        self.out, self.err = capsys.readouterr()

    def json(self) -> Any:
        return json.loads(self.out)

    def lines(self) -> list[Any]:
        return [json.loads(line) for line in self.out.splitlines()]


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


# -- one request --------------------------------------------------------------------------


def test_get_prints_the_answer_as_indented_json(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    patient_id = next(iter(served.patients))
    run = Run(capsys, "request", "GET", f"{PATIENTS}/{patient_id}")
    assert (run.status, run.err) == (0, "")
    assert run.json() == served.patients[patient_id]
    assert run.out.startswith('{\n  "id": ')


def test_post_sends_the_data(served: FakeWelkin, capsys: pytest.CaptureFixture[str]) -> None:
    body = {"firstName": "Ada", "lastName": "Lovelace", "note": 'it\'s "quoted"'}
    run = Run(capsys, "request", "post", PATIENTS, "--data", json.dumps(body))
    assert run.status == 0
    created = run.json()
    assert served.patients[created["id"]]["firstName"] == "Ada"
    call = api_calls(served)[-1]
    assert (call.method, call.path, call.json) == ("POST", "gh/sb-demo/patients", body)


def test_data_comes_from_a_file_or_stdin(
    served: FakeWelkin,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    patient_id = next(iter(served.patients))
    data = tmp_path / "change.json"
    data.write_text('{"firstName": "Grace"}')
    patch = ("request", "PATCH", f"{PATIENTS}/{patient_id}", "--data")
    assert Run(capsys, *patch, f"@{data}").status == 0
    assert served.patients[patient_id]["firstName"] == "Grace"

    monkeypatch.setattr(sys, "stdin", io.StringIO('{"lastName": "Hopper"}'))
    assert Run(capsys, *patch, "@-").status == 0
    assert served.patients[patient_id]["lastName"] == "Hopper"


def test_params_go_into_the_query(served: FakeWelkin, capsys: pytest.CaptureFixture[str]) -> None:
    run = Run(
        capsys,
        "request",
        "GET",
        PATIENTS,
        "--param",
        "size=3",
        "--param",
        "sort=createdAt,desc",
        "--param",
        "ids=a",
        "--param",
        "ids=b",
    )
    assert run.status == 0
    assert len(run.json()["content"]) == 3
    assert api_calls(served)[-1].query == {"size": "3", "sort": "createdAt,desc", "ids": "a,b"}


def test_jsonl_prints_the_answer_on_one_line(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Run(capsys, "request", "GET", PATIENTS, "--param", "size=2", "--jsonl")
    assert run.status == 0
    [page] = run.lines()
    assert len(page["content"]) == 2 and page["totalElements"] == 45


def test_an_empty_answer_prints_nothing(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    patient_id = next(iter(served.patients))
    run = Run(capsys, "request", "DELETE", f"{PATIENTS}/{patient_id}")
    assert (run.status, run.out, run.err) == (0, "", "")
    assert patient_id not in served.patients


# -- --all ---------------------------------------------------------------------------------


def add_records(fake: FakeWelkin) -> str:
    """Five vitals records and five chat messages for one patient; returns the patient's id."""
    patient_id = next(iter(fake.patients))
    with fake.client() as client:
        for index in range(5):
            client.patients.cdts.create(patient_id, "vitals", fields={"weight": 60 + index})
            client.patients.chat.send_inbound(patient_id, message=f"hello {index}")
    return patient_id


Key = Callable[[dict[str, Any]], Any]


@pytest.mark.parametrize(
    ("path", "params", "count", "pages", "key"),
    [
        (PATIENTS, ["size=7"], 45, 7, lambda item: item["id"]),  # Spring pages
        ("{tenant}/{instance}/users", ["size=3"], 10, 4, lambda item: item["id"]),  # metaInfo
        (PATIENTS + "/{patient}/cdts/vitals", ["size=2"], 5, 3, lambda item: item["id"]),  # data
        ("{tenant}/{instance}/export/CDT_RECORD", ["pageSize=2"], 5, 3, lambda i: i["id"]),
        (PATIENTS + "/{patient}/chat", ["pageSize=2"], 5, 3, lambda item: item["message"]),
    ],
    ids=["spring", "metainfo", "page-in-data", "cursor", "page-token"],
)
def test_all_prints_every_item_of_every_page_once(
    served: FakeWelkin,
    capsys: pytest.CaptureFixture[str],
    path: str,
    params: list[str],
    count: int,
    pages: int,
    key: Key,
) -> None:
    patient_id = add_records(served)
    path = path.replace("{patient}", patient_id)
    before = len(api_calls(served))
    options = [option for param in params for option in ("--param", param)]

    run = Run(capsys, "request", "GET", path, *options, "--all", "--jsonl")

    assert run.status == 0
    keys = [key(item) for item in run.lines()]
    assert len(keys) == count and len(set(keys)) == count
    assert len(api_calls(served)) - before == pages
    # stderr is no terminal here: one count line at the end
    assert run.err == f"welkin request: {count} items in {pages} pages\n"


def test_all_prints_one_json_array_by_default(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Run(capsys, "request", "GET", PATIENTS, "--param", "size=10", "--all")
    assert run.status == 0
    assert sorted(item["id"] for item in run.json()) == sorted(served.patients)
    assert run.out.startswith("[\n  {\n    ")


def test_all_on_an_answer_that_is_no_page_prints_it_as_the_only_page(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Run(capsys, "request", "GET", "{tenant}/{instance}/formations/current/cdts", "--all")
    assert run.status == 0
    assert [cdt["name"] for cdt in run.json()] == ["vitals"]
    assert run.err == "welkin request: 1 item in 1 page\n"


def test_all_on_a_terminal_redraws_a_progress_line(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run = Run(capsys, "request", "GET", PATIENTS, "--param", "size=20", "--all", "--jsonl")
    assert run.status == 0
    assert len(run.lines()) == 45
    progress = terminal.getvalue()
    assert "\rwelkin request: 20 of 45 items, page 1 of 3" in progress
    assert progress.endswith("\rwelkin request: 45 of 45 items, page 3 of 3\n")
    assert "items in" not in progress  # no count line as well


def test_all_starts_at_the_page_asked_for(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    options = ("--param", "size=10", "--param", "page=3", "--all")
    run = Run(capsys, "request", "GET", PATIENTS, *options)
    assert run.status == 0
    assert len(run.json()) == 15  # pages 3 and 4 of 0..4
    assert [call.query["page"] for call in api_calls(served)] == ["3", "4"]


def stuck_page(number: int = 0) -> dict[str, Any]:
    return {"content": [{"id": "same"}], "number": number, "last": False, "totalPages": 9}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (stuck_page(), "asked for page 1, the answer is page 0"),
        (
            {"content": [{"id": "same"}], "meta": {"nextPageToken": "again"}},
            "the next page is one already read",
        ),
    ],
    ids=["page-number", "page-token"],
)
def test_all_stops_when_paging_does_not_advance(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str], body: Any, reason: str
) -> None:
    served.fail_next(200, body=body, times=10, path_contains="/patients")
    run = Run(capsys, "request", "GET", PATIENTS, "--all", "--jsonl")
    assert run.status == 2
    assert one_line(run.err) == f"welkin: error: paging GET {PATIENTS} does not advance: {reason}"
    assert len(api_calls(served)) <= 2


def test_a_walk_that_fails_prints_what_it_read_and_leaves_the_array_open(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    served.fail_next(200, body=stuck_page(), times=10, path_contains="/patients")
    run = Run(capsys, "request", "GET", PATIENTS, "--all")
    assert run.status == 2
    assert run.out == '[\n  {\n    "id": "same"\n  }\n'  # no "]": the list is not whole
    assert one_line(run.err).startswith("welkin: error: paging GET")


def test_debug_shows_the_traceback(served: FakeWelkin, capsys: pytest.CaptureFixture[str]) -> None:
    served.fail_next(200, body=stuck_page(), times=10, path_contains="/patients")
    run = Run(capsys, "request", "GET", PATIENTS, "--all", "--debug")
    assert run.status == 2
    assert run.err.startswith("Traceback (most recent call last):")
    assert run.err.splitlines()[-1].startswith("welkin: error: paging GET")


def test_walk_follows_each_envelope_to_its_last_page() -> None:
    answers = {
        0: {"data": [1, 2], "metaInfo": {"page": 0, "lastPage": False, "totalPages": 2}},
        1: {"data": [3], "metaInfo": {"page": 1, "lastPage": True, "totalPages": 2}},
    }
    sent: list[dict[str, Any]] = []

    def fetch(query: dict[str, Any]) -> Any:
        sent.append(query)
        return answers[int(query.get("page", 0))]

    items = [item for page in walk(fetch, {"size": 2}, "GET x") for item in page.items]
    assert items == [1, 2, 3]
    assert sent == [{"size": 2}, {"size": 2, "page": 1}]


@pytest.mark.parametrize(
    "body",
    [
        {"content": [], "number": 0, "last": False},  # empty, yet not the last
        {"content": [1], "number": 4, "totalPages": 5},
        {"data": {"content": [1], "pageable": {"pageNumber": 0}, "last": True}},
        {"data": [1], "cursor": {"end": "9", "hasNext": False}},
        {"content": [1], "meta": {"nextPageToken": None}},
        [1, 2],
        {"rows": [1]},
    ],
)
def test_a_last_page_has_no_next_query(body: Any) -> None:
    assert read_page(body, {}).next_query is None


# -- bad input: one line, status 2, nothing sent ---------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["FETCH", PATIENTS], "argument METHOD: expected one of GET, POST, PUT, PATCH, DELETE"),
        (["POST", PATIENTS, "--data", "{bad"], "argument --data: not JSON: Expecting property"),
        (["POST", PATIENTS, "--data", "@/no/such/file.json"], "argument --data: cannot read"),
        (["GET", PATIENTS, "--param", "size"], "argument --param: expected NAME=VALUE"),
        (["GET", PATIENTS, "--data", "{}"], "argument --data: a GET sends no body"),
        (["DELETE", PATIENTS, "--all"], "argument --all: pages come from GET or POST"),
    ],
)
def test_bad_input_is_one_line_status_2_and_sends_nothing(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["request", *argv])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert one_line(err).startswith(f"welkin request: error: {expected}")
    assert served.requests == []


def test_a_path_outside_the_tenant_is_refused_before_sending(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Run(capsys, "request", "GET", "https://elsewhere.example/x")
    assert run.status == 2
    assert one_line(run.err) == "welkin: error: path: expected a path relative to the API root"
    assert served.requests == []


def test_welkins_error_is_one_line(served: FakeWelkin, capsys: pytest.CaptureFixture[str]) -> None:
    run = Run(capsys, "request", "GET", f"{PATIENTS}/6801d498-26f4-4aee-961b-5daffcf193c8")
    assert run.status == 2
    assert one_line(run.err).startswith("welkin: error: 404 Not Found for GET http://127.0.0.1:")
    assert served.secret not in run.out + run.err


# -- token ---------------------------------------------------------------------------------


def test_token_prints_when_it_expires_but_not_the_token(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Run(capsys, "token")
    assert (run.status, run.err) == (0, "")
    credentials, expiry = run.out.splitlines()
    assert credentials == "credentials accepted: API client VBOPNRYRWJIP of gh"
    match = re.fullmatch(r"expires: (\S+Z) \((\d+) minutes left\)", expiry)
    assert match is not None
    expires = datetime.strptime(match[1], "%Y-%m-%dT%H:%M:%S%z")
    left = (expires - datetime.now(timezone.utc)).total_seconds() / 60
    assert 58 <= left <= 60 and int(match[2]) in (59, 60)
    assert "eyJ" not in run.out  # every JWT starts so
    assert served.secret not in run.out
    assert served.token_requests == 1


def test_token_show_prints_a_working_token(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str]
) -> None:
    run = Run(capsys, "token", "--show")
    assert run.status == 0
    *_, expiry, token = run.out.splitlines()
    assert token.startswith("eyJ") and token.count(".") == 2
    assert jwt_expiry(token) is not None
    assert expiry.startswith(f"expires: {jwt_expiry(token):%Y-%m-%dT%H:%M:%SZ} (")
    answer = httpx.get(
        f"{os.environ['WELKIN_BASE_URL']}/gh/sb-demo/patients",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200


def test_token_with_a_wrong_secret_is_one_line_without_the_secret(
    served: FakeWelkin, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WELKIN_SECRET", "not-the-secret")
    run = Run(capsys, "token", "--show")
    assert run.status == 2
    assert one_line(run.err).startswith("welkin: error: 401 Unauthorized for POST")
    assert "not-the-secret" not in run.out + run.err and run.out == ""


def test_jwt_expiry_of_what_is_no_jwt() -> None:
    assert jwt_expiry("opaque") is None
    assert jwt_expiry("a.!!!.c") is None
    assert jwt_expiry("a.W10.c") is None  # the payload is a JSON list


# -- a reader that stops early ---------------------------------------------------------------


def test_output_cut_short_by_its_reader_ends_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeWelkin(seed=12)
    fake.seed(patients=1000)  # about 1 MB of JSON: more than a pipe holds
    with fake.serve() as base_url:
        env = {
            "WELKIN_TENANT": fake.tenant,
            "WELKIN_INSTANCE": fake.instance,
            "WELKIN_API_CLIENT": fake.api_client,
            "WELKIN_SECRET": fake.secret,
            "WELKIN_BASE_URL": base_url,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("WELKIN_TOKEN_STORE", raising=False)
        command = [sys.executable, "-m", "welkin._cli", "request", "GET", PATIENTS, "--all"]
        with subprocess.Popen(
            [*command, "--param", "size=100"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            assert process.stdout is not None and process.stderr is not None
            assert process.stdout.readline() == "[\n"
            process.stdout.close()  # as `head -n 1` does
            err = process.stderr.read()
            status = process.wait(timeout=60)
    assert err == ""
    assert status == 141
