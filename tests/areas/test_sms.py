"""``client.patients.sms`` (with attachment downloads) and ``client.unrecognized.sms``, and the
old ``SMS`` and ``SMSes`` classes, against the fake."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import support
from support import api_calls, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import Sms

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
UNRECOGNIZED = "gh/sb-demo/unrecognized-patients/sms"
WHEN = datetime(2024, 5, 4, 19, 50, 9, 808000, tzinfo=timezone.utc)

# Shaped like docs/sms.md "Get sms by id", plus a field Welkin might add (and its nulls).
SMS: dict[str, Any] = {
    "id": "92c6f2c6-61b7-46ad-b1a8-3ca541b88c0f",
    "sendNow": False,
    "scheduledAt": "2024-05-04T19:50:09.808Z",
    "sentAt": "2024-05-04T19:50:11.234Z",
    "receivedAt": None,
    "date": "2024-05-04T19:50:11.234Z",
    "careTeam": "Nick Snow",
    "patientInfo": "Rosa Diaz",
    "timezone": "America/Los_Angeles",
    "sender": "de23c848-65aa-45a1-bf7b-f1d36a6e4ebe",
    "from": "+15625345699",
    "receiver": "830b8744-2c0f-4750-ad6d-5c2c94ada65d",
    "to": "+15625345678",
    "direction": "OUT",
    "externalId": "SM993260f0b8744163ae3a56ce9d158a05",
    "starred": False,
    "senderName": "Nick Snow",
    "receiverName": "Rosa Diaz",
    "message": "Reminder: your visit is tomorrow at 9am.",
    "parts": 1,
    "status": "DELIVERED",
    "newField": 1,
}


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    return str(fake.add_patient(firstName="Rosa", lastName="Diaz")["id"])


def sms_path(pid: str, suffix: str = "") -> str:
    return f"gh/sb-demo/patients/{pid}/sms{suffix}"


def store_unrecognized(fake: FakeWelkin, count: int) -> list[str]:
    return support.store_unrecognized(fake, "sms", SMS, "message", count)


# -- documented shape ----------------------------------------------------------------------


def test_documented_example_dumps_back_exactly_and_is_typed() -> None:
    sms = Sms.model_validate(SMS)

    assert sms.model_dump(mode="json", by_alias=True, exclude_unset=True) == SMS
    assert sms.id == uuid.UUID(SMS["id"])
    assert sms.sender == uuid.UUID("de23c848-65aa-45a1-bf7b-f1d36a6e4ebe")
    assert sms.from_ == "+15625345699" and sms.to == "+15625345678"
    assert sms.scheduled_at == WHEN
    assert sms.received_at is None
    assert sms.model_extra == {"newField": 1}


# -- patient SMS ---------------------------------------------------------------------------


def test_create_sends_camel_case_and_get_reads_it_back(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    created = client.patients.sms.create(
        pid, message="See you tomorrow", receiver=pid, send_now=False, scheduled_at=WHEN
    )

    call = last_call(fake)
    assert (call.method, call.path) == ("POST", sms_path(pid))
    assert call.json == {
        "message": "See you tomorrow",
        "receiver": pid,
        "sendNow": False,
        "scheduledAt": "2024-05-04T19:50:09.808Z",
    }
    assert isinstance(created, Sms)
    again = client.patients.sms.get(pid, created.id)
    assert (last_call(fake).method, last_call(fake).path) == (
        "GET",
        sms_path(pid, f"/{created.id}"),
    )
    assert again == created
    assert again.scheduled_at == WHEN and again.receiver == uuid.UUID(pid)


def test_update_sends_only_the_given_fields(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    sms = client.patients.sms.create(pid, message="Hi", receiver=pid, send_now=True)

    updated = client.patients.sms.update(pid, sms.id, starred=True, scheduled_at=None)

    call = last_call(fake)
    assert (call.method, call.path) == ("PUT", sms_path(pid, f"/{sms.id}"))
    assert call.json == {"starred": True, "scheduledAt": None}
    assert isinstance(updated, Sms) and updated.starred is True and updated.id == sms.id


def test_starring_keeps_the_rest_of_the_sms(client: welkin.Client, pid: str) -> None:
    sms = client.patients.sms.create(pid, message="Hi", receiver=pid, send_now=True)

    starred = client.patients.sms.update(pid, sms.id, starred=True)

    assert (starred.starred, starred.message) == (True, "Hi")


def test_delete_answers_none_and_the_sms_is_gone(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    sms = client.patients.sms.create(pid, message="Later", receiver=pid, send_now=False)

    assert client.patients.sms.delete(pid, sms.id) is None
    assert (last_call(fake).method, last_call(fake).path) == ("DELETE", sms_path(pid, f"/{sms.id}"))
    with pytest.raises(welkin.NotFoundError) as caught:
        client.patients.sms.get(pid, sms.id)
    assert caught.value.status_code == 404 and caught.value.error_codes == ["NOT_FOUND"]


def test_list_sends_every_filter_by_its_wire_name(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    client.patients.sms.list(
        pid,
        sort=("date", "desc"),
        search="visit",
        sender=MISSING,
        receiver=pid,
        direction="OUT",
        starred=True,
        from_="+15625345699",
        to="+15625345678",
        phone="+15625345678",
        sender_name="Nick Snow",
        receiver_name="Rosa Diaz",
        status=["DELIVERED", "FAILED"],
    )

    assert last_call(fake).query == {
        "sort": "date,desc",
        "search": "visit",
        "sender": MISSING,
        "receiver": pid,
        "direction": "OUT",
        "starred": "true",
        "from": "+15625345699",
        "to": "+15625345678",
        "phone": "+15625345678",
        "senderName": "Nick Snow",
        "receiverName": "Rosa Diaz",
        "status": "DELIVERED,FAILED",
    }


def test_list_filters_what_it_returns(client: welkin.Client, pid: str) -> None:
    client.patients.sms.create(pid, message="Visit tomorrow", receiver=pid, send_now=True)
    client.patients.sms.create(pid, message="Lab results", receiver=pid, send_now=True)

    found = client.patients.sms.list(pid, search="tomorrow").items

    assert [s.message for s in found] == ["Visit tomorrow"]


def test_list_pages_through_spring_pages(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    created = [
        client.patients.sms.create(pid, message=f"sms {n}", receiver=pid, send_now=True).id
        for n in range(5)
    ]
    before = len(api_calls(fake))

    first = client.patients.sms.list(pid, size=2)

    assert first.envelope.total_elements == 5 and first.envelope.last is False
    pages = list(first.iter_pages())
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert pages[-1].envelope.last is True and not pages[-1].has_next_page()
    assert [c.query for c in api_calls(fake)[before:]] == [
        {"size": "2"},
        {"size": "2", "page": "1"},
        {"size": "2", "page": "2"},
    ]
    assert [s.id for p in pages for s in p.items] == created


def test_bad_arguments_are_refused_before_sending(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    client.patients.sms.list(pid)
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^receiver"):
        client.patients.sms.create(pid, message="x", receiver="bob", send_now=True)
    with pytest.raises(welkin.InvalidArgumentError, match=r"^direction"):
        client.patients.sms.list(pid, direction="SIDEWAYS")  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^sms_id"):
        client.patients.sms.get(pid, "42")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^scheduled_at"):
        client.patients.sms.update(pid, MISSING, scheduled_at="soon")  # type: ignore[arg-type]

    assert len(fake.requests) == sent


def test_a_missing_patient_or_sms_is_not_found(client: welkin.Client, pid: str) -> None:
    with pytest.raises(welkin.NotFoundError, match="No patient"):
        client.patients.sms.list(MISSING)
    with pytest.raises(welkin.NotFoundError):
        client.patients.sms.update(pid, MISSING, starred=True)
    with pytest.raises(welkin.NotFoundError):
        client.patients.sms.delete(pid, MISSING)


# -- unrecognised SMS ----------------------------------------------------------------------


def test_unrecognized_list_get_assign_and_delete(fake: FakeWelkin, client: welkin.Client) -> None:
    ids = store_unrecognized(fake, 3)
    patient = str(fake.add_patient(firstName="Lee", lastName="Kim")["id"])

    page = client.unrecognized.sms.list(size=2, status=["UNRECOGNISED"])
    assert (last_call(fake).path, last_call(fake).query) == (
        UNRECOGNIZED,
        {"size": "2", "status": "UNRECOGNISED"},
    )
    assert [str(s.id) for s in page] == ids

    one = client.unrecognized.sms.get(ids[0])
    assert last_call(fake).path == f"{UNRECOGNIZED}/{ids[0]}"
    assert (one.direction, one.status, one.message) == ("IN", "UNRECOGNISED", "sms 0")

    assigned = client.unrecognized.sms.update(ids[1], sender=patient)
    assert (last_call(fake).method, last_call(fake).json) == ("PUT", {"sender": patient})
    assert assigned.sender == uuid.UUID(patient)

    assert client.unrecognized.sms.delete(ids[2]) is None
    assert (last_call(fake).method, last_call(fake).path) == ("DELETE", f"{UNRECOGNIZED}/{ids[2]}")
    assert len(client.unrecognized.sms.list().items) == 2


def test_assigning_a_missing_unrecognized_sms_is_not_found(client: welkin.Client) -> None:
    with pytest.raises(welkin.NotFoundError):
        client.unrecognized.sms.update(MISSING, starred=True)


async def test_async_create_list_and_delete(fake: FakeWelkin, pid: str) -> None:
    async with fake.async_client() as client:
        sms = await client.patients.sms.create(pid, message="async", receiver=pid, send_now=True)
        listed = [s.id async for s in client.patients.sms.list(pid, size=1)]
        await client.patients.sms.delete(pid, sms.id)
        after = await client.patients.sms.list(pid)

    assert listed == [sms.id]
    assert after.items == []


# -- the old package's classes -------------------------------------------------------------


def test_old_sms_get_of_a_missing_sms(client: welkin.Client, pid: str) -> None:
    with pytest.raises(welkin.NotFoundError):
        client.Patient(id=pid).SMS(id=MISSING).get()


# -- attachments (NEWER.md: DIG, unconfirmed path) -----------------------------------------

JPEG = b"\xff\xd8\xff\xe0 an MMS photo"


def test_an_attachment_downloads_as_bytes_and_to_a_file(
    fake: FakeWelkin, client: welkin.Client, pid: str, tmp_path: Path
) -> None:
    sms = client.patients.sms.create(pid, message="photo", receiver=pid, send_now=True)
    fake.add_file(f"sb-demo/patients/{pid}/sms/{sms.id}/attachment", JPEG, "image/jpeg")

    assert client.patients.sms.download_attachment(pid, sms.id) == JPEG
    call = last_call(fake)
    assert (call.method, call.path, call.query) == (
        "GET",
        sms_path(pid, f"/{sms.id}/attachment"),
        {},
    )

    target = tmp_path / "photo.jpg"
    assert client.patients.sms.download_attachment_to(pid, sms.id, target) == len(JPEG)
    assert target.read_bytes() == JPEG


def test_an_attachment_download_is_refused_or_not_found(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    with pytest.raises(welkin.NotFoundError):
        client.patients.sms.download_attachment(pid, MISSING)
    with pytest.raises(welkin.NotFoundError, match="No patient"):
        client.patients.sms.download_attachment(MISSING, MISSING)
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^sms_id"):
        client.patients.sms.download_attachment(pid, "sms-1")

    assert len(fake.requests) == sent


def test_the_attachment_download_says_its_path_is_unconfirmed(client: welkin.Client) -> None:
    sms = client.patients.sms
    for method in (sms.download_attachment, sms.download_attachment_to):
        (line,) = [ln for ln in (method.__doc__ or "").splitlines() if "Unconfirmed path" in ln]
        assert "client.call()" in line
    assert "Unconfirmed" not in (sms.get.__doc__ or "")


async def test_async_attachment_download(fake: FakeWelkin, pid: str, tmp_path: Path) -> None:
    fake.add_file(f"sb-demo/patients/{pid}/sms/{MISSING}/attachment", JPEG, "image/jpeg")

    async with fake.async_client() as client:
        data = await client.patients.sms.download_attachment(pid, MISSING)
        written = await client.patients.sms.download_attachment_to(pid, MISSING, tmp_path / "a.jpg")

    assert data == JPEG and written == len(JPEG)
