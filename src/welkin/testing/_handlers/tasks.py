"""Tasks: statuses changed for many tasks at once, and watchers and comments added or removed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from .._routes import Call, Handler, RejectedError

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS"]

JSONObject = dict[str, Any]
_Handle = Callable[["Store", Call], httpx.Response]


def _tasks(store: Store, call: Call) -> dict[str, JSONObject]:
    root = call.path.split("/tasks", 1)[0] + "/tasks"
    return store.collections.setdefault(root, {})


def _task(store: Store, call: Call) -> JSONObject:
    task = _tasks(store, call).get(call.params["taskId"])
    if task is None:
        raise RejectedError(404, "NOT_FOUND", f"No task {call.params['taskId']}")
    return task


def _update_statuses(store: Store, call: Call) -> httpx.Response:
    tasks = _tasks(store, call)
    changed = []
    for task_id in call.body.get("taskIds") or []:
        task = tasks.get(str(task_id))
        if task is None:
            raise RejectedError(404, "NOT_FOUND", f"No task {task_id}")
        task["status"] = call.body.get("status")
        task["updatedAt"] = call.now
        changed.append(task)
    return httpx.Response(200, json=changed)


def _add(field: str) -> _Handle:
    def handle(store: Store, call: Call) -> httpx.Response:
        task = _task(store, call)
        entry = dict(call.body)
        if field == "comments":
            entry = {"id": store.new_id(), "createdAt": call.now, **entry}
        task.setdefault(field, [])
        task[field] = [*(task[field] or []), entry]
        return httpx.Response(200, json=task)

    return handle


def _remove(field: str) -> _Handle:
    def handle(store: Store, call: Call) -> httpx.Response:
        task = _task(store, call)
        key = call.path.rsplit("/", 1)[1]
        before = task.get(field) or []
        task[field] = [entry for entry in before if str(entry.get("id")) != key]
        if len(task[field]) == len(before):
            raise RejectedError(404, "NOT_FOUND", f"No such entry {key}")
        # Removing a comment answers a one-task array (A's example), a watcher the task.
        return httpx.Response(200, json=[task] if call.operation.response_is_list else task)

    return handle


HANDLERS = {
    "tasks.update_statuses": Handler(_update_statuses),
    "tasks.watchers.add": Handler(_add("watchers")),
    "tasks.comments.add": Handler(_add("comments")),
    "tasks.watchers.remove": Handler(_remove("watchers")),
    "tasks.comments.remove": Handler(_remove("comments")),
}
