"""Files: uploads to a document summary, and downloading any file the fake keeps (uploads,
and the attachments, recordings and chat media stored with ``FakeWelkin.add_file``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from .._multipart import parse_multipart
from .._routes import Call, Handler, RejectedError

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS"]


def _upload(store: Store, call: Call) -> httpx.Response:
    if not call.content_type.startswith("multipart/form-data"):
        raise RejectedError(400, "BAD_REQUEST", "Expected multipart/form-data")
    files = []
    collection = store.collections.setdefault(call.path, {})
    for field, filename, content_type, data in parse_multipart(call.content, call.content_type):
        if field != call.operation.files_field:
            continue
        file_id = store.new_id()
        storage_key = f"{call.path}/{file_id}"
        store.files[storage_key] = (data, content_type, filename)
        record = {
            "id": file_id,
            "originalName": filename,
            "size": len(data),
            "contentType": content_type,
            "storageKey": storage_key,
        }
        collection[file_id] = record
        files.append(record)
    if not files:
        raise RejectedError(400, "BAD_REQUEST", "No file parts named 'files'")
    return httpx.Response(201, json=files)


def _download(store: Store, call: Call) -> httpx.Response:
    stored = store.files.get(call.path)
    if stored is None:
        raise RejectedError(404, "NOT_FOUND", "No such file")
    data, content_type, _ = stored
    return httpx.Response(200, content=data, headers={"Content-Type": content_type})


HANDLERS = {
    "patients.document_summaries.files.upload": Handler(_upload),
    "patients.document_summaries.files.download": Handler(_download),
    "patients.sms.download_attachment": Handler(_download),
    "patients.emails.download_attachment": Handler(_download),
    "patients.calls.download_recording": Handler(_download),
    "chat.files.download": Handler(_download),
}
