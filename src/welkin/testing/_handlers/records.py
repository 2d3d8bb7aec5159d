"""Records of a patient written in bulk or in part: CDT rows updated together, and the answers
of an assessment record."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from .._routes import Call, Handler, RejectedError

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS"]


def _cdt_bulk_update(store: Store, call: Call) -> httpx.Response:
    collection = store.collections.setdefault(call.path, {})
    rows = []
    for row in call.body.get("rows") or []:
        record = collection.get(str(row.get("id")))
        if record is None:
            rows.append({**row, "result": {"status": "NOT_FOUND", "content": None}})
            continue
        record["jsonBody"].update(row.get("jsonBody") or {})
        record["jsonBody"]["updated_at"] = call.now
        rows.append({**record, "result": {"status": "OK", "content": None}})
    return httpx.Response(200, json={"rows": rows})


def _replace_answers(store: Store, call: Call) -> httpx.Response:
    """New answers replace the record's ``answers``; the answer is the record."""
    records_path, _, record_id = call.path.removesuffix("/answers").rpartition("/")
    record = store.collections.get(records_path, {}).get(record_id)
    if record is None:
        raise RejectedError(404, "NOT_FOUND", f"No assessment record {record_id}")
    record["answers"] = dict(call.body or {})
    record["updatedAt"] = call.now
    return httpx.Response(200, json=record)


HANDLERS = {
    "patients.cdts.bulk_update": Handler(_cdt_bulk_update),
    "patients.assessment_records.replace_answers": Handler(_replace_answers),
}
