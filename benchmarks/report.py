"""Renders a run's Results as benchmarks/RESULTS.md (Markdown tables)."""

from __future__ import annotations

from .results import Results, Section

__all__ = ["render"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _section(section: Section) -> list[str]:
    fmt = f"{{:,.{section.digits}f}}"
    rows = []
    for label, sample in section.samples.items():
        reference = section.reference_for(label)
        if label == reference:
            ratio = "reference"
        else:
            r = section.ratio(label)
            ratio = f"{r.median:.2f}x ({r.p10:.2f}-{r.p90:.2f})"
        name = f"*{label}*" if label in section.diagnostics else label
        rows.append(
            [
                name,
                fmt.format(sample.median),
                f"{fmt.format(sample.p10)} - {fmt.format(sample.p90)}",
                fmt.format(sample.iqr),
                ratio,
                str(len(sample.values)),
            ]
        )
    better = "higher is better" if section.higher_is_better else "lower is better"
    header = [
        "variant",
        f"median ({section.unit})",
        "p10 - p90",
        "IQR",
        "vs reference (per-round ratio, p10-p90)",
        "reps",
    ]
    lines = [f"## {section.title}", "", f"{section.note} Unit: {section.unit}, {better}."]
    if section.diagnostics:
        lines.append("Rows in *italics* are diagnostics, not targets.")
    return [*lines, "", *_table(header, rows), ""]


def render(results: Results) -> str:
    lines = [
        "# welkin benchmark results",
        "",
        "Written by `nox -s bench` (benchmarks/run.py); do not edit by hand. Every figure is a",
        "median over repetitions in which the variants of a table ran interleaved, round-robin;",
        "ratios are medians of per-round ratios, so drift between rounds cancels out.",
        "",
        "## Machine and run",
        "",
        *_table(["fact", "value"], [[k, v] for k, v in results.facts.items()]),
        "",
        "## Targets",
        "",
        *_table(
            ["target", "measured", "limit", "result"],
            [[t.name, t.measured, t.limit, t.verdict] for t in results.targets],
        ),
        "",
    ]
    for section in results.sections:
        lines += _section(section)
    lines += [
        "## Token requests under concurrency",
        "",
        *_table(["scenario", "token requests", "note"], [list(c) for c in results.counts]),
        "",
        "## Checks of the run itself",
        "",
        *_table(
            ["check", "result", "detail"],
            [[c.name, "ok" if c.ok else "**FAILED**", c.detail] for c in results.checks],
        ),
        "",
    ]
    if results.remarks:
        lines += ["## Remarks: what remains and why, what the diagnostics show", ""]
        for remark in results.remarks:
            lines += [f"- {remark}", ""]
    return "\n".join(lines).rstrip() + "\n"
