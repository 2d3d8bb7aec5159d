"""``welkin demo``: a care team's workflow end to end, on the in-process fake or a live tenant.

It creates a care team and patients, opens encounters with assessments, records CDT values,
pages through everything and exports the CDT records (on the fake, it also receives one
webhook), then prints a summary table. What it created is deleted at the end (unless
``keep``), also when a step fails.
"""

from __future__ import annotations

import functools
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
from ._exceptions import APIConnectionError, ConfigurationError, WelkinError
from ._version import __version__

if TYPE_CHECKING:
    from .testing import FakeWelkin

T = TypeVar("T")

Out = Callable[[str], None]

LIVE_VARIABLES = ("WELKIN_TENANT", "WELKIN_INSTANCE", "WELKIN_API_CLIENT", "WELKIN_SECRET")

# On a live tenant a host that does not answer must fail in seconds: with the client's
# defaults (5 retries from 0.5 s) a refused connection takes about 18 s to give up. Here it
# takes about 1 s, and a host that drops packets 3 connect timeouts (about 5 s).
LIVE_TIMEOUT = httpx.Timeout(10.0, connect=1.5)
LIVE_RETRIES = 2
LIVE_BACKOFF = 0.25


class LeftoversError(WelkinError):
    """The demo ran, but some of what it created could not be deleted (listed in its output)."""


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


@dataclass(frozen=True)
class _Created:
    """A record the demo made on the tenant, and the call that deletes it."""

    kind: str  # plural, as the leftover report prints it: "patients", "CDT records"
    id: str
    delete: Callable[[], object]


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

    def __init__(
        self,
        client: Client,
        counter: _Counter,
        options: Options,
        out: Out,
        fake: FakeWelkin | None = None,
    ) -> None:
        self.client = client
        self.fake = fake
        self.counter = counter
        self.options = options
        self.out = out
        self.steps: list[Step] = []
        self.tag = secrets.token_hex(3)
        self.user_ids: list[str] = []
        self.patient_ids: list[str] = []
        self.created: list[_Created] = []
        self.leftovers: dict[str, list[str]] = {}

    def _step(self, name: str, run: Callable[[], int]) -> None:
        before = self.counter.count
        started = time.perf_counter()
        items = run()
        self.steps.append(
            Step(name, items, self.counter.count - before, time.perf_counter() - started)
        )

    def _progress(self, label: str, total: int | None) -> Progress:
        return Progress(label, total, self.options.progress)

    def _remember(
        self, kind: str, record_id: object, delete: Callable[..., object], *args: Any
    ) -> str:
        """Remember a new record for the cleanup, as soon as it exists: a later failure in
        the same step must not orphan it. Returns its id as a str."""
        key = str(record_id)
        self.created.append(_Created(kind, key, functools.partial(delete, *args, key)))
        return key

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
            self.user_ids.append(self._remember("users", user.id, self.client.users.delete))
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
            self.patient_ids.append(
                self._remember("patients", patient.id, self.client.patients.delete)
            )
        return len(self.patient_ids)

    def encounters(self) -> int:
        """An encounter per patient, with an assessment record linked to it and a comment."""
        api = self.client.patients
        bar = self._progress("encounters", len(self.patient_ids))
        for patient_id in bar.track(self.patient_ids):
            encounter = api.encounters.create(
                patient_id, title="Intake visit", template_name=self.template
            )
            encounter_id = self._remember(
                "encounters", encounter.id, api.encounters.delete, patient_id
            )
            if self.assessment:
                record = api.assessment_records.create(
                    patient_id, assessment_name=self.assessment, status="IN_PROGRESS"
                )
                self._remember(
                    "assessment records", record.id, api.assessment_records.delete, patient_id
                )
                # The link and the comment below belong to the encounter and go with it.
                api.encounters.assessments.create(
                    patient_id,
                    encounter_id,
                    assessment_name=self.assessment,
                    assessment_record_id=record.id,
                )
            api.encounters.comments.create(
                patient_id, encounter_id, text="Reviewed the care plan with the patient."
            )
            api.encounters.update(patient_id, encounter_id, status="FINALIZED")
        return len(self.patient_ids)

    def cdt_records(self) -> int:
        if not self.cdt:
            self.out("cdt records    skipped: the formation has no CDT")
            return 0
        created = 0
        bar = self._progress(f"{self.cdt} records", len(self.patient_ids) * 2)
        for index in bar.track(range(len(self.patient_ids) * 2)):
            values = self._cdt_values(index)
            patient_id = self.patient_ids[index // 2]
            cdts = self.client.patients.cdts
            record = cdts.create(patient_id, self.cdt, fields=values)
            self._remember("CDT records", record.id, cdts.delete, patient_id, self.cdt)
            created += 1
        return created

    def _cdt_values(self, index: int) -> dict[str, Any]:
        return {
            name: value
            for name, kind in self.cdt_fields
            if name and (value := _value_for(kind, index)) is not None
        }

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

    def webhook(self) -> int:
        """One webhook round trip, on the fake only: a receiver built with
        ``welkin.webhooks.wsgi_app`` is registered for CDT_CREATED, a CDT record is created,
        and the event it received (its header verified) is resolved back to the record."""
        from .webhooks import WebhookEvent, Webhooks, wsgi_app

        assert self.fake is not None  # run() runs this step on the fake only
        if not self.cdt or not self.patient_ids:
            self.out("webhook        skipped: the formation has no CDT")
            return 0
        token = secrets.token_hex(16)
        received: list[WebhookEvent] = []
        receiver = wsgi_app(received.append, expected_headers={"X-Demo-Token": token})
        hook = self.fake.add_webhook(
            app=receiver, events=["CDT_CREATED"], headers={"X-Demo-Token": token}, name="demo"
        )
        try:
            patient_id, cdts = self.patient_ids[0], self.client.patients.cdts
            record = cdts.create(patient_id, self.cdt, fields=self._cdt_values(0))
            self._remember("CDT records", record.id, cdts.delete, patient_id, self.cdt)
        finally:
            self.fake.remove_webhook(hook)
        if len(received) != 1:
            raise WelkinError(f"the receiver got {len(received)} webhooks instead of 1")
        event = received[0]
        resolved = Webhooks(self.client).resolve(event)
        what = "the new record" if getattr(resolved, "id", None) == record.id else "another record"
        self.out(
            f"webhook        {event.event_subtype} POSTed to a wsgi_app receiver, header "
            f"verified, resolved to {type(resolved).__name__} ({what})"
        )
        return len(received)

    def cleanup(self) -> int:
        """Delete what the demo created, newest first so that records go before the patient
        they belong to. What cannot be deleted is kept in ``leftovers`` and reported; once
        the tenant stops answering, the rest is reported without trying (each try would
        wait out its timeouts)."""
        pending = self.created[::-1]
        removed = 0
        for index, record in enumerate(pending):
            try:
                record.delete()
            except APIConnectionError:
                for left in pending[index:]:
                    self.leftovers.setdefault(left.kind, []).append(left.id)
                break
            except WelkinError:
                self.leftovers.setdefault(record.kind, []).append(record.id)
            else:
                removed += 1
        for kind, ids in self.leftovers.items():
            self.out(f"cleanup        could not remove {len(ids)} {kind}: {', '.join(ids)}")
        return removed

    def run(self) -> None:
        """Every step; then, even when one fails or Ctrl-C stops it, the cleanup (unless
        ``keep``). A step's error wins over leftovers, which are reported either way."""
        try:
            self._step("designer", self.designer)
            self._step("care team", self.care_team)
            self._step("patients", self.patients)
            self._step("encounters", self.encounters)
            self._step("cdt records", self.cdt_records)
            self._step("paging", self.paging)
            self._step("old-style API", self.old_style)
            self._step("export", self.export)
            if self.fake is not None:
                self._step("webhook", self.webhook)
        finally:
            if self.created and not self.options.keep:
                self._step("cleanup", self.cleanup)
        if self.leftovers:
            counts = ", ".join(f"{len(ids)} {kind}" for kind, ids in self.leftovers.items())
            raise LeftoversError(f"the demo could not remove what it created: {counts}")


def _summary(steps: list[Step], tokens: int | None, out: Out) -> None:
    if not steps:
        return  # the first step failed: there is nothing to sum up
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


def _seeded_fake() -> FakeWelkin:
    from .testing import FakeWelkin

    fake = FakeWelkin(seed=7)
    fake.seed(patients=1000, users=20, designer=True)
    return fake


def _check_live_variables() -> None:
    missing = [name for name in LIVE_VARIABLES if not os.environ.get(name)]
    if missing:
        raise ConfigurationError(
            f"demo --live needs these environment variables: {', '.join(missing)}"
        )


def _client(http: httpx.Client, fake: FakeWelkin | None) -> Client:
    """A client of ``fake``, or with no fake of the tenant the ``WELKIN_*`` variables name."""
    if fake is None:
        return Client(
            timeout=LIVE_TIMEOUT, total=LIVE_RETRIES, backoff_factor=LIVE_BACKOFF, http_client=http
        )
    return Client(
        tenant=fake.tenant,
        instance=fake.instance,
        api_client=fake.api_client,
        secret_key=fake.secret,
        base_url=fake.base_url,
        http_client=http,
    )


def run(out: Out, options: Options, *, live: bool = False, fake: FakeWelkin | None = None) -> int:
    """Run the workflow on ``fake`` (by default a new seeded one), or on the tenant named by
    the ``WELKIN_*`` variables when ``live``; returns 0, or raises what stopped it (a
    WelkinError, or LeftoversError when only the cleanup fell short)."""
    if live:
        _check_live_variables()
        fake = None
    elif fake is None:
        fake = _seeded_fake()
    counter = _Counter()
    transport = fake.transport if fake is not None else None
    with httpx.Client(transport=transport, event_hooks={"request": [counter]}) as http:
        with _client(http, fake) as client:
            return _run_workflow(client, counter, options, out, fake)


def _run_workflow(
    client: Client, counter: _Counter, options: Options, out: Out, fake: FakeWelkin | None
) -> int:
    if fake is None:
        where = f"live tenant {client.tenant}/{client.instance}"
    else:
        where = (
            f"an in-process fake Welkin ({len(fake.patients)} patients, {len(fake.users)} users)"
        )
    started = datetime.now(timezone.utc)
    out(f"welkin {__version__}: care-team demo against {where}")
    workflow = Workflow(client, counter, options, out, fake)
    try:
        workflow.run()
    finally:
        _summary(workflow.steps, None if fake is None else fake.token_requests, out)
    elapsed = (datetime.now(timezone.utc) - started).total_seconds()
    out(f"  finished in {elapsed:.2f} s")
    return 0
