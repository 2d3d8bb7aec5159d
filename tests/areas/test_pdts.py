"""``client.patients.pdts`` (a patient's profile records: custom fields like a CDT record's)
and ``client.pdts.patients`` (the patients with a record of a profile type), against the fake.
Every path is known only from Welkin's developer guide, and each docstring says so."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import pytest
from support import api_calls, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import Patient, PdtRecord

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
PDT = "insurance"

# No source shows a profile record: the CDT-record shape, with custom fields (a hyphenated one
# and a null) beside the system fields, and a field Welkin might add at the top.
RECORD: dict[str, Any] = {
    "id": "5a921187-19c7-4df4-8f4f-f31e78de5857",
    "patientId": "ee66e8e8-6ce1-40d3-b6cb-e5727c5347c8",
    "version": 2,
    "jsonBody": {
        "id": "5a921187-19c7-4df4-8f4f-f31e78de5857",
        "created_at": "2024-03-01T08:00:00.000Z",
        "created_by": "03f51404-a300-4857-b10c-0d6a1a1b88ae",
        "created_by_name": "Nick Snow",
        "updated_at": "2024-03-02T08:00:00.000Z",
        "updated_by": None,
        "updated_by_name": None,
        "carrier": "Acme Health",
        "member-id": "A-123",
        "group": None,
    },
    "pdtId": "fba56b12-d39b-47d8-9b03-bf4812a481ad",
}


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    return str(fake.add_patient(firstName="Rosa", lastName="Diaz")["id"])


def pdt_path(pid: str, suffix: str = "") -> str:
    return f"gh/sb-demo/patients/{pid}/pdts/{PDT}{suffix}"


# -- documented shape ----------------------------------------------------------------------


def test_a_record_dumps_back_exactly_with_custom_fields_as_extras() -> None:
    record = PdtRecord.model_validate(RECORD)

    assert record.to_dict() == RECORD
    assert record.id == uuid.UUID(RECORD["id"]) and record.version == 2
    body = record.json_body
    assert body is not None
    assert body.created_at == datetime(2024, 3, 1, 8, tzinfo=timezone.utc)
    assert body.model_extra == {"carrier": "Acme Health", "member-id": "A-123", "group": None}
    assert record.model_extra == {"pdtId": RECORD["pdtId"]}


# -- records -------------------------------------------------------------------------------


def test_create_get_and_update(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    created = client.patients.pdts.create(pid, PDT, {"carrier": "Acme Health", "member-id": "A-1"})

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("POST", pdt_path(pid), {})
    assert call.json == {"carrier": "Acme Health", "member-id": "A-1"}  # flat, not in jsonBody
    assert isinstance(created, PdtRecord) and created.patient_id == uuid.UUID(pid)
    assert created.json_body is not None
    assert created.json_body.model_extra == {"carrier": "Acme Health", "member-id": "A-1"}

    read = client.patients.pdts.get(pid, PDT, created.id)
    assert (last_call(fake).method, last_call(fake).path) == (
        "GET",
        pdt_path(pid, f"/{created.id}"),
    )
    assert read == created

    updated = client.patients.pdts.update(pid, PDT, created.id, {"carrier": "Other"})
    call = last_call(fake)
    assert (call.method, call.path, call.json) == (
        "PATCH",
        pdt_path(pid, f"/{created.id}"),
        {"carrier": "Other"},
    )
    assert updated.json_body is not None
    assert updated.json_body.model_extra == {"carrier": "Other", "member-id": "A-1"}
    assert updated.json_body.created_at == created.json_body.created_at


def test_list_pages_under_data(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    ids = [client.patients.pdts.create(pid, PDT, {"n": n}).id for n in range(3)]
    client.patients.pdts.create(pid, "household", {"size": 4})  # another profile type
    before = len(api_calls(fake))

    first = client.patients.pdts.list(pid, PDT, size=2)

    assert (last_call(fake).path, last_call(fake).query) == (pdt_path(pid), {"size": "2"})
    assert first.to_dict()["name"] == PDT and first.to_dict()["data"]["last"] is False
    assert [r.id for r in first] == ids
    assert [c.query for c in api_calls(fake)[before:]] == [
        {"size": "2"},
        {"size": "2", "page": "1"},
    ]


def test_the_patients_with_a_record_of_a_profile_type(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    other = str(fake.add_patient(firstName="Ivy")["id"])
    fake.add_patient(firstName="Nobody")
    client.patients.pdts.create(pid, PDT, {"carrier": "A"})
    client.patients.pdts.create(other, PDT, {"carrier": "B"})
    client.patients.pdts.create(other, "household", {"size": 2})

    first = client.pdts.patients.list(PDT, size=1)

    call = last_call(fake)
    assert (call.method, call.path, call.query) == (
        "GET",
        f"gh/sb-demo/pdts/{PDT}/patients",
        {"size": "1"},
    )
    holders = list(first)
    assert all(isinstance(p, Patient) for p in holders)
    assert [str(p.id) for p in holders] == [pid, other]
    assert client.pdts.patients.list("household").items[0].first_name == "Ivy"
    assert client.pdts.patients.list("unknown").items == []


def test_bad_arguments_are_refused_before_sending(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    client.patients.pdts.list(pid, PDT)
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^pdt_name"):
        client.patients.pdts.create(pid, "", {"carrier": "A"})
    with pytest.raises(welkin.InvalidArgumentError, match=r"^record_id"):
        client.patients.pdts.get(pid, PDT, "record-1")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^fields"):
        client.patients.pdts.update(pid, PDT, MISSING, ["carrier"])  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^pdt_name"):
        client.pdts.patients.list("..")

    assert len(fake.requests) == sent


def test_missing_patients_and_records_are_not_found(client: welkin.Client, pid: str) -> None:
    with pytest.raises(welkin.NotFoundError, match="No patient"):
        client.patients.pdts.create(MISSING, PDT, {})
    with pytest.raises(welkin.NotFoundError):
        client.patients.pdts.get(pid, PDT, MISSING)


def test_every_method_says_its_path_is_unconfirmed(client: welkin.Client) -> None:
    pdts = client.patients.pdts
    for method in (pdts.list, pdts.create, pdts.get, pdts.update, client.pdts.patients.list):
        (line,) = [ln for ln in (method.__doc__ or "").splitlines() if "Unconfirmed path" in ln]
        assert "client.call()" in line


async def test_async_create_list_and_holders(fake: FakeWelkin, pid: str) -> None:
    async with fake.async_client() as client:
        created = await client.patients.pdts.create(pid, PDT, {"carrier": "Async"})
        records = [r.id async for r in client.patients.pdts.list(pid, PDT)]
        holders = await client.pdts.patients.list(PDT)
        read = await client.patients.pdts.get(pid, PDT, created.id)

    assert records == [created.id] and read == created
    assert [str(p.id) for p in holders.items] == [pid]
