"""The ``welkin`` command: ``welkin demo`` (a walk through the SDK on the in-process fake) and
``welkin fake-server`` (the fake on 127.0.0.1 for any HTTP client)."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date

from ._version import __version__


def _demo(out: Callable[[str], None]) -> int:
    from .testing import FakeWelkin

    started = time.perf_counter()
    fake = FakeWelkin(seed=7)
    fake.seed(patients=250, users=12)
    rows: list[tuple[str, str]] = []

    with fake.client() as welkin:
        out(f"welkin {__version__}: demo against an in-process fake Welkin ({welkin.base_url})")

        nurse = welkin.users.create(
            username="nurse.joy", email="joy@example.org", first_name="Joy", last_name="Pérez"
        )
        out(f"created user   {nurse.username} ({nurse.id})")
        patient = welkin.patients.create(
            first_name="Ada",
            last_name="Lovelace",
            birth_date=date(1990, 12, 10),
            mrn="MRN-0001",
            timezone="America/New_York",
            care_team=[{"id": nurse.id, "pointOfContact": True}],
        )
        out(f"created patient {patient.first_name} {patient.last_name} ({patient.id})")
        assert patient.birth_date is not None
        out(f"  birth date parsed as an aware datetime: {patient.birth_date.isoformat()}")

        found = welkin.patients.get_by_mrn("MRN-0001")
        out(f"found by MRN   {found.first_name} {found.last_name}")
        updated = welkin.patients.update(patient.id, phone="+15555550100")
        out(f"updated phone  {updated.phone}")

        pages = 0
        walked = 0
        for page in welkin.patients.filter({}, size=50).iter_pages():
            pages += 1
            walked += len(page.items)
        out(f"walked {walked} patients in {pages} pages of 50 (fetched lazily)")
        rows.append(("patients", str(walked)))

        active = sum(1 for _ in welkin.users.list(user_state="ACTIVE", size=5))
        out(f"active users   {active}")
        rows.append(("active users", str(active)))

        # The old package's classes still work, returning typed models.
        legacy = welkin.Patient(firstName="Foo", lastName="Bar").create()
        legacy.update(firstName="Baz")
        out(f"old-style API  Patient(...).create().update(...) -> {legacy.first_name}")
        legacy.delete()

        token_requests = fake.token_requests
        requests = len(fake.requests)
    elapsed = time.perf_counter() - started
    rows += [
        ("HTTP requests", str(requests)),
        ("token requests", str(token_requests)),
        ("seconds", f"{elapsed:.2f}"),
    ]
    width = max(len(name) for name, _ in rows)
    out("")
    out("summary")
    for name, value in rows:
        out(f"  {name.ljust(width)}  {value}")
    return 0


def _fake_server(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from .testing import FakeWelkin

    fake = FakeWelkin(seed=args.seed)
    fake.seed(patients=args.patients, users=args.users)
    with fake.serve(args.port) as base_url:
        out(base_url)
        out(
            f"tenant={fake.tenant} instance={fake.instance} api_client={fake.api_client} "
            f"secret={fake.secret}"
        )
        out("serving a fake Welkin on loopback; Ctrl-C to stop")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="welkin", description="Welkin Health SDK tools")
    parser.add_argument("--version", action="version", version=f"welkin {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="walk through patients and users on an in-process fake")
    server = commands.add_parser("fake-server", help="serve a fake Welkin on 127.0.0.1")
    server.add_argument("--port", type=int, default=0, help="0 (the default) picks a free port")
    server.add_argument("--seed", type=int, default=0, help="makes the seeded data repeatable")
    server.add_argument("--patients", type=int, default=100, help="patients to seed")
    server.add_argument("--users", type=int, default=10, help="users to seed")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return _demo(print)
    if args.command == "fake-server":
        return _fake_server(args, lambda line: print(line, flush=True))
    parser.error(f"unknown command {args.command}")  # pragma: no cover - argparse rejects it
    return 2


if __name__ == "__main__":
    sys.exit(main())
