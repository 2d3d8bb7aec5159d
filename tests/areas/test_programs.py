"""Program definitions (``client.formations.programs``), a patient's programs
(``client.patients.programs``) and the old package's PatientProgram(s) / ProgramPhase(s)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import pytest
from support import api_calls, is_utc_aware, last_call

import welkin
from welkin import models as classes
from welkin.testing import FakeWelkin
from welkin.types import PatientProgram, PatientProgramPhase, Program

PROGRAMS = "gh/sb-demo/formations"

# Shaped like docs/programs.md "Get program by name", plus a field Welkin might add and nulls.
PROGRAM: dict[str, Any] = {
    "name": "diabetes-prevention",
    "title": "Diabetes Prevention",
    "description": "Year-long lifestyle program",
    "phases": [
        {
            "name": "enrolled",
            "title": "Enrolled",
            "description": "",
            "navigateTo": [{"name": "core"}],
        },
        {"name": "core", "title": "Core sessions", "description": None, "navigateTo": None},
    ],
    "nodes": [
        {
            "id": "enrolled",
            "data": {"label": "Enrolled"},
            "type": "input",
            "position": {"x": 20.5, "y": 40},
            "sourcePosition": "right",
            "targetPosition": "left",
        }
    ],
    "newField": 1,
}
# docs/patient_programs.md "Get patient program record" (B adds an id).
PHASE: dict[str, Any] = {
    "timestamp": "2023-02-01T16:45:00.120Z",
    "name": "core",
    "title": "Core sessions",
    "description": "Weekly group sessions",
    "currentVersion": "61",
}
PATIENT_PROGRAM: dict[str, Any] = {
    "id": "4f6a8b2c-3d1e-4a5b-9c7d-8e0f1a2b3c4d",
    "createdAt": "2023-01-09T10:00:00.000Z",
    "programName": "diabetes-prevention",
    "programTitle": "Diabetes Prevention",
    "programDescription": "Year-long lifestyle program",
    "assigned": True,
    "patientId": "08632f11-cb33-4b5b-aece-aaa360f9f747",
    "currentPhase": PHASE,
    "status": "IN_PROGRESS",
    "compatibleWithCurrentVersion": True,
    "pathHistory": [{**PHASE, "name": "enrolled", "title": "Enrolled"}, PHASE],
    "phases": None,
    "newField": 1,
}


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    fake.seed(designer=True)
    return str(fake.add_patient(firstName="Maya", lastName="Okafor")["id"])


def sent(fake: FakeWelkin) -> tuple[str, str, dict[str, str], Any]:
    call = last_call(fake)
    return call.method, call.path, call.query, call.json


def define(client: welkin.Client, *names: str) -> None:
    """Programs a patient can be assigned to must exist in the designer."""
    for name in names:
        client.formations.programs.create(
            name=name, title=name.title(), phases=[{"name": "start", "title": "Start"}]
        )


def patient_path(pid: str) -> str:
    return f"gh/sb-demo/patients/{pid}/programs"


# -- fixtures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "fixture"),
    [(Program, PROGRAM), (PatientProgram, PATIENT_PROGRAM), (PatientProgramPhase, PHASE)],
)
def test_documented_examples_dump_back_exactly(model: type[Any], fixture: dict[str, Any]) -> None:
    assert model.model_validate(fixture).to_dict() == fixture


def test_models_are_typed() -> None:
    program = Program.model_validate(PROGRAM)
    enrolled, core = program.phases or []
    assert [link.name for link in enrolled.navigate_to or []] == ["core"]
    assert core.navigate_to is None
    (node,) = program.nodes or []
    assert node.position is not None and (node.position.x, node.position.y) == (20.5, 40)
    assert node.data is not None and node.data.label == "Enrolled"

    patient_program = PatientProgram.model_validate(PATIENT_PROGRAM)
    assert patient_program.id == uuid.UUID(PATIENT_PROGRAM["id"])
    assert patient_program.patient_id == uuid.UUID("08632f11-cb33-4b5b-aece-aaa360f9f747")
    assert patient_program.created_at == datetime(2023, 1, 9, 10, tzinfo=timezone.utc)
    phase = patient_program.current_phase
    assert phase is not None and is_utc_aware(phase.timestamp)
    assert phase.current_version == "61"  # a number sent as a string
    assert [p.name for p in patient_program.path_history or []] == ["enrolled", "core"]
    assert patient_program.model_extra == {"newField": 1}


# -- program definitions ------------------------------------------------------------------


def test_definitions_list_and_get(client: welkin.Client, pid: str, fake: FakeWelkin) -> None:
    programs = client.formations.programs.list()

    assert sent(fake) == ("GET", f"{PROGRAMS}/current/programs", {}, None)
    assert isinstance(programs, list)  # LIST: a bare array, no pages
    assert [(type(p), p.name) for p in programs] == [(Program, "onboarding")]

    onboarding = client.formations.programs.get("onboarding", version="draft")
    assert sent(fake) == ("GET", f"{PROGRAMS}/draft/programs/onboarding", {}, None)
    assert [(p.name, [n.name for n in p.navigate_to or []]) for p in onboarding.phases or []] == [
        ("intake", ["active"]),
        ("active", ["graduated"]),
        ("graduated", []),
    ]
    assert client.formations.programs.list(version=4) == []
    assert last_call(fake).path == f"{PROGRAMS}/4/programs"


def test_definition_create_replace_delete(
    client: welkin.Client, pid: str, fake: FakeWelkin
) -> None:
    created = client.formations.programs.create(
        name="care_program_1",
        title="Care program",
        description="From intake to discharge",
        phases=[
            welkin.types.ProgramPhase(
                name="phase_1", title="Phase 1", navigate_to=[{"name": "phase_2"}]
            ),
            {"name": "phase_2", "title": "Phase 2", "navigateTo": None},
        ],
    )

    assert sent(fake) == (
        "POST",
        f"{PROGRAMS}/draft/programs",
        {},
        {
            "name": "care_program_1",
            "title": "Care program",
            "description": "From intake to discharge",
            "phases": [
                {"name": "phase_1", "title": "Phase 1", "navigateTo": [{"name": "phase_2"}]},
                {"name": "phase_2", "title": "Phase 2", "navigateTo": None},
            ],
        },
    )
    assert isinstance(created, Program) and created.name == "care_program_1"
    assert client.formations.programs.get("care_program_1").title == "Care program"

    replaced = client.formations.programs.replace("care_program_1", title="Care", phases=[])
    assert sent(fake) == (
        "PUT",
        f"{PROGRAMS}/draft/programs/care_program_1",
        {},
        {"title": "Care", "phases": []},
    )
    assert (replaced.title, replaced.phases, replaced.description) == ("Care", [], None)

    assert client.formations.programs.delete("care_program_1") is None
    assert sent(fake) == ("DELETE", f"{PROGRAMS}/draft/programs/care_program_1", {}, None)
    assert [p.name for p in client.formations.programs.list()] == ["onboarding"]


# -- a patient's programs -----------------------------------------------------------------


def test_update_assigns_a_program(client: welkin.Client, pid: str, fake: FakeWelkin) -> None:
    assigned = client.patients.programs.update(
        pid, "onboarding", assigned=True, status="IN_PROGRESS"
    )

    assert sent(fake) == (
        "PATCH",
        f"{patient_path(pid)}/onboarding",
        {},
        {"assigned": True, "status": "IN_PROGRESS"},
    )
    assert isinstance(assigned, PatientProgram)
    assert (assigned.assigned, assigned.status) == (True, "IN_PROGRESS")
    assert assigned.patient_id == uuid.UUID(pid) and is_utc_aware(assigned.created_at)

    again = client.patients.programs.get(pid, "onboarding")
    assert sent(fake) == ("GET", f"{patient_path(pid)}/onboarding", {}, None)
    assert again.model_dump() == assigned.model_dump()


def test_an_assigned_program_names_itself(client: welkin.Client, pid: str) -> None:
    assigned = client.patients.programs.update(pid, "onboarding", assigned=True)

    assert (assigned.program_name, assigned.program_title) == ("onboarding", "Onboarding")


def test_get_current_and_get_history(client: welkin.Client, pid: str, fake: FakeWelkin) -> None:
    assigned = client.patients.programs.update(pid, "onboarding", assigned=True)
    assert assigned.id is not None

    current = client.patients.programs.get_current(
        pid, "onboarding", assigned_programs=True, sort=("createdAt", "desc")
    )
    assert sent(fake) == (
        "GET",
        f"{patient_path(pid)}/current/onboarding",
        {"assignedPrograms": "true", "sort": "createdAt,desc"},
        None,
    )
    history = client.patients.programs.get_history(pid, assigned.id, assigned_programs=False)
    assert sent(fake) == (
        "GET",
        f"{patient_path(pid)}/history/{assigned.id}",
        {"assignedPrograms": "false"},
        None,
    )
    assert current.id == history.id == assigned.id


def test_change_phase_sends_the_phase_name(
    client: welkin.Client, pid: str, fake: FakeWelkin
) -> None:
    client.patients.programs.update(pid, "onboarding", assigned=True)

    moved = client.patients.programs.change_phase(pid, "onboarding", phase_name="active")

    assert sent(fake) == (
        "PATCH",
        f"{patient_path(pid)}/onboarding/phases",
        {},
        {"phaseName": "active"},
    )
    assert isinstance(moved, PatientProgram)


def test_change_phase_moves_the_patient(client: welkin.Client, pid: str) -> None:
    client.patients.programs.update(pid, "onboarding", assigned=True)

    moved = client.patients.programs.change_phase(pid, "onboarding", phase_name="active")

    assert moved.current_phase is not None and moved.current_phase.name == "active"
    assert [p.name for p in moved.path_history or []][-1:] == ["active"]


@pytest.mark.parametrize("by", ["name", "id"])
def test_unassign_by_program_name_or_by_id(
    client: welkin.Client, pid: str, fake: FakeWelkin, by: str
) -> None:
    assigned = client.patients.programs.update(pid, "onboarding", assigned=True)
    key = "onboarding" if by == "name" else str(assigned.id)

    assert client.patients.programs.unassign(pid, key) is None

    assert sent(fake) == ("DELETE", f"{patient_path(pid)}/{key}", {}, None)
    with pytest.raises(welkin.NotFoundError):
        client.patients.programs.get_current(pid, "onboarding")


def test_list_pages_with_meta_info(client: welkin.Client, pid: str, fake: FakeWelkin) -> None:
    names = [f"program-{n}" for n in range(5)]
    define(client, *names)
    ids = [client.patients.programs.update(pid, name, assigned=True).id for name in names]

    first = client.patients.programs.list(pid, assigned_programs=True, size=2)

    assert sent(fake) == ("GET", patient_path(pid), {"assignedPrograms": "true", "size": "2"}, None)
    assert len(first.items) == 2 and first.has_next_page()
    assert first.envelope.meta_info.total_pages == 3  # the METAINFO envelope: data + metaInfo
    pages = list(first.iter_pages())
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert not pages[-1].has_next_page() and pages[-1].envelope.meta_info.last_page is True
    assert [c.query.get("page") for c in api_calls(fake)[-2:]] == ["1", "2"]
    assert [p.id for p in first] == ids  # every item once, in order
    resumed = client.patients.programs.list(pid, page=2, size=2)
    assert [p.id for p in resumed.items] == ids[4:]


# -- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c, pid: c.patients.programs.get(pid, "onboarding"),
        lambda c, pid: c.patients.programs.get_current(pid, "onboarding"),
        lambda c, pid: c.patients.programs.get_history(pid, uuid.uuid4()),
        lambda c, pid: c.patients.programs.unassign(pid, "onboarding"),
        lambda c, pid: c.patients.programs.list(str(uuid.uuid4())),
        lambda c, pid: c.formations.programs.get("lead-management-program"),
        lambda c, pid: c.formations.programs.delete("lead-management-program"),
    ],
)
def test_missing_programs_answer_not_found(client: welkin.Client, pid: str, call: Any) -> None:
    with pytest.raises(welkin.NotFoundError) as caught:
        call(client, pid)

    assert caught.value.status_code == 404
    assert caught.value.error_codes == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c: c.patients.programs.list("08632f11"), "patient_id"),
        (lambda c: c.patients.programs.list(uuid.uuid4(), page="1"), "page"),
        (lambda c: c.patients.programs.list(uuid.uuid4(), sort=("createdAt", "up")), "sort"),
        (
            lambda c: c.patients.programs.get_history(uuid.uuid4(), "onboarding"),
            "patient_program_id",
        ),
        (lambda c: c.patients.programs.update(uuid.uuid4(), "", assigned=True), "program_name"),
        (lambda c: c.patients.programs.update(uuid.uuid4(), "x", assigned=[1]), "assigned"),
        (lambda c: c.patients.programs.change_phase(uuid.uuid4(), "x", phase_name=3), "phase_name"),
        (lambda c: c.formations.programs.list(version="live"), "version"),
        (lambda c: c.formations.programs.create(phases=[{"name": 3}]), "phases.0.name"),
    ],
)
def test_bad_input_is_refused_before_any_request(
    client: welkin.Client, fake: FakeWelkin, call: Any, argument: str
) -> None:
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        call(client)

    assert caught.value.argument == argument
    assert fake.requests == []


# -- async --------------------------------------------------------------------------------


async def test_async_patient_programs(
    aclient: welkin.AsyncClient, pid: str, fake: FakeWelkin
) -> None:
    for name in ("a", "b", "c"):
        await aclient.formations.programs.create(name=name)
        await aclient.patients.programs.update(pid, name, assigned=True)
    definition = await aclient.formations.programs.get("onboarding")

    seen = [p.id async for p in aclient.patients.programs.list(pid, size=2)]
    first = await aclient.patients.programs.list(pid, size=2)

    assert definition.title == "Onboarding"
    assert len(seen) == len(set(seen)) == 3
    assert [p.id for p in first.items] == seen[:2]
    assert await aclient.patients.programs.unassign(pid, "b") is None


# -- the old package: PatientProgram(s), ProgramPhase(s) ----------------------------------


def test_a_patient_program_deletes_by_its_id(
    client: welkin.Client, pid: str, fake: FakeWelkin
) -> None:
    client.patients.programs.update(pid, "onboarding", assigned=True)
    (listed,) = client.Patient(id=pid).PatientPrograms().get()

    assert listed.delete() is listed  # unassigns by the patient-program id (B)
    assert sent(fake) == ("DELETE", f"{patient_path(pid)}/{listed.id}", {}, None)
    assert client.PatientPrograms().get(patient_id=pid) == []


def test_a_patient_program_by_name(client: welkin.Client, pid: str, fake: FakeWelkin) -> None:
    client.patients.programs.update(pid, "onboarding", assigned=True)
    program = client.PatientProgram(programName="onboarding")

    assert program.get(patient_id=pid).assigned is True  # no id: the current one, by name
    assert sent(fake) == ("GET", f"{patient_path(pid)}/current/onboarding", {}, None)
    updated = (
        client.Patient(id=pid).PatientProgram(programName="onboarding").update(status="COMPLETED")
    )
    assert sent(fake) == ("PATCH", f"{patient_path(pid)}/onboarding", {}, {"status": "COMPLETED"})
    assert isinstance(updated, classes.PatientProgram) and updated.status == "COMPLETED"


def test_a_listed_patient_program_can_be_updated(client: welkin.Client, pid: str) -> None:
    client.patients.programs.update(pid, "onboarding", assigned=True)
    (listed,) = client.Patient(id=pid).PatientPrograms().get()

    assert listed.update(status="COMPLETED").status == "COMPLETED"
