"""Welkin's page envelopes, built as its servers build them: the fake's lists and the
benchmark server's pre-serialized pages both come from here.

Four styles (PAGINATION.md): a Spring Data page (``PAGE``; ``PAGE_IN_DATA`` is one under
``data``), ``METAINFO`` (``data`` and ``metaInfo``), ``TOKEN`` (``meta`` with page tokens
that carry the whole request) and ``CURSOR`` (``data`` and ``cursor``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from ._routes import RejectedError

__all__ = [
    "spring_page",
    "metainfo_page",
    "envelope",
    "paging",
    "int_param",
    "page_token",
    "read_page_token",
]

JSONObject = dict[str, Any]


def spring_page(
    content: list[Any], page: int, size: int, total: int, *, sort: str | None = None
) -> JSONObject:
    """A Spring Data page: ``content`` is page ``page`` (from 0) of ``size`` of ``total`` items,
    sorted by ``sort`` (``field,asc``) if given."""
    pages = -(-total // size) if size else 0
    sort_info = {"sorted": bool(sort), "unsorted": not sort, "empty": not sort}
    return {
        "content": content,
        "pageable": {
            "sort": dict(sort_info),
            "pageNumber": page,
            "pageSize": size,
            "offset": page * size,
            "paged": True,
            "unpaged": False,
        },
        "last": page + 1 >= pages,
        "first": page == 0,
        "number": page,
        "size": size,
        "numberOfElements": len(content),
        "totalElements": total,
        "totalPages": pages,
        "sort": sort_info,
        "empty": not content,
    }


def metainfo_page(content: list[Any], page: int, size: int, total: int) -> JSONObject:
    """A ``data`` and ``metaInfo`` page (the users' lists), as ``spring_page``."""
    pages = -(-total // size) if size else 0
    return {
        "data": content,
        "metaInfo": {
            "page": page,
            "pageSize": size,
            "totalElements": total,
            "numberOfElements": len(content),
            "totalPages": pages,
            "firstPage": page == 0,
            "lastPage": page + 1 >= pages,
        },
    }


def envelope(style: str, items: list[Any], query: Mapping[str, str], path: str) -> JSONObject:
    """The page of ``items`` that ``query`` asks for, in the given style, as Welkin pages them."""
    total = len(items)
    if style in ("PAGE", "PAGE_IN_DATA", "METAINFO"):
        page, size = paging(query)
        content = items[page * size : (page + 1) * size]
        if style == "METAINFO":
            return metainfo_page(content, page, size, total)
        spring = spring_page(content, page, size, total)
        if style == "PAGE_IN_DATA":
            return {"name": path.rsplit("/", 1)[1], "data": spring}
        return spring
    size = int_param(query, "pageSize", 20, 1)
    if style == "TOKEN":
        start, search = 0, query.get("query", "")
        if query.get("pageToken"):  # Welkin ignores the other parameters then
            start, size, search = read_page_token(query["pageToken"])
        content = items[start : start + size]
        tokens = {
            "nextPageToken": page_token(start + size, size, search)
            if start + size < total
            else None,
            "prevPageToken": page_token(max(0, start - size), size, search) if start > 0 else None,
        }
        return {"meta": {**tokens, "pageSize": size, "found": bool(content)}, "content": content}
    if style == "CURSOR":
        start = int_param(query, "start", 0, 0)
        content = items[start : start + size]
        end = start + len(content)
        return {
            "data": content,
            "cursor": {"start": str(start), "end": str(end), "hasNext": end < total},
        }
    raise AssertionError(style)


def paging(query: Mapping[str, str]) -> tuple[int, int]:
    """``page`` (from 0) and ``size`` of a numbered page, checked like Welkin checks them."""
    return int_param(query, "page", 0, 0), int_param(query, "size", 20, 1)


def int_param(query: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    """A whole-number query parameter, checked like Welkin checks it."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise RejectedError(400, "BAD_REQUEST", f"{name} must be an integer") from None
    if value < minimum:
        raise RejectedError(400, "BAD_REQUEST", f"{name} must be at least {minimum}")
    return value


def page_token(offset: int, size: int, search: str = "") -> str:
    """A page token. As Welkin's do, it carries the whole request: the position, the page size
    and the search text (a request with a token sends nothing else)."""
    state = json.dumps({"offset": offset, "size": size, "search": search})
    return base64.urlsafe_b64encode(state.encode()).decode()


def read_page_token(token: str) -> tuple[int, int, str]:
    """The offset, page size and search text a ``page_token`` carries."""
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
        return int(state["offset"]), int(state["size"]), str(state["search"])
    except (ValueError, KeyError, TypeError):
        raise RejectedError(400, "BAD_REQUEST", "pageToken is not valid") from None
