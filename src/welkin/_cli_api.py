"""``welkin request`` and ``welkin token``: the API through the client that the ``WELKIN_*``
variables configure, with its auth, retries and errors.

``request --all`` reads the page envelopes of ``PAGINATION.md`` from raw JSON (Spring pages,
``data``/``metaInfo`` pages, Spring pages under ``data``, page tokens and cursors) and asks for
the next page until the last, stopping with an error as soon as paging does not advance."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ._exceptions import WelkinError

if TYPE_CHECKING:
    from ._client import Client

Out = Callable[[str], None]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: Methods whose answer may be a page: a list, or a search such as by-filter/patients.
PAGED_METHODS = ("GET", "POST")


# -- argument types (no httpx here: `welkin --help` and option errors must stay quick) ------


def http_method(text: str) -> str:
    method = text.upper()
    if method not in METHODS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(METHODS)}, got {text!r}")
    return method


def json_data(text: str) -> Any:
    """JSON text, or ``@file`` (``@-``: standard input) holding it."""
    if text.startswith("@"):
        name = text[1:]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not UTF-8 text"
            raise argparse.ArgumentTypeError(f"cannot read {name!r}: {reason}") from None
    try:
        return json.loads(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not JSON: {error}") from None


def query_param(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def request_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with a request's options taken together, or None."""
    if args.data is not None and args.method == "GET":
        return "argument --data: a GET sends no body (use --param for the query)"
    if args.all and args.method not in PAGED_METHODS:
        return f"argument --all: pages come from {' or '.join(PAGED_METHODS)}, not {args.method}"
    return None


def query(params: Sequence[tuple[str, str]] | None) -> dict[str, Any]:
    """``--param`` pairs as a query; a name given more than once is a list (sent comma-joined,
    as Welkin expects lists)."""
    result: dict[str, Any] = {}
    for name, value in params or ():
        if name not in result:
            result[name] = value
        elif isinstance(result[name], list):
            result[name].append(value)
        else:
            result[name] = [result[name], value]
    return result


# -- the client -------------------------------------------------------------------------------


def live_client() -> Client:
    """A client of the tenant the ``WELKIN_*`` variables name, failing fast as the demo does
    when the host does not answer."""
    from ._client import Client
    from ._demo import LIVE_BACKOFF, LIVE_RETRIES, LIVE_TIMEOUT

    return Client(timeout=LIVE_TIMEOUT, total=LIVE_RETRIES, backoff_factor=LIVE_BACKOFF)


# -- pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One answer read as a page: its items and where the next page is."""

    items: list[Any]
    #: The query of the next page, or None on the last page.
    next_query: dict[str, Any] | None = None
    #: The page number the answer says it is (numbered envelopes only).
    number: int | None = None
    total_items: int | None = None
    total_pages: int | None = None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _numbered(
    items: list[Any],
    query: Mapping[str, Any],
    number: Any,
    last: Any,
    total_items: Any,
    total_pages: Any,
) -> Page:
    number, total_pages = _int(number), _int(total_pages)
    next_query: dict[str, Any] | None = None
    # An empty page that does not say it is the last would otherwise never end the walk.
    if number is not None and last is not True and items:
        if total_pages is None or number + 1 < total_pages:
            next_query = {**query, "page": number + 1}
    return Page(items, next_query, number, _int(total_items), total_pages)


def _spring(items: list[Any], body: Mapping[str, Any], query: Mapping[str, Any]) -> Page:
    number = body.get("number")
    if number is None and isinstance(body.get("pageable"), dict):
        number = body["pageable"].get("pageNumber")
    return _numbered(
        items, query, number, body.get("last"), body.get("totalElements"), body.get("totalPages")
    )


def read_page(body: Any, query: Mapping[str, Any]) -> Page:
    """The items of one answer and the query of the next page (None on the last page). An
    answer that is no page (an object, a bare list) is one page: the list, or the object."""
    if body is None:
        return Page([])
    if isinstance(body, list):
        return Page(body)
    if not isinstance(body, dict):
        return Page([body])
    content, data = body.get("content"), body.get("data")
    items = content if isinstance(content, list) else data if isinstance(data, list) else None
    if items is not None:
        meta, cursor, info = body.get("meta"), body.get("cursor"), body.get("metaInfo")
        if isinstance(meta, dict) and "nextPageToken" in meta:
            # A later request sends the token alone (Welkin refuses it with other parameters).
            token = meta.get("nextPageToken")
            return Page(items, {"pageToken": token} if token and items else None)
        if isinstance(cursor, dict):
            end = cursor.get("end")
            more = cursor.get("hasNext") is True and end is not None and bool(items)
            return Page(items, {**query, "start": end} if more else None)
        if isinstance(info, dict):
            return _numbered(
                items,
                query,
                info.get("page"),
                info.get("lastPage"),
                info.get("totalElements"),
                info.get("totalPages"),
            )
        if isinstance(content, list):
            return _spring(items, body, query)
        return Page(items)
    if isinstance(data, dict) and isinstance(data.get("content"), list):
        return _spring(data["content"], data, query)  # a Spring page under "data" (CDTs)
    return Page([body])


def walk(
    fetch: Callable[[dict[str, Any]], Any], query: dict[str, Any], where: str
) -> Iterator[Page]:
    """Every page from ``query`` on. Bounded: a page that is not the one asked for, or a next
    query already sent, stops the walk with an error rather than repeating pages forever."""
    sent = {_key(query)}
    page = read_page(fetch(query), query)
    yield page
    while page.next_query is not None:
        query = page.next_query
        expected = None if page.number is None else page.number + 1
        if _key(query) in sent:
            raise WelkinError(f"paging {where} does not advance: the next page is one already read")
        sent.add(_key(query))
        page = read_page(fetch(query), query)
        if expected is not None and page.number != expected:
            raise WelkinError(
                f"paging {where} does not advance: asked for page {expected}, "
                f"the answer is page {page.number}"
            )
        yield page


def _key(query: Mapping[str, Any]) -> str:
    return json.dumps(query, sort_keys=True, default=str)


# -- output -----------------------------------------------------------------------------------


def _json(value: Any, *, pretty: bool) -> str:
    return json.dumps(value, indent=2 if pretty else None, ensure_ascii=False)


class ItemWriter:
    """Items as they come: one JSON line each, or the lines of one pretty JSON array (an item
    is held back until the next one says whether it needs a comma)."""

    def __init__(self, out: Out, *, jsonl: bool) -> None:
        self.out = out
        self.jsonl = jsonl
        self.count = 0
        self._held: Any = None

    def write(self, item: Any) -> None:
        if self.jsonl:
            self.out(_json(item, pretty=False))
        else:
            if self.count == 0:
                self.out("[")
            else:
                self._release(",")
            self._held = item
        self.count += 1

    def _release(self, end: str) -> None:
        self.out("  " + _json(self._held, pretty=True).replace("\n", "\n  ") + end)

    def close(self, *, complete: bool) -> None:
        """Print the item held back; close the array only when every page was read."""
        if self.jsonl:
            return
        if self.count:
            self._release("")
        if complete:
            self.out("]" if self.count else "[]")


class Progress:
    """How far ``--all`` got, on stderr: on a terminal a line redrawn after each page (and
    erased while items print), elsewhere one count line at the end of a walk that succeeded."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.items = 0
        self.pages = 0
        self.total_items: int | None = None
        self.total_pages: int | None = None

    def _text(self) -> str:
        items = f"{self.items}" + (f" of {self.total_items}" if self.total_items else "")
        pages = f"page {self.pages}" + (f" of {self.total_pages}" if self.total_pages else "")
        return f"welkin request: {items} items, {pages}"

    def clear(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def advance(self, page: Page) -> None:
        self.items += len(page.items)
        self.pages += 1
        self.total_items = self.total_items or page.total_items
        self.total_pages = self.total_pages or page.total_pages
        if self.live:
            self.stream.write(f"\r{self._text()}")
            self.stream.flush()

    def finish(self, ok: bool) -> None:
        if self.live:
            if self.pages:
                self.stream.write("\n")  # a following error line starts on a line of its own
        elif ok:
            items = _count(self.items, "item")
            self.stream.write(f"welkin request: {items} in {_count(self.pages, 'page')}\n")
        self.stream.flush()


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# -- the commands -----------------------------------------------------------------------------


def request(args: argparse.Namespace, out: Out) -> int:
    params = query(args.param)
    with live_client() as client:
        if not args.all:
            body = client.call(args.method, args.path, params=params, json=args.data)
            if body is not None:
                out(_json(body, pretty=not args.jsonl))
            return 0

        def fetch(page_query: dict[str, Any]) -> Any:
            return client.call(args.method, args.path, params=page_query, json=args.data)

        writer = ItemWriter(out, jsonl=args.jsonl)
        progress = Progress(sys.stderr)
        ok = False
        try:
            for page in walk(fetch, params, f"{args.method} {args.path}"):
                progress.clear()
                for item in page.items:
                    writer.write(item)
                progress.advance(page)
            ok = True
        finally:
            progress.finish(ok)
            writer.close(complete=ok)
    return 0


def jwt_expiry(token: str) -> datetime | None:
    """The ``exp`` claim of a JWT as an aware UTC datetime, or None when it has none."""
    from ._auth import jwt_expiry as exp_claim

    exp = exp_claim(token)
    try:
        return None if exp is None else datetime.fromtimestamp(exp, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def token(args: argparse.Namespace, out: Out) -> int:
    with live_client() as client:
        answer = client.get_token()
        where = f"API client {client.api_client} of {client.tenant}"
    if answer.get("enabled") is False:
        raise WelkinError(f"{where} is disabled (Welkin's answer says enabled: false)")
    value = str(answer.get("token") or "")
    out(f"credentials accepted: {where}")
    expires = jwt_expiry(value)
    if expires is None:
        out("expires: unknown (the token is not a JWT with an exp claim)")
    else:
        left = int((expires - datetime.now(timezone.utc)).total_seconds() // 60)
        when = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
        out(f"expires: {when} ({max(left, 0)} minutes left)")
    if args.show:
        out(value)
    return 0
