"""The logging switch (WELKIN_LOG) and what log lines may say: operation ids and path templates,
never ids, query strings, tokens, secrets or bodies."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap

import pytest

from welkin._logs import redacted_path
from welkin.testing import FakeWelkin

SCRIPT = textwrap.dedent(
    """
    from welkin.testing import FakeWelkin

    fake = FakeWelkin()
    fake.seed(patients=3)
    patient = next(iter(fake.patients.values()))
    with fake.client() as client:
        client.patients.get(patient["id"])
        client.patients.list(query=patient["lastName"], size=2)
        client.call("GET", "{tenant}/{instance}/patients/" + patient["id"])
        token = client._current_token()
    print(patient["id"], patient["lastName"], fake.secret, token)
    """
)


def run(env: dict[str, str]) -> tuple[list[str], str]:
    """The script's log lines (stderr) and what it printed: the values that must not leak."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env={**os.environ, "WELKIN_LOG": "", "WELKIN_LOG_IDS": "", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stderr.splitlines(), done.stdout


def test_debug_logs_each_request_by_operation_and_path_template() -> None:
    lines, printed = run({"WELKIN_LOG": "debug"})
    text = "\n".join(lines)
    assert "patients.get GET {tenant}/{instance}/patients/{patientId} -> 200 in " in text
    assert "patients.list GET {tenant}/{instance}/patients -> 200 in " in text
    assert "fetched a token for API client" in text
    for secret in printed.split():
        assert secret not in text  # the id, the name searched for, the secret, the token


def test_info_logs_the_token_fetch_but_no_requests() -> None:
    lines, _ = run({"WELKIN_LOG": "INFO"})
    assert any("fetched a token" in line for line in lines)
    assert not any("-> 200" in line for line in lines)


def test_no_switch_no_lines() -> None:
    lines, _ = run({})
    assert lines == []


def test_an_unknown_level_is_said_once_and_ignored() -> None:
    lines, _ = run({"WELKIN_LOG": "loud"})
    assert lines == ["welkin: WELKIN_LOG='loud' is not one of debug, info: ignored"]


def test_ids_are_shown_only_on_request() -> None:
    lines, printed = run({"WELKIN_LOG": "debug", "WELKIN_LOG_IDS": "1"})
    patient_id = printed.split()[0]
    assert any(patient_id in line for line in lines)


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("t/i/patients/0d2e0c8a-6a1b-4a38-9f7e-3f7b8a1d2c4e", "t/i/patients/{id}"),
        ("t/i/patients/MRN-123/cdts", "t/i/patients/{id}/cdts"),
        ("t/admin/users/ada@example.com", "t/admin/users/{id}"),
        ("t/i/patients", "t/i/patients"),
    ],
)
def test_paths_without_a_template_lose_their_ids(path: str, shown: str) -> None:
    assert redacted_path(None, path) == shown


def test_in_process_records_carry_no_ids(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeWelkin()
    fake.seed(patients=1)
    patient = next(iter(fake.patients.values()))
    with caplog.at_level(logging.DEBUG, logger="welkin"), fake.client() as client:
        client.patients.get(patient["id"])
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("patients.get GET ") for m in messages)
    assert not any(patient["id"] in m for m in messages)


def test_an_application_handler_is_kept_and_only_the_level_is_set() -> None:
    script = textwrap.dedent(
        """
        import logging, sys
        from welkin.testing import FakeWelkin

        seen = []
        handler = logging.Handler()
        handler.emit = lambda record: seen.append(record.getMessage())
        logging.getLogger("welkin").addHandler(handler)
        fake = FakeWelkin()
        fake.seed(patients=1)
        with fake.client() as client:
            client.patients.get(next(iter(fake.patients)))
        assert logging.getLogger("welkin").handlers == [handler]
        print(sum(1 for message in seen if message.startswith("patients.get GET ")))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "WELKIN_LOG": "debug", "WELKIN_LOG_IDS": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "1"
    assert done.stderr == ""  # no handler of the SDK's own wrote anything
