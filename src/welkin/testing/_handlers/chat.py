"""Chat: a patient's inbound messages, the chat newest first, and searching it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import httpx

from .._pages import int_param, page_token, read_page_token
from .._routes import Call, Handler

if TYPE_CHECKING:
    from .._store import Store

__all__ = ["HANDLERS"]


def _inbound(store: Store, call: Call) -> httpx.Response:
    message = {
        "sender": {"clientType": "PATIENT", "id": call.params["patientId"]},
        "message": call.body.get("message") if isinstance(call.body, dict) else None,
        "createdAt": call.now,
    }
    chat_path = call.path.removesuffix("/inbound")
    store.collections.setdefault(chat_path, {})[store.new_id()] = message
    return httpx.Response(201, json=message)


def _list(store: Store, call: Call) -> httpx.Response:
    newest_first = list(reversed(store.collections.get(call.path, {}).values()))
    return store.page(call, newest_first)


def _search(store: Store, call: Call) -> httpx.Response:
    """Messages holding the query text, newest first; each hit's tokens open the chat
    list just after and just before it."""
    chat_path = call.path.removesuffix("/search")
    newest_first = list(reversed(store.collections.get(chat_path, {}).values()))
    text = _search_text(call.query).casefold()
    size = int_param(call.query, "contentPageSize", 20, 1)
    hits = [
        {
            "meta": {
                "nextPageToken": page_token(index + 1, size),
                "prevPageToken": page_token(max(0, index - size), size) if index else None,
            },
            "message": message,
        }
        for index, message in enumerate(newest_first)
        if text in str(message.get("message") or "").casefold()
    ]
    return store.page(call, hits)


def _search_text(query: Mapping[str, str]) -> str:
    """The search text of a TOKEN list: from its token, or from ``query`` on a first page."""
    if query.get("pageToken"):
        return read_page_token(query["pageToken"])[2]
    return query.get("query", "")


HANDLERS = {
    "patients.chat.send_inbound": Handler(_inbound),
    "patients.chat.list": Handler(_list),
    "patients.chat.search": Handler(_search),
}
