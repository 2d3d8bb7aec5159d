"""``client.patients.chat`` (messages, search, archive), ``client.chat.files`` (media
downloads) and the old ``Chat``, ``Chats`` and ``SearchChats`` classes, against the fake."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from support import api_calls, is_utc_aware, last_call

import welkin
from welkin._envelopes import TokenPage
from welkin.testing import FakeWelkin
from welkin.types import ChatMessage, ChatSearchHit

MISSING = "6801d498-26f4-4aee-961b-5daffcf193c8"

# Shaped like docs/chat.md "Send message to care team" / "Get messages", plus a field Welkin
# might add and a null.
MESSAGE: dict[str, Any] = {
    "sender": {
        "clientType": "USER",
        "id": "379a1c22-aac4-4741-a083-c3c80105ee94",
        "titleName": "Maya Okafor",
    },
    "receiver": {
        "clientType": "PATIENT",
        "id": "c4f64a1a-2c9c-4ec2-b1d2-2c8dd4ce1df1",
        "titleName": None,
    },
    "message": "Your lab results are in.",
    "externalId": "IMa1614231a02d456a84d6ad6e193adb66",
    "createdAt": "2023-03-09T12:23:18.000Z",
    "newField": 1,
}
# "Search messages": one hit, with the tokens to open the chat around it.
HIT: dict[str, Any] = {
    "meta": {"nextPageToken": "eyJiZWZvcmUiOnRydWV9", "prevPageToken": "eyJiZWZvcmUiOmZhbHNlfQ=="},
    "message": {
        "sender": {
            "clientType": "PATIENT",
            "id": "795412db-3bea-499a-be10-3e6839349197",
            "titleName": None,
        },
        "message": "Hello, is the clinic open?",
        "externalId": "IM1da645db820a497a913d743009e91398",
        "createdAt": "2023-03-05T16:09:52.655Z",
    },
    "newField": None,
}


@pytest.fixture
def pid(fake: FakeWelkin) -> str:
    return str(fake.add_patient(firstName="Ada", lastName="Lovelace")["id"])


def chat_path(pid: str, suffix: str = "") -> str:
    return f"gh/sb-demo/patients/{pid}/chat{suffix}"


# -- documented shapes ---------------------------------------------------------------------


@pytest.mark.parametrize(("model", "fixture"), [(ChatMessage, MESSAGE), (ChatSearchHit, HIT)])
def test_documented_examples_dump_back_exactly(model: type[Any], fixture: dict[str, Any]) -> None:
    assert model.model_validate(fixture).to_dict() == fixture


def test_messages_and_hits_are_typed() -> None:
    message = ChatMessage.model_validate(MESSAGE)
    hit = ChatSearchHit.model_validate(HIT)

    assert message.created_at == datetime(2023, 3, 9, 12, 23, 18, tzinfo=timezone.utc)
    assert message.sender is not None and message.receiver is not None
    assert message.sender.id == uuid.UUID("379a1c22-aac4-4741-a083-c3c80105ee94")
    assert message.sender.title_name == "Maya Okafor"
    assert message.receiver.title_name is None
    assert message.model_extra == {"newField": 1}
    assert hit.meta is not None and hit.meta.next_page_token == "eyJiZWZvcmUiOnRydWV9"
    assert hit.message is not None and is_utc_aware(hit.message.created_at)


def test_a_documented_chat_page_dumps_back_exactly() -> None:
    body = {
        "meta": {"nextPageToken": None, "prevPageToken": None, "pageSize": 1, "found": True},
        "content": [MESSAGE],
    }

    dumped = TokenPage[ChatMessage].model_validate(body).to_dict()

    assert json.dumps(dumped, sort_keys=True) == json.dumps(body, sort_keys=True)  # True != 1


# -- operations ----------------------------------------------------------------------------


def test_send_inbound_posts_the_message_and_lists_it(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    sent = client.patients.chat.send_inbound(pid, message="hello, world!")

    call = last_call(fake)
    assert (call.method, call.path, call.json) == (
        "POST",
        chat_path(pid, "/inbound"),
        {"message": "hello, world!"},
    )
    assert isinstance(sent, ChatMessage)
    assert sent.message == "hello, world!"
    assert sent.sender is not None and sent.sender.client_type == "PATIENT"
    assert sent.sender.id == uuid.UUID(pid)
    assert is_utc_aware(sent.created_at)
    (listed,) = client.patients.chat.list(pid).items
    assert listed.message == sent.message and listed.created_at == sent.created_at


def test_list_pages_with_tokens_newest_first(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    for n in range(7):
        client.patients.chat.send_inbound(pid, message=f"message {n}")
    before = len(api_calls(fake))

    first = client.patients.chat.list(pid, page_size=3, include_archived=True)

    # The page size goes out under both of its names (QX spells it `size` and `pageSize`).
    assert last_call(fake).query == {"pageSize": "3", "size": "3", "includeArchived": "true"}
    assert [m.message for m in first.items] == ["message 6", "message 5", "message 4"]
    assert first.envelope.meta is not None and first.envelope.meta.prev_page_token is None
    token = first.envelope.meta.next_page_token
    assert first.next_page_query == {"pageToken": token}
    messages = [m.message for m in first]
    assert messages == [f"message {n}" for n in reversed(range(7))]
    # A page token replaces every other parameter.
    later = api_calls(fake)[before + 1 :]
    assert later and all(list(c.query) == ["pageToken"] for c in later)
    assert later[0].query == {"pageToken": token}
    assert not list(first.iter_pages())[-1].has_next_page()


def test_later_pages_keep_the_first_pages_size(client: welkin.Client, pid: str) -> None:
    for n in range(7):
        client.patients.chat.send_inbound(pid, message=f"message {n}")

    pages = list(client.patients.chat.list(pid, page_size=3).iter_pages())

    assert [len(p.items) for p in pages] == [3, 3, 1]


def test_list_from_a_given_token_resumes_there(client: welkin.Client, pid: str) -> None:
    for n in range(4):
        client.patients.chat.send_inbound(pid, message=f"m{n}")
    token = client.patients.chat.list(pid, page_size=2).next_page_query

    assert token is not None
    resumed = client.patients.chat.list(pid, page_token=token["pageToken"])
    assert [m.message for m in resumed.items] == ["m1", "m0"]


def test_search_sends_its_filters_and_pages_hits(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    for text in ("Hello?", "Bye", "hello again", "HELLO!"):
        client.patients.chat.send_inbound(pid, message=text)

    page = client.patients.chat.search(
        pid, query="hello", page_size=2, content_page_size=1, include_archived=True
    )

    call = last_call(fake)
    assert (call.method, call.path) == ("GET", chat_path(pid, "/search"))
    assert call.query == {
        "query": "hello",
        "pageSize": "2",
        "contentPageSize": "1",
        "includeArchived": "true",
    }
    assert all(isinstance(hit, ChatSearchHit) for hit in page.items)
    hits = list(page)  # newest first, over two pages of 2
    assert [h.message.message for h in hits if h.message] == ["HELLO!", "hello again", "Hello?"]
    assert list(last_call(fake).query) == ["pageToken"]
    # A hit's next-page token opens the chat just after it, one message a page.
    after = client.patients.chat.list(pid, page_token=hits[0].meta.next_page_token)
    assert [m.message for m in after.items] == ["hello again"]


def test_search_finds_the_messages_that_match(client: welkin.Client, pid: str) -> None:
    for text in ("Hello0", "Test1", "Hello1"):
        client.patients.chat.send_inbound(pid, message=text)

    hits = client.patients.chat.search(pid, query="hello").items

    assert [h.message.message for h in hits if h.message] == ["Hello1", "Hello0"]


def test_archive_and_restore_answer_nothing(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    when = datetime(2020, 10, 5, 10, 51, 41, tzinfo=timezone.utc)

    assert client.patients.chat.archive(pid, archive_date=when) is None
    call = last_call(fake)
    assert (call.method, call.path) == ("POST", chat_path(pid, "/archive"))
    assert call.query == {"archiveDate": "2020-10-05T10:51:41.000Z"}
    assert call.content == b""

    assert client.patients.chat.restore(pid) is None
    assert (last_call(fake).method, last_call(fake).path) == ("POST", chat_path(pid, "/restore"))


# -- errors --------------------------------------------------------------------------------


def test_an_unknown_patient_is_not_found(client: welkin.Client) -> None:
    with pytest.raises(welkin.NotFoundError) as caught:
        client.patients.chat.list(MISSING)

    assert caught.value.status_code == 404
    assert caught.value.error_codes == ["NOT_FOUND"]


def test_bad_arguments_are_refused_before_sending(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    client.patients.chat.list(pid)  # the token is fetched once
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^patient_id"):
        client.patients.chat.send_inbound("not-a-uuid", message="hi")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^page_size"):
        client.patients.chat.list(pid, page_size="ten")  # type: ignore[arg-type]
    with pytest.raises(welkin.InvalidArgumentError, match=r"^archive_date"):
        client.patients.chat.archive(pid, archive_date="yesterday")  # type: ignore[arg-type]

    assert len(fake.requests) == sent


async def test_async_send_and_walk_every_page(fake: FakeWelkin, pid: str) -> None:
    async with fake.async_client() as client:
        for n in range(5):
            await client.patients.chat.send_inbound(pid, message=f"a{n}")
        first = await client.patients.chat.list(pid, page_size=2)
        seen = [m.message async for m in client.patients.chat.list(pid, page_size=2)]

    assert len(first.items) == 2
    assert seen == ["a4", "a3", "a2", "a1", "a0"]


# -- the page size's two names (NEWER.md, QX) ----------------------------------------------


def test_a_page_size_is_sent_under_both_names_and_only_when_given(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    client.patients.chat.list(pid)
    assert last_call(fake).query == {}

    client.patients.chat.list(pid, page_size=5)
    assert last_call(fake).query == {"pageSize": "5", "size": "5"}
    doc = client.patients.chat.list.__doc__ or ""
    assert "sent as both `pageSize` and `size`" in doc


def test_a_server_reading_only_size_still_gets_the_page_size(
    fake: FakeWelkin, client: welkin.Client, pid: str
) -> None:
    body = {"meta": {"nextPageToken": None, "pageSize": 2}, "content": [MESSAGE, MESSAGE]}
    fake.fail_next(200, body=body, path_contains="/chat")

    page = client.patients.chat.list(pid, page_size=2)

    assert last_call(fake).query["size"] == "2"
    assert len(page.items) == 2 and not page.has_next_page()


# -- chat media files (NEWER.md: DIG, unconfirmed path) ------------------------------------

FILE_ID = "f1941755-41d9-4dc7-b3f6-4f23811fba1c"
PNG = b"\x89PNG\r\n\x1a\n chat photo"


def test_a_chat_file_downloads_as_bytes_and_to_a_file(
    fake: FakeWelkin, client: welkin.Client, tmp_path: Path
) -> None:
    fake.add_file(f"sb-demo/chat/files/{FILE_ID}", PNG, "image/png")

    assert client.chat.files.download(FILE_ID) == PNG
    call = last_call(fake)
    assert (call.method, call.path, call.query) == ("GET", f"gh/sb-demo/chat/files/{FILE_ID}", {})

    target = tmp_path / "photo.png"
    assert client.chat.files.download_to(FILE_ID, target) == len(PNG)
    assert target.read_bytes() == PNG
    assert target.stat().st_mode & 0o777 == 0o600


def test_a_missing_chat_file_is_not_found_and_an_empty_id_is_refused(
    fake: FakeWelkin, client: welkin.Client
) -> None:
    with pytest.raises(welkin.NotFoundError):
        client.chat.files.download(FILE_ID)
    sent = len(fake.requests)

    with pytest.raises(welkin.InvalidArgumentError, match=r"^file_id"):
        client.chat.files.download("")
    with pytest.raises(welkin.InvalidArgumentError, match=r"^file_id"):
        client.chat.files.download("..")

    assert len(fake.requests) == sent


def test_the_chat_file_download_says_its_path_is_unconfirmed(client: welkin.Client) -> None:
    for method in (client.chat.files.download, client.chat.files.download_to):
        (line,) = [ln for ln in (method.__doc__ or "").splitlines() if "Unconfirmed path" in ln]
        assert "client.call()" in line
    assert "Unconfirmed" not in (client.patients.chat.list.__doc__ or "")


async def test_async_chat_file_download(fake: FakeWelkin, tmp_path: Path) -> None:
    fake.add_file(f"sb-demo/chat/files/{FILE_ID}", PNG, "image/png")

    async with fake.async_client() as client:
        data = await client.chat.files.download(FILE_ID)
        written = await client.chat.files.download_to(FILE_ID, tmp_path / "a.png")

    assert data == PNG and written == len(PNG)
