"""``client.patients.calls`` (a patient's voice calls and their recordings), against the fake.
Every path is known only from Welkin's developer guide, and each docstring says so."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from support import api_calls, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import VoiceCall

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
MP3 = b"ID3\x04\x00 a recorded call" * 100

# No source shows a call: the assumed fields, a field Welkin might add and a null.
CALL: dict[str, Any] = {
    "id": "92c6f2c6-61b7-46ad-b1a8-3ca541b88c0f",
    "direction": "OUT",
    "status": "COMPLETED",
    "from": "+15555550100",
    "to": "+15555550123",
    "duration": 312,
    "createdAt": "2024-05-04T19:50:09.808Z",
    "recordingUrl": None,
}


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    return str(fake.add_patient(firstName="Rosa", lastName="Diaz")["id"])


def calls_path(pid: str, suffix: str = "") -> str:
    return f"gh/sb-demo/patients/{pid}/calls{suffix}"


def store_calls(fake: FakeWelkin, pid: str, count: int) -> list[str]:
    """Nothing in the API makes calls: they come from the phone provider."""
    return fake.add_records(
        f"sb-demo/patients/{pid}/calls",
        ({**CALL, "id": str(uuid.uuid4()), "duration": n} for n in range(count)),
    )


# -- documented shape ----------------------------------------------------------------------


def test_a_call_dumps_back_exactly_and_is_typed() -> None:
    call = VoiceCall.model_validate(CALL)

    assert call.to_dict() == CALL
    assert (call.direction, call.from_, call.to, call.duration) == (
        "OUT",
        "+15555550100",
        "+15555550123",
        312,
    )
    assert call.created_at == datetime(2024, 5, 4, 19, 50, 9, 808000, tzinfo=timezone.utc)
    assert call.model_extra == {"recordingUrl": None}


# -- the operations ------------------------------------------------------------------------


def test_list_pages_and_get_reads_one(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    ids = store_calls(fake, pid, 3)
    before = len(api_calls(fake))

    first = client.patients.calls.list(pid, size=2)

    request = last_call(fake)
    assert (request.method, request.path, request.query) == ("GET", calls_path(pid), {"size": "2"})
    assert [str(c.id) for c in first] == ids
    assert [c.query for c in api_calls(fake)[before:]] == [
        {"size": "2"},
        {"size": "2", "page": "1"},
    ]

    call = client.patients.calls.get(pid, ids[2])
    assert last_call(fake).path == calls_path(pid, f"/{ids[2]}")
    assert isinstance(call, VoiceCall) and call.duration == 2


def test_a_recording_downloads_as_bytes_to_a_path_or_to_a_file_object(
    fake: FakeWelkin, client: welkin.Client, pid: str, tmp_path: Path
) -> None:
    (call_id,) = store_calls(fake, pid, 1)
    fake.add_file(f"sb-demo/patients/{pid}/calls/{call_id}/recording", MP3, "audio/mpeg")

    assert client.patients.calls.download_recording(pid, call_id) == MP3
    request = last_call(fake)
    assert (request.method, request.path) == ("GET", calls_path(pid, f"/{call_id}/recording"))

    target = tmp_path / "call.mp3"
    assert client.patients.calls.download_recording_to(pid, call_id, target) == len(MP3)
    assert target.read_bytes() == MP3
    assert target.stat().st_mode & 0o777 == 0o600
    sink = io.BytesIO()
    assert client.patients.calls.download_recording_to(pid, call_id, sink) == len(MP3)
    assert sink.getvalue() == MP3


def test_a_call_without_a_recording_is_not_found(
    fake: FakeWelkin, client: welkin.Client, pid: str, tmp_path: Path
) -> None:
    (call_id,) = store_calls(fake, pid, 1)

    with pytest.raises(welkin.NotFoundError) as caught:
        client.patients.calls.download_recording(pid, call_id)
    assert caught.value.status_code == 404
    with pytest.raises(welkin.NotFoundError):
        client.patients.calls.download_recording_to(pid, call_id, tmp_path / "none.mp3")
    with pytest.raises(welkin.NotFoundError):
        client.patients.calls.get(pid, MISSING)


def test_bad_arguments_are_refused_before_sending(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    client.patients.calls.list(pid)
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^call_id"):
        client.patients.calls.get(pid, "call-1")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^patient_id"):
        client.patients.calls.download_recording("rosa", MISSING)
    with pytest.raises(welkin.InvalidArgumentError, match=r"^page"):
        client.patients.calls.list(pid, page=-1.0)  # type: ignore[arg-type]

    assert len(fake.requests) == sent


def test_every_method_says_its_path_is_unconfirmed(client: welkin.Client) -> None:
    calls = client.patients.calls
    for method in (calls.list, calls.get, calls.download_recording, calls.download_recording_to):
        (line,) = [ln for ln in (method.__doc__ or "").splitlines() if "Unconfirmed path" in ln]
        assert "client.call()" in line


async def test_async_list_get_and_download(fake: FakeWelkin, pid: str, tmp_path: Path) -> None:
    (call_id,) = store_calls(fake, pid, 1)
    fake.add_file(f"sb-demo/patients/{pid}/calls/{call_id}/recording", MP3, "audio/mpeg")

    async with fake.async_client() as client:
        listed = [c.id async for c in client.patients.calls.list(pid)]
        call = await client.patients.calls.get(pid, call_id)
        data = await client.patients.calls.download_recording(pid, call_id)
        written = await client.patients.calls.download_recording_to(
            pid, call_id, tmp_path / "a.mp3"
        )

    assert listed == [call.id] and data == MP3 and written == len(MP3)
