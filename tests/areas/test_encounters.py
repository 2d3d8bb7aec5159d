"""``client.patients.encounters`` (records, comments, assessment links, disposition),
``client.users.encounters``, and the old Encounter, Encounters, EncounterDisposition,
Assessment and Assessments classes, against the fake."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from support import is_utc_aware, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import (
    Encounter,
    EncounterAssessmentLink,
    EncounterComment,
    EncounterDisposition,
    FullEncounter,
)

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"

# Shaped like docs/encounters.md "Encounter records": the CDT-record shape, the encounter's
# fields in jsonBody with the system fields, plus a field Welkin might add and a null.
ENCOUNTER: dict[str, Any] = {
    "id": "3c6b2a5e-8f0d-4a7e-9d41-2b7c6e1f9a10",
    "patientId": "ee66e8e8-6ce1-40d3-b6cb-e5727c5347c8",
    "cdtId": "0b1f4c8e-7d2a-4e6b-9c3f-5a8d1e2b7c40",
    "version": 4,
    "jsonBody": {
        "id": "3c6b2a5e-8f0d-4a7e-9d41-2b7c6e1f9a10",
        "title": "Intake visit",
        "description": None,
        "templateName": "intake",
        "status": "DRAFT",
        "activeUserId": "f5b84d92-7989-45f4-bb5f-d85336c8e4b6",
        "created_at": "2021-05-05T14:29:23.368Z",
        "created_by": "f5b84d92-7989-45f4-bb5f-d85336c8e4b6",
        "created_by_name": "Maya Okafor",
        "updated_at": "2021-05-05T15:00:00.000Z",
        "roomNumber": "4B",
    },
    "newField": 1,
}
COMMENT: dict[str, Any] = {
    "id": "9a7c1e2b-3d4f-4a5b-8c6d-7e8f9a0b1c2d",
    "encounterId": ENCOUNTER["id"],
    "text": "Patient reports better sleep.",
    "createdAt": "2021-05-05T14:40:00.000Z",
    "updatedAt": None,
    "newField": True,
}
LINK: dict[str, Any] = {
    "id": "1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a",
    "patientId": ENCOUNTER["patientId"],
    "version": 1,
    "jsonBody": {
        "assessmentName": "phq_2",
        "assessmentRecordId": None,
        "created_at": "2021-05-05T14:45:00.000Z",
    },
}
DISPOSITION: dict[str, Any] = {
    "id": "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910",
    "patientId": ENCOUNTER["patientId"],
    "jsonBody": {"cpt": "99213", "icd-10": "F32.0", "notes": None},
}


META_INFO: dict[str, Any] = {
    "page": 0,
    "pageSize": 20,
    "totalElements": 1,
    "numberOfElements": 1,
    "totalPages": 1,
    "firstPage": True,
    "lastPage": True,
}


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    fake.seed(designer=True)
    return str(fake.add_patient(firstName="Ada", lastName="Lovelace")["id"])


@pytest.fixture
def uid(fake: FakeWelkin) -> str:
    return str(fake.add_user(username="maya")["id"])


def base(pid: str) -> str:
    return f"gh/sb-demo/patients/{pid}/encounters"


def open_encounter(client: welkin.Client, pid: str, **fields: Any) -> Encounter:
    return client.patients.encounters.create(
        pid, title="Intake visit", template_name="intake", **fields
    )


# -- documented shapes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "fixture"),
    [
        (Encounter, ENCOUNTER),
        (EncounterComment, COMMENT),
        (EncounterAssessmentLink, LINK),
        (EncounterDisposition, DISPOSITION),
        (FullEncounter, {"encounter": ENCOUNTER, "comments": [COMMENT], "disposition": None}),
    ],
)
def test_documented_examples_dump_back_exactly(model: type[Any], fixture: dict[str, Any]) -> None:
    assert model.model_validate(fixture).to_dict() == fixture


def test_documented_examples_are_typed() -> None:
    encounter = Encounter.model_validate(ENCOUNTER)
    body = encounter.json_body
    assert body is not None
    assert encounter.id == uuid.UUID(ENCOUNTER["id"])
    assert body.active_user_id == uuid.UUID("f5b84d92-7989-45f4-bb5f-d85336c8e4b6")
    assert is_utc_aware(body.created_at) and body.status == "DRAFT"
    assert body.model_extra == {"roomNumber": "4B"}  # a designer field, kept
    disposition = EncounterDisposition.model_validate(DISPOSITION)
    assert disposition.json_body is not None
    assert disposition.json_body.model_extra == {"cpt": "99213", "icd-10": "F32.0", "notes": None}


# -- encounter records ----------------------------------------------------------------------


def test_create_get_update_delete(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    created = open_encounter(client, pid, notes="first visit")

    call = last_call(fake)
    assert (call.method, call.path) == ("POST", base(pid))
    assert call.json == {"title": "Intake visit", "templateName": "intake", "notes": "first visit"}
    assert isinstance(created, Encounter) and created.json_body is not None
    assert str(created.patient_id) == pid and created.json_body.title == "Intake visit"

    read = client.patients.encounters.get(pid, created.id)
    assert last_call(fake).path == f"{base(pid)}/{created.id}"
    assert read.to_dict() == created.to_dict()  # stored as created
    assert read.json_body is not None and is_utc_aware(read.json_body.created_at)

    changed = client.patients.encounters.update(pid, created.id, status="FINALIZED")
    assert (last_call(fake).method, last_call(fake).json) == ("PATCH", {"status": "FINALIZED"})
    assert changed.json_body is not None
    assert (changed.json_body.status, changed.json_body.title) == ("FINALIZED", "Intake visit")

    assert client.patients.encounters.delete(pid, created.id) is None
    with pytest.raises(welkin.NotFoundError) as caught:
        client.patients.encounters.get(pid, created.id)
    assert caught.value.status_code == 404 and caught.value.error_codes == ["NOT_FOUND"]


def test_lists_page_with_meta_info(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    created = [open_encounter(client, pid).id for _ in range(5)]

    first = client.patients.encounters.list(pid, size=2, statuses=["DRAFT", "OPEN"])

    assert last_call(fake).query == {"size": "2", "statuses": "DRAFT,OPEN"}
    assert first.envelope.meta_info is not None and first.envelope.meta_info.total_pages == 3
    pages = list(first.iter_pages())
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert [e.id for p in pages for e in p.items] == created
    assert not pages[-1].has_next_page()


def test_full_encounters_carry_their_related_data(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    encounter = open_encounter(client, pid)
    client.patients.encounters.comments.create(pid, encounter.id, text="Seen.")
    client.patients.encounters.assessments.create(pid, encounter.id, assessment_name="phq_2")

    [full] = list(client.patients.encounters.list_full(pid))
    one = client.patients.encounters.get_full(pid, encounter.id)

    assert last_call(fake).path == f"gh/sb-demo/patients/{pid}/full-encounters/{encounter.id}"
    for item in (full, one):
        assert isinstance(item, FullEncounter) and item.encounter is not None
        assert item.encounter.id == encounter.id
        assert [c.text for c in item.comments or []] == ["Seen."]
        assert [
            link.json_body.assessment_name if link.json_body else None
            for link in item.assessment_links or []
        ] == ["phq_2"]


def test_a_users_encounters(fake: FakeWelkin, client: welkin.Client, pid: str, uid: str) -> None:
    mine = open_encounter(client, pid, extra_body={"activeUserId": uid})
    open_encounter(client, pid)  # nobody's

    listed = client.users.encounters.list(uid)
    full = client.users.encounters.list_full(uid)

    assert [e.id for e in listed] == [mine.id]
    assert [f.encounter.id for f in full if f.encounter] == [mine.id]
    assert last_call(fake).path == f"gh/sb-demo/users/{uid}/full-encounters"
    with pytest.raises(welkin.NotFoundError):
        client.users.encounters.list(MISSING)


def test_a_documented_list_page_dumps_back_exactly(fake: FakeWelkin, client: welkin.Client) -> None:
    body = {"data": [ENCOUNTER], "metaInfo": {**META_INFO, "totalElements": 1}}
    fake.fail_next(200, body=body, path_contains="/encounters")

    page = client.patients.encounters.list(ENCOUNTER["patientId"])

    assert page.to_dict() == body
    assert [e.id for e in page.items] == [uuid.UUID(ENCOUNTER["id"])]
    assert page.envelope.meta_info is not None and page.envelope.meta_info.last_page is True
    assert not page.has_next_page()


def test_a_users_full_encounters_page(
    fake: FakeWelkin, client: welkin.Client, pid: str, uid: str
) -> None:
    made = [open_encounter(client, pid, extra_body={"activeUserId": uid}).id for _ in range(3)]

    first = client.users.encounters.list_full(uid, size=2)

    assert last_call(fake).query == {"size": "2"}
    pages = list(first.iter_pages())
    assert last_call(fake).query == {"size": "2", "page": "1"}
    assert [[f.encounter.id for f in p.items if f.encounter] for p in pages] == [made[:2], made[2:]]
    assert not pages[-1].has_next_page()


# -- comments, assessment links, disposition ------------------------------------------------


def test_comments(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    encounter = open_encounter(client, pid)
    comments = client.patients.encounters.comments

    made = comments.create(pid, encounter.id, text="Call back Friday.")
    assert (last_call(fake).path, last_call(fake).json) == (
        f"{base(pid)}/{encounter.id}/comments",
        {"text": "Call back Friday."},
    )
    assert comments.get(pid, encounter.id, made.id).text == "Call back Friday."
    edited = comments.replace(pid, encounter.id, made.id, text="Call back Monday.")
    assert last_call(fake).method == "PUT" and edited.text == "Call back Monday."
    assert [c.text for c in comments.list(pid, encounter.id)] == ["Call back Monday."]
    assert comments.delete(pid, encounter.id, made.id) is None
    assert comments.list(pid, encounter.id) == []


def test_assessment_links(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    encounter = open_encounter(client, pid)
    record = client.patients.assessment_records.create(pid, assessment_name="phq_2")
    links = client.patients.encounters.assessments

    link = links.create(pid, encounter.id, assessment_name="phq_2")
    assert last_call(fake).json == {"assessmentName": "phq_2"}
    pointed = links.update(pid, encounter.id, link.id, assessment_record_id=record.id)
    assert last_call(fake).json == {"assessmentRecordId": str(record.id)}
    assert pointed.json_body is not None
    assert pointed.json_body.assessment_record_id == record.id
    assert links.get(pid, encounter.id, link.id).id == link.id
    assert [x.id for x in links.list(pid, encounter.id, size=10)] == [link.id]
    assert links.delete(pid, encounter.id, link.id) is None
    assert links.list(pid, encounter.id).items == []


def test_assessment_links_page_as_spring_pages(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    encounter = open_encounter(client, pid)
    links = client.patients.encounters.assessments
    made = [links.create(pid, encounter.id, assessment_name="phq_2").id for _ in range(3)]

    first = links.list(pid, encounter.id, size=2)

    assert first.envelope.total_elements == 3 and first.envelope.last is False
    pages = list(first.iter_pages())
    assert last_call(fake).query == {"size": "2", "page": "1"}
    assert [[x.id for x in p.items] for p in pages] == [made[:2], made[2:]]


def test_assessment_links_read_a_bare_array_as_one_page(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    encounter = open_encounter(client, pid)
    fake.fail_next(200, body=[LINK], path_contains="/assessments")

    page = client.patients.encounters.assessments.list(pid, encounter.id)

    assert [x.id for x in page.items] == [uuid.UUID(LINK["id"])]
    assert not page.has_next_page()


def test_a_bare_array_page_gives_its_body_back(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    encounter = open_encounter(client, pid)
    fake.fail_next(200, body=[LINK], path_contains="/assessments")

    page = client.patients.encounters.assessments.list(pid, encounter.id)

    assert page.to_dict() == [LINK]  # README: "page.to_dict() gives the body back exactly"


def test_disposition_is_one_record_per_encounter(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    encounter = open_encounter(client, pid)
    disposition = client.patients.encounters.disposition

    with pytest.raises(welkin.NotFoundError):
        disposition.get(pid, encounter.id)
    first = disposition.update(pid, encounter.id, {"cpt": "99213", "icd-10": "F32.0"})
    assert last_call(fake).json == {"cpt": "99213", "icd-10": "F32.0"}
    second = disposition.update(pid, encounter.id, {"cpt": "99214"})

    assert second.id == first.id
    assert second.json_body is not None
    assert second.json_body.model_extra["cpt"] == "99214"
    assert second.json_body.model_extra["icd-10"] == "F32.0"  # PATCH merges
    assert disposition.get(pid, encounter.id).id == first.id


# -- errors and async -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c, p: c.patients.encounters.get(p, "not-a-uuid"), "encounter_id"),
        (lambda c, p: c.patients.encounters.list(p, statuses="DRAFT"), "statuses"),
        (lambda c, p: c.patients.encounters.create(p, calendar_event_id="x"), "calendar_event_id"),
        (lambda c, p: c.patients.encounters.comments.create(p, MISSING, text=5), "text"),
        (lambda c, p: c.patients.encounters.disposition.update(p, MISSING, "cpt"), "fields"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    fake: FakeWelkin, client: welkin.Client, pid: str, call: Any, argument: str
) -> None:
    before = len(fake.requests)
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        call(client, pid)

    assert caught.value.argument == argument
    assert len(fake.requests) == before


def test_a_missing_patient_or_encounter_is_not_found(client: welkin.Client, pid: str) -> None:
    with pytest.raises(welkin.NotFoundError):
        client.patients.encounters.list(MISSING)
    with pytest.raises(welkin.NotFoundError):
        client.patients.encounters.update(pid, MISSING, title="x")


async def test_async_create_and_walk(fake: FakeWelkin, pid: str) -> None:
    async with fake.async_client() as client:
        made = [await client.patients.encounters.create(pid, title=f"visit {n}") for n in range(3)]
        walked = [e.id async for e in client.patients.encounters.list(pid, size=2)]
        full = await client.patients.encounters.get_full(pid, made[0].id)

    assert walked == [e.id for e in made]
    assert full.encounter is not None and full.encounter.id == made[0].id


# -- the old package's classes --------------------------------------------------------------


def test_old_encounter_get_with_related_data(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    made = client.Patient(id=pid).Encounter(title="Intake").create()
    client.patients.encounters.comments.create(pid, made.id, text="Seen.")

    full = client.Patient(id=pid).Encounter(id=made.id).get(related_data=True)

    assert last_call(fake).path == f"gh/sb-demo/patients/{pid}/full-encounters/{made.id}"
    assert full.id == made.id
    comments = full.comments  # the related data, as the old package merged it in
    assert [c["text"] if isinstance(c, dict) else c.text for c in comments] == ["Seen."]
