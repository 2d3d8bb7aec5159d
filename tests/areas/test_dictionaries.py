"""``client.dictionaries.records`` (dictionary values) and ``client.formations.dictionaries``
(their designer definitions), against the fake."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from support import api_calls, is_utc_aware, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import Dictionary, DictionaryRecord, DictionaryRecords, DictionaryRecordWrite

CPT = "gh/sb-demo/dictionaries/cpt"
DEFINITIONS = "gh/sb-demo/formations"

# Shaped like docs/dictionaries.md "Get dictionary record by name and id", plus a field Welkin
# might add and a null.
RECORD: dict[str, Any] = {
    "id": "2c9d4e7f-1a3b-4c5d-8e9f-0a1b2c3d4e5f",
    "createdAt": "2022-03-14T15:09:26.535Z",
    "updatedAt": "2022-03-15T08:00:00.001Z",
    "fullValue": "99213",
    "deleted": False,
    "values": {"value": "99213", "description": None},
    "newField": 1,
}
# "Get all dictionary records by name".
RECORDS: dict[str, Any] = {
    "dictionaryName": "cpt",
    "lastUpdatedAt": "2022-03-15T08:00:00.001Z",
    "records": [
        RECORD,
        {
            "id": "7d1e2f3a-4b5c-4d6e-9f70-8a9b0c1d2e3f",
            "createdAt": "2022-03-14T15:09:27.000Z",
            "updatedAt": "2022-03-14T15:09:27.000Z",
            "fullValue": "99214",
            "deleted": True,
            "values": {"value": "99214"},
        },
    ],
    "newField": None,
}
# "Get dictionary formation by name".
DEFINITION: dict[str, Any] = {
    "name": "icd-10",
    "title": "ICD-10",
    "internal": False,
    "fields": [{"name": "value", "type": "text"}, {"name": "short-label", "type": None}],
    "newField": 1,
}


def sent(fake: FakeWelkin) -> tuple[str, str, dict[str, str], Any]:
    call = last_call(fake)
    return call.method, call.path, call.query, call.json


# -- fixtures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "fixture"),
    [(DictionaryRecord, RECORD), (DictionaryRecords, RECORDS), (Dictionary, DEFINITION)],
)
def test_documented_examples_dump_back_exactly(model: type[Any], fixture: dict[str, Any]) -> None:
    assert model.model_validate(fixture).to_dict() == fixture


def test_records_are_typed() -> None:
    records = DictionaryRecords.model_validate(RECORDS)

    assert records.last_updated_at == datetime(2022, 3, 15, 8, 0, 0, 1000, tzinfo=timezone.utc)
    first, second = records.records or []
    assert first.id == uuid.UUID(RECORD["id"])
    assert is_utc_aware(first.created_at) and first.full_value == "99213"
    assert first.values == {"value": "99213", "description": None}
    assert first.model_extra == {"newField": 1}
    assert second.deleted is True
    definition = Dictionary.model_validate(DEFINITION)
    assert [(f.name, f.type) for f in definition.fields or []] == [
        ("value", "text"),
        ("short-label", None),
    ]


# -- records ------------------------------------------------------------------------------


def test_append_sends_the_records_and_returns_only_the_new_ones(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    client.dictionaries.records.append("cpt", records=[{"values": {"value": "1111"}}])

    added = client.dictionaries.records.append(
        "cpt",
        records=[DictionaryRecordWrite(values={"value": "4444"}), {"values": {"value": "5555"}}],
    )

    assert sent(fake) == (
        "POST",
        CPT,
        {},
        {"records": [{"values": {"value": "4444"}}, {"values": {"value": "5555"}}]},
    )
    assert isinstance(added, DictionaryRecords)
    assert added.dictionary_name == "cpt" and is_utc_aware(added.last_updated_at)
    assert [(r.full_value, r.deleted) for r in added.records or []] == [
        ("4444", False),
        ("5555", False),
    ]
    assert all(isinstance(r.id, uuid.UUID) for r in added.records or [])
    listed = client.dictionaries.records.list("cpt")
    assert sent(fake) == ("GET", CPT, {}, None)
    assert [r.full_value for r in listed.records or []] == ["1111", "4444", "5555"]


def test_list_sends_the_update_window_and_show_deleted(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    moscow = timezone(timedelta(hours=3))
    records = client.dictionaries.records.list(
        "icd-10",
        date_start=datetime(2021, 5, 1, 3, 0, tzinfo=moscow),
        date_end=date(2021, 6, 1),
        show_deleted=False,
    )

    assert sent(fake) == (
        "GET",
        "gh/sb-demo/dictionaries/icd-10",
        {
            "dateStart": "2021-05-01T00:00:00.000Z",
            "dateEnd": "2021-06-01T00:00:00.000Z",
            "showDeleted": "false",
        },
        None,
    )
    # Not paged: one object with the records inside.
    assert isinstance(records, DictionaryRecords)
    assert (records.dictionary_name, records.records) == ("icd-10", [])


def test_replace_all_drops_the_old_records(client: welkin.Client, fake: FakeWelkin) -> None:
    old = client.dictionaries.records.append("cpt", records=[{"values": {"value": "1111"}}])

    new = client.dictionaries.records.replace_all(
        "cpt", records=[{"values": {"value": "6666"}}, {"values": {"value": "7777"}}]
    )

    assert sent(fake) == (
        "PUT",
        CPT,
        {},
        {"records": [{"values": {"value": "6666"}}, {"values": {"value": "7777"}}]},
    )
    assert [r.full_value for r in new.records or []] == ["6666", "7777"]
    listed = client.dictionaries.records.list("cpt", show_deleted=True)
    assert [r.id for r in listed.records or []] == [r.id for r in new.records or []]
    with pytest.raises(welkin.NotFoundError):
        client.dictionaries.records.get("cpt", (old.records or [])[0].id)


def test_get_reads_one_record_by_id(client: welkin.Client, fake: FakeWelkin) -> None:
    (stored,) = (
        client.dictionaries.records.append("cpt", records=[{"values": {"value": "1111"}}]).records
        or []
    )

    record = client.dictionaries.records.get("cpt", str(stored.id))

    assert sent(fake) == ("GET", f"{CPT}/{stored.id}", {}, None)
    assert isinstance(record, DictionaryRecord)
    assert record.model_dump() == stored.model_dump()


def test_replace_sends_the_new_values(client: welkin.Client, fake: FakeWelkin) -> None:
    (stored,) = (
        client.dictionaries.records.append("cpt", records=[{"values": {"value": "4444"}}]).records
        or []
    )

    changed = client.dictionaries.records.replace("cpt", stored.id, values={"value": "4445"})

    assert sent(fake) == ("PUT", f"{CPT}/{stored.id}", {}, {"values": {"value": "4445"}})
    assert (changed.id, changed.values) == (stored.id, {"value": "4445"})
    assert changed.created_at == stored.created_at


def test_replace_updates_the_full_value(client: welkin.Client) -> None:
    (stored,) = (
        client.dictionaries.records.append("cpt", records=[{"values": {"value": "4444"}}]).records
        or []
    )

    changed = client.dictionaries.records.replace("cpt", stored.id, values={"value": "4445"})

    assert (changed.full_value, changed.deleted) == ("4445", False)


def test_delete_sends_a_delete_and_returns_the_record(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    (stored,) = (
        client.dictionaries.records.append("cpt", records=[{"values": {"value": "4444"}}]).records
        or []
    )

    deleted = client.dictionaries.records.delete("cpt", stored.id)

    assert sent(fake) == ("DELETE", f"{CPT}/{stored.id}", {}, None)
    assert isinstance(deleted, DictionaryRecord) and deleted.id == stored.id
    assert client.dictionaries.records.list("cpt").records == []


def test_delete_is_a_soft_delete(client: welkin.Client) -> None:
    (stored,) = (
        client.dictionaries.records.append("cpt", records=[{"values": {"value": "4444"}}]).records
        or []
    )

    assert client.dictionaries.records.delete("cpt", stored.id).deleted is True
    listed = client.dictionaries.records.list("cpt", show_deleted=True)
    assert [(r.id, r.deleted) for r in listed.records or []] == [(stored.id, True)]


# -- definitions (designer) -----------------------------------------------------------------


def test_definition_create_list_get_replace_delete(client: welkin.Client, fake: FakeWelkin) -> None:
    created = client.formations.dictionaries.create(
        name="alphabet",
        title="Alphabet",
        fields=[
            {"name": "lowercase-character", "type": "text"},
            welkin.types.DictionaryField(name="uppercase-character", type="text"),
        ],
    )

    assert sent(fake) == (
        "POST",
        f"{DEFINITIONS}/draft/dictionaries",
        {},
        {
            "name": "alphabet",
            "title": "Alphabet",
            "fields": [
                {"name": "lowercase-character", "type": "text"},
                {"name": "uppercase-character", "type": "text"},
            ],
        },
    )
    assert isinstance(created, Dictionary) and created.name == "alphabet"
    assert [f.name for f in created.fields or []] == ["lowercase-character", "uppercase-character"]

    listed = client.formations.dictionaries.list()
    assert sent(fake) == ("GET", f"{DEFINITIONS}/current/dictionaries", {}, None)
    assert isinstance(listed, list) and [d.name for d in listed] == ["alphabet"]  # LIST: bare array
    got = client.formations.dictionaries.get("alphabet", version="draft")
    assert sent(fake) == ("GET", f"{DEFINITIONS}/draft/dictionaries/alphabet", {}, None)
    assert got.model_dump() == created.model_dump()

    replaced = client.formations.dictionaries.replace(
        "alphabet",
        name="alphabet",
        title="Alphabet",
        fields=[{"name": "character", "type": "text"}],
    )
    assert sent(fake) == (
        "PUT",
        f"{DEFINITIONS}/draft/dictionaries/alphabet",
        {},
        {
            "name": "alphabet",
            "title": "Alphabet",
            "fields": [{"name": "character", "type": "text"}],
        },
    )
    assert [f.name for f in replaced.fields or []] == ["character"]

    assert client.formations.dictionaries.delete("alphabet") is None
    assert sent(fake) == ("DELETE", f"{DEFINITIONS}/draft/dictionaries/alphabet", {}, None)
    assert client.formations.dictionaries.list(version="draft") == []


def test_definitions_read_any_version(client: welkin.Client, fake: FakeWelkin) -> None:
    assert client.formations.dictionaries.list(version=7) == []
    assert last_call(fake).path == f"{DEFINITIONS}/7/dictionaries"
    with pytest.raises(welkin.NotFoundError):
        client.formations.dictionaries.get("timezone", version=7)
    assert last_call(fake).path == f"{DEFINITIONS}/7/dictionaries/timezone"


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.dictionaries.records.get("cpt", uuid.uuid4()),
        lambda c: c.dictionaries.records.replace("cpt", uuid.uuid4(), values={"value": "1"}),
        lambda c: c.dictionaries.records.delete("cpt", uuid.uuid4()),
        lambda c: c.formations.dictionaries.get("alphabet"),
        lambda c: c.formations.dictionaries.delete("alphabet"),
    ],
)
def test_a_missing_record_or_definition_answers_not_found(client: welkin.Client, call: Any) -> None:
    with pytest.raises(welkin.NotFoundError) as caught:
        call(client)

    assert caught.value.status_code == 404
    assert caught.value.error_codes == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: c.dictionaries.records.get("cpt", "001806e2"), "dictionary_record_id"),
        (lambda c: c.dictionaries.records.list("", show_deleted=True), "dictionary_name"),
        (lambda c: c.dictionaries.records.list("cpt", date_start="2021-05-01"), "date_start"),
        (lambda c: c.dictionaries.records.list("cpt", show_deleted="yes"), "show_deleted"),
        (
            lambda c: c.dictionaries.records.append("cpt", records=[{"values": 3}]),
            "records.0.values",
        ),
        (lambda c: c.dictionaries.records.replace("cpt", uuid.uuid4(), values=["4445"]), "values"),
        (lambda c: c.formations.dictionaries.get("cpt", version="latest"), "version"),
        (lambda c: c.formations.dictionaries.create(fields=[{"name": 5}]), "fields.0.name"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    client: welkin.Client, fake: FakeWelkin, call: Any, argument: str
) -> None:
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        call(client)

    assert caught.value.argument == argument
    assert fake.requests == []


def test_creating_a_definition_twice_is_refused_by_welkin(client: welkin.Client) -> None:
    client.formations.dictionaries.create(name="alphabet")

    with pytest.raises(welkin.BadRequestError) as caught:
        client.formations.dictionaries.create(name="alphabet")

    assert caught.value.error_codes == ["ALREADY_EXISTS"]


# -- async --------------------------------------------------------------------------------


async def test_async_records_and_definitions(aclient: welkin.AsyncClient, fake: FakeWelkin) -> None:
    added = await aclient.dictionaries.records.append(
        "cpt", records=[{"values": {"value": "1111"}}]
    )
    (record,) = added.records or []
    again = await aclient.dictionaries.records.get("cpt", record.id)
    definition = await aclient.formations.dictionaries.create(name="cpt", title="CPT")
    listed = await aclient.formations.dictionaries.list(version="draft")
    assert await aclient.dictionaries.records.delete("cpt", record.id) is not None

    assert again.full_value == "1111"
    assert definition.title == "CPT" and [d.name for d in listed] == ["cpt"]
    assert [(c.method, c.path) for c in api_calls(fake)] == [
        ("POST", CPT),
        ("GET", f"{CPT}/{record.id}"),
        ("POST", f"{DEFINITIONS}/draft/dictionaries"),
        ("GET", f"{DEFINITIONS}/draft/dictionaries"),
        ("DELETE", f"{CPT}/{record.id}"),
    ]
