"""welkin.testing's hooks: a client's waits, clocks and jitter replaced without touching its
private attributes."""

from __future__ import annotations

import random

import httpx
import pytest

import welkin
from welkin.testing import FakeClock, FakeWelkin, instrument


def test_a_fakes_client_takes_the_hooks_as_keyword_arguments() -> None:
    fake = FakeWelkin()
    sleeps: list[float] = []
    fake.fail_next(503, times=2)

    with fake.client(sleep=sleeps.append, jitter=False) as client:
        client.patients.list()

    assert sleeps == [0.5, 1.0]


def test_a_seeded_rng_repeats_the_jitter() -> None:
    waits: list[list[float]] = []
    for _ in range(2):
        fake, sleeps = FakeWelkin(), []
        fake.fail_next(503, times=3)
        with fake.client(sleep=sleeps.append, jitter=random.Random(7)) as client:
            client.patients.list()
        waits.append(sleeps)

    assert waits[0] == waits[1]
    assert all(
        base < wait <= base * 1.25 for wait, base in zip(waits[0], [0.5, 1.0, 2.0], strict=True)
    )


def test_a_shared_fake_clock_expires_the_token_for_the_fake_and_the_client() -> None:
    clock = FakeClock()
    fake = FakeWelkin(clock=clock, token_ttl=600)

    with fake.client(clock=clock) as client:
        client.patients.list()
        clock.advance(601)
        client.patients.list()

    assert fake.token_requests == 2


def test_a_deadline_is_measured_with_monotonic_and_sleep_moves_it_on() -> None:
    clock = FakeClock(0.0)
    fake = FakeWelkin()
    fake.fail_next(429, times=10, headers={"Retry-After": "40"})

    with (
        fake.client(monotonic=clock, sleep=clock.advance) as client,
        pytest.raises(welkin.RateLimitError),
    ):
        client.patients.list(deadline=100)

    assert clock.now == 80  # a third wait of 40 s would pass the deadline


def test_instrument_works_on_any_client_and_returns_it() -> None:
    sleeps: list[float] = []
    answers = iter([httpx.Response(503), httpx.Response(200, json=[])])
    transport = httpx.MockTransport(
        lambda r: (
            httpx.Response(201, json={"token": "t"})
            if "api_clients" in r.url.path
            else next(answers)
        )
    )
    made = welkin.Client(
        "gh", "sb-demo", "api", "secret", http_client=httpx.Client(transport=transport)
    )

    with instrument(made, sleep=sleeps.append, jitter=False) as client:
        assert client is made
        client.call("GET", "gh/sb-demo/nothing")

    assert sleeps == [0.5]


def test_copies_made_with_with_options_keep_the_hooks() -> None:
    fake, sleeps = FakeWelkin(), []
    fake.fail_next(503)

    with fake.client(sleep=sleeps.append, jitter=False) as client:
        client.with_options(timeout=5).patients.list()

    assert sleeps == [0.5]


async def test_an_async_clients_sleep_may_be_a_plain_function_or_a_coroutine_function() -> None:
    fake, plain, awaited = FakeWelkin(), [], []

    async def record(seconds: float) -> None:
        awaited.append(seconds)

    fake.fail_next(503, times=2)
    async with fake.async_client(sleep=plain.append, jitter=False) as client:
        await client.patients.list()
    async with fake.async_client(sleep=record, jitter=False) as client:
        fake.fail_next(503)
        await client.patients.list()

    assert (plain, awaited) == ([0.5, 1.0], [0.5])


def test_a_sync_clients_sleep_cannot_be_a_coroutine_function() -> None:
    async def record(seconds: float) -> None:
        pass

    with pytest.raises(TypeError, match="coroutine"):
        FakeWelkin().client(sleep=record)
