"""``client.patients.document_summaries`` (summaries and their document-type records) and the
old ``DocumentSummary`` classes, against the fake. Uploads and downloads themselves are in
tests/test_files.py; here they appear only as part of a summary's life."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import pytest
from support import api_calls, is_utc_aware, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import CdtRecord, DocumentFile, DocumentSummary

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
DOCUSIGN = "doc-type-docusign"
PDF = b"%PDF-1.4 consent form"

# Shaped like docs/documents.md "Get Document Summary Record By Id", plus a field Welkin might
# add (inside jsonBody too) and nulls.
FILE: dict[str, Any] = {
    "id": "f1941755-41d9-4dc7-b3f6-4f23811fba1c",
    "size": 141826,
    "storageKey": "documents/consent.pdf",
    "contentType": "application/pdf",
    "originalName": "consent.pdf",
}
SUMMARY: dict[str, Any] = {
    "id": "4a59584c-af30-49c4-8601-b43b4fbeb741",
    "patientId": "ee66e8e8-6ce1-40d3-b6cb-e5727c5347c8",
    "cdtId": "fba56b12-d39b-47d8-9b03-bf4812a481ad",
    "version": 45,
    "jsonBody": {
        "external_guid": None,
        "created_at": "2023-04-30T16:59:05.691Z",
        "source_type": None,
        "external_id": None,
        "type": DOCUSIGN,
        "created_by_name": "Jon Snow",
        "created_by": "03f51404-a300-4857-b10c-0d6a1a1b88ae",
        "updated_by_name": "Jon Snow",
        "updated_at": "2023-04-30T16:59:27.110Z",
        "updated_by": "03f51404-a300-4857-b10c-0d6a1a1b88ae",
        "files": [FILE],
        "id": "4a59584c-af30-49c4-8601-b43b4fbeb741",
        "source_id": None,
        "source_name": None,
        "reviewed": True,
    },
    "newField": 1,
}


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    return str(fake.add_patient(firstName="Ivy", lastName="Chen")["id"])


def summary_path(pid: str, suffix: str = "") -> str:
    return f"gh/sb-demo/patients/{pid}/document-summary{suffix}"


# -- documented shapes ---------------------------------------------------------------------


@pytest.mark.parametrize(("model", "fixture"), [(DocumentSummary, SUMMARY), (DocumentFile, FILE)])
def test_documented_examples_dump_back_exactly(model: type[Any], fixture: dict[str, Any]) -> None:
    assert model.model_validate(fixture).to_dict() == fixture


def test_summaries_are_typed() -> None:
    summary = DocumentSummary.model_validate(SUMMARY)

    assert summary.id == uuid.UUID(SUMMARY["id"])
    assert summary.cdt_id == uuid.UUID("fba56b12-d39b-47d8-9b03-bf4812a481ad")
    body = summary.json_body
    assert body is not None and body.type == DOCUSIGN
    assert body.created_at == datetime(2023, 4, 30, 16, 59, 5, 691000, tzinfo=timezone.utc)
    assert body.source_id is None
    assert body.model_extra == {"reviewed": True}
    (file,) = body.files or []
    assert (file.original_name, file.size, file.content_type) == (
        "consent.pdf",
        141826,
        "application/pdf",
    )


# -- summaries -----------------------------------------------------------------------------


def test_create_then_get_round_trips(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    created = client.patients.document_summaries.create(pid, type=DOCUSIGN)

    call = last_call(fake)
    assert (call.method, call.path, call.json) == ("POST", summary_path(pid), {"type": DOCUSIGN})
    assert isinstance(created, DocumentSummary)
    assert created.patient_id == uuid.UUID(pid)
    assert created.json_body is not None and created.json_body.type == DOCUSIGN
    assert is_utc_aware(created.json_body.created_at)

    again = client.patients.document_summaries.get(pid, created.id)
    assert last_call(fake).path == summary_path(pid, f"/{created.id}")
    assert again == created


def test_replace_sends_the_type_and_the_files_to_keep(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    summary = client.patients.document_summaries.create(pid, type=DOCUSIGN)
    kept = DocumentFile.model_validate(FILE)

    replaced = client.patients.document_summaries.replace(
        pid, summary.id, type="doc-type-others", files=[kept]
    )

    call = last_call(fake)
    assert (call.method, call.path) == ("PUT", summary_path(pid, f"/{summary.id}"))
    assert call.json == {"type": "doc-type-others", "files": [FILE]}
    assert replaced.json_body is not None and replaced.json_body.type == "doc-type-others"
    assert [f.id for f in replaced.json_body.files or []] == [kept.id]
    assert replaced.json_body.created_at == summary.json_body.created_at  # type: ignore[union-attr]


def test_delete_answers_none_and_the_summary_is_gone(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    summary = client.patients.document_summaries.create(pid, type=DOCUSIGN)

    assert client.patients.document_summaries.delete(pid, summary.id) is None
    assert (last_call(fake).method, last_call(fake).path) == (
        "DELETE",
        summary_path(pid, f"/{summary.id}"),
    )
    with pytest.raises(welkin.NotFoundError) as caught:
        client.patients.document_summaries.get(pid, summary.id)
    assert caught.value.status_code == 404 and caught.value.error_codes == ["NOT_FOUND"]


def test_list_pages_and_filters_by_source(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    ids = [client.patients.document_summaries.create(pid, type=f"t{n}").id for n in range(5)]
    before = len(api_calls(fake))

    first = client.patients.document_summaries.list(pid, size=2, source_id=MISSING)

    assert last_call(fake).query == {"size": "2", "sourceId": MISSING}
    pages = list(first.iter_pages())
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert pages[-1].envelope.last is True and pages[0].envelope.total_elements == 5
    assert [c.query.get("page") for c in api_calls(fake)[before:]] == [None, "1", "2"]
    assert [s.id for s in first] == ids


def test_a_summary_with_an_uploaded_file(client: welkin.Client, pid: str) -> None:
    summary = client.patients.document_summaries.create(pid, type=DOCUSIGN)
    (stored,) = client.patients.document_summaries.files.upload(
        pid, summary.id, ("consent.pdf", PDF)
    )

    assert isinstance(stored, DocumentFile) and stored.original_name == "consent.pdf"
    assert client.patients.document_summaries.files.download(pid, summary.id, stored.id) == PDF


# -- document-type records -----------------------------------------------------------------


def test_type_record_create_get_replace_delete(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    summary = client.patients.document_summaries.create(pid, type=DOCUSIGN)
    records = client.patients.document_summaries.type_records
    path = summary_path(pid, f"/{summary.id}/{DOCUSIGN}")

    created = records.create(pid, summary.id, DOCUSIGN, {"notes": "signed", "pages": 3})
    assert (last_call(fake).method, last_call(fake).path) == ("POST", path)
    assert last_call(fake).json == {"notes": "signed", "pages": 3}
    assert isinstance(created, CdtRecord)
    assert created.json_body is not None
    assert created.json_body.model_extra == {"notes": "signed", "pages": 3}

    read = records.get(pid, summary.id, DOCUSIGN)
    assert (last_call(fake).method, last_call(fake).path) == ("GET", path)
    assert read == created

    replaced = records.replace(pid, summary.id, DOCUSIGN, {"notes": "countersigned"})
    assert (last_call(fake).method, last_call(fake).json) == ("PUT", {"notes": "countersigned"})
    assert replaced.json_body is not None
    assert replaced.json_body.model_extra == {"notes": "countersigned"}
    assert replaced.id == created.id

    assert records.delete(pid, summary.id, DOCUSIGN) is None
    assert (last_call(fake).method, last_call(fake).path) == ("DELETE", path)
    with pytest.raises(welkin.NotFoundError):
        records.get(pid, summary.id, DOCUSIGN)


def test_a_type_name_is_one_path_segment(client: welkin.Client, pid: str) -> None:
    with pytest.raises(welkin.NotFoundError) as caught:
        client.patients.document_summaries.type_records.get(pid, MISSING, "a/b")

    assert str(caught.value.url).endswith(f"/document-summary/{MISSING}/a%2Fb")


def test_bad_arguments_are_refused_before_sending(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    client.patients.document_summaries.list(pid)
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^document_type_name"):
        client.patients.document_summaries.type_records.get(pid, MISSING, "")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^document_summary_id"):
        client.patients.document_summaries.get(pid, "summary-1")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^files"):
        client.patients.document_summaries.create(pid, files=[{"id": "not-a-uuid"}])
    with pytest.raises(welkin.InvalidArgumentError, match=r"^source_id"):
        client.patients.document_summaries.list(pid, source_id="source")

    assert len(fake.requests) == sent


def test_a_missing_patient_is_not_found(client: welkin.Client) -> None:
    with pytest.raises(welkin.NotFoundError, match="No patient") as caught:
        client.patients.document_summaries.create(MISSING, type=DOCUSIGN)

    assert caught.value.status_code == 404


async def test_async_summary_and_type_record(fake: FakeWelkin, pid: str) -> None:
    async with fake.async_client() as client:
        summary = await client.patients.document_summaries.create(pid, type=DOCUSIGN)
        await client.patients.document_summaries.type_records.create(
            pid, summary.id, DOCUSIGN, {"notes": "async"}
        )
        record = await client.patients.document_summaries.type_records.get(
            pid, summary.id, DOCUSIGN
        )
        listed = [s.id async for s in client.patients.document_summaries.list(pid)]

    assert record.json_body is not None and record.json_body.model_extra == {"notes": "async"}
    assert listed == [summary.id]
