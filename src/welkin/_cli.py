"""The ``welkin`` command: ``welkin demo`` (a care team's workflow on the in-process fake or a
live tenant) and ``welkin fake-server`` (the fake on 127.0.0.1 for any HTTP client).

An error is one line on stderr and exit status 2; ``--debug`` adds the traceback."""

from __future__ import annotations

import argparse
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import NoReturn

from ._version import __version__

Out = Callable[[str], None]

EPILOG = (
    "An error (a bad option, missing credentials, an unreachable host, Welkin's answer) is "
    "one line on stderr and exit status 2; --debug (before or after the command) shows the "
    "traceback too. Ctrl-C exits with 130."
)


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line like every other welkin error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` (to ``high``)."""
    wanted = f"a whole number >= {low}" if high is None else f"a whole number from {low} to {high}"

    def parse(text: str) -> int:
        problem = argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}")
        try:
            value = int(text)
        except ValueError:
            raise problem from None
        if value < low or (high is not None and value > high):
            raise problem
        return value

    return parse


def _add_debug(parser: argparse.ArgumentParser, default: object) -> None:
    # A command's --debug must not reset a --debug given before the command, hence SUPPRESS
    # as the commands' default.
    parser.add_argument(
        "--debug", action="store_true", default=default, help="on an error, show the traceback"
    )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="welkin", description="Welkin Health SDK tools", epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"welkin {__version__}")
    _add_debug(parser, False)
    commands = parser.add_subparsers(title="commands", required=True)
    demo = commands.add_parser(
        "demo",
        help="run a care team's workflow on an in-process fake (or --live on a tenant)",
        epilog=EPILOG,
    )
    demo.add_argument(
        "--live",
        action="store_true",
        help="use the tenant named by WELKIN_TENANT, WELKIN_INSTANCE, WELKIN_API_CLIENT and "
        "WELKIN_SECRET instead of the fake",
    )
    demo.add_argument(
        "--patients", type=_whole(1), help="patients to create (default: 25, or 3 with --live)"
    )
    demo.add_argument("--template", help="encounter template to use (default: the first)")
    demo.add_argument("--assessment", help="assessment to attach (default: the template's)")
    demo.add_argument("--cdt", help="CDT to record values in (default: the first)")
    demo.add_argument(
        "--keep",
        action="store_true",
        help="keep what the demo created (by default it is deleted at the end, even after an "
        "error)",
    )
    _add_debug(demo, argparse.SUPPRESS)
    demo.set_defaults(command=_demo)
    server = commands.add_parser(
        "fake-server", help="serve a fake Welkin on 127.0.0.1", epilog=EPILOG
    )
    server.add_argument(
        "--port", type=_whole(0, 65535), default=0, help="0 (the default) picks a free port"
    )
    server.add_argument("--seed", type=int, default=0, help="makes the seeded data repeatable")
    server.add_argument("--patients", type=_whole(0), default=100, help="patients to seed")
    server.add_argument("--users", type=_whole(0), default=10, help="users to seed")
    _add_debug(server, argparse.SUPPRESS)
    server.set_defaults(command=_fake_server)
    return parser


def _demo(args: argparse.Namespace, out: Out) -> int:
    from ._demo import Options, run

    options = Options(
        patients=(3 if args.live else 25) if args.patients is None else args.patients,
        template=args.template,
        assessment=args.assessment,
        cdt=args.cdt,
        keep=args.keep,
    )
    return run(out, options, live=args.live)


def _fake_server(args: argparse.Namespace, out: Out) -> int:
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
            pass  # the way to stop it: a success
    return 0


def _print(line: str) -> None:
    print(line, flush=True)


def _one_line(error: BaseException) -> str:
    # Welkin's messages may span lines; a message never holds the secret or a token.
    return " ".join(str(error).split()) or type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Here, not at the top: `welkin --version` and option errors need no httpx.
    import httpx

    from ._exceptions import WelkinError

    try:
        command: Callable[[argparse.Namespace, Out], int] = args.command
        return command(args, _print)
    except KeyboardInterrupt:
        return 130  # quietly, as a shell expects of Ctrl-C
    except (WelkinError, httpx.HTTPError, OSError) as error:
        if args.debug:
            traceback.print_exc()
        print(f"welkin: error: {_one_line(error)}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
