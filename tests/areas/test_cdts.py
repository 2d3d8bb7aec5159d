"""``client.patients.cdts`` (a patient's records of one custom data type, paged under ``data``)
and the old CDT and CDTs classes, against the fake."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any

import pytest
from support import is_utc_aware, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import CdtBulkUpdateResult, CdtRecord

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"

# Shaped like docs/cdt.md "Get cdt record by id": custom fields and snake_case system fields in
# jsonBody, plus a field Welkin might add and a null.
RECORD: dict[str, Any] = {
    "id": "8c0684ac-217e-45f4-8727-5587220dd512",
    "patientId": "ee66e8e8-6ce1-40d3-b6cb-e5727c5347c8",
    "cdtId": "5f0a9d5e-0a53-4bd4-9d42-b4c2de4c4ac5",
    "version": 2,
    "jsonBody": {
        "id": "8c0684ac-217e-45f4-8727-5587220dd512",
        "weight": 71.5,
        "systolic": 121,
        "created_at": "2021-01-28T13:35:36.861Z",
        "created_by": "f5b84d92-7989-45f4-bb5f-d85336c8e4b6",
        "created_by_name": "MY NAME",
        "updated_at": "2021-05-05T14:29:23.368Z",
        "source_type": None,
        "external_id": None,
    },
    "newField": 1,
}
# PAGE-IN-DATA: the CDT's name beside a Spring page under `data`.
PAGE: dict[str, Any] = {
    "name": "vitals",
    "data": {
        "content": [RECORD],
        "pageable": {"pageNumber": 0, "pageSize": 20},
        "last": True,
        "totalPages": 1,
        "totalElements": 1,
        "number": 0,
        "size": 20,
        "numberOfElements": 1,
        "first": True,
        "empty": False,
    },
}


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    fake.seed(designer=True)
    return str(fake.add_patient(firstName="Ada")["id"])


def base(pid: str) -> str:
    return f"gh/sb-demo/patients/{pid}/cdts/vitals"


def test_a_documented_record_dumps_back_exactly_and_is_typed() -> None:
    record = CdtRecord.model_validate(RECORD)

    assert record.model_dump(mode="json", by_alias=True, exclude_unset=True) == RECORD
    assert record.id == uuid.UUID(RECORD["id"]) and record.json_body is not None
    assert is_utc_aware(record.json_body.created_at)
    assert record.json_body.model_extra == {"weight": 71.5, "systolic": 121}


def test_a_documented_page_dumps_back_exactly(fake: FakeWelkin, client: welkin.Client) -> None:
    fake.fail_next(200, body=PAGE, path_contains="/cdts/")
    patient = fake.add_patient(firstName="Bo")

    page = client.patients.cdts.list(patient["id"], "vitals")

    assert page.to_dict() == PAGE
    assert [r.id for r in page.items] == [uuid.UUID(RECORD["id"])]
    assert not page.has_next_page()


def test_create_get_update_delete(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    made = client.patients.cdts.create(pid, "vitals", {"weight": 61.5, "systolic": 118})

    call = last_call(fake)
    assert (call.method, call.path) == ("POST", base(pid))
    assert call.json == {"weight": 61.5, "systolic": 118}  # flat, not wrapped in jsonBody
    assert made.json_body is not None and made.json_body.model_extra["weight"] == 61.5
    assert client.patients.cdts.get(pid, "vitals", made.id).id == made.id

    changed = client.patients.cdts.update(pid, "vitals", made.id, {"systolic": 124})
    assert (last_call(fake).method, last_call(fake).path) == ("PATCH", f"{base(pid)}/{made.id}")
    assert changed.json_body is not None
    assert changed.json_body.model_extra == {"weight": 61.5, "systolic": 124}  # merged

    assert client.patients.cdts.delete(pid, "vitals", made.id) is None
    with pytest.raises(welkin.NotFoundError) as caught:
        client.patients.cdts.get(pid, "vitals", made.id)
    assert caught.value.error_codes == ["NOT_FOUND"]


def test_list_pages_under_data_and_sends_its_filters(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    made = [client.patients.cdts.create(pid, "vitals", {"weight": w}).id for w in range(5)]

    first = client.patients.cdts.list(
        pid,
        "vitals",
        size=2,
        fields=["weight"],
        date_start=datetime(2024, 1, 1, tzinfo=timezone.utc),
        sort="weight,desc",
    )

    assert last_call(fake).query == {
        "size": "2",
        "fields": "weight",
        "dateStart": "2024-01-01T00:00:00.000Z",
        "sort": "weight,desc",
    }
    assert first.to_dict()["name"] == "vitals"
    pages = list(first.iter_pages())
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert [r.id for p in pages for r in p.items] == made


def test_list_sends_filters_and_a_date_range(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    client.patients.cdts.list(
        pid, "vitals", filters="weight=70,80", date_end=date(2030, 2, 1), sort=("weight", "desc")
    )

    assert last_call(fake).query == {
        "filters": "weight=70,80",
        "dateEnd": "2030-02-01T00:00:00.000Z",  # a date alone is midnight UTC
        "sort": "weight,desc",
    }


def test_bulk_update_answers_each_row(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    made = client.patients.cdts.create(pid, "vitals", {"notes": "a"})

    answer = client.patients.cdts.bulk_update(
        pid, "vitals", rows=[{"id": made.id, "jsonBody": {"notes": "b"}}, {"id": MISSING}]
    )

    assert (last_call(fake).method, last_call(fake).path) == ("PATCH", base(pid))
    assert last_call(fake).json == {
        "rows": [{"id": str(made.id), "jsonBody": {"notes": "b"}}, {"id": MISSING}]
    }
    assert isinstance(answer, CdtBulkUpdateResult)
    outcomes = [(str(r.id), r.result.status if r.result else None) for r in answer.rows or []]
    assert outcomes == [(str(made.id), "OK"), (MISSING, "NOT_FOUND")]


def test_bad_input_is_refused_before_any_request(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    before = len(fake.requests)
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        client.patients.cdts.list(pid, "vitals", fields="weight")
    assert caught.value.argument == "fields"
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        client.patients.cdts.bulk_update(pid, "vitals", rows=[{"jsonBody": {}}])
    assert caught.value.argument.startswith("rows")
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        client.patients.cdts.get(pid, "", MISSING)
    assert caught.value.argument == "cdt_name"
    assert len(fake.requests) == before


async def test_async_create_and_walk(fake: FakeWelkin, pid: str) -> None:
    async with fake.async_client() as client:
        made = [await client.patients.cdts.create(pid, "vitals", {"weight": w}) for w in (1, 2)]
        walked = [r.id async for r in client.patients.cdts.list(pid, "vitals", size=1)]

    assert walked == [r.id for r in made]
