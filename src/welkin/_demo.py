"""``welkin demo``: a care team's workflow end to end, on the in-process fake or a live tenant.

It creates a care team and patients, opens encounters with assessments, records CDT values,
pages through everything and exports the CDT records, then prints a summary table.
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import IO, TYPE_CHECKING, Any, TypeVar

import httpx

from ._client import Client
from ._version import __version__

if TYPE_CHECKING:
    from .testing import FakeWelkin

T = TypeVar("T")

Out = Callable[[str], None]


class Progress:
    """A progress bar on a terminal; elsewhere (a pipe, a log) one line when it is done."""

    def __init__(self, label: str, total: int | None, stream: IO[str], width: int = 28) -> None:
        self.label = label
        self.total = total
        self.count = 0
        self.stream = stream
        self.width = width
        self.live = stream.isatty()
        self._drawn = 0.0

    def advance(self, n: int = 1) -> None:
        self.count += n
        if self.live and time.monotonic() - self._drawn >= 0.05:
            self._draw()

    def _draw(self) -> None:
        self._drawn = time.monotonic()
        if self.total:
            done = min(self.count, self.total) * self.width // self.total
            bar = "#" * done + "." * (self.width - done)
            line = f"\r{self.label:<22} [{bar}] {self.count}/{self.total}"
        else:
            line = f"\r{self.label:<22} {self.count}"
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self._draw()
            self.stream.write("\n")
        else:
            self.stream.write(f"{self.label}: {self.count} done\n")
        self.stream.flush()

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items``, advancing once per item, and close at the end."""
        try:
            for item in items:
                yield item
                self.advance()
        finally:
            self.close()


@dataclass
class Step:
    name: str
    items: int = 0
    requests: int = 0
    seconds: float = 0.0


@dataclass
class Options:
    patients: int = 25
    template: str | None = None
    assessment: str | None = None
    cdt: str | None = None
    keep: bool = False
    progress: IO[str] = field(default_factory=lambda: sys.stderr)


class _Counter:
    """Counts the HTTP requests the SDK sends (an httpx event hook)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, request: httpx.Request) -> None:
        self.count += 1


def table(rows: list[list[str]]) -> list[str]:
    """Rows as an aligned text table: the first row is the header; columns of numbers align
    right, their header too."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    numeric = [
        all(row[i].replace(".", "", 1).isdigit() for row in rows[1:]) for i in range(len(widths))
    ]

    def line(row: list[str]) -> str:
        cells = [
            cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [line(rows[0]), rule, *(line(row) for row in rows[1:])]


def _value_for(kind: str | None, index: int) -> Any:
    """A plausible value for a CDT field of type ``kind`` (None: leave the field out)."""
    if kind in ("number", "decimal"):
        return round(60 + index * 0.7, 1)
    if kind in ("integer", "int"):
        return 110 + index % 30
    if kind in ("boolean", "bool"):
        return index % 2 == 0
    if kind == "date":
        return date.today().isoformat()
    if kind in ("text", "string", "textarea"):
        return f"demo note {index}"
    return None


class Workflow:
    """The steps of the demo, each timed and counted, on one client."""

    def __init__(self, client: Client, counter: _Counter, options: Options, out: Out) -> None:
        self.client = client
        self.counter = counter
        self.options = options
        self.out = out
        self.steps: list[Step] = []
        self.tag = secrets.token_hex(3)
        self.user_ids: list[str] = []
        self.patient_ids: list[str] = []
        self.encounter_ids: list[tuple[str, str]] = []

    def _step(self, name: str, run: Callable[[], int]) -> None:
        before = self.counter.count
        started = time.perf_counter()
        items = run()
        self.steps.append(
            Step(name, items, self.counter.count - before, time.perf_counter() - started)
        )

    def _progress(self, label: str, total: int | None) -> Progress:
        return Progress(label, total, self.options.progress)

    # -- steps ------------------------------------------------------------------------------

    def designer(self) -> int:
        """Pick the encounter template, assessment and CDT from the published formation."""
        formations = self.client.formations
        templates = {t.name: t for t in formations.encounter_templates.list() if t.name}
        assessments = {a.name for a in formations.assessments.list() if a.name}
        cdts = {c.name: c for c in formations.cdts.list() if c.name}
        self.template = self.options.template or next(iter(templates), None)
        wanted = self.options.assessment
        if wanted is None and self.template in templates:
            names = templates[self.template].assessment_names or []
            wanted = next((name for name in names if name in assessments), None)
        self.assessment = wanted or next(iter(sorted(assessments)), None)
        self.cdt = self.options.cdt or next(
            (n for n in sorted(cdts) if not n.startswith("_")), None
        )
        definition = cdts.get(self.cdt) if self.cdt else None
        self.cdt_fields = (
            [(f.name, f.type) for f in (definition.fields or [])] if definition else []
        )
        self.out(
            f"designer       template={self.template} assessment={self.assessment} "
            f"cdt={self.cdt} ({len(templates)} templates, {len(assessments)} assessments, "
            f"{len(cdts)} CDTs)"
        )
        return len(templates) + len(assessments) + len(cdts)

    def care_team(self) -> int:
        roles = [("nurse", "Joy", "Pérez"), ("coach", "Sam", "Okafor"), ("doctor", "Lin", "Wu")]
        for role, first, last in roles:
            user = self.client.users.create(
                username=f"demo.{role}.{self.tag}",
                email=f"demo.{role}.{self.tag}@example.org",
                first_name=first,
                last_name=last,
            )
            self.user_ids.append(str(user.id))
        self.out(f"care team      {len(roles)} users (demo.*.{self.tag})")
        return len(roles)

    def patients(self) -> int:
        first_names = ["Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Donald"]
        last_names = ["Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth"]
        care_team = [
            {"id": user_id, "pointOfContact": index == 0}
            for index, user_id in enumerate(self.user_ids)
        ]
        bar = self._progress("creating patients", self.options.patients)
        for index in bar.track(range(self.options.patients)):
            patient = self.client.patients.create(
                first_name=first_names[index % len(first_names)],
                last_name=last_names[index % len(last_names)],
                birth_date=date(1950 + index % 50, 1 + index % 12, 1 + index % 28),
                mrn=f"DEMO-{self.tag}-{index:04d}",
                care_team=care_team,
            )
            self.patient_ids.append(str(patient.id))
        return len(self.patient_ids)

    def encounters(self) -> int:
        """An encounter per patient, with an assessment record linked to it and a comment."""
        api = self.client.patients
        bar = self._progress("encounters", len(self.patient_ids))
        for patient_id in bar.track(self.patient_ids):
            encounter = api.encounters.create(
                patient_id, title="Intake visit", template_name=self.template
            )
            if self.assessment:
                record = api.assessment_records.create(
                    patient_id, assessment_name=self.assessment, status="IN_PROGRESS"
                )
                api.encounters.assessments.create(
                    patient_id,
                    encounter.id,
                    assessment_name=self.assessment,
                    assessment_record_id=record.id,
                )
            api.encounters.comments.create(
                patient_id, encounter.id, text="Reviewed the care plan with the patient."
            )
            api.encounters.update(patient_id, encounter.id, status="FINALIZED")
            self.encounter_ids.append((patient_id, str(encounter.id)))
        return len(self.encounter_ids)

    def cdt_records(self) -> int:
        if not self.cdt:
            self.out("cdt records    skipped: the formation has no CDT")
            return 0
        created = 0
        bar = self._progress(f"{self.cdt} records", len(self.patient_ids) * 2)
        for index in bar.track(range(len(self.patient_ids) * 2)):
            values = {
                name: value
                for name, kind in self.cdt_fields
                if name and (value := _value_for(kind, index)) is not None
            }
            patient_id = self.patient_ids[index // 2]
            self.client.patients.cdts.create(patient_id, self.cdt, fields=values)
            created += 1
        return created

    def paging(self) -> int:
        """Walk every patient of the instance, then each demo patient's encounters and CDTs."""
        first = self.client.patients.filter({}, size=100)
        total = first.envelope.total_elements if hasattr(first.envelope, "total_elements") else None
        walked = 0
        bar = self._progress("paging patients", total)
        for page in first.iter_pages():
            walked += len(page.items)
            bar.advance(len(page.items))
        bar.close()
        for patient_id in self.patient_ids:
            walked += sum(1 for _ in self.client.patients.encounters.list_full(patient_id))
            if self.cdt:
                walked += sum(1 for _ in self.client.patients.cdts.list(patient_id, self.cdt))
        self.out(f"paged          {walked} records (patients, full encounters, CDT records)")
        return walked

    def old_style(self) -> int:
        """The old package's classes on the same data: children take their parents' ids."""
        patient = self.client.Patient(id=self.patient_ids[0]).get()
        encounters = patient.Encounters().get()
        records = patient.CDTs().get(cdt_name=self.cdt) if self.cdt else []
        self.out(
            f"old-style API  Patient(id=...).get().Encounters().get() -> {len(encounters)} "
            f"encounter(s), .CDTs().get(cdt_name=...) -> {len(records)} record(s)"
        )
        return len(encounters) + len(records)

    def export(self) -> int:
        exported = 0
        bar = self._progress("exporting CDT records", None)
        for page in self.client.exports.cdt_records.list(page_size=20).iter_pages():
            exported += len(page.items)
            bar.advance(len(page.items))
        bar.close()
        return exported

    def cleanup(self) -> int:
        removed = 0
        for patient_id, encounter_id in self.encounter_ids:
            self.client.patients.encounters.delete(patient_id, encounter_id)
            removed += 1
        for patient_id in self.patient_ids:
            self.client.patients.delete(patient_id)
            removed += 1
        for user_id in self.user_ids:
            self.client.users.delete(user_id)
            removed += 1
        return removed

    def run(self) -> None:
        self._step("designer", self.designer)
        self._step("care team", self.care_team)
        self._step("patients", self.patients)
        self._step("encounters", self.encounters)
        self._step("cdt records", self.cdt_records)
        self._step("paging", self.paging)
        self._step("old-style API", self.old_style)
        self._step("export", self.export)
        if not self.options.keep:
            self._step("cleanup", self.cleanup)


def _summary(steps: list[Step], tokens: int | None, out: Out) -> None:
    rows = [["step", "items", "requests", "seconds"]]
    rows += [[s.name, str(s.items), str(s.requests), f"{s.seconds:.2f}"] for s in steps]
    rows.append(
        [
            "total",
            str(sum(s.items for s in steps)),
            str(sum(s.requests for s in steps)),
            f"{sum(s.seconds for s in steps):.2f}",
        ]
    )
    out("")
    out("summary")
    for line in table(rows):
        out(f"  {line}")
    if tokens is not None:
        out(f"  token requests: {tokens}")


def run(out: Out, options: Options, *, live: bool = False, fake: FakeWelkin | None = None) -> int:
    """Run the workflow on ``fake`` (by default a new seeded one), or on the tenant named by
    the ``WELKIN_*`` variables when ``live``; returns the process exit status."""
    counter = _Counter()
    if live:
        missing = [
            name
            for name in ("WELKIN_TENANT", "WELKIN_INSTANCE", "WELKIN_API_CLIENT", "WELKIN_SECRET")
            if not os.environ.get(name)
        ]
        if missing:
            out(f"welkin demo --live needs these environment variables: {', '.join(missing)}")
            return 2
        http = httpx.Client(event_hooks={"request": [counter]})
        client = Client(http_client=http)
        where = f"live tenant {client.tenant}/{client.instance}"
    else:
        from .testing import FakeWelkin

        if fake is None:
            fake = FakeWelkin(seed=7)
            fake.seed(patients=1000, users=20, designer=True)
        http = httpx.Client(transport=fake.transport, event_hooks={"request": [counter]})
        client = Client(
            tenant=fake.tenant,
            instance=fake.instance,
            api_client=fake.api_client,
            secret_key=fake.secret,
            base_url=fake.base_url,
            http_client=http,
        )
        where = (
            f"an in-process fake Welkin ({len(fake.patients)} patients, {len(fake.users)} users)"
        )
    started = datetime.now(timezone.utc)
    out(f"welkin {__version__}: care-team demo against {where}")
    workflow = Workflow(client, counter, options, out)
    try:
        with client, http:
            workflow.run()
    finally:
        _summary(workflow.steps, None if live or fake is None else fake.token_requests, out)
    elapsed = (datetime.now(timezone.utc) - started).total_seconds()
    out(f"  finished in {elapsed:.2f} s")
    return 0
