"""``client.formations.assessments`` (designer definitions), ``client.patients.assessment_records``
and the old AssessmentRecord, AssessmentRecords and AssessmentRecordAnswers classes, against the
fake."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from support import is_utc_aware, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import Assessment, AssessmentRecord, CdtDefinition

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
DESIGNER = "gh/sb-demo/formations"

# Shaped like docs/assessments.md "Get One Assessment" (shortened), plus a field Welkin might
# add and a null.
ASSESSMENT: dict[str, Any] = {
    "id": "8be00831-fdeb-4b21-a4bc-e5bc52462806",
    "title": "GAD-2",
    "name": "gad_2",
    "version": 2,
    "sections": [
        {
            "title": "Over the last 2 weeks...",
            "name": "section-1",
            "order": 0,
            "fields": [
                {
                    "label": "Feeling nervous, anxious or on edge",
                    "refCdtName": "gad",
                    "refCdtFieldName": "nervous",
                    "order": 0,
                    "viewType": "question",
                    "meta": {"type": "select", "required": True},
                    "prePopulatedValue": None,
                }
            ],
        }
    ],
    "scoring": {
        "formula": "SUM",
        "groups": [
            {
                "name": "gad",
                "title": "GAD",
                "formula": "SUM",
                "fields": [
                    {
                        "refCdtName": "gad",
                        "refCdtFieldName": "nervous",
                        "scores": [{"score": 0, "answer": "Not at all"}],
                    }
                ],
            }
        ],
    },
    "programs": [{"program": "coaching", "phases": ["active"]}],
    "template": None,
    "conditionSettings": None,
    "_containsPHI": True,
    "newField": 1,
}
# Assessment records are not documented: the fields the spec guesses, plus one it does not.
RECORD: dict[str, Any] = {
    "id": "0c2e4a6b-8d1f-4e3a-9b5c-7d9e1f3a5b7c",
    "patientId": "ee66e8e8-6ce1-40d3-b6cb-e5727c5347c8",
    "assessmentName": "phq_2",
    "status": "COMPLETED",
    "answers": {"little_interest_pleasure": "1 - Several days"},
    "createdAt": "2023-02-01T10:00:00.000Z",
    "score": 1,
}


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    fake.seed(designer=True)
    return str(fake.add_patient(firstName="Ada")["id"])


@pytest.mark.parametrize(
    ("model", "fixture"), [(Assessment, ASSESSMENT), (AssessmentRecord, RECORD)]
)
def test_documented_examples_dump_back_exactly(model: type[Any], fixture: dict[str, Any]) -> None:
    assert model.model_validate(fixture).to_dict() == fixture


def test_documented_examples_are_typed() -> None:
    assessment = Assessment.model_validate(ASSESSMENT)
    [section] = assessment.sections or []
    [question] = section.fields or []
    assert (question.ref_cdt_field_name, question.meta and question.meta.required) == (
        "nervous",
        True,
    )
    assert assessment.scoring is not None and assessment.scoring.formula == "SUM"
    assert assessment.contains_phi is True and assessment.model_extra == {"newField": 1}
    record = AssessmentRecord.model_validate(RECORD)
    assert record.id == uuid.UUID(RECORD["id"]) and record.answers is not None
    assert record.answers.model_extra == RECORD["answers"]


# -- definitions (designer) -----------------------------------------------------------------


def test_reads_default_to_the_current_formation(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    [phq] = client.formations.assessments.list()
    assert last_call(fake).path == f"{DESIGNER}/current/assessments"
    assert isinstance(phq, Assessment) and phq.name == "phq_2"

    with pytest.raises(welkin.NotFoundError) as caught:  # the fake keeps no numbered versions
        client.formations.assessments.get("phq_2", version=3)
    assert last_call(fake).path == f"{DESIGNER}/3/assessments/phq_2"
    assert caught.value.error_codes == ["NOT_FOUND"]


def test_create_replace_delete_write_the_draft(fake: FakeWelkin, client: welkin.Client) -> None:
    made = client.formations.assessments.create(
        name="gad_2",
        title="GAD-2",
        sections=ASSESSMENT["sections"],
        scoring=ASSESSMENT["scoring"],
        extra_body={"_containsPHI": True},  # a field the spec does not write
    )
    call = last_call(fake)
    assert (call.method, call.path) == ("POST", f"{DESIGNER}/draft/assessments")
    assert call.json["name"] == "gad_2" and call.json["_containsPHI"] is True
    assert made.name == "gad_2"

    client.formations.assessments.replace("gad_2", name="gad_2", title="GAD-2 (revised)")
    assert last_call(fake).method == "PUT"
    assert client.formations.assessments.get("gad_2", version="draft").title == "GAD-2 (revised)"
    assert client.formations.assessments.delete("gad_2") is None
    assert last_call(fake).path == f"{DESIGNER}/draft/assessments/gad_2"
    with pytest.raises(welkin.NotFoundError):
        client.formations.assessments.get("gad_2")


def test_the_internal_cdt_of_an_assessment(fake: FakeWelkin, client: welkin.Client) -> None:
    with pytest.raises(welkin.NotFoundError) as caught:
        client.formations.assessments.get_cdt("_phq_2")

    assert caught.value.url.endswith("/formations/current/assessments/cdt/_phq_2")
    fake.fail_next(200, body={"name": "_phq_2", "relation": "ASSESSMENT", "fields": []})
    definition = client.formations.assessments.get_cdt("_phq_2")
    assert isinstance(definition, CdtDefinition) and definition.relation == "ASSESSMENT"


# -- records ---------------------------------------------------------------------------------


def test_record_create_get_replace_answers_delete(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    records = client.patients.assessment_records
    base = f"gh/sb-demo/patients/{pid}/assessment-records"

    made = records.create(pid, assessment_name="phq_2", status="IN_PROGRESS")
    assert (last_call(fake).path, last_call(fake).json) == (
        base,
        {"assessmentName": "phq_2", "status": "IN_PROGRESS"},
    )
    assert records.get(pid, made.id).assessment_name == "phq_2"

    answered = records.replace_answers(pid, made.id, {"little_interest_pleasure": "0"})
    assert (last_call(fake).method, last_call(fake).path) == ("PUT", f"{base}/{made.id}/answers")
    assert last_call(fake).json == {"little_interest_pleasure": "0"}
    assert isinstance(answered, AssessmentRecord)

    done = records.replace(pid, made.id, assessment_name="phq_2", status="COMPLETED")
    assert last_call(fake).method == "PUT" and done.status == "COMPLETED"
    assert records.delete(pid, made.id) is None
    with pytest.raises(welkin.NotFoundError):
        records.get(pid, made.id)


def test_replacing_answers_answers_the_record(client: welkin.Client, pid: str) -> None:
    made = client.patients.assessment_records.create(pid, assessment_name="phq_2")

    answered = client.patients.assessment_records.replace_answers(
        pid, made.id, {"little_interest_pleasure": "0"}
    )

    assert (answered.id, answered.assessment_name) == (made.id, "phq_2")  # ENDPOINTS: "Record"


def test_a_created_record_reads_back_the_same(client: welkin.Client, pid: str) -> None:
    made = client.patients.assessment_records.create(pid, assessment_name="phq_2")

    read = client.patients.assessment_records.get(pid, made.id)

    assert read.to_dict() == made.to_dict()
    assert is_utc_aware(read.created_at) and str(read.patient_id) == pid


def test_records_page_as_spring_pages(fake: FakeWelkin, client: welkin.Client, pid: str) -> None:
    made = [
        client.patients.assessment_records.create(pid, assessment_name="phq_2").id for _ in range(5)
    ]

    first = client.patients.assessment_records.list(pid, size=2)

    assert last_call(fake).query == {"size": "2"}
    assert first.envelope.total_elements == 5
    pages = list(first.iter_pages())
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert last_call(fake).query == {"size": "2", "page": "2"}
    assert pages[-1].envelope.last is True and not pages[-1].has_next_page()
    assert [r.id for r in first] == made


def test_bad_input_is_refused_before_any_request(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    before = len(fake.requests)
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        client.patients.assessment_records.get(pid, "not-a-uuid")
    assert caught.value.argument == "assessment_record_id"
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        client.formations.assessments.list(version="published")
    assert caught.value.argument == "version"
    assert len(fake.requests) == before


async def test_async_records(fake: FakeWelkin, pid: str) -> None:
    async with fake.async_client() as client:
        made = await client.patients.assessment_records.create(pid, assessment_name="phq_2")
        page = await client.patients.assessment_records.list(pid)
        definition = await client.formations.assessments.get("phq_2")

    assert [r.id for r in page.items] == [made.id]
    assert definition.title == "PHQ-2"
