"""``client.exports.cdt_records`` (the bulk CDT-record export, paged by cursor) and the old
``CDTRecordsExport`` class, against the fake."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import api_calls, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import CdtRecordExport

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

    assert json.dumps(page.to_json(), sort_keys=True) == json.dumps(body, sort_keys=True)
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
