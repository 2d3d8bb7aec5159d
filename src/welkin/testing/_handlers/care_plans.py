"""Care plans: the plan around a patient's overview, goals made from goal templates, and a
goal with its tasks and comments."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import httpx

from .._routes import Call, Handler, RejectedError

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS"]


def _care_plan(store: Store, call: Call) -> httpx.Response:
    overview = next(iter(store.collections.get(f"{call.path}/overview", {}).values()), None)
    if overview is None:
        raise RejectedError(404, "NOT_FOUND", "The patient has no care plan yet")
    plan = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, call.path)),
        "createdAt": overview.get("createdAt"),
        "updatedAt": overview.get("updatedAt"),
        "patientOverview": overview,
    }
    return httpx.Response(200, json=plan)


def _create_goal(store: Store, call: Call) -> httpx.Response:
    """A goal is made from a goal template of the current formation."""
    instance_root = call.path.split("/patients/", 1)[0]
    name = call.body.get("goalTemplateName")
    templates = store.collections.get(f"{instance_root}/formations/draft/goal-templates", {})
    template = templates.get(name)
    if template is None:
        raise RejectedError(404, "NOT_FOUND", f"No goal template {name!r}")
    goal = {
        "id": store.new_id(),
        "name": template.get("title") or name,
        "type": template.get("type"),
        "priority": template.get("priority") or "MEDIUM",
        "status": "ACTIVE",
        "templateName": name,
        "createdAt": call.now,
        "createdByName": "Fake API client",
        "updatedAt": call.now,
        "updatedByName": "Fake API client",
    }
    store.collections.setdefault(call.path, {})[goal["id"]] = goal
    return httpx.Response(201, json=goal)


def _goal_details(store: Store, call: Call) -> httpx.Response:
    goals_path, _, goal_id = call.path.rpartition("/")
    goal = store.collections.get(goals_path, {}).get(goal_id)
    if goal is None:
        raise RejectedError(404, "NOT_FOUND", f"No goal {goal_id}")
    details = {
        "details": goal,
        "tasks": list(store.collections.get(f"{call.path}/tasks", {}).values()),
        "comments": list(store.collections.get(f"{call.path}/comments", {}).values()),
    }
    return httpx.Response(200, json=details)


HANDLERS = {
    "patients.care_plan.get": Handler(_care_plan),
    "patients.care_plan.goals.create": Handler(_create_goal),
    "patients.care_plan.goals.get": Handler(_goal_details),
}
