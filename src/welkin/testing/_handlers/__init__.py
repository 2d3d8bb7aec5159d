"""The fake's handlers for the operations that plain CRUD on the store does not describe,
by operation id, one module per area. Every other operation gets ``Store.crud``."""

from __future__ import annotations

from .._routes import Handler
from . import (
    auth,
    calendar,
    care_plans,
    chat,
    dictionaries,
    encounters,
    exports,
    files,
    patients,
    programs,
    records,
    tasks,
    users,
)

__all__ = ["HANDLERS"]

HANDLERS: dict[str, Handler] = {
    **auth.HANDLERS,
    **patients.HANDLERS,
    **users.HANDLERS,
    **calendar.HANDLERS,
    **care_plans.HANDLERS,
    **chat.HANDLERS,
    **dictionaries.HANDLERS,
    **encounters.HANDLERS,
    **exports.HANDLERS,
    **files.HANDLERS,
    **programs.HANDLERS,
    **records.HANDLERS,
    **tasks.HANDLERS,
}
