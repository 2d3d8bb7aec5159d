"""The fake's spec-driven routes: CRUD, envelopes and paging, errors, for any operation."""

from __future__ import annotations

import pytest

import welkin
from welkin import BadRequestError, NotFoundError
from welkin.operations import OPERATIONS
from welkin.testing import FakeWelkin
from welkin.testing._multipart import parse_multipart
from welkin.testing._pages import envelope
from welkin.testing._routes import build_routes

MISSING = "7b0c2f3e-52d4-4c55-9a49-3c52e8b0a1d2"


@pytest.fixture
def patient_id(fake: FakeWelkin) -> str:
    return str(fake.add_patient(firstName="Ada")["id"])


def test_every_operation_has_a_route() -> None:
    routes = build_routes(OPERATIONS.values())
    assert {r.operation.id for r in routes} == set(OPERATIONS)
    assert {r.role for r in routes} <= {"collection", "item", "document"}


def test_create_read_update_replace_delete_an_item(client: welkin.Client, patient_id: str) -> None:
    sms = client.patients.sms
    created = sms.create(patient_id, message="one", receiver=patient_id, send_now=True)
    assert created.id is not None

    assert sms.get(patient_id, created.id).message == "one"
    starred = sms.update(patient_id, created.id, starred=True)  # a PUT Welkin calls an update
    assert (starred.starred, starred.message) == (True, "one")  # ...merges, as documented
    summary = client.patients.document_summaries.create(patient_id, type="doc-type-others")
    replaced = client.patients.document_summaries.replace(patient_id, summary.id, files=[])
    assert replaced.json_body is not None
    assert replaced.json_body.type is None  # a PUT replace: the fields left out are gone
    sms.delete(patient_id, created.id)
    with pytest.raises(NotFoundError) as caught:
        sms.get(patient_id, created.id)
    (detail,) = caught.value.errors
    assert detail.error_code == "NOT_FOUND"


def test_lists_page_with_the_operations_envelope(client: welkin.Client, patient_id: str) -> None:
    for n in range(45):
        client.patients.sms.create(patient_id, message=f"m{n}", receiver=patient_id, send_now=True)

    first = client.patients.sms.list(patient_id, size=20)

    assert len(first.items) == 20
    assert first.envelope.total_elements == 45  # type: ignore[attr-defined]
    assert [s.message for s in first][-1] == "m44"  # iteration walks every page lazily
    last = client.patients.sms.list(patient_id, size=20, page=2)
    assert len(last.items) == 5
    assert not last.has_next_page()


def test_token_pages_follow_next_page_tokens(client: welkin.Client, patient_id: str) -> None:
    for n in range(5):
        client.patients.chat.send_inbound(patient_id, message=f"hello {n}")

    page = client.patients.chat.list(patient_id, page_size=2)

    assert page.next_page_query is not None
    assert set(page.next_page_query) == {"pageToken"}  # the token replaces the other params
    assert [m.message for m in page] == [f"hello {n}" for n in (4, 3, 2, 1, 0)]  # newest first


def test_cursor_and_metainfo_envelopes() -> None:
    items = [{"n": n} for n in range(5)]
    cursor = envelope("CURSOR", items, {"pageSize": "2", "start": "2"}, "x/export/CDT_RECORD")
    assert cursor == {
        "data": [{"n": 2}, {"n": 3}],
        "cursor": {"start": "2", "end": "4", "hasNext": True},
    }
    meta = envelope("METAINFO", items, {"page": "2", "size": "2"}, "x/users")
    assert meta["data"] == [{"n": 4}]
    assert meta["metaInfo"]["lastPage"] is True
    in_data = envelope("PAGE_IN_DATA", items, {}, "p/cdts/vitals")
    assert in_data["name"] == "vitals"
    assert in_data["data"]["last"] is True


def test_bodies_are_validated_with_the_sdk_models(fake: FakeWelkin, patient_id: str) -> None:
    with fake.client() as client:
        with pytest.raises(BadRequestError) as caught:
            client.call(
                "POST", f"{{tenant}}/{{instance}}/patients/{patient_id}/sms", json={"message": 1}
            )
    (detail,) = caught.value.errors
    assert detail.error_code == "VALIDATION_ERROR"
    assert "receiver" in (detail.message or "") or "message" in (detail.message or "")


def test_sub_resources_of_a_missing_patient_answer_404(client: welkin.Client) -> None:
    with pytest.raises(NotFoundError):
        client.patients.sms.list(MISSING)


def test_a_document_at_a_path_is_written_then_read(client: welkin.Client, patient_id: str) -> None:
    summary = client.patients.document_summaries.create(patient_id, type="doc-type-others")
    records = client.patients.document_summaries.type_records
    with pytest.raises(NotFoundError):
        records.get(patient_id, summary.id, "doc-type-others")

    records.create(patient_id, summary.id, "doc-type-others", {"notes": "signed"})
    stored = records.get(patient_id, summary.id, "doc-type-others")

    assert stored.json_body is not None
    assert (stored.json_body.model_extra or {})["notes"] == "signed"  # a custom field: an extra
    assert stored.to_dict()["jsonBody"]["notes"] == "signed"
    assert stored.to_dict()["jsonBody"]["created_at"] is not None


def test_multipart_bodies_are_parsed() -> None:
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF\x00\x01\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n'
        f"--{boundary}--\r\n"
    ).encode("latin-1")
    parts = parse_multipart(body, f"multipart/form-data; boundary={boundary}")
    assert parts == [("files", "a.pdf", "application/pdf", b"%PDF\x00\x01")]


def test_records_only_welkin_writes_can_be_added(fake: FakeWelkin, client: welkin.Client) -> None:
    given = "0f8fad5b-d9cb-469f-a165-70867728950e"
    ids = fake.add_records(
        f"{fake.instance}/unrecognized-patients/sms",
        [{"message": "who is this?", "direction": "IN"}, {"id": given, "message": "hi"}],
    )

    assert ids[1] == given and ids[0] != given
    assert [s.message for s in client.unrecognized.sms.list()] == ["who is this?", "hi"]
    assert str(client.unrecognized.sms.get(ids[0]).id) == ids[0]
