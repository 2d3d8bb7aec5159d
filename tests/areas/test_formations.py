"""``client.formations`` (designer objects) and the old package's ``client.Formation(...)``.

Reads take ``version="current"`` (the default), ``"draft"`` or a version number; the fake
serves ``current`` from what ``draft`` holds. ``fake.seed(designer=True)`` adds a small
designer: a ``vitals`` CDT, a ``phq_2`` assessment, ``intake`` / ``follow_up`` encounter
templates, an ``onboarding`` program, two goal templates, three document types and the
encounter disposition.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from support import api_calls, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import CdtDefinition, EncounterTemplate, GoalTemplate

ROOT = "gh/sb-demo/formations"

# Shaped like docs/documents.md "Get Document Type By Name", plus a field Welkin might add
# and a null.
DOCUMENT_TYPE: dict[str, Any] = {
    "id": "3f0b7c1e-5d2a-4e8b-9c61-0a7d2e4f9b13",
    "name": "doc-type-referral",
    "title": "Referral letter",
    "label": "Referral",
    "version": 52,
    "internal": False,
    "readable": True,
    "updatable": True,
    "type": "MULTI_RECORD",
    "relation": "DOCUMENT_TYPE",
    "fields": [
        {
            "name": "icd-10",
            "type": "text",
            "dictionary": None,
            "searchable": True,
            "bulkEdit": False,
            "phi": True,
            "meta": {"required": True},
        }
    ],
    "newField": 1,
}
# docs/encounters.md "Get encounter template by name".
ENCOUNTER_TEMPLATE: dict[str, Any] = {
    "id": "a2063f42-395c-469f-8f4e-825af9223bef",
    "name": "annual-wellness",
    "title": "Annual wellness visit",
    "assessmentNames": ["phq_2", "gad_7"],
    "newField": 1,
}
# Goal templates are undocumented: name and title, and whatever else Welkin sends.
GOAL_TEMPLATE: dict[str, Any] = {
    "id": "9b4d2c8a-7e15-4f3b-a0c2-5d6e7f8a9b01",
    "name": "lower_a1c",
    "title": "Lower A1C below 7%",
    "priority": "HIGH",
    "type": None,
}


@pytest.fixture
def designer(fake: FakeWelkin) -> FakeWelkin:
    fake.seed(designer=True)
    return fake


def sent(fake: FakeWelkin) -> tuple[str, str, dict[str, str], Any]:
    call = last_call(fake)
    return call.method, call.path, call.query, call.json


# -- fixtures shaped like the documented examples ------------------------------------------


@pytest.mark.parametrize(
    ("model", "fixture"),
    [
        (CdtDefinition, DOCUMENT_TYPE),
        (EncounterTemplate, ENCOUNTER_TEMPLATE),
        (GoalTemplate, GOAL_TEMPLATE),
    ],
)
def test_documented_examples_validate_and_dump_back_exactly(
    model: type[Any], fixture: dict[str, Any]
) -> None:
    parsed = model.model_validate(fixture)
    assert parsed.to_dict() == fixture
    assert parsed.id == uuid.UUID(fixture["id"])  # type: ignore[attr-defined]
    assert parsed.model_extra is not None


def test_documented_examples_are_typed() -> None:
    definition = CdtDefinition.model_validate(DOCUMENT_TYPE)
    (field,) = definition.fields or []

    assert (definition.version, definition.relation, definition.internal) == (
        52,
        "DOCUMENT_TYPE",
        False,
    )
    assert (field.name, field.bulk_edit, field.phi, field.dictionary) == (
        "icd-10",
        False,
        True,
        None,
    )
    assert field.meta is not None and field.meta.required is True
    assert definition.model_extra == {"newField": 1}
    template = EncounterTemplate.model_validate(ENCOUNTER_TEMPLATE)
    assert template.assessment_names == ["phq_2", "gad_7"]
    assert GoalTemplate.model_validate(GOAL_TEMPLATE).model_extra == {
        "priority": "HIGH",
        "type": None,
    }


# -- reads: lists (LIST: a bare JSON array, no pages) and items ---------------------------

LISTS = [
    ("cdts", "cdts", CdtDefinition, ["vitals"]),
    (
        "document_types",
        "document-types",
        CdtDefinition,
        ["doc-type-assessment", "doc-type-docusign", "doc-type-others"],
    ),
    ("encounter_templates", "encounters", EncounterTemplate, ["intake", "follow_up"]),
    ("goal_templates", "goal-templates", GoalTemplate, ["lower_a1c", "daily_walk"]),
]


VERSIONS = [({}, "current"), ({"version": "draft"}, "draft"), ({"version": 12}, "12")]


@pytest.mark.parametrize(("resource", "segment", "model", "names"), LISTS)
@pytest.mark.parametrize(("version", "wire"), VERSIONS)
def test_lists_read_current_by_default_or_the_version_given(
    client: welkin.Client,
    designer: FakeWelkin,
    resource: str,
    segment: str,
    model: type[Any],
    names: list[str],
    version: dict[str, Any],
    wire: str,
) -> None:
    items = getattr(client.formations, resource).list(**version)

    assert sent(designer) == ("GET", f"{ROOT}/{wire}/{segment}", {}, None)
    assert isinstance(items, list)  # LIST: Welkin answers a bare array, there are no pages
    assert all(isinstance(item, model) for item in items)
    # The fake serves current from the draft; it has no version 12.
    assert [item.name for item in items] == (names if wire != "12" else [])


@pytest.mark.parametrize(
    ("resource", "name", "segment", "title"),
    [
        ("cdts", "vitals", "cdts", "Vitals"),
        ("document_types", "doc-type-docusign", "document-types", "DocuSign"),
        ("encounter_templates", "follow_up", "encounters", "Follow-up call"),
        ("goal_templates", "daily_walk", "goal-templates", "Walk 30 minutes a day"),
    ],
)
@pytest.mark.parametrize(("version", "wire"), VERSIONS[:2])
def test_get_reads_one_object_by_name(
    client: welkin.Client,
    designer: FakeWelkin,
    resource: str,
    name: str,
    segment: str,
    title: str,
    version: dict[str, str],
    wire: str,
) -> None:
    found = getattr(client.formations, resource).get(name, **version)

    assert sent(designer) == ("GET", f"{ROOT}/{wire}/{segment}/{name}", {}, None)
    assert (found.name, found.title) == (name, title)
    assert isinstance(found.id, uuid.UUID)


def test_designer_objects_are_typed(client: welkin.Client, designer: FakeWelkin) -> None:
    vitals = client.formations.cdts.get("vitals")
    intake = client.formations.encounter_templates.get("intake", version="draft")

    assert (vitals.type, vitals.version, vitals.readable) == ("MULTI_RECORD", 1, True)
    fields = {f.name: f for f in vitals.fields or []}
    assert fields["weight"].type == "number" and fields["notes"].phi is True
    assert fields["weight"].meta is not None and fields["weight"].meta.label == "Weight (kg)"
    assert intake.assessment_names == ["phq_2"]


# -- document types: writes default to the draft ------------------------------------------


def test_document_type_create_get_replace_delete(
    client: welkin.Client, designer: FakeWelkin
) -> None:
    created = client.formations.document_types.create(
        name="doc-type-referral",
        title="Referral letter",
        label="Referral",
        fields=[
            welkin.types.FormationFieldWrite(name="icd-10", type="text", searchable=True),
            {"name": "notes", "type": "text", "bulkEdit": False, "meta": {"required": False}},
        ],
    )

    assert sent(designer) == (
        "POST",
        f"{ROOT}/draft/document-types",
        {},
        {
            "name": "doc-type-referral",
            "title": "Referral letter",
            "label": "Referral",
            "fields": [
                {"name": "icd-10", "type": "text", "searchable": True},
                {"name": "notes", "type": "text", "bulkEdit": False, "meta": {"required": False}},
            ],
        },
    )
    assert isinstance(created, CdtDefinition)
    assert (created.name, created.label) == ("doc-type-referral", "Referral")
    again = client.formations.document_types.get("doc-type-referral")
    assert again.model_dump() == created.model_dump()

    replaced = client.formations.document_types.replace("doc-type-referral", title="Referral")
    assert sent(designer) == (
        "PUT",
        f"{ROOT}/draft/document-types/doc-type-referral",
        {},
        {"title": "Referral"},
    )
    assert replaced.title == "Referral" and replaced.fields is None  # PUT replaces it all

    assert client.formations.document_types.delete("doc-type-referral") is None
    assert sent(designer) == ("DELETE", f"{ROOT}/draft/document-types/doc-type-referral", {}, None)
    with pytest.raises(welkin.NotFoundError):
        client.formations.document_types.get("doc-type-referral")


def test_document_type_writes_keep_the_version_in_the_path(
    client: welkin.Client, designer: FakeWelkin
) -> None:
    client.formations.document_types.create(version="current", name="doc-type-lab")
    assert last_call(designer).path == f"{ROOT}/current/document-types"
    client.formations.document_types.delete("doc-type-lab", version="draft")
    assert last_call(designer).path == f"{ROOT}/draft/document-types/doc-type-lab"


# -- encounter disposition: one object ----------------------------------------------------


def test_encounter_disposition_get_and_replace(client: welkin.Client, designer: FakeWelkin) -> None:
    disposition = client.formations.encounter_disposition.get()

    assert sent(designer) == ("GET", f"{ROOT}/current/encounter-disposition", {}, None)
    assert (disposition.name, disposition.relation) == (
        "__encounter_disposition__",
        "ENCOUNTER_DISPOSITION",
    )
    cpt = (disposition.fields or [])[0]
    assert cpt.dictionary is not None and cpt.dictionary.name == "cpt"

    outcome = {"name": "outcome", "type": "text", "dictionary": {"name": "cpt", "field": "value"}}
    body = {"name": "__encounter_disposition__", "fields": [outcome]}

    replaced = client.formations.encounter_disposition.replace(
        name="__encounter_disposition__", fields=[outcome]
    )

    assert sent(designer) == ("PUT", f"{ROOT}/draft/encounter-disposition", {}, body)
    assert [f.name for f in replaced.fields or []] == ["outcome"]
    again = client.formations.encounter_disposition.get(version="draft")
    assert again.model_dump() == replaced.model_dump()


# -- encounter templates ------------------------------------------------------------------


def test_encounter_template_create_get_replace_delete(
    client: welkin.Client, designer: FakeWelkin
) -> None:
    created = client.formations.encounter_templates.create(
        name="annual-wellness", title="Annual wellness visit", assessment_names=["phq_2"]
    )

    assert sent(designer) == (
        "POST",
        f"{ROOT}/draft/encounters",
        {},
        {"name": "annual-wellness", "title": "Annual wellness visit", "assessmentNames": ["phq_2"]},
    )
    assert isinstance(created, EncounterTemplate) and isinstance(created.id, uuid.UUID)
    assert client.formations.encounter_templates.get("annual-wellness").id == created.id

    replaced = client.formations.encounter_templates.replace(
        "annual-wellness", name="annual-wellness", title="Annual visit", assessment_names=[]
    )
    assert sent(designer) == (
        "PUT",
        f"{ROOT}/draft/encounters/annual-wellness",
        {},
        {"name": "annual-wellness", "title": "Annual visit", "assessmentNames": []},
    )
    assert replaced.id == created.id
    assert (replaced.title, replaced.assessment_names) == ("Annual visit", [])

    assert client.formations.encounter_templates.delete("annual-wellness") is None
    assert sent(designer) == ("DELETE", f"{ROOT}/draft/encounters/annual-wellness", {}, None)
    names = [t.name for t in client.formations.encounter_templates.list()]
    assert names == ["intake", "follow_up"]


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "read",
    [
        lambda c: c.formations.cdts.get("blood_panel"),
        lambda c: c.formations.document_types.get("doc-type-x"),
        lambda c: c.formations.encounter_templates.get("nope"),
        lambda c: c.formations.goal_templates.get("nope", version="draft"),
        lambda c: c.formations.encounter_templates.delete("nope"),
    ],
)
def test_a_missing_name_answers_not_found(
    client: welkin.Client, designer: FakeWelkin, read: Any
) -> None:
    with pytest.raises(welkin.NotFoundError) as caught:
        read(client)

    assert caught.value.status_code == 404
    assert caught.value.error_codes == ["NOT_FOUND"]


def test_the_disposition_is_not_found_before_the_designer_has_one(client: welkin.Client) -> None:
    with pytest.raises(welkin.NotFoundError):
        client.formations.encounter_disposition.get()


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: c.formations.cdts.list(version="published"), "version"),
        (lambda c: c.formations.goal_templates.get("x", version=True), "version"),
        (lambda c: c.formations.cdts.get(""), "cdt_name"),
        (lambda c: c.formations.encounter_templates.get(""), "encounter_template_name"),
        (lambda c: c.formations.document_types.delete(""), "document_type_name"),
        (
            lambda c: c.formations.encounter_templates.create(assessment_names="phq_2"),
            "assessment_names",
        ),
        (
            lambda c: c.formations.document_types.create(fields=[{"bulkEdit": "maybe"}]),
            "fields.0.bulkEdit",
        ),
    ],
)
def test_bad_input_is_refused_before_any_request(
    client: welkin.Client, fake: FakeWelkin, call: Any, argument: str
) -> None:
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        call(client)

    assert caught.value.argument == argument
    assert fake.requests == []


def test_a_negative_version_is_refused(client: welkin.Client, fake: FakeWelkin) -> None:
    with pytest.raises(welkin.InvalidArgumentError, match=r"^version: "):
        client.formations.cdts.list(version=-1)
    assert fake.requests == []


# -- async --------------------------------------------------------------------------------


async def test_async_reads_and_writes(aclient: welkin.AsyncClient, designer: FakeWelkin) -> None:
    templates = await aclient.formations.encounter_templates.list(version="draft")
    created = await aclient.formations.encounter_templates.create(name="tele", title="Televisit")
    disposition = await aclient.formations.encounter_disposition.get()
    goal = await aclient.formations.goal_templates.get("lower_a1c")

    assert [t.name for t in templates] == ["intake", "follow_up"]
    assert isinstance(created, EncounterTemplate) and created.title == "Televisit"
    assert disposition.name == "__encounter_disposition__"
    assert isinstance(goal, GoalTemplate) and goal.title == "Lower A1C below 7%"
    assert [c.path for c in api_calls(designer)] == [
        f"{ROOT}/draft/encounters",
        f"{ROOT}/draft/encounters",
        f"{ROOT}/current/encounter-disposition",
        f"{ROOT}/current/goal-templates/lower_a1c",
    ]
    assert await aclient.formations.document_types.delete("doc-type-others") is None
