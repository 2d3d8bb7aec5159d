"""``client.request``: endpoints not in the spec yet, with the same auth, retries and errors."""

from __future__ import annotations

import pytest

import welkin
from welkin.testing import FakeWelkin


def test_get_with_placeholders_returns_decoded_json(
    fake: FakeWelkin, client: welkin.Client
) -> None:
    fake.seed(patients=3)
    body = client.call("GET", "{tenant}/{instance}/patients", params={"size": 2, "page": 1})
    assert [p["id"] for p in body["content"]] == [list(fake.patients)[2]]
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "gh/sb-demo/patients",
        {"size": "2", "page": "1"},
    )
    assert sent.headers["authorization"].startswith("Bearer ")


def test_post_json_and_lowercase_booleans(fake: FakeWelkin, client: welkin.Client) -> None:
    created = client.call("post", "gh/sb-demo/patients", json={"firstName": "Raw"})
    assert created["firstName"] == "Raw"
    listed = client.call("GET", "gh/admin/users", params={"seatAssigned": True})
    assert listed["data"] == []
    assert fake.requests[-1].query == {"seatAssigned": "true"}


def test_errors_and_retries_are_the_same_as_typed_calls(
    fake: FakeWelkin, client: welkin.Client, sleeps: list[float]
) -> None:
    fake.fail_next(503, times=1)
    assert client.call("GET", "{tenant}/admin/users")["data"] == []
    assert len(sleeps) == 1
    with pytest.raises(welkin.NotFoundError) as caught:
        client.call("DELETE", "{tenant}/{instance}/patients/6801d498-26f4-4aee-961b-5daffcf193c8")
    assert caught.value.method == "DELETE"


def test_absolute_urls_are_refused_before_sending(fake: FakeWelkin, client: welkin.Client) -> None:
    with pytest.raises(welkin.InvalidArgumentError) as caught:
        client.call("GET", "https://elsewhere.example/patients")
    assert caught.value.argument == "path"
    assert fake.requests == []


async def test_async_request(fake: FakeWelkin, aclient: welkin.AsyncClient) -> None:
    fake.seed(users=2)
    body = await aclient.call("GET", "{tenant}/admin/users", params={"size": 1})
    assert len(body["data"]) == 1
    assert body["metaInfo"]["lastPage"] is False
