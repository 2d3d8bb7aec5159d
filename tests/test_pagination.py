"""Pagination: lazy iteration over PAGE and METAINFO lists, and the five envelope models."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import welkin
from welkin._envelopes import (
    CursorPage,
    Envelope,
    MetaInfoPage,
    SpringDataPage,
    SpringPage,
    TokenPage,
)
from welkin.testing import FakeWelkin, RecordedRequest
from welkin.types import Patient, User

PATIENTS = "gh/sb-demo/patients"
FILTER = "gh/sb-demo/by-filter/patients"
ADMIN_USERS = "gh/admin/users"


def list_calls(fake: FakeWelkin, path: str) -> list[RecordedRequest]:
    """The requests the fake received for one list endpoint."""
    return [r for r in fake.requests if r.path == path]


def patient_ids(fake: FakeWelkin) -> list[uuid.UUID]:
    """Every patient of the fake, in the order it lists them."""
    return [uuid.UUID(key) for key in fake.patients]


def user_ids(fake: FakeWelkin) -> list[uuid.UUID]:
    return [uuid.UUID(key) for key in fake.users]


# -- PAGE: patients.list --------------------------------------------------------------------


def test_iterating_patients_yields_each_once_in_order_across_pages(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.seed(patients=45)

    ids = [p.id for p in client.patients.list(size=7)]

    assert ids == patient_ids(fake)
    assert [c.query for c in list_calls(fake, PATIENTS)] == [
        {"size": "7"},
        *({"size": "7", "page": str(n)} for n in range(1, 7)),
    ]


def test_pages_are_fetched_only_when_the_iteration_reaches_them(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.seed(patients=25)

    items = iter(client.patients.list(size=10))
    assert len(list_calls(fake, PATIENTS)) == 1

    first_ten = [next(items) for _ in range(10)]
    assert len(first_ten) == 10
    assert len(list_calls(fake, PATIENTS)) == 1

    next(items)
    assert len(list_calls(fake, PATIENTS)) == 2


def test_breaking_early_sends_no_further_request(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.seed(patients=45)

    seen = []
    for patient in client.patients.list(size=10):
        seen.append(patient.id)
        if len(seen) == 12:
            break
    requests_after_break = len(fake.requests)

    assert seen == patient_ids(fake)[:12]
    assert len(list_calls(fake, PATIENTS)) == 2
    assert len(fake.requests) == requests_after_break


def test_first_page_items_and_next_page_query(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.seed(patients=25)

    page = client.patients.list(size=10, sort="createdAt,asc")

    assert len(page.items) == 10
    assert all(isinstance(p, Patient) for p in page.items)
    assert page.has_next_page()
    assert page.next_page_query == {"size": "10", "sort": "createdAt,asc", "page": "1"}


def test_get_next_page_fetches_the_following_page(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.seed(patients=25)
    ids = patient_ids(fake)

    first = client.patients.list(size=10)
    second = first.get_next_page()
    third = second.get_next_page()

    assert [p.id for p in second.items] == ids[10:20]
    assert [p.id for p in third.items] == ids[20:]
    assert not third.has_next_page()
    assert third.next_page_query is None
    assert list_calls(fake, PATIENTS)[-1].query == {"size": "10", "page": "2"}


def test_iter_pages_walks_every_page_once(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.seed(patients=25)

    pages = list(client.patients.list(size=10).iter_pages())

    assert [len(page.items) for page in pages] == [10, 10, 5]
    assert [page.has_next_page() for page in pages] == [True, True, False]
    assert len(list_calls(fake, PATIENTS)) == 3


def test_listing_can_resume_from_a_page_number(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.seed(patients=45)
    ids = patient_ids(fake)

    page = client.patients.list(page=2, size=10)

    assert [p.id for p in page.items] == ids[20:30]
    assert page.next_page_query == {"page": "3", "size": "10"}
    assert [p.id for p in page] == ids[20:]


def test_an_exact_multiple_of_size_stops_after_the_last_full_page(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.seed(patients=20)

    ids = [p.id for p in client.patients.list(size=10)]

    assert ids == patient_ids(fake)
    assert [c.query.get("page") for c in list_calls(fake, PATIENTS)] == [None, "1"]


def test_an_empty_collection_is_one_empty_last_page(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    page = client.patients.list(size=10)

    assert page.items == []
    assert not page.has_next_page()
    assert page.next_page_query is None
    assert list(page) == []
    assert [p.items for p in page.iter_pages()] == [[]]
    assert len(list_calls(fake, PATIENTS)) == 1


def test_the_page_body_is_available_as_sent(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.seed(patients=3)

    body = client.patients.list(size=2).to_dict()

    assert body["number"] == 0
    assert body["totalElements"] == 3
    assert [p["id"] for p in body["content"]] == list(fake.patients)[:2]


# -- PAGE: patients.filter ------------------------------------------------------------------


def test_filter_iteration_resends_the_filter_on_every_page(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    for n in range(23):
        fake.add_patient(firstName=f"P{n}", lastName="Bar" if n % 2 else "Foo")
    expected = [uuid.UUID(k) for k, p in fake.patients.items() if p["lastName"] == "Foo"]

    ids = [p.id for p in client.patients.filter({"lastName": "Foo"}, size=5)]

    assert ids == expected
    calls = list_calls(fake, FILTER)
    assert [c.query for c in calls] == [
        {"size": "5"},
        {"size": "5", "page": "1"},
        {"size": "5", "page": "2"},
    ]
    assert {c.method for c in calls} == {"POST"}
    assert all(c.json == {"lastName": "Foo"} for c in calls)


def test_filter_pages_lazily(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.seed(patients=30)

    page = client.patients.filter(size=10)
    assert len(list_calls(fake, FILTER)) == 1
    assert page.next_page_query == {"size": "10", "page": "1"}

    pages = page.iter_pages()
    next(pages)
    next(pages)
    assert len(list_calls(fake, FILTER)) == 2

    assert [len(p.items) for p in pages] == [10]
    assert len(list_calls(fake, FILTER)) == 3


def test_filter_resumes_from_a_page_number(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.seed(patients=25)

    page = client.patients.filter(page=2, size=10)

    assert [p.id for p in page.items] == patient_ids(fake)[20:]
    assert not page.has_next_page()


# -- METAINFO: users.list -------------------------------------------------------------------


def test_iterating_users_yields_each_once_in_order_across_pages(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.seed(users=11)

    ids = [u.id for u in client.users.list(size=3)]

    assert ids == user_ids(fake)
    assert [c.query for c in list_calls(fake, ADMIN_USERS)] == [
        {"size": "3"},
        {"size": "3", "page": "1"},
        {"size": "3", "page": "2"},
        {"size": "3", "page": "3"},
    ]


def test_users_pages_are_fetched_lazily_and_break_stops_them(
    client: welkin.Client, fake: FakeWelkin
) -> None:
    fake.seed(users=10)

    items = iter(client.users.list(size=4))
    assert len(list_calls(fake, ADMIN_USERS)) == 1
    taken = [next(items) for _ in range(5)]
    assert len(list_calls(fake, ADMIN_USERS)) == 2
    del items

    assert [u.id for u in taken] == user_ids(fake)[:5]
    assert len(list_calls(fake, ADMIN_USERS)) == 2


def test_users_page_metadata_and_next_page(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.seed(users=10)
    ids = user_ids(fake)

    page = client.users.list(size=4, seat_assigned=None)

    assert all(isinstance(u, User) for u in page.items)
    assert page.has_next_page()
    assert page.next_page_query == {"size": "4", "page": "1"}
    pages = list(page.iter_pages())
    assert [[u.id for u in p.items] for p in pages] == [ids[0:4], ids[4:8], ids[8:10]]
    assert pages[-1].next_page_query is None


def test_users_listing_resumes_from_a_page_number(client: welkin.Client, fake: FakeWelkin) -> None:
    fake.seed(users=25)

    page = client.users.list(page=2, size=10)

    assert [u.id for u in page.items] == user_ids(fake)[20:]
    assert not page.has_next_page()


def test_users_exact_multiple_and_empty_collection(client: welkin.Client, fake: FakeWelkin) -> None:
    assert list(client.users.list(size=5)) == []
    fake.seed(users=10)

    assert [u.id for u in client.users.list(size=5)] == user_ids(fake)
    assert [c.query.get("page") for c in list_calls(fake, ADMIN_USERS)] == [None, None, "1"]


def test_users_filters_are_kept_on_later_pages(client: welkin.Client, fake: FakeWelkin) -> None:
    for n in range(5):
        fake.add_user(username=f"foo{n}", region="east-coast")
    fake.add_user(username="bar", region="east-coast")

    names = [
        u.username
        for u in client.users.list_for_instance(region="east-coast", search="foo", size=2)
    ]

    assert names == [f"foo{n}" for n in range(5)]
    assert all(
        c.query["region"] == "east-coast" and c.query["search"] == "foo"
        for c in list_calls(fake, "gh/sb-demo/users")
    )


# -- async ----------------------------------------------------------------------------------


async def test_async_for_walks_every_patient_lazily(
    aclient: welkin.AsyncClient, fake: FakeWelkin
) -> None:
    fake.seed(patients=45)

    ids = [p.id async for p in aclient.patients.list(size=7)]

    assert ids == patient_ids(fake)
    assert len(list_calls(fake, PATIENTS)) == 7


async def test_async_iteration_fetches_on_demand(
    aclient: welkin.AsyncClient, fake: FakeWelkin
) -> None:
    fake.seed(patients=45)

    listing = aclient.patients.list(size=7)
    assert list_calls(fake, PATIENTS) == []  # nothing is sent before iterating

    items = aiter(listing)
    for _ in range(7):
        await anext(items)
    assert len(list_calls(fake, PATIENTS)) == 1
    await anext(items)
    assert len(list_calls(fake, PATIENTS)) == 2


async def test_awaiting_a_list_gives_an_async_page(
    aclient: welkin.AsyncClient, fake: FakeWelkin
) -> None:
    fake.seed(users=7)
    ids = user_ids(fake)

    page = await aclient.users.list(size=3)

    assert isinstance(page, welkin.AsyncPage)
    assert [u.id for u in page.items] == ids[:3]
    assert page.next_page_query == {"size": "3", "page": "1"}
    second = await page.get_next_page()
    assert [u.id for u in second.items] == ids[3:6]
    assert [len(p.items) async for p in page.iter_pages()] == [3, 3, 1]
    assert [u.id async for u in second] == ids[3:]


async def test_async_empty_collection(aclient: welkin.AsyncClient, fake: FakeWelkin) -> None:
    page = await aclient.users.list()

    assert page.items == []
    assert not page.has_next_page()
    assert [u async for u in page] == []


# -- the envelope models --------------------------------------------------------------------

PATIENT_A = {"id": "6801d498-26f4-4aee-961b-5daffcf193c8", "firstName": "Charlie"}
PATIENT_B = {"id": "1e57da59-42e2-4412-9152-11f37129b782", "firstName": "Dana"}
SORT = {"sorted": False, "unsorted": True, "empty": True}


def spring_body(*, number: int, last: bool, total_pages: int = 18) -> dict[str, Any]:
    """A Spring page as docs/patients.md shows it."""
    return {
        "content": [PATIENT_A, PATIENT_B],
        "pageable": {
            "sort": SORT,
            "pageNumber": number,
            "pageSize": 2,
            "offset": number * 2,
            "unpaged": False,
            "paged": True,
        },
        "last": last,
        "totalElements": 35,
        "totalPages": total_pages,
        "first": number == 0,
        "number": number,
        "sort": SORT,
        "numberOfElements": 2,
        "size": 2,
        "empty": False,
    }


def test_spring_page_asks_for_the_next_page_number_and_keeps_the_query() -> None:
    body = spring_body(number=2, last=False)
    page = SpringPage[Patient].model_validate(body)

    assert [p.first_name for p in page.items] == ["Charlie", "Dana"]
    assert page.next_query({"size": "2", "sort": "lastName,asc", "page": "2"}) == {
        "size": "2",
        "sort": "lastName,asc",
        "page": "3",
    }
    assert page.to_dict() == body


def test_spring_page_last_page_detection() -> None:
    last = SpringPage[Patient].model_validate(spring_body(number=17, last=True))
    past_total = SpringPage[Patient].model_validate(spring_body(number=17, last=False))
    no_last_flag = SpringPage[Patient].model_validate({"content": [PATIENT_A], "number": 0})
    empty = SpringPage[Patient].model_validate(
        {"content": [], "last": False, "number": 18, "empty": True}
    )

    for page in (last, past_total, no_last_flag, empty):
        assert page.next_query({"size": "2"}) is None


def test_spring_page_reads_the_page_number_from_pageable_when_number_is_missing() -> None:
    body = spring_body(number=4, last=False)
    del body["number"]

    page = SpringPage[Patient].model_validate(body)

    assert page.next_query({}) == {"page": "5"}


def test_spring_page_accepts_an_unpaged_pageable() -> None:
    body = {"content": [PATIENT_A], "pageable": "INSTANCE", "last": True, "number": 0}

    page = SpringPage[Patient].model_validate(body)

    assert page.pageable == "INSTANCE"
    assert page.next_query({}) is None
    assert page.to_dict() == body


def test_spring_data_page_reads_the_spring_page_under_data() -> None:
    body = {"name": "vitals", "data": spring_body(number=0, last=False, total_pages=3)}
    del body["data"]["number"]  # B reads the page from data.pageable.pageNumber

    page = SpringDataPage[dict[str, Any]].model_validate(body)

    assert page.name == "vitals"
    assert page.items == [PATIENT_A, PATIENT_B]
    assert page.next_query({"size": "2", "page": "0"}) == {"size": "2", "page": "1"}
    assert page.to_dict() == body


def test_spring_data_page_last_page_detection() -> None:
    body = {"name": "vitals", "data": spring_body(number=2, last=True, total_pages=3)}

    assert SpringDataPage[dict[str, Any]].model_validate(body).next_query({}) is None


def metainfo_body(*, page: int, last: bool) -> dict[str, Any]:
    return {
        "data": [{"id": "t-1", "status": "OPEN"}, {"id": "t-2", "status": "DONE"}],
        "metaInfo": {
            "page": page,
            "pageSize": 2,
            "totalElements": 6,
            "numberOfElements": 2,
            "totalPages": 3,
            "firstPage": page == 0,
            "lastPage": last,
        },
    }


def test_metainfo_page_asks_for_the_next_page() -> None:
    body = metainfo_body(page=1, last=False)
    page = MetaInfoPage[dict[str, Any]].model_validate(body)

    assert [item["id"] for item in page.items] == ["t-1", "t-2"]
    assert page.next_query({"size": "2", "page": "1", "sort": "createdAt,desc"}) == {
        "size": "2",
        "page": "2",
        "sort": "createdAt,desc",
    }
    assert page.to_dict() == body


def test_metainfo_page_last_page_detection() -> None:
    last = MetaInfoPage[dict[str, Any]].model_validate(metainfo_body(page=2, last=True))
    without_meta = MetaInfoPage[dict[str, Any]].model_validate({"data": [{"id": "t-1"}]})
    empty = MetaInfoPage[dict[str, Any]].model_validate(
        {"data": [], "metaInfo": {"page": 3, "lastPage": False}}
    )

    for page in (last, without_meta, empty):
        assert page.next_query({"size": "2"}) is None


def test_metainfo_page_of_users_is_typed() -> None:
    body = {
        "data": [{"id": "20eb246e-8099-4c7c-854c-5e0f9a366ddb", "username": "root"}],
        "metaInfo": {"page": 0, "lastPage": True},
    }

    page = MetaInfoPage[User].model_validate(body)

    assert page.items[0].id == uuid.UUID("20eb246e-8099-4c7c-854c-5e0f9a366ddb")
    assert page.items[0].username == "root"


CHAT_TOKEN = "eyJ0eXBlIjoiUFJPVklERVIiLCJ0d2lsaW9Ub2tlbiI6Ik9yZGVyPWRlc2MmUGFnZVNpemU9MSJ9"


def token_body(next_token: str | None) -> dict[str, Any]:
    """A chat page as docs/chat.md shows it."""
    return {
        "meta": {"nextPageToken": next_token, "prevPageToken": None, "pageSize": 1, "found": True},
        "content": [
            {
                "sender": {"clientType": "USER", "id": "379a1c22-aac4-4741-a083-c3c80105ee94"},
                "message": "Hello, World!",
                "createdAt": "2021-03-09T12:23:18.000Z",
            }
        ],
    }


def test_token_page_next_query_is_only_the_page_token() -> None:
    body = token_body(CHAT_TOKEN)
    page = TokenPage[dict[str, Any]].model_validate(body)

    assert page.items[0]["message"] == "Hello, World!"
    assert page.next_query({"pageSize": "1", "includeArchived": "true"}) == {
        "pageToken": CHAT_TOKEN
    }
    assert page.to_dict() == body


def test_token_page_last_page_detection() -> None:
    null_token = TokenPage[dict[str, Any]].model_validate(token_body(None))
    missing_token = TokenPage[dict[str, Any]].model_validate({"meta": {}, "content": []})
    missing_meta = TokenPage[dict[str, Any]].model_validate({"content": [{"message": "hi"}]})

    for page in (null_token, missing_token, missing_meta):
        assert page.next_query({"pageSize": "1"}) is None


def test_cursor_page_sends_the_end_cursor_as_start() -> None:
    body = {
        "data": [{"id": "r-1"}, {"id": "r-2"}],
        "cursor": {"start": "c-0", "end": "c-2", "hasNext": True},
    }
    page = CursorPage[dict[str, Any]].model_validate(body)

    assert [item["id"] for item in page.items] == ["r-1", "r-2"]
    assert page.next_query({"pageSize": "2", "start": "c-0"}) == {"pageSize": "2", "start": "c-2"}
    assert page.to_dict() == body


def test_cursor_page_reads_items_under_content_too() -> None:
    body = {"content": [{"id": "r-3"}], "cursor": {"start": "c-2", "end": "c-3", "hasNext": True}}

    page = CursorPage[dict[str, Any]].model_validate(body)

    assert page.items == [{"id": "r-3"}]
    assert page.next_query({"pageSize": "2"}) == {"pageSize": "2", "start": "c-3"}


def test_cursor_page_last_page_detection() -> None:
    bodies: list[dict[str, Any]] = [
        {"data": [{"id": "r-1"}], "cursor": {"start": "c-0", "end": "c-1", "hasNext": False}},
        {"data": [{"id": "r-1"}], "cursor": {"start": "c-0", "end": "c-1"}},
        {"data": [{"id": "r-1"}], "cursor": {"start": "c-0", "hasNext": True}},
        {"data": [{"id": "r-1"}]},
    ]

    for body in bodies:
        assert CursorPage[dict[str, Any]].model_validate(body).next_query({"pageSize": "2"}) is None


@pytest.mark.parametrize(
    "style",
    [SpringPage, SpringDataPage, MetaInfoPage, TokenPage, CursorPage],
    ids=lambda s: s.__name__,
)
def test_a_bare_json_list_is_one_last_page(style: type[Envelope[Any]]) -> None:
    items = [{"id": "a"}, {"id": "b"}]

    page = style[dict[str, Any]].model_validate(items)

    assert page.items == items
    assert page.next_query({"page": "0", "size": "20"}) is None


def test_asking_past_the_last_page_is_a_welkin_error() -> None:
    fake = FakeWelkin()
    fake.seed(patients=3)
    with fake.client() as client:
        page = client.patients.list(size=5)
        assert not page.has_next_page()
        with pytest.raises(welkin.WelkinError, match="last page"):
            page.get_next_page()


def test_an_item_that_does_not_fit_its_model_fails_when_reached_without_its_data() -> None:
    fake = FakeWelkin()
    fake.add_patient(firstName="Fine")
    fake.add_patient(firstName="Broken", createdAt="not a timestamp", lastName="Secretson")
    with fake.client(strict=True) as client:
        page = client.patients.list()
        walked = iter(page)
        assert next(walked).first_name == "Fine"
        with pytest.raises(welkin.APIResponseValidationError) as caught:
            next(walked)
    message = str(caught.value)
    assert "createdAt" in message
    assert "Secretson" not in message and "not a timestamp" not in message
    assert caught.value.url.endswith("/gh/sb-demo/patients")


def test_page_metadata_is_on_the_envelope() -> None:
    fake = FakeWelkin()
    fake.seed(patients=7, users=5)
    with fake.client() as client:
        patients = client.patients.list(size=3)
        users = client.users.list(size=2)
    assert isinstance(patients.envelope, SpringPage)
    assert (patients.envelope.total_elements, patients.envelope.total_pages) == (7, 3)
    assert (patients.envelope.number, patients.envelope.last) == (0, False)
    assert isinstance(users.envelope, MetaInfoPage)
    assert users.envelope.meta_info is not None
    assert (users.envelope.meta_info.total_pages, users.envelope.meta_info.page) == (3, 0)
