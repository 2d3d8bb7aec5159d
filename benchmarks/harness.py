"""Interleaved measurement: variants run round-robin, so drift hits every variant alike.

Each variant is a callable that performs one repetition and returns its figure (a time per
operation, a throughput...); ``interleave`` calls them in rotating order, round after round.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["Sample", "interleave", "timed"]


@dataclass(frozen=True)
class Sample:
    """The repetitions of one variant, in the order they were measured."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def quantile(self, q: float) -> float:
        """Linear-interpolated quantile, ``q`` in [0, 1]."""
        ordered = sorted(self.values)
        if len(ordered) == 1:
            return ordered[0]
        position = q * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    @property
    def p10(self) -> float:
        return self.quantile(0.10)

    @property
    def p90(self) -> float:
        return self.quantile(0.90)

    @property
    def iqr(self) -> float:
        return self.quantile(0.75) - self.quantile(0.25)

    def median_ci(self, confidence: float = 0.95, resamples: int = 2_000) -> tuple[float, float]:
        """Bootstrap confidence interval of the median (fixed seed: the same run, same figures)."""
        rng = random.Random(0)  # noqa: S311 - resampling, not cryptography
        values = self.values
        medians = Sample(
            tuple(statistics.median(rng.choices(values, k=len(values))) for _ in range(resamples))
        )
        tail = (1 - confidence) / 2
        return medians.quantile(tail), medians.quantile(1 - tail)


def interleave(
    variants: Mapping[str, Callable[[], float]],
    rounds: int,
    *,
    warmup: int = 1,
    budget_s: float | None = None,
) -> dict[str, Sample]:
    """Run every variant once per round, rotating the order; warm-up rounds are discarded.

    With ``budget_s``, stop after the first full round that ends past the budget (at least
    three rounds are kept), so one slow machine cannot blow the suite's time limit.
    """
    names = list(variants)
    for _ in range(warmup):
        for name in names:
            variants[name]()
    values: dict[str, list[float]] = {name: [] for name in names}
    started = time.perf_counter()
    for round_index in range(rounds):
        # Rotate so no variant always runs right after the same neighbour (cache, turbo).
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            # Settle the GC first (untimed): otherwise the garbage one variant leaves makes
            # a full collection land in whichever variant happens to run next.
            gc.collect()
            values[name].append(variants[name]())
        over_budget = budget_s is not None and time.perf_counter() - started > budget_s
        if over_budget and round_index >= 2:
            break
    return {name: Sample(tuple(v)) for name, v in values.items()}


def timed(action: Callable[[], object], operations: int) -> float:
    """Run ``action`` once; return its wall time per operation, in microseconds."""
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) / operations * 1e6
