"""``client.exports`` (the bulk exports of CDT records, patients, patient programs, profile
records, and ``records(name)`` for any other export name, all paged by cursor) and the old
``CDTRecordsExport`` class, against the fake."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from support import api_calls, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import CdtRecordExport, ExportRecord, Patient, PatientProgram, PdtRecord

EXPORT = "gh/sb-demo/export/CDT_RECORD"

# The export's items are not documented (ENDPOINTS.md section 19): shaped like a CDT record,
# with a field Welkin might add and a null.
ITEM: dict[str, Any] = {
    "id": "5a921187-19c7-4df4-8f4f-f31e78de5857",
    "patientId": "ee66e8e8-6ce1-40d3-b6cb-e5727c5347c8",
    "cdtName": "vitals",
    "version": 3,
    "jsonBody": {"weight": 70.5, "created_at": "2023-04-30T16:59:05.691Z", "note": None},
    "newField": 1,
}


@pytest.fixture
def patients(fake: FakeWelkin) -> list[str]:
    return [
        str(fake.add_patient(firstName=name, lastName="Moreno")["id"])
        for name in ("Ana", "Luis", "Sol")
    ]


def record_vitals(client: welkin.Client, patients: list[str], per_patient: int) -> list[str]:
    """CDT records of each patient (what the export reads); their ids in creation order."""
    return [
        str(client.patients.cdts.create(pid, "vitals", {"weight": 60 + n}).id)
        for pid in patients
        for n in range(per_patient)
    ]


# -- documented shape ----------------------------------------------------------------------


def test_an_item_keeps_every_field_welkin_sends() -> None:
    item = CdtRecordExport.model_validate(ITEM)

    assert item.model_dump(mode="json", by_alias=True, exclude_unset=True) == ITEM
    assert (item.id, item.patient_id) == (ITEM["id"], ITEM["patientId"])
    assert item.model_extra is not None
    assert item.model_extra["cdtName"] == "vitals"
    assert item.model_extra["jsonBody"]["note"] is None


def test_a_cursor_page_dumps_back_exactly(fake: FakeWelkin, client: welkin.Client) -> None:
    body = {"data": [ITEM], "cursor": {"start": "0", "end": "1", "hasNext": False}}
    fake.fail_next(200, body=body, path_contains="/export/")

    page = client.exports.cdt_records.list(page_size=1)

    assert json.dumps(page.to_dict(), sort_keys=True) == json.dumps(body, sort_keys=True)
    assert [i.id for i in page.items] == [ITEM["id"]]
    assert not page.has_next_page()


def test_items_under_content_are_read_too(fake: FakeWelkin, client: welkin.Client) -> None:
    body = {"content": [ITEM, ITEM], "cursor": {"start": "0", "end": "2"}}
    fake.fail_next(200, body=body, path_contains="/export/")

    page = client.exports.cdt_records.list()

    assert len(page.items) == 2
    assert page.next_page_query is None  # no hasNext: the last page


# -- the export ----------------------------------------------------------------------------


def test_export_pages_by_cursor(
    fake: FakeWelkin, client: welkin.Client, patients: list[str]
) -> None:
    ids = record_vitals(client, patients, 2)
    before = len(api_calls(fake))

    first = client.exports.cdt_records.list(page_size=4)

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("GET", EXPORT, {"pageSize": "4"})
    assert first.envelope.cursor is not None and first.envelope.cursor.has_next is True
    assert first.next_page_query == {"pageSize": "4", "start": "4"}
    pages = list(first.iter_pages())
    assert [len(p.items) for p in pages] == [4, 2]
    assert pages[-1].envelope.cursor.has_next is False  # type: ignore[union-attr]
    assert [c.query for c in api_calls(fake)[before:]] == [
        {"pageSize": "4"},
        {"pageSize": "4", "start": "4"},
    ]
    exported = [item for item in first]
    assert sorted(str(i.id) for i in exported) == sorted(ids)
    assert {str(i.patient_id) for i in exported} == set(patients)
    assert all(isinstance(i, CdtRecordExport) for i in exported)


def test_export_resumes_from_a_cursor(client: welkin.Client, patients: list[str]) -> None:
    ids = record_vitals(client, patients, 1)

    rest = client.exports.cdt_records.list(page_size=10, start="1")

    assert [str(i.id) for i in rest.items] == ids[1:]


def test_filters_not_in_the_spec_pass_through(fake: FakeWelkin, client: welkin.Client) -> None:
    client.exports.cdt_records.list(page_size=50, extra_query={"cdtName": "vitals"})

    assert last_call(fake).query == {"pageSize": "50", "cdtName": "vitals"}


def test_an_empty_export_is_one_last_page(client: welkin.Client) -> None:
    page = client.exports.cdt_records.list()

    assert page.items == []
    assert not page.has_next_page()


def test_bad_arguments_are_refused_before_sending(fake: FakeWelkin, client: welkin.Client) -> None:
    client.exports.cdt_records.list()
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^page_size"):
        client.exports.cdt_records.list(page_size="all")  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^start"):
        client.exports.cdt_records.list(start=4)  # type: ignore[arg-type]

    assert len(fake.requests) == sent


def test_a_bad_cursor_is_a_bad_request(client: welkin.Client) -> None:
    with pytest.raises(welkin.BadRequestError) as caught:
        client.exports.cdt_records.list(start="yesterday")

    assert caught.value.status_code == 400
    assert caught.value.error_codes == ["BAD_REQUEST"]


async def test_async_export_walks_every_page(fake: FakeWelkin, patients: list[str]) -> None:
    with fake.client() as client:
        ids = record_vitals(client, patients, 2)

    async with fake.async_client() as client:
        first = await client.exports.cdt_records.list(page_size=5)
        seen = [str(i.id) async for i in client.exports.cdt_records.list(page_size=5)]

    assert len(first.items) == 5 and first.has_next_page()
    assert sorted(seen) == sorted(ids)


# -- the newer exports (NEWER.md: PATIENT, PATIENT_PROGRAM, PDT_RECORD from RN; any other
# name from KB) ---------------------------------------------------------------------------

ROOT = "gh/sb-demo/export"
# KB names an automation-audit export without its export name or item shape: an invented
# name and an item with a null and a nested object, as received.
AUDIT_ITEM: dict[str, Any] = {
    "id": "bd20fc04-2b88-45ad-a52e-76d0d0a649ab",
    "status": "FAILED",
    "automation": {"name": "welcome", "step": 2},
    "patientId": None,
}


def test_an_export_record_keeps_everything_as_received() -> None:
    record = ExportRecord.model_validate(AUDIT_ITEM)

    assert record.to_dict() == AUDIT_ITEM
    assert record.model_extra == AUDIT_ITEM


def test_a_patient_export_page_dumps_back_exactly(fake: FakeWelkin, client: welkin.Client) -> None:
    patient = {"id": ITEM["patientId"], "firstName": "Ana", "birthDate": None, "newField": 1}
    body = {"data": [patient], "cursor": {"start": "0", "end": "1", "hasNext": False}}
    fake.fail_next(200, body=body, path_contains="/export/PATIENT")

    page = client.exports.patients.list(page_size=1)

    assert json.dumps(page.to_dict(), sort_keys=True) == json.dumps(body, sort_keys=True)
    (item,) = page.items
    assert isinstance(item, Patient) and item.first_name == "Ana"


def test_the_patient_export_pages_every_patient_by_cursor(
    fake: FakeWelkin, client: welkin.Client, patients: list[str]
) -> None:
    before = len(api_calls(fake))

    first = client.exports.patients.list(page_size=2)

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("GET", f"{ROOT}/PATIENT", {"pageSize": "2"})
    assert first.next_page_query == {"pageSize": "2", "start": "2"}
    assert sorted(str(p.id) for p in first) == sorted(patients)
    assert [c.query for c in api_calls(fake)[before:]] == [
        {"pageSize": "2"},
        {"pageSize": "2", "start": "2"},
    ]


def test_the_patient_program_export(
    fake: FakeWelkin, client: welkin.Client, patients: list[str]
) -> None:
    fake.seed(designer=True)
    for pid in patients[:2]:
        client.patients.programs.update(pid, "onboarding", assigned=True)

    page = client.exports.patient_programs.list(page_size=10)

    assert (last_call(fake).path, last_call(fake).query) == (
        f"{ROOT}/PATIENT_PROGRAM",
        {"pageSize": "10"},
    )
    assert all(isinstance(p, PatientProgram) for p in page.items)
    assert sorted(str(p.patient_id) for p in page.items) == sorted(patients[:2])
    assert {p.program_name for p in page.items} == {"onboarding"}
    assert not page.has_next_page()


def test_the_pdt_record_export(
    fake: FakeWelkin, client: welkin.Client, patients: list[str]
) -> None:
    made = [
        client.patients.pdts.create(pid, "insurance", {"carrier": f"C{n}"}).id
        for n, pid in enumerate(patients)
    ]
    record_vitals(client, patients, 1)  # CDT records are not profile records

    first = client.exports.pdt_records.list(page_size=2)
    exported = list(first)

    assert (last_call(fake).path, last_call(fake).query["pageSize"]) == (f"{ROOT}/PDT_RECORD", "2")
    assert first.has_next_page()
    assert all(isinstance(r, PdtRecord) for r in exported)
    assert sorted(r.id for r in exported) == sorted(made)
    assert sorted(r.json_body.model_extra["carrier"] for r in exported) == ["C0", "C1", "C2"]  # type: ignore[union-attr,index]


def test_any_other_export_by_name_on_the_same_paging(
    fake: FakeWelkin, client: welkin.Client
) -> None:
    ids = fake.add_records(
        "sb-demo/export/AUTOMATION_AUDIT",
        (
            {**AUDIT_ITEM, "id": str(uuid.uuid4()), "status": s}
            for s in ("FAILED", "SENT", "FAILED")
        ),
    )

    first = client.exports.records(
        "AUTOMATION_AUDIT", page_size=2, extra_query={"status": "FAILED"}
    )

    call = last_call(fake)
    assert (call.method, call.path) == ("GET", f"{ROOT}/AUTOMATION_AUDIT")
    assert call.query == {"pageSize": "2", "status": "FAILED"}
    items = list(first)
    assert all(isinstance(i, ExportRecord) for i in items)
    assert [i.model_extra["id"] for i in items] == [ids[0], ids[2]]  # type: ignore[index]
    assert client.exports.records("WHATSAPP").items == []  # an export with nothing in it


def test_a_named_export_reaches_the_same_data_as_its_own_method(
    client: welkin.Client, patients: list[str]
) -> None:
    record_vitals(client, patients, 1)

    by_name = client.exports.records("CDT_RECORD", page_size=10)
    own = client.exports.cdt_records.list(page_size=10)

    assert by_name.to_dict() == own.to_dict()


def test_newer_export_arguments_are_refused_before_sending(
    fake: FakeWelkin, client: welkin.Client
) -> None:
    client.exports.patients.list()
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^resource_name"):
        client.exports.records("")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^resource_name"):
        client.exports.records("..")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^page_size"):
        client.exports.pdt_records.list(page_size=2.5)  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^start"):
        client.exports.patient_programs.list(start=3)  # type: ignore[arg-type]

    assert len(fake.requests) == sent


def test_the_exports_paths_are_confirmed(client: welkin.Client) -> None:
    """RN names the three exports and KB the path of the others: no path here is DIG's."""
    exports = client.exports
    for method in (
        exports.patients.list,
        exports.patient_programs.list,
        exports.pdt_records.list,
        exports.records,
    ):
        assert "Unconfirmed" not in (method.__doc__ or "")


async def test_async_newer_exports(fake: FakeWelkin, patients: list[str]) -> None:
    fake.add_records("sb-demo/export/TASK", [AUDIT_ITEM])

    async with fake.async_client() as client:
        first = await client.exports.patients.list(page_size=2)
        seen = [str(p.id) async for p in client.exports.patients.list(page_size=2)]
        tasks = await client.exports.records("TASK")

    assert len(first.items) == 2 and first.has_next_page()
    assert sorted(seen) == sorted(patients)
    assert [t.to_dict() for t in tasks.items] == [AUDIT_ITEM]
