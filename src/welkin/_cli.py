"""The ``welkin`` command: ``welkin demo`` (a care team's workflow on the in-process fake or a
live tenant) and ``welkin fake-server`` (the fake on 127.0.0.1 for any HTTP client)."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Sequence

from ._version import __version__


def _demo(args: argparse.Namespace, out: Callable[[str], None]) -> int:
    from ._demo import Options, run

    options = Options(
        patients=args.patients,
        template=args.template,
        assessment=args.assessment,
        cdt=args.cdt,
        keep=args.keep,
    )
    return run(out, options, live=args.live)


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
    demo = commands.add_parser(
        "demo", help="run a care team's workflow on an in-process fake (or --live on a tenant)"
    )
    demo.add_argument(
        "--live",
        action="store_true",
        help="use the tenant named by WELKIN_TENANT, WELKIN_INSTANCE, WELKIN_API_CLIENT and "
        "WELKIN_SECRET instead of the fake",
    )
    demo.add_argument("--patients", type=int, default=None, help="patients to create")
    demo.add_argument("--template", help="encounter template to use (default: the first)")
    demo.add_argument("--assessment", help="assessment to attach (default: the template's)")
    demo.add_argument("--cdt", help="CDT to record values in (default: the first)")
    demo.add_argument("--keep", action="store_true", help="keep what the demo created")
    server = commands.add_parser("fake-server", help="serve a fake Welkin on 127.0.0.1")
    server.add_argument("--port", type=int, default=0, help="0 (the default) picks a free port")
    server.add_argument("--seed", type=int, default=0, help="makes the seeded data repeatable")
    server.add_argument("--patients", type=int, default=100, help="patients to seed")
    server.add_argument("--users", type=int, default=10, help="users to seed")
    args = parser.parse_args(argv)
    if args.command == "demo":
        if args.patients is None:
            args.patients = 3 if args.live else 25
        return _demo(args, lambda line: print(line, flush=True))
    if args.command == "fake-server":
        return _fake_server(args, lambda line: print(line, flush=True))
    parser.error(f"unknown command {args.command}")  # pragma: no cover - argparse rejects it
    return 2


if __name__ == "__main__":
    sys.exit(main())
