"""A server whose paging does not advance (the same page number with ``last: false``, a
repeating or alternating page token or cursor) stops the walk with a one-line
``APIResponseValidationError`` naming the operation, after a few requests: never a loop.

Each server below answers every list call the same wrong way; the walk must notice the
repeat before sending it, in the typed pages (sync and async) and in the old classes'
``paginate=True``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

import welkin
from welkin import APIResponseValidationError

PATIENT_ID = str(uuid.uuid4())
ITEM = {"id": str(uuid.uuid4())}


# -- misbehaving servers: the body of every list call, from the request's query ------------


def spring_page_stuck_at_0(query: dict[str, str]) -> Any:
    """Every page says it is page 0 and not the last."""
    return {"content": [ITEM], "number": 0, "last": False}


def spring_page_back_to_0(query: dict[str, str]) -> Any:
    """Pages 0 and 1 are right; page 2 says it is page 0 again."""
    number = int(query.get("page", "0"))
    return {"content": [ITEM], "number": number if number < 2 else 0, "last": False}


def spring_page_in_data_stuck_at_0(query: dict[str, str]) -> Any:
    return {"name": "vitals", "data": spring_page_stuck_at_0(query)}


def metainfo_page_stuck_at_0(query: dict[str, str]) -> Any:
    return {"data": [ITEM], "metaInfo": {"page": 0, "lastPage": False}}


def token_repeats(query: dict[str, str]) -> Any:
    return {"content": [ITEM], "meta": {"nextPageToken": "A"}}


def tokens_alternate(query: dict[str, str]) -> Any:
    """A, then B, then A again."""
    after = {"A": "B"}.get(query.get("pageToken", ""), "A")
    return {"content": [ITEM], "meta": {"nextPageToken": after}}


def cursor_end_repeats(query: dict[str, str]) -> Any:
    return {"data": [ITEM], "cursor": {"start": "S", "end": "E", "hasNext": True}}


def cursor_ends_alternate(query: dict[str, str]) -> Any:
    start = query.get("start", "")
    after = {"A": "B"}.get(start, "A")
    return {"data": [ITEM], "cursor": {"start": start, "end": after, "hasNext": True}}


@dataclass
class Server:
    """A Welkin answering the token call, and every other call with ``body(query)``."""

    body: Callable[[dict[str, str]], Any]
    calls: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if "api_clients" in request.url.path:
            return httpx.Response(200, json={"token": "t"})
        self.calls.append(request)
        assert len(self.calls) < 20, "the client is looping"  # fail the test, not hang it
        return httpx.Response(200, json=self.body(dict(request.url.params)))


@pytest.fixture
def connect() -> Iterator[Callable[[Server], welkin.Client]]:
    made: list[httpx.Client] = []

    def connect(server: Server) -> welkin.Client:
        http = httpx.Client(transport=httpx.MockTransport(server))
        made.append(http)
        return welkin.Client("gh", "sb-demo", "api", "secret", http_client=http)

    yield connect
    for http in made:
        http.close()


@pytest.fixture
async def aconnect() -> AsyncIterator[Callable[[Server], welkin.AsyncClient]]:
    made: list[httpx.AsyncClient] = []

    def connect(server: Server) -> welkin.AsyncClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(server))
        made.append(http)
        return welkin.AsyncClient("gh", "sb-demo", "api", "secret", http_client=http)

    yield connect
    for http in made:
        await http.aclose()


def assert_one_line(error: APIResponseValidationError, *words: str) -> None:
    message = str(error)
    assert "\n" not in message
    # Short, besides the URL of the last page (which every APIError carries).
    assert len(message) < len(error.url) + 200
    for word in words:
        assert word in message


# -- typed pages ---------------------------------------------------------------------------

# (server, the list call, its operation id, what repeats, requests sent before stopping)
TYPED = [
    pytest.param(
        spring_page_stuck_at_0,
        lambda c: c.patients.list(),
        "patients.list",
        "page=1",
        2,
        id="spring-number-stuck",
    ),
    pytest.param(
        spring_page_back_to_0,
        lambda c: c.patients.list(),
        "patients.list",
        "page=1",
        3,
        id="spring-number-goes-back",
    ),
    pytest.param(
        spring_page_in_data_stuck_at_0,
        lambda c: c.patients.cdts.list(PATIENT_ID, "vitals"),
        "patients.cdts.list",
        "page=1",
        2,
        id="spring-in-data-number-stuck",
    ),
    pytest.param(
        metainfo_page_stuck_at_0,
        lambda c: c.users.list(),
        "users.list",
        "page=1",
        2,
        id="metainfo-page-stuck",
    ),
    pytest.param(
        token_repeats,
        lambda c: c.patients.chat.list(PATIENT_ID),
        "patients.chat.list",
        "pageToken=A",
        2,
        id="token-repeats",
    ),
    pytest.param(
        tokens_alternate,
        lambda c: c.patients.chat.list(PATIENT_ID),
        "patients.chat.list",
        "pageToken=A",
        3,
        id="tokens-alternate",
    ),
    pytest.param(
        cursor_end_repeats,
        lambda c: c.exports.cdt_records.list(),
        "exports.cdt_records.list",
        "start=E",
        2,
        id="cursor-end-repeats",
    ),
    pytest.param(
        cursor_ends_alternate,
        lambda c: c.exports.cdt_records.list(),
        "exports.cdt_records.list",
        "start=A",
        3,
        id="cursor-ends-alternate",
    ),
]


@pytest.mark.parametrize(("body", "call", "operation", "repeated", "requests"), TYPED)
def test_iterating_items_stops_when_paging_does_not_advance(
    connect: Callable[[Server], welkin.Client],
    body: Callable[[dict[str, str]], Any],
    call: Callable[[Any], Any],
    operation: str,
    repeated: str,
    requests: int,
) -> None:
    server = Server(body)
    items = []

    with pytest.raises(APIResponseValidationError) as caught:
        for item in call(connect(server)):
            items.append(item)

    assert len(server.calls) == requests
    assert len(items) == requests  # every page fetched was also yielded
    assert_one_line(caught.value, operation, repeated, "does not advance")
    assert f"stopped after {requests} pages" in str(caught.value)


@pytest.mark.parametrize(("body", "call", "operation", "repeated", "requests"), TYPED)
def test_iter_pages_stops_when_paging_does_not_advance(
    connect: Callable[[Server], welkin.Client],
    body: Callable[[dict[str, str]], Any],
    call: Callable[[Any], Any],
    operation: str,
    repeated: str,
    requests: int,
) -> None:
    server = Server(body)

    with pytest.raises(APIResponseValidationError, match=operation):
        for _ in call(connect(server)).iter_pages():
            pass

    assert len(server.calls) == requests


@pytest.mark.parametrize(("body", "call", "operation", "repeated", "requests"), TYPED)
async def test_async_for_stops_when_paging_does_not_advance(
    aconnect: Callable[[Server], welkin.AsyncClient],
    body: Callable[[dict[str, str]], Any],
    call: Callable[[Any], Any],
    operation: str,
    repeated: str,
    requests: int,
) -> None:
    server = Server(body)

    with pytest.raises(APIResponseValidationError) as caught:
        async for _ in call(aconnect(server)):
            pass

    assert len(server.calls) == requests
    assert_one_line(caught.value, operation, repeated)


async def test_async_iter_pages_stops_at_an_alternating_token(
    aconnect: Callable[[Server], welkin.AsyncClient],
) -> None:
    server = Server(tokens_alternate)
    first = await aconnect(server).patients.chat.list(PATIENT_ID)

    with pytest.raises(APIResponseValidationError, match=r"patients\.chat\.list"):
        async for _ in first.iter_pages():
            pass

    assert [call.url.params.get("pageToken") for call in server.calls] == [None, "A", "B"]


def test_get_next_page_refuses_a_page_that_names_itself_as_next(
    connect: Callable[[Server], welkin.Client],
) -> None:
    server = Server(spring_page_stuck_at_0)
    second = connect(server).patients.list().get_next_page()

    assert second.has_next_page()  # the server says so...
    with pytest.raises(APIResponseValidationError, match=r"patients\.list: the next page"):
        second.get_next_page()  # ...but its next page is itself
    assert len(server.calls) == 2


def test_a_long_odd_token_is_shortened_to_keep_the_message_on_one_line(
    connect: Callable[[Server], welkin.Client],
) -> None:
    token = "line\nbreak" * 100
    server = Server(lambda query: {"content": [ITEM], "meta": {"nextPageToken": token}})

    with pytest.raises(APIResponseValidationError) as caught:
        list(connect(server).patients.chat.list(PATIENT_ID))

    assert len(server.calls) == 2
    assert_one_line(caught.value, "patients.chat.list", "pageToken='line\\nbreak")


def test_old_paginate_shortens_a_long_odd_token_too(
    connect: Callable[[Server], welkin.Client],
) -> None:
    token = "line\nbreak" * 100
    server = Server(lambda query: {"content": [ITEM], "meta": {"nextPageToken": token}})

    with pytest.raises(APIResponseValidationError) as caught:
        list(connect(server).Chats().get(patient_id=PATIENT_ID, paginate=True))

    assert len(server.calls) == 2
    assert_one_line(caught.value, "Chats", "pageToken='line\\nbreak")


# -- the old classes' paginate=True --------------------------------------------------------

# (server, the old call, its collection, method and path, what repeats, requests sent)
OLD = [
    pytest.param(
        spring_page_stuck_at_0,
        lambda c: c.Patients().get(paginate=True),
        "POST sb-demo/by-filter/patients: Patients",
        "page=1",
        2,
        id="pageable-number-stuck",
    ),
    pytest.param(
        spring_page_back_to_0,
        lambda c: c.Patients().get(paginate=True),
        "POST sb-demo/by-filter/patients: Patients",
        "page=1",
        3,
        id="pageable-number-goes-back",
    ),
    pytest.param(
        metainfo_page_stuck_at_0,
        lambda c: c.Users().get(paginate=True),
        "Users",
        "page=1",
        2,
        id="metainfo-page-stuck",
    ),
    pytest.param(
        token_repeats,
        lambda c: c.Chats().get(patient_id=PATIENT_ID, paginate=True),
        f"GET sb-demo/patients/{PATIENT_ID}/chat: Chats",
        "pageToken=A",
        2,
        id="token-repeats",
    ),
    pytest.param(
        tokens_alternate,
        lambda c: c.Chats().get(patient_id=PATIENT_ID, paginate=True),
        "Chats",
        "pageToken=A",
        3,
        id="tokens-alternate",
    ),
    pytest.param(
        cursor_end_repeats,
        lambda c: c.CDTRecordsExport().get(paginate=True),
        "GET sb-demo/export/CDT_RECORD: CDTRecordsExport",
        "start=E",
        2,
        id="cursor-end-repeats",
    ),
    pytest.param(
        cursor_ends_alternate,
        lambda c: c.CDTRecordsExport().get(paginate=True),
        "CDTRecordsExport",
        "start=A",
        3,
        id="cursor-ends-alternate",
    ),
]


@pytest.mark.parametrize(("body", "call", "named", "repeated", "requests"), OLD)
def test_old_paginate_stops_when_paging_does_not_advance(
    connect: Callable[[Server], welkin.Client],
    body: Callable[[dict[str, str]], Any],
    call: Callable[[Any], Any],
    named: str,
    repeated: str,
    requests: int,
) -> None:
    server = Server(body)
    items = []

    with pytest.raises(APIResponseValidationError) as caught:
        for item in call(connect(server)):
            items.append(item)

    assert len(server.calls) == requests
    assert len(items) == requests
    assert_one_line(caught.value, named, repeated, "does not advance")
    assert f"stopped after {requests} requests" in str(caught.value)


def test_old_paginate_sends_the_same_pages_again_on_a_new_iteration(
    connect: Callable[[Server], welkin.Client],
) -> None:
    # Each iteration is a walk of its own: what the first one sent does not stop the second.
    server = Server(lambda query: {"content": [ITEM], "number": 0, "last": True})
    pages = connect(server).Patients().get(paginate=True)

    assert len(list(pages)) == 1
    assert len(list(pages)) == 1
    assert [call.url.params["page"] for call in server.calls] == ["0", "0"]
