"""Shared fixtures: a fresh fake Welkin, clients wired to it, and a recorder instead of sleeping."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from support import FakeClock

import welkin
from welkin.testing import FakeWelkin


@pytest.fixture(autouse=True)
def _fresh_token_cache() -> None:
    welkin.clear_token_cache()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake() -> FakeWelkin:
    return FakeWelkin()


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the ``client`` and ``aclient`` fixtures asked for, in order."""
    return []


@pytest.fixture
def client(fake: FakeWelkin, sleeps: list[float]) -> Iterator[welkin.Client]:
    client = fake.client(sleep=sleeps.append)
    yield client
    client.close()
    client._http.close()  # fake.client() hands the client an httpx.Client it does not own


@pytest.fixture
def make_client(sleeps: list[float]) -> Iterator[Callable[..., welkin.Client]]:
    """``make_client(fake, clock=None, **client_kwargs)``: a client of ``fake`` recording its
    sleeps into ``sleeps`` and, given a clock, reading the time from it; closed after the test."""
    made: list[welkin.Client] = []

    def make(fake: FakeWelkin, clock: FakeClock | None = None, **kwargs: Any) -> welkin.Client:
        client = fake.client(sleep=sleeps.append, clock=clock, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
        client._http.close()


@pytest.fixture
async def aclient(fake: FakeWelkin, sleeps: list[float]) -> AsyncIterator[welkin.AsyncClient]:
    client = fake.async_client(sleep=sleeps.append)
    yield client
    await client.close()
    await client._http.aclose()  # not owned by the client either
