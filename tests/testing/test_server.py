"""The fake over real HTTP on 127.0.0.1: any client can use it, faults included."""

from __future__ import annotations

import httpx
import pytest

import welkin
from welkin.testing import FakeWelkin


def loopback_client(fake: FakeWelkin, base_url: str) -> welkin.Client:
    client = welkin.Client(
        fake.tenant, fake.instance, fake.api_client, fake.secret, base_url=base_url
    )
    client._sleep = lambda seconds: None
    return client


def test_the_sdk_works_over_loopback() -> None:
    fake = FakeWelkin()
    fake.seed(patients=25)
    with fake.serve() as base_url, loopback_client(fake, base_url) as client:
        assert base_url.startswith("http://127.0.0.1:")
        created = client.patients.create(first_name="Loop", last_name="Back")
        assert client.patients.get(created.id).first_name == "Loop"
        assert sum(1 for _ in client.patients.list(size=10)) == 26
    assert fake.token_requests == 1


def test_plain_httpx_can_use_it_too() -> None:
    fake = FakeWelkin()
    with fake.serve() as base_url, httpx.Client(base_url=base_url) as http:
        token = http.post(
            f"/{fake.tenant}/admin/api_clients/{fake.api_client}", json={"secret": fake.secret}
        )
        assert token.status_code == 201
        headers = {"Authorization": f"Bearer {token.json()['token']}"}
        users = http.get(f"/{fake.tenant}/admin/users", headers=headers)
        assert users.json()["metaInfo"]["lastPage"] is True
        assert http.get(f"/{fake.tenant}/admin/users").status_code == 401


def test_a_dropped_connection_is_retried_for_a_get() -> None:
    fake = FakeWelkin()
    fake.add_patient(firstName="Ada")
    fake.fail_next(exception=httpx.RemoteProtocolError, method="GET", times=2)
    with fake.serve() as base_url, loopback_client(fake, base_url) as client:
        assert [p.first_name for p in client.patients.list()] == ["Ada"]
    gets = [r for r in fake.requests if r.method == "GET"]
    assert len(gets) == 3


def test_a_dropped_connection_after_a_post_is_not_retried() -> None:
    fake = FakeWelkin()
    fake.fail_next(exception=httpx.RemoteProtocolError, method="POST", path_contains="patients")
    with fake.serve() as base_url, loopback_client(fake, base_url) as client:
        with pytest.raises(welkin.APIConnectionError):
            client.patients.create(first_name="Once")
    creates = [r for r in fake.requests if r.method == "POST" and "patients" in r.path]
    assert len(creates) == 1


def test_a_port_can_be_chosen_and_reused() -> None:
    fake = FakeWelkin()
    with fake.serve() as first:
        port = int(first.rsplit(":", 1)[1])
    with fake.serve(port) as again:
        assert again == first
        assert httpx.get(f"{again}/gh/admin/users").status_code == 401
