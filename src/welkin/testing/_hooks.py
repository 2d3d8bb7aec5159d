"""Hooks for tests: a client's waits, clocks and backoff jitter replaced, and a clock that only
moves when told to."""

from __future__ import annotations

import inspect
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import welkin

__all__ = ["FakeClock", "instrument"]

_C = TypeVar("_C", "welkin.Client", "welkin.AsyncClient")

#: The first instant of a ``FakeClock`` made without one: 2023-11-14T22:13:20Z.
_START = 1_700_000_000.0


class FakeClock:
    """A clock that only moves when told to: give it to a fake and to its clients as ``clock``
    (and as ``monotonic``, with ``sleep=clock.advance``, to let retries move time on)."""

    def __init__(self, now: float = _START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def instrument(
    client: _C,
    *,
    sleep: Callable[[float], object] | None = None,
    clock: Callable[[], float] | None = None,
    monotonic: Callable[[], float] | None = None,
    jitter: bool | random.Random | None = None,
) -> _C:
    """Replace what a ``welkin.Client`` or ``welkin.AsyncClient`` takes from the machine;
    returns the client. What is not given stays as it is.

    - ``sleep(seconds)`` is called instead of waiting before a retry (``sleeps.append``
      records the waits). For an async client it may also be a coroutine function.
    - ``clock()`` is the wall clock: token expiry and ``Retry-After`` dates.
    - ``monotonic()`` measures deadlines (``deadline=``).
    - ``jitter=False`` makes backoff waits exact (``backoff_factor * 2 ** (n - 1)``); a
      ``random.Random`` draws the jitter from it (a seeded one repeats it); ``True`` restores
      random jitter.

    Copies made later with ``with_options`` keep them.
    """
    import welkin

    if sleep is not None:
        if isinstance(client, welkin.AsyncClient):
            client._sleep = _awaitable(sleep)
        elif inspect.iscoroutinefunction(sleep):
            # Checked first: a refused call changes nothing.
            raise TypeError("a welkin.Client's sleep cannot be a coroutine function")
        else:
            client._sleep = _discarding(sleep)
    if clock is not None:
        client._clock = clock
    if monotonic is not None:
        client._monotonic = monotonic
    if jitter is not None:
        if isinstance(jitter, random.Random):
            client._rng = jitter
        else:
            client._rng = random.Random() if jitter else _NoJitter()
    return client


class _NoJitter(random.Random):
    """Jitter of 0: ``random()`` is always 0.0."""

    def random(self) -> float:
        return 0.0


def _discarding(sleep: Callable[[float], object]) -> Callable[[float], None]:
    def wait(seconds: float) -> None:
        sleep(seconds)

    return wait


def _awaitable(sleep: Callable[[float], object]) -> Callable[[float], Awaitable[None]]:
    async def wait(seconds: float) -> None:
        result = sleep(seconds)
        if inspect.isawaitable(result):
            await result

    return wait
