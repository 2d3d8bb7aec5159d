"""Exports: the patients, and the records of the instance's patient collections (CDT records,
patient programs, profile records), as cursor pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from .._pages import envelope
from .._routes import Call, Handler

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS"]


def _patients(store: Store, call: Call) -> httpx.Response:
    page = envelope("CURSOR", list(store.patients.values()), call.query, call.path)
    return httpx.Response(200, json=page)


def _records_of(exported: Callable[[str], bool]) -> Callable[[Store, Call], httpx.Response]:
    """An export of the records of the instance's patient collections whose path (below
    ``patients/``) is ``exported``."""

    def handle(store: Store, call: Call) -> httpx.Response:
        instance_root = call.path.rsplit("/export/", 1)[0] + "/patients/"
        records = [
            record
            for path, collection in store.collections.items()
            if path.startswith(instance_root) and exported(path)
            for record in collection.values()
        ]
        return store.page(call, records)

    return handle


HANDLERS = {
    "exports.patients.list": Handler(_patients, component="EXPORT", own_checks=True),
    "exports.cdt_records.list": Handler(_records_of(lambda p: "/cdts/" in p)),
    "exports.patient_programs.list": Handler(_records_of(lambda p: p.endswith("/programs"))),
    "exports.pdt_records.list": Handler(_records_of(lambda p: "/pdts/" in p)),
}
