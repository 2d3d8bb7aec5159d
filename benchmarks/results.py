"""What a run produces: measured sections, targets and sanity checks (rendered by report.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .harness import Sample

__all__ = ["Check", "Results", "Section", "Target", "paired"]


def paired(a: Sample, b: Sample) -> Sample:
    """Per-round ratios a/b: the variants ran in the same rounds, so drift cancels out."""
    return Sample(tuple(x / y for x, y in zip(a.values, b.values, strict=True)))


@dataclass
class Section:
    """One scenario: variants measured interleaved, in one unit, compared with ``reference``."""

    title: str
    unit: str
    reference: str
    samples: dict[str, Sample]
    diagnostics: frozenset[str] = frozenset()
    note: str = ""
    higher_is_better: bool = False
    digits: int = 0
    # Rows compared with another row than ``reference`` (e.g. the raw loop of the same size).
    row_reference: dict[str, str] = field(default_factory=dict)
    # What the scenario found besides timings (the shape of the parsed data, a setting...).
    extra: dict[str, Any] = field(default_factory=dict)

    def reference_for(self, variant: str) -> str:
        return self.row_reference.get(variant, self.reference)

    def ratio(self, variant: str, to: str | None = None) -> Sample:
        return paired(self.samples[variant], self.samples[to or self.reference_for(variant)])


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    limit: str
    met: bool
    # Said instead of met/missed when the target could not be measured (e.g. "not available").
    status: str | None = None

    @property
    def verdict(self) -> str:
        return self.status or ("met" if self.met else "**missed**")


@dataclass(frozen=True)
class Check:
    """A sanity check of the run itself (requests really reached the server, counts match)."""

    name: str
    ok: bool
    detail: str


@dataclass
class Results:
    facts: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    counts: list[tuple[str, str, str]] = field(default_factory=list)  # (what, value, note)
    targets: list[Target] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)

    def section(self, title: str) -> Section:
        return next(s for s in self.sections if s.title == title)

    def find(self, title: str) -> Section | None:
        """The section of that title, or None when the run could not measure it."""
        return next((s for s in self.sections if s.title == title), None)
