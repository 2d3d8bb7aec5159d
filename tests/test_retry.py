"""Retries: which failures are retried, how long the client waits, and how often it tries."""

from __future__ import annotations

import random
from collections.abc import Callable
from email.utils import formatdate

import httpx
import pytest
from support import START, FakeClock

import welkin
from welkin import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
)
from welkin._retry import RetryPolicy, parse_retry_after
from welkin.testing import FakeWelkin, RecordedRequest, instrument


class NoJitter(random.Random):
    """An rng whose random() is always 0: backoff waits become exact."""

    def random(self) -> float:
        return 0.0


class MostJitter(random.Random):
    def random(self) -> float:
        return 0.999999


def api_calls(fake: FakeWelkin, method: str | None = None) -> list[RecordedRequest]:
    """The requests the fake received, token requests left out."""
    return [
        r
        for r in fake.requests
        if "/admin/api_clients/" not in r.path and (method is None or r.method == method)
    ]


# -- statuses ---------------------------------------------------------------------------------


def test_get_is_retried_after_503_with_exponential_backoff(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    instrument(client, jitter=False)
    fake.add_patient(firstName="Ada")
    fake.fail_next(503, times=2)

    page = client.patients.list()

    assert [p.first_name for p in page.items] == ["Ada"]
    assert sleeps == [0.5, 1.0]
    assert len(api_calls(fake)) == 3


def test_backoff_jitter_adds_at_most_a_quarter(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    instrument(client, jitter=random.Random(0))
    fake.fail_next(503, times=3)

    client.patients.list()

    assert len(sleeps) == 3
    for wait, base in zip(sleeps, [0.5, 1.0, 2.0], strict=True):
        assert base <= wait <= base * 1.25
    assert len(set(sleeps)) == 3


@pytest.mark.parametrize("status", [429, 500, 502, 504])
def test_other_transient_statuses_are_retried_for_get(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float], status: int
) -> None:
    instrument(client, jitter=False)
    fake.fail_next(status)

    client.patients.list()

    assert sleeps == [0.5]
    assert len(api_calls(fake)) == 2


def test_put_and_delete_are_retried(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    instrument(client, jitter=False)
    fake.add_user(username="ann")
    fake.fail_next(503, method="PUT")
    fake.fail_next(503, method="DELETE")

    replaced = client.users.replace("ann", first_name="Ann")
    client.users.delete_by_username("ann")

    assert replaced.first_name == "Ann"
    assert [r.method for r in api_calls(fake)] == ["PUT", "PUT", "DELETE", "DELETE"]
    assert sleeps == [0.5, 0.5]
    assert fake.users == {}


def test_retry_after_seconds_is_waited_out(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    fake.fail_next(429, headers={"Retry-After": "7"})

    client.patients.list()

    assert sleeps == [7.0]
    assert len(api_calls(fake)) == 2


def test_retry_after_http_date_is_waited_out(
    clock: FakeClock, make_client: Callable[..., welkin.Client], sleeps: list[float]
) -> None:
    fake = FakeWelkin(clock=clock)
    client = make_client(fake, clock=clock)
    fake.fail_next(503, headers={"Retry-After": formatdate(clock.now + 12, usegmt=True)})

    client.patients.list()

    assert sleeps == [pytest.approx(12.0)]


def test_retry_after_longer_than_a_minute_raises_at_once(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    fake.fail_next(429, headers={"Retry-After": "3600"})

    with pytest.raises(RateLimitError) as caught:
        client.patients.list()

    assert caught.value.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "3600"
    assert sleeps == []
    assert len(api_calls(fake)) == 1


# -- how many times ---------------------------------------------------------------------------


def test_total_bounds_the_number_of_retries(
    fake: FakeWelkin, make_client: Callable[..., welkin.Client], sleeps: list[float]
) -> None:
    client = make_client(fake, total=3)
    instrument(client, jitter=False)
    fake.fail_next(503, times=100)

    with pytest.raises(InternalServerError) as caught:
        client.patients.list()

    assert caught.value.status_code == 503
    assert len(api_calls(fake)) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_backoff_factor_scales_the_waits(
    fake: FakeWelkin, make_client: Callable[..., welkin.Client], sleeps: list[float]
) -> None:
    client = make_client(fake, total=2, backoff_factor=2)
    instrument(client, jitter=False)
    fake.fail_next(503, times=2)

    client.patients.list()

    assert sleeps == [2.0, 4.0]


def test_max_retries_zero_on_a_call_means_one_attempt(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    fake.fail_next(503, times=100)

    with pytest.raises(InternalServerError):
        client.patients.list(max_retries=0)

    assert len(api_calls(fake)) == 1
    assert sleeps == []


def test_with_options_max_retries_applies_to_the_copy_only(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    instrument(client, jitter=False)
    fake.fail_next(503, times=100)

    with pytest.raises(InternalServerError):
        client.with_options(max_retries=1).patients.list()

    assert len(api_calls(fake)) == 2
    assert sleeps == [0.5]
    assert client.max_retries == 5


# -- non-idempotent methods -------------------------------------------------------------------


def test_post_answered_503_is_not_retried(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    fake.fail_next(503, times=100)

    with pytest.raises(InternalServerError):
        client.patients.create(first_name="Ada")

    assert len(api_calls(fake)) == 1
    assert sleeps == []


def test_post_answered_429_is_not_retried(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    fake.fail_next(429, headers={"Retry-After": "1"})

    with pytest.raises(RateLimitError):
        client.patients.create(first_name="Ada")

    assert len(api_calls(fake)) == 1
    assert sleeps == []


def test_patch_answered_503_is_not_retried(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    patient = fake.add_patient(firstName="Ada")
    fake.fail_next(503, times=100)

    with pytest.raises(InternalServerError):
        client.patients.update(patient["id"], first_name="Bea")

    assert [r.method for r in api_calls(fake)] == ["PATCH"]
    assert sleeps == []
    assert fake.patients[patient["id"]]["firstName"] == "Ada"


# -- transport errors -------------------------------------------------------------------------


def test_post_that_never_connected_is_retried(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    instrument(client, jitter=False)
    fake.fail_next(exception=httpx.ConnectError, method="POST")

    patient = client.patients.create(first_name="Ada")

    assert patient.first_name == "Ada"
    assert len(api_calls(fake, "POST")) == 2
    assert len(fake.patients) == 1
    assert sleeps == [0.5]


def test_post_that_timed_out_reading_is_not_retried(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    fake.fail_next(exception=httpx.ReadTimeout, method="POST")

    with pytest.raises(APITimeoutError) as caught:
        client.patients.create(first_name="Ada")

    assert caught.value.method == "POST"
    assert len(api_calls(fake)) == 1
    assert sleeps == []


def test_get_that_timed_out_reading_is_retried(
    client: welkin.Client, fake: FakeWelkin, sleeps: list[float]
) -> None:
    instrument(client, jitter=False)
    fake.fail_next(exception=httpx.ReadTimeout)

    client.patients.list()

    assert len(api_calls(fake)) == 2
    assert sleeps == [0.5]


def test_connection_failing_every_time_raises_after_all_retries(
    fake: FakeWelkin, make_client: Callable[..., welkin.Client], sleeps: list[float]
) -> None:
    client = make_client(fake, total=2)
    instrument(client, jitter=False)
    fake.fail_next(exception=httpx.ConnectError, times=100)

    with pytest.raises(APIConnectionError) as caught:
        client.patients.list()

    assert not isinstance(caught.value, APITimeoutError)
    assert "ConnectError" in str(caught.value)
    assert len(api_calls(fake)) == 3
    assert sleeps == [0.5, 1.0]


# -- async ------------------------------------------------------------------------------------


async def test_async_get_is_retried_after_503(
    aclient: welkin.AsyncClient, fake: FakeWelkin, sleeps: list[float]
) -> None:
    instrument(aclient, jitter=False)
    fake.add_patient(firstName="Ada")
    fake.fail_next(503, times=2)

    page = await aclient.patients.list()

    assert [p.first_name for p in page.items] == ["Ada"]
    assert sleeps == [0.5, 1.0]
    assert len(api_calls(fake)) == 3


async def test_async_post_answered_503_is_not_retried(
    aclient: welkin.AsyncClient, fake: FakeWelkin, sleeps: list[float]
) -> None:
    fake.fail_next(503, times=100)

    with pytest.raises(InternalServerError):
        await aclient.patients.create(first_name="Ada")

    assert len(api_calls(fake)) == 1
    assert sleeps == []


# -- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7.0),
        (" 2.5 ", 2.5),
        ("0", 0.0),
        ("-5", 0.0),
        (formatdate(START + 12, usegmt=True), 12.0),
        (formatdate(START - 100, usegmt=True), 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("Wed, 21 Oct 2015 07:28:00 -0000", None),  # no time zone: meaningless here
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, START) == expected


def test_delay_grows_exponentially_and_stops_after_total() -> None:
    policy = RetryPolicy(max_retries=3, backoff_factor=0.5)

    waits = [policy.delay(n, None, NoJitter()) for n in range(1, 5)]

    assert waits == [0.5, 1.0, 2.0, None]


def test_delay_is_capped_at_backoff_max() -> None:
    policy = RetryPolicy(max_retries=20, backoff_factor=1, backoff_max=30)

    assert policy.delay(5, None, NoJitter()) == 16.0
    assert policy.delay(6, None, NoJitter()) == 30.0
    assert policy.delay(20, None, NoJitter()) == 30.0


def test_delay_jitter_stays_within_a_quarter() -> None:
    policy = RetryPolicy(max_retries=5, backoff_factor=0.5)

    assert policy.delay(2, None, MostJitter()) == pytest.approx(1.25, abs=1e-5)


def test_delay_uses_retry_after_up_to_its_limit() -> None:
    policy = RetryPolicy(max_retries=5, retry_after_max=60)

    assert policy.delay(1, 60.0, NoJitter()) == 60.0
    assert policy.delay(1, 60.5, NoJitter()) is None
    assert policy.delay(6, 1.0, NoJitter()) is None
