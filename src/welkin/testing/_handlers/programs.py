"""Patient programs: assigned from a program of the designer at its first phase, moved from
phase to phase, read by name or id, and unassigned."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from .._routes import Call, Handler, RejectedError

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS"]

JSONObject = dict[str, Any]


def _programs(store: Store, call: Call) -> dict[str, JSONObject]:
    root = call.path.split("/programs/", 1)[0] + "/programs"
    return store.collections.setdefault(root, {})


def _designer_program(store: Store, call: Call) -> JSONObject:
    instance_root = call.path.split("/patients/", 1)[0]
    programs = store.collections.get(f"{instance_root}/formations/draft/programs", {})
    program = programs.get(call.params["programName"])
    if program is None:
        raise RejectedError(404, "NOT_FOUND", f"No program {call.params['programName']!r}")
    return program


def _phase(program: JSONObject, name: str | None, now: str) -> JSONObject:
    for phase in program.get("phases") or []:
        if name is None or phase.get("name") == name:
            return {
                "timestamp": now,
                "name": phase.get("name"),
                "title": phase.get("title"),
                "description": phase.get("description"),
                "currentVersion": "1",
            }
    raise RejectedError(400, "VALIDATION_ERROR", f"The program has no phase {name!r}")


def _assign(store: Store, call: Call) -> httpx.Response:
    """Assigning starts the program at its first phase; later calls change its status."""
    program = _designer_program(store, call)
    programs = _programs(store, call)
    name = call.params["programName"]
    current = programs.get(name)
    if current is None:
        phase = _phase(program, None, call.now) if program.get("phases") else None
        current = {
            "id": store.new_id(),
            "createdAt": call.now,
            "programName": name,
            "programTitle": program.get("title"),
            "programDescription": program.get("description"),
            "patientId": call.params["patientId"],
            "status": "IN_PROGRESS",
            "currentPhase": phase,
            "compatibleWithCurrentVersion": True,
            "pathHistory": [phase] if phase else [],
        }
        programs[name] = current
    current.update({k: v for k, v in call.body.items() if k in ("assigned", "status")})
    return httpx.Response(200, json=current)


def _change_phase(store: Store, call: Call) -> httpx.Response:
    program = _designer_program(store, call)
    current = _programs(store, call).get(call.params["programName"])
    if current is None:
        raise RejectedError(404, "NOT_FOUND", "The patient has no such program")
    phase = _phase(program, call.body.get("phaseName"), call.now)
    current["currentPhase"] = phase
    current["pathHistory"] = [*(current.get("pathHistory") or []), phase]
    return httpx.Response(200, json=current)


def _by_name(store: Store, call: Call) -> httpx.Response:
    program = _programs(store, call).get(call.params["programName"])
    if program is None:
        raise RejectedError(404, "NOT_FOUND", "The patient has no such program")
    return httpx.Response(200, json=program)


def _by_id(store: Store, call: Call) -> httpx.Response:
    for program in _programs(store, call).values():
        if program.get("id") == call.params["patientProgramId"]:
            return httpx.Response(200, json=program)
    raise RejectedError(404, "NOT_FOUND", "No such patient program")


def _unassign(store: Store, call: Call) -> httpx.Response:
    programs = _programs(store, call)
    key = call.path.rsplit("/", 1)[1]
    for name, program in list(programs.items()):
        if key in (name, program.get("id")):  # by name (A) or by id (B)
            del programs[name]
            return httpx.Response(204)
    raise RejectedError(404, "NOT_FOUND", "No such patient program")


HANDLERS = {
    "patients.programs.get_current": Handler(_by_name),
    "patients.programs.get_history": Handler(_by_id),
    "patients.programs.unassign": Handler(_unassign),
    "patients.programs.get": Handler(_by_name),
    "patients.programs.update": Handler(_assign),
    "patients.programs.change_phase": Handler(_change_phase),
}
