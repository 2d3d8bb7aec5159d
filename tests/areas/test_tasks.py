"""``client.tasks`` (and its watchers and comments) against the fake: what each method sends,
what comes back, paging, errors, async."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import pytest
from support import api_calls, is_utc_aware, last_call

import welkin
from welkin.testing import FakeWelkin
from welkin.types import Task, TaskComment, TaskRef, TaskWatcher

TASKS = "gh/sb-demo/tasks"
MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"
DUE = datetime(2024, 6, 20, tzinfo=timezone.utc)

# Shaped like docs/tasks.md "Create new task" (own values), plus a field Welkin might add and
# a null.
TASK: dict[str, Any] = {
    "id": "5c1f7a7e-0d3b-4a8e-9d52-6c0f3a1e2b44",
    "createdAt": "2024-06-03T14:05:09.101Z",
    "updatedAt": "2024-06-04T08:00:00.000Z",
    "name": "Call about lab results",
    "description": None,
    "dueDate": "2024-06-20T00:00:00.000Z",
    "status": "IN_PROGRESS",
    "priority": "HIGH",
    "patient": {"id": "d6ea79ce-d3d6-4c2d-a27e-e4d1207f60f1", "name": "Rosa Diaz"},
    "assignee": {"id": "20eb246e-8099-4c7c-854c-5e0f9a366ddb", "name": "Nick Snow"},
    "author": {"id": "03a87f5b-3a04-4be8-b0ad-7a34a5b2892d", "name": "Amy Santiago"},
    "watchers": [{"id": "20eb246e-8099-4c7c-854c-5e0f9a366ddb", "name": "Nick Snow"}],
    "comments": [
        {
            "id": "94852cc2-ecbc-4fa1-8641-a8f2252b9ffb",
            "createdAt": "2024-06-03T14:05:09.133Z",
            "author": {"id": "03a87f5b-3a04-4be8-b0ad-7a34a5b2892d", "name": "Amy Santiago"},
            "text": "Potassium is high, please call today.",
        }
    ],
    "newField": 1,
}


@pytest.fixture
def nurse(fake: FakeWelkin) -> str:
    return str(fake.add_user(username="nick.snow", firstName="Nick")["id"])


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    return str(fake.add_patient(firstName="Rosa", lastName="Diaz")["id"])


def new_task(client: welkin.Client, nurse: str, name: str = "Review patient", **kw: Any) -> Task:
    return client.tasks.create(
        name=name,
        priority=kw.pop("priority", "MEDIUM"),
        status="TODO",
        assignee={"id": nurse},
        **kw,
    )


# -- documented shape ----------------------------------------------------------------------


def test_documented_task_is_typed_and_dumps_back_exactly() -> None:
    task = Task.model_validate(TASK)

    assert task.model_dump(mode="json", by_alias=True, exclude_unset=True) == TASK
    assert task.id == uuid.UUID(TASK["id"])
    assert task.due_date == DUE and is_utc_aware(task.created_at)
    assert task.description is None
    assert task.assignee is not None and task.assignee.name == "Nick Snow"
    assert task.watchers == [TaskWatcher(id=uuid.UUID(TASK["assignee"]["id"]), name="Nick Snow")]
    assert task.comments is not None
    comment = task.comments[0]
    assert isinstance(comment, TaskComment)
    assert comment.created_at == datetime(2024, 6, 3, 14, 5, 9, 133000, tzinfo=timezone.utc)
    assert comment.author is not None and comment.author.id == uuid.UUID(TASK["author"]["id"])
    assert task.model_extra == {"newField": 1}


# -- create, get, update --------------------------------------------------------------------


def test_create_sends_the_documented_body_and_get_reads_it_back(
    fake: FakeWelkin, client: welkin.Client, nurse: str, pid: str
) -> None:
    created = client.tasks.create(
        name="Review patient",
        description="Review new patient profile",
        priority="URGENT",
        status="TODO",
        due_date=DUE,
        assignee=TaskRef(id=uuid.UUID(nurse)),
        patient={"id": pid},
        watchers=[{"id": nurse}],
        comments=[{"text": "Lorem ipsum..."}],
    )

    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("POST", TASKS, {})
    assert call.json == {
        "name": "Review patient",
        "description": "Review new patient profile",
        "priority": "URGENT",
        "status": "TODO",
        "dueDate": "2024-06-20T00:00:00.000Z",
        "assignee": {"id": nurse},
        "patient": {"id": pid},
        "watchers": [{"id": nurse}],
        "comments": [{"text": "Lorem ipsum..."}],
    }
    assert isinstance(created, Task) and isinstance(created.id, uuid.UUID)
    assert created.due_date == DUE and is_utc_aware(created.created_at)
    assert created.patient is not None and created.patient.id == uuid.UUID(pid)
    assert created.comments is not None and created.comments[0].text == "Lorem ipsum..."

    again = client.tasks.get(created.id)
    call = last_call(fake)
    assert (call.method, call.path, call.json) == ("GET", f"{TASKS}/{created.id}", None)
    assert again == created


def test_update_patches_the_required_fields_and_only_those_given(
    fake: FakeWelkin, client: welkin.Client, nurse: str, pid: str
) -> None:
    task = new_task(client, nurse, patient={"id": pid}, description="first")

    updated = client.tasks.update(
        task.id, name="New name", priority="LOW", status="IN_PROGRESS", assignee={"id": nurse}
    )

    call = last_call(fake)
    assert (call.method, call.path) == ("PATCH", f"{TASKS}/{task.id}")
    assert call.json == {
        "name": "New name",
        "priority": "LOW",
        "status": "IN_PROGRESS",
        "assignee": {"id": nurse},
    }
    assert (updated.name, updated.status, updated.priority) == ("New name", "IN_PROGRESS", "LOW")
    assert updated.description == "first"  # a PATCH leaves the rest alone
    assert updated.patient is not None and updated.patient.id == uuid.UUID(pid)


def test_update_statuses_changes_several_tasks_and_returns_them(
    fake: FakeWelkin, client: welkin.Client, nurse: str
) -> None:
    first, second, third = (new_task(client, nurse, f"task {n}") for n in range(3))

    changed = client.tasks.update_statuses(task_ids=[first.id, str(third.id)], status="COMPLETED")

    call = last_call(fake)
    assert (call.method, call.path) == ("PATCH", TASKS)
    assert call.json == {"taskIds": [str(first.id), str(third.id)], "status": "COMPLETED"}
    assert isinstance(changed, list) and all(isinstance(t, Task) for t in changed)
    assert [t.id for t in changed] == [first.id, third.id]
    assert {t.status for t in changed} == {"COMPLETED"}
    assert client.tasks.get(second.id).status == "TODO"


# -- watchers and comments ------------------------------------------------------------------


def test_watchers_add_and_remove(fake: FakeWelkin, client: welkin.Client, nurse: str) -> None:
    task = new_task(client, nurse)
    doctor = uuid.UUID(fake.add_user(username="amy")["id"])

    added = client.tasks.watchers.add(task.id, id=doctor)

    call = last_call(fake)
    assert (call.method, call.path, call.json) == (
        "PATCH",
        f"{TASKS}/{task.id}/watchers",
        {"id": str(doctor)},
    )
    assert isinstance(added, Task)
    assert [w.id for w in added.watchers or []] == [doctor]

    removed = client.tasks.watchers.remove(task.id, doctor)

    call = last_call(fake)
    assert (call.method, call.path, call.json) == (
        "DELETE",
        f"{TASKS}/{task.id}/watchers/{doctor}",
        None,
    )
    assert isinstance(removed, Task) and removed.watchers == []


def test_comments_add_and_remove_which_answers_a_one_task_list(
    fake: FakeWelkin, client: welkin.Client, nurse: str
) -> None:
    task = new_task(client, nurse)

    commented = client.tasks.comments.add(task.id, text="Called, no answer.")

    call = last_call(fake)
    assert (call.method, call.path, call.json) == (
        "PATCH",
        f"{TASKS}/{task.id}/comments",
        {"text": "Called, no answer."},
    )
    [comment] = commented.comments or []
    assert comment.text == "Called, no answer." and comment.id is not None
    assert is_utc_aware(comment.created_at)

    answer = client.tasks.comments.remove(task.id, comment.id)

    call = last_call(fake)
    assert (call.method, call.path) == ("DELETE", f"{TASKS}/{task.id}/comments/{comment.id}")
    assert isinstance(answer, list) and [t.id for t in answer] == [task.id]
    assert answer[0].comments == []


def test_create_sends_a_template_name(fake: FakeWelkin, client: welkin.Client, nurse: str) -> None:
    # QX (NEWER.md): create takes `templateName`.
    task = new_task(client, nurse, template_name="follow-up-call")

    assert last_call(fake).json == {
        "name": "Review patient",
        "priority": "MEDIUM",
        "status": "TODO",
        "assignee": {"id": nurse},
        "templateName": "follow-up-call",
    }
    assert task.model_extra == {"templateName": "follow-up-call"}


def test_comments_on_behalf_of_a_patient_or_a_user(
    fake: FakeWelkin, client: welkin.Client, nurse: str, pid: str
) -> None:
    task = new_task(client, nurse)

    client.tasks.comments.add(task.id, text="From the patient.", patient_id=uuid.UUID(pid))
    assert last_call(fake).json == {"text": "From the patient.", "patientId": pid}
    answer = client.tasks.comments.add(task.id, text="From the nurse.", user_id=nurse)
    assert last_call(fake).json == {"text": "From the nurse.", "userId": nurse}
    assert [c.text for c in answer.comments or []] == ["From the patient.", "From the nurse."]

    # The field names are not in the sources: the docstring says so, and a renamed field goes
    # through extra_body.
    doc = client.tasks.comments.add.__doc__ or ""
    assert "on behalf of this patient (field name unconfirmed)" in doc
    client.tasks.comments.add(task.id, text="x", extra_body={"onBehalfOf": {"id": pid}})
    assert last_call(fake).json == {"text": "x", "onBehalfOf": {"id": pid}}

    sent = len(fake.requests)
    with pytest.raises(welkin.InvalidArgumentError, match=r"^user_id"):
        client.tasks.comments.add(task.id, text="x", user_id="nick")
    assert len(fake.requests) == sent


# -- lists ----------------------------------------------------------------------------------


def test_list_walks_metainfo_pages_once_each(
    fake: FakeWelkin, client: welkin.Client, nurse: str
) -> None:
    ids = [new_task(client, nurse, f"task {n}").id for n in range(7)]
    before = len(api_calls(fake))

    page = client.tasks.list(size=3)

    assert [t.id for t in page.items] == ids[:3]
    assert page.envelope.meta_info.total_elements == 7
    assert page.envelope.meta_info.total_pages == 3
    assert page.has_next_page() and page.next_page_query == {"page": "1", "size": "3"}
    walked = [t.id for t in page]
    assert walked == ids  # every task once, in order
    pages = [c.query for c in api_calls(fake)[before:]]
    assert pages == [{"size": "3"}, {"page": "1", "size": "3"}, {"page": "2", "size": "3"}]
    last = client.tasks.list(page=2, size=3)
    assert [t.id for t in last.items] == ids[6:]
    assert last.envelope.meta_info.last_page is True and not last.has_next_page()


def test_list_sends_filters_with_welkin_names(
    fake: FakeWelkin, client: welkin.Client, nurse: str, pid: str
) -> None:
    new_task(client, nurse, "urgent one", priority="URGENT")
    new_task(client, nurse, "low one", priority="LOW")

    page = client.tasks.list(
        assignee_id=nurse,
        patient_id=uuid.UUID(pid),
        watcher_id=nurse,
        author_id=nurse,
        related_user_id=nurse,
        status=["TODO", "IN_PROGRESS"],
        priority=["URGENT", "HIGH"],
        due_date=DUE,
        due_before=datetime(2024, 7, 1, tzinfo=timezone.utc),
        description="lab",
        search="urgent",
    )

    assert last_call(fake).query == {
        "assigneeId": nurse,
        "patientId": pid,
        "watcherId": nurse,
        "authorId": nurse,
        "relatedUserId": nurse,
        "status": "TODO,IN_PROGRESS",
        "priority": "URGENT,HIGH",
        "dueDate": "2024-06-20T00:00:00.000Z",
        "dueBefore": "2024-07-01T00:00:00.000Z",
        "description": "lab",
        "search": "urgent",
    }
    assert [t.name for t in page.items] == ["urgent one"]


def test_list_filters_by_priority(client: welkin.Client, nurse: str) -> None:
    new_task(client, nurse, "a", priority="URGENT")
    new_task(client, nurse, "b", priority="LOW")
    new_task(client, nurse, "c", priority="HIGH")

    names = [t.name for t in client.tasks.list(priority=["URGENT", "HIGH"])]

    assert names == ["a", "c"]


def test_list_by_assignee_leaves_out_other_users_tasks(
    fake: FakeWelkin, client: welkin.Client, nurse: str
) -> None:
    other = str(fake.add_user(username="other")["id"])
    new_task(client, nurse, "mine")
    new_task(client, other, "theirs")

    assert [t.name for t in client.tasks.list(assignee_id=nurse)] == ["mine"]


# -- errors ---------------------------------------------------------------------------------


def test_bad_arguments_are_named_before_any_request(
    fake: FakeWelkin, client: welkin.Client, nurse: str
) -> None:
    sent = len(fake.requests)
    with pytest.raises(welkin.InvalidArgumentError, match=r"^task_id"):
        client.tasks.get("42")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^assignee\.id"):
        client.tasks.create(name="x", priority="LOW", status="TODO", assignee={"id": "bob"})
    with pytest.raises(welkin.InvalidArgumentError, match=r"^status: expected a list"):
        client.tasks.list(status="TODO")  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^due_before"):
        client.tasks.list(due_before="tomorrow")  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^task_ids"):
        client.tasks.update_statuses(task_ids=["x"], status="TODO")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^id"):
        client.tasks.watchers.add(MISSING, id="nope")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^comment_id"):
        client.tasks.comments.remove(MISSING, "nope")
    assert len(fake.requests) == sent


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.tasks.get(MISSING),
        lambda c: c.tasks.update(
            MISSING, name="x", priority="LOW", status="TODO", assignee={"id": MISSING}
        ),
        lambda c: c.tasks.update_statuses(task_ids=[MISSING], status="TODO"),
        lambda c: c.tasks.comments.add(MISSING, text="x"),
        lambda c: c.tasks.watchers.remove(MISSING, MISSING),
    ],
    ids=["get", "update", "update_statuses", "comments.add", "watchers.remove"],
)
def test_a_missing_task_is_not_found(client: welkin.Client, call: Any) -> None:
    with pytest.raises(welkin.NotFoundError) as caught:
        call(client)

    assert caught.value.status_code == 404
    assert caught.value.error_codes == ["NOT_FOUND"]


def test_removing_a_comment_the_task_does_not_have_is_not_found(
    client: welkin.Client, nurse: str
) -> None:
    task = new_task(client, nurse)

    with pytest.raises(welkin.NotFoundError):
        client.tasks.comments.remove(task.id, MISSING)


# -- async ----------------------------------------------------------------------------------


async def test_async_create_comment_and_walk(fake: FakeWelkin, nurse: str) -> None:
    async with fake.async_client() as client:
        made = [
            await client.tasks.create(
                name=f"t{n}", priority="LOW", status="TODO", assignee={"id": nurse}
            )
            for n in range(3)
        ]
        commented = await client.tasks.comments.add(made[0].id, text="async note", user_id=nurse)
        walked = [t.id async for t in client.tasks.list(size=2)]
        changed = await client.tasks.update_statuses(task_ids=[made[1].id], status="CANCELED")

    assert [c.text for c in commented.comments or []] == ["async note"]
    assert walked == [t.id for t in made]
    assert [c.json for c in api_calls(fake) if c.path.endswith("/comments")] == [
        {"text": "async note", "userId": nurse}
    ]
    assert [t.status for t in changed] == ["CANCELED"]
    assert last_call(fake).json == {"taskIds": [str(made[1].id)], "status": "CANCELED"}
