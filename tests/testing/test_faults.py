"""The SDK's behaviour under each fault the fake can inject."""

from __future__ import annotations

import httpx
import pytest

import welkin
from welkin.testing import FakeWelkin


def quick_client(fake: FakeWelkin, **kwargs: object) -> welkin.Client:
    """An in-process client that records its waits instead of sleeping."""
    client = fake.client(**kwargs)
    client._sleep = lambda seconds: None
    return client


def loopback_client(fake: FakeWelkin, base_url: str, **kwargs: object) -> welkin.Client:
    client = welkin.Client(
        fake.tenant, fake.instance, fake.api_client, fake.secret, base_url=base_url, **kwargs
    )
    client._sleep = lambda seconds: None
    return client


def test_rate_limit_waits_for_retry_after() -> None:
    fake = FakeWelkin()
    fake.fail_next(429, headers={"Retry-After": "3"}, times=2)
    waits: list[float] = []
    with fake.client() as client:
        client._sleep = waits.append
        assert client.users.list().items == []
    assert waits == [3.0, 3.0]


def test_bursts_of_server_errors_are_ridden_out_by_retries() -> None:
    fake = FakeWelkin()
    fake.seed(patients=60)
    fake.chaos(0.3, seed=7)
    with quick_client(fake, total=10) as client:
        walked = [p.id for p in client.patients.list(size=5)]
    assert len(walked) == len(set(walked)) == 60
    page_requests = [r for r in fake.requests if r.path.endswith("/patients")]
    assert len(page_requests) > 12  # 12 pages, plus the retried failures


def test_chaos_is_deterministic_for_a_seed() -> None:
    def run(seed: int) -> list[str]:
        fake = FakeWelkin()
        fake.seed(patients=40)
        fake.chaos(0.4, seed=seed)
        with quick_client(fake, total=20) as client:
            list(client.patients.list(size=4))
        return [r.query.get("page", "0") for r in fake.requests if r.path.endswith("/patients")]

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_a_post_hit_by_a_burst_is_not_sent_twice() -> None:
    fake = FakeWelkin()
    fake.chaos(1.0, statuses=(503,))
    with quick_client(fake) as client, pytest.raises(welkin.InternalServerError):
        client.patients.create(first_name="Once")
    assert [r.method for r in fake.requests].count("POST") == 2  # the token, and one create
    assert fake.patients == {}


def test_latency_past_the_timeout_is_retried_for_a_get_and_raised_for_a_post() -> None:
    fake = FakeWelkin()
    fake.add_patient(firstName="Slow")
    with fake.serve() as base_url, loopback_client(fake, base_url, timeout=0.2) as client:
        client.get_token()
        fake.fail_next(delay=0.6, method="GET")
        assert [p.first_name for p in client.patients.list()] == ["Slow"]
        fake.fail_next(delay=0.6, method="POST")
        with pytest.raises(welkin.APITimeoutError):
            client.patients.create(first_name="Late")
    gets = [r for r in fake.requests if r.method == "GET"]
    assert len(gets) == 2


def test_a_delay_alone_only_slows_the_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeWelkin()
    slept: list[float] = []
    monkeypatch.setattr("welkin.testing._fake.time.sleep", slept.append)
    fake.fail_next(delay=0.25)
    with quick_client(fake) as client:
        assert client.users.list().items == []
    assert slept == [0.25]


def test_tokens_expiring_mid_walk_cost_one_refresh() -> None:
    fake = FakeWelkin()
    fake.seed(patients=30)
    with quick_client(fake) as client:
        walked = 0
        for _ in client.patients.list(size=10):
            walked += 1
            if walked == 15:
                fake.expire_tokens()
    assert walked == 30
    assert fake.token_requests == 2


def test_malformed_json_on_success_is_a_response_error() -> None:
    fake = FakeWelkin()
    fake.fail_next(200, body="{not json", headers={"Content-Type": "application/json"})
    with quick_client(fake) as client, pytest.raises(welkin.APIResponseValidationError) as caught:
        client.users.list()
    assert "not JSON" in str(caught.value)


def test_an_html_error_page_is_retried_then_raised_with_no_parsed_errors() -> None:
    fake = FakeWelkin()
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    fake.fail_next(502, body=page, headers={"Content-Type": "text/html"}, times=3)
    with quick_client(fake, total=2) as client, pytest.raises(welkin.InternalServerError) as caught:
        client.users.list()
    assert caught.value.status_code == 502
    assert caught.value.errors == []
    assert len([r for r in fake.requests if r.path.endswith("/users")]) == 3


def test_a_refused_connection_is_retried_even_for_a_post() -> None:
    fake = FakeWelkin()
    fake.fail_next(exception=httpx.ConnectError, method="POST", path_contains="patients")
    with quick_client(fake) as client:
        created = client.patients.create(first_name="Persistent")
    assert created.first_name == "Persistent"
    assert len(fake.patients) == 1
