"""``client.patients.care_plan`` (overview, goals, goal comments and tasks) and the old
``CarePlan`` and ``CarePlanOverview`` classes, against the fake."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import pytest
from support import api_calls, is_utc_aware, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import CarePlan, Goal, GoalComment, GoalDetails, GoalTask, PatientOverview

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
DUE = datetime(2024, 7, 5, 12, tzinfo=timezone.utc)

# Shaped like docs/care_plans.md (own values), each with a field Welkin might add and a null.
OVERVIEW: dict[str, Any] = {
    "createdByName": "Nick Snow",
    "createdAt": "2024-05-04T07:36:39.793Z",
    "updatedByName": None,
    "updatedAt": "2024-05-04T07:36:59.434Z",
    "overview": "Type 2 diabetes; focus on A1C and daily activity.",
    "newField": 1,
}
PLAN: dict[str, Any] = {
    "id": "c5b5a589-257f-482d-b6a6-907a6c45cd00",
    "createdByName": "Nick Snow",
    "createdAt": "2024-05-04T05:53:47.211Z",
    "updatedByName": "Nick Snow",
    "updatedAt": "2024-05-04T07:36:59.435Z",
    "patientOverview": OVERVIEW,
    "newField": None,
}
GOAL: dict[str, Any] = {
    "id": "57827fdb-d240-46f9-8e6a-a89441cf8718",
    "createdByName": "Nick Snow",
    "createdAt": "2024-05-04T09:21:31.205Z",
    "updatedByName": "Nick Snow",
    "updatedAt": "2024-05-04T09:37:11.206Z",
    "name": "Lower A1C below 7%",
    "type": None,
    "priority": "HIGH",
    "status": "ACTIVE",
    "templateName": "lower_a1c",
}
COMMENT: dict[str, Any] = {
    "id": "c84992c2-568e-41b0-ab51-903c83e46d81",
    "createdByName": "Nick Snow",
    "createdAt": "2024-05-04T10:01:21.108Z",
    "updatedByName": "Nick Snow",
    "updatedAt": "2024-05-04T10:01:21.108Z",
    "text": "A1C down to 7.4",
}
DETAILS: dict[str, Any] = {
    "details": GOAL,
    "tasks": [
        {
            "id": "ce9e012e-4ae8-4366-9987-bbf5ebdf4a2d",
            "createdAt": "2024-05-04T09:21:31.571Z",
            "updatedAt": "2024-05-04T09:21:31.571Z",
            "name": "Order A1C test",
            "description": "",
            "dueDate": "2024-07-05T12:00:00.000Z",
            "status": "TODO",
            "priority": "LOW",
            "patient": {"id": "d6ea79ce-d3d6-4c2d-a27e-e4d1207f60f1", "name": "Rosa Diaz"},
            "assignee": {"id": "20eb246e-8099-4c7c-854c-5e0f9a366ddb", "name": "Nick Snow"},
            "author": {"id": "20eb246e-8099-4c7c-854c-5e0f9a366ddb", "name": "Nick Snow"},
            "watchers": [{"id": "20eb246e-8099-4c7c-854c-5e0f9a366ddb", "name": "Nick Snow"}],
            "comments": [COMMENT],
            "goalId": GOAL["id"],
            "watchersType": "POINT_OF_CONTACT",
            "newField": 1,
        }
    ],
    "comments": [],
    "newField": 1,
}


@pytest.fixture
def fake() -> FakeWelkin:
    fake = FakeWelkin()
    fake.seed(designer=True)  # goal templates lower_a1c and daily_walk
    return fake


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    return str(fake.add_patient(firstName="Rosa", lastName="Diaz")["id"])


def plan_path(pid: str, suffix: str = "") -> str:
    return f"gh/sb-demo/patients/{pid}/care-plan{suffix}"


# -- documented shapes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "fixture"),
    [
        (PatientOverview, OVERVIEW),
        (CarePlan, PLAN),
        (Goal, GOAL),
        (GoalComment, COMMENT),
        (GoalDetails, DETAILS),
        (GoalTask, DETAILS["tasks"][0]),
    ],
    ids=["overview", "plan", "goal", "comment", "details", "task"],
)
def test_documented_examples_dump_back_exactly(model: Any, fixture: dict[str, Any]) -> None:
    assert model.model_validate(fixture).to_dict() == fixture


def test_documented_examples_are_typed() -> None:
    plan = CarePlan.model_validate(PLAN)
    assert plan.id == uuid.UUID(PLAN["id"]) and is_utc_aware(plan.created_at)
    assert plan.patient_overview is not None
    assert plan.patient_overview.overview == OVERVIEW["overview"]
    assert plan.patient_overview.updated_by_name is None
    assert plan.patient_overview.model_extra == {"newField": 1}
    details = GoalDetails.model_validate(DETAILS)
    assert details.details is not None and details.details.template_name == "lower_a1c"
    [task] = details.tasks or []
    assert task.goal_id == details.details.id and task.due_date == DUE
    assert task.assignee is not None and task.assignee.name == "Nick Snow"
    assert [c.text for c in task.comments or []] == ["A1C down to 7.4"]
    assert task.model_extra == {"newField": 1} and details.comments == []


# -- care plan and overview -----------------------------------------------------------------


def test_overview_create_replace_and_plan_get(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    with pytest.raises(welkin.NotFoundError):
        client.patients.care_plan.get(pid)  # no plan before its overview

    created = client.patients.care_plan.overview.create(pid, overview="Focus on A1C")
    call = last_call(fake)
    assert (call.method, call.path, call.json) == (
        "POST",
        plan_path(pid, "/overview"),
        {"overview": "Focus on A1C"},
    )
    assert isinstance(created, PatientOverview) and created.overview == "Focus on A1C"
    assert is_utc_aware(created.created_at)

    plan = client.patients.care_plan.get(uuid.UUID(pid))
    call = last_call(fake)
    assert (call.method, call.path, call.json) == ("GET", plan_path(pid), None)
    assert isinstance(plan, CarePlan) and isinstance(plan.id, uuid.UUID)
    assert plan.patient_overview is not None
    assert plan.patient_overview.overview == "Focus on A1C"

    replaced = client.patients.care_plan.overview.replace(pid, overview="A1C and walking")
    call = last_call(fake)
    assert (call.method, call.path, call.json) == (
        "PUT",
        plan_path(pid, "/overview"),
        {"overview": "A1C and walking"},
    )
    assert replaced.overview == "A1C and walking"
    again = client.patients.care_plan.get(pid).patient_overview
    assert again is not None and again.overview == "A1C and walking"


# -- goals ----------------------------------------------------------------------------------


def test_goal_create_from_a_template_update_and_get(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    goal = client.patients.care_plan.goals.create(pid, goal_template_name="lower_a1c")

    call = last_call(fake)
    assert (call.method, call.path, call.json) == (
        "POST",
        plan_path(pid, "/goals"),
        {"goalTemplateName": "lower_a1c"},
    )
    assert isinstance(goal, Goal) and isinstance(goal.id, uuid.UUID)
    assert (goal.name, goal.status, goal.template_name) == (
        "Lower A1C below 7%",
        "ACTIVE",
        "lower_a1c",
    )

    updated = client.patients.care_plan.goals.update(pid, goal.id, status="COMPLETED")
    call = last_call(fake)
    assert (call.method, call.path, call.json) == (
        "PATCH",
        plan_path(pid, f"/goals/{goal.id}"),
        {"status": "COMPLETED"},
    )
    assert (updated.status, updated.name) == ("COMPLETED", goal.name)

    details = client.patients.care_plan.goals.get(pid, goal.id)
    assert (last_call(fake).method, last_call(fake).path) == (
        "GET",
        plan_path(pid, f"/goals/{goal.id}"),
    )
    assert isinstance(details, GoalDetails) and details.details == updated
    assert (details.tasks, details.comments) == ([], [])


def test_goal_comments_and_tasks_show_in_the_details(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    nurse = str(fake.add_user(username="nick.snow")["id"])
    goal = client.patients.care_plan.goals.create(pid, goal_template_name="daily_walk")
    goal_path = plan_path(pid, f"/goals/{goal.id}")

    comment = client.patients.care_plan.goals.comments.create(pid, goal.id, text="Walked 3 days")
    call = last_call(fake)
    assert (call.method, call.path, call.json) == (
        "POST",
        f"{goal_path}/comments",
        {"text": "Walked 3 days"},
    )
    assert isinstance(comment, GoalComment) and comment.text == "Walked 3 days"

    task = client.patients.care_plan.goals.tasks.create(
        pid, goal.id, name="Buy shoes", status="TODO", priority="LOW", due_date=DUE,
        assignee={"id": nurse},
    )  # fmt: skip
    call = last_call(fake)
    assert (call.method, call.path) == ("POST", f"{goal_path}/tasks")
    assert call.json == {
        "name": "Buy shoes",
        "status": "TODO",
        "priority": "LOW",
        "dueDate": "2024-07-05T12:00:00.000Z",
        "assignee": {"id": nurse},
    }
    assert isinstance(task, GoalTask) and task.due_date == DUE
    assert task.assignee is not None and task.assignee.id == uuid.UUID(nurse)

    comments = client.patients.care_plan.goals.comments.list(pid, goal.id)
    assert (last_call(fake).method, last_call(fake).path) == ("GET", f"{goal_path}/comments")
    assert comments == [comment]
    tasks = client.patients.care_plan.goals.tasks.list(pid, goal.id)
    assert (last_call(fake).method, last_call(fake).path) == ("GET", f"{goal_path}/tasks")
    assert tasks == [task]
    details = client.patients.care_plan.goals.get(pid, goal.id)
    assert (details.tasks, details.comments) == ([task], [comment])


def test_a_goal_task_names_its_goal(client: welkin.Client, pid: str) -> None:
    goal = client.patients.care_plan.goals.create(pid, goal_template_name="daily_walk")

    task = client.patients.care_plan.goals.tasks.create(pid, goal.id, name="Buy shoes")

    assert task.goal_id == goal.id


def test_goals_list_walks_metainfo_pages_and_filters_by_status(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    ids = [
        client.patients.care_plan.goals.create(pid, goal_template_name=name).id
        for name in ("lower_a1c", "daily_walk", "lower_a1c", "daily_walk", "lower_a1c")
    ]
    client.patients.care_plan.goals.update(pid, ids[1], status="REMOVED")
    before = len(api_calls(fake))

    page = client.patients.care_plan.goals.list(pid, size=2)
    assert [g.id for g in page.items] == ids[:2]
    assert (page.envelope.meta_info.total_elements, page.envelope.meta_info.total_pages) == (5, 3)
    assert [g.id for g in page] == ids
    assert [c.query for c in api_calls(fake)[before:]] == [
        {"size": "2"},
        {"page": "1", "size": "2"},
        {"page": "2", "size": "2"},
    ]
    last = client.patients.care_plan.goals.list(pid, page=2, size=2)
    assert [g.id for g in last.items] == ids[4:] and last.envelope.meta_info.last_page is True

    removed = client.patients.care_plan.goals.list(pid, status="REMOVED")
    assert last_call(fake).query == {"status": "REMOVED"}
    assert [g.id for g in removed.items] == [ids[1]]


# -- errors ---------------------------------------------------------------------------------


def test_bad_arguments_are_named_before_any_request(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    sent = len(fake.requests)
    with pytest.raises(welkin.InvalidArgumentError, match=r"^patient_id"):
        client.patients.care_plan.get("rosa")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^status"):
        client.patients.care_plan.goals.list(pid, status="DONE")  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^goal_id"):
        client.patients.care_plan.goals.get(pid, "lower_a1c")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^due_date"):
        client.patients.care_plan.goals.tasks.create(pid, MISSING, due_date="soon")  # type: ignore[arg-type]
    assert len(fake.requests) == sent


def test_missing_patient_goal_or_template_is_not_found(client: welkin.Client, pid: str) -> None:
    for call in (
        lambda: client.patients.care_plan.get(MISSING),
        lambda: client.patients.care_plan.goals.get(pid, MISSING),
        lambda: client.patients.care_plan.goals.update(pid, MISSING, status="ACTIVE"),
        lambda: client.patients.care_plan.goals.create(pid, goal_template_name="no_such"),
        lambda: client.patients.care_plan.goals.create(MISSING, goal_template_name="lower_a1c"),
    ):
        with pytest.raises(welkin.NotFoundError) as caught:
            call()
        assert (caught.value.status_code, caught.value.error_codes) == (404, ["NOT_FOUND"])


# -- the old package's classes --------------------------------------------------------------


# -- async ----------------------------------------------------------------------------------


async def test_async_care_plan_and_goals(fake: FakeWelkin, pid: str) -> None:
    async with fake.async_client() as client:
        await client.patients.care_plan.overview.create(pid, overview="Async plan")
        plan = await client.patients.care_plan.get(pid)
        goal = await client.patients.care_plan.goals.create(pid, goal_template_name="daily_walk")
        await client.patients.care_plan.goals.comments.create(pid, goal.id, text="ok")
        walked = [g.id async for g in client.patients.care_plan.goals.list(pid, size=1)]
        details = await client.patients.care_plan.goals.get(pid, goal.id)

    assert plan.patient_overview is not None and plan.patient_overview.overview == "Async plan"
    assert walked == [goal.id]
    assert [c.text for c in details.comments or []] == ["ok"]
    assert last_call(fake).path == plan_path(pid, f"/goals/{goal.id}")
