"""Dictionaries: their records listed, appended, replaced all at once or one by one, and
deleted (Welkin keeps them, flagged)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from .._routes import Call, Handler, RejectedError

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS"]

JSONObject = dict[str, Any]


def _body(call: Call, records: list[JSONObject]) -> JSONObject:
    return {
        "dictionaryName": call.params.get("dictionaryName"),
        "lastUpdatedAt": call.now,
        "records": records,
    }


def _list(store: Store, call: Call) -> httpx.Response:
    records = list(store.collections.get(call.path, {}).values())
    if call.query.get("showDeleted") != "true":
        records = [r for r in records if not r.get("deleted")]
    return httpx.Response(200, json=_body(call, records))


def _write(store: Store, call: Call) -> httpx.Response:
    """POST appends records, PUT replaces them all."""
    collection = store.collections.setdefault(call.path, {})
    if call.operation.method == "PUT":
        collection.clear()
    added = []
    for raw in call.body.get("records") or []:
        values = raw.get("values") if isinstance(raw, dict) else None
        record_id = store.new_id()
        record = {
            "id": record_id,
            "createdAt": call.now,
            "updatedAt": call.now,
            "fullValue": " ".join(str(v) for v in (values or {}).values()),
            "deleted": False,
            "values": values or {},
        }
        collection[record_id] = record
        added.append(record)
    return httpx.Response(201, json=_body(call, added))


def _record(store: Store, call: Call) -> JSONObject:
    records_path, _, record_id = call.path.rpartition("/")
    record = store.collections.get(records_path, {}).get(record_id)
    if record is None or record.get("deleted"):
        raise RejectedError(404, "NOT_FOUND", f"No dictionary record {record_id}")
    return record


def _replace(store: Store, call: Call) -> httpx.Response:
    record = _record(store, call)
    values = call.body.get("values") or {}
    record.update(
        values=values,
        fullValue=" ".join(str(v) for v in values.values()),
        updatedAt=call.now,
    )
    return httpx.Response(200, json=record)


def _delete(store: Store, call: Call) -> httpx.Response:
    """Welkin keeps deleted records, flagged; lists show them with showDeleted=true."""
    record = _record(store, call)
    record.update(deleted=True, updatedAt=call.now)
    return httpx.Response(200, json=record)


HANDLERS = {
    "dictionaries.records.list": Handler(_list),
    "dictionaries.records.append": Handler(_write),
    "dictionaries.records.replace_all": Handler(_write),
    "dictionaries.records.replace": Handler(_replace),
    "dictionaries.records.delete": Handler(_delete),
}
