"""The ``welkin`` command: ``welkin demo`` (a care team's workflow on the in-process fake or a
live tenant), ``welkin fake-server`` (the fake on 127.0.0.1 for any HTTP client),
``welkin request`` and ``welkin token`` (in ``_cli_api``).

An error is one line on stderr and exit status 2; ``--debug`` adds the traceback. Output cut
short by its reader (``| head``) ends quietly with status 141, as a shell expects."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn

from . import _cli_api
from ._version import __version__

Out = Callable[[str], None]

EPILOG = (
    "An error (a bad option, missing credentials, an unreachable host, Welkin's answer) is "
    "one line on stderr and exit status 2; --debug (before or after the command) shows the "
    "traceback too. Ctrl-C exits with 130; output cut short by its reader (| head) ends "
    "quietly with 141."
)


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line like every other welkin error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _HelpFormatter(argparse.HelpFormatter):
    """Help stating each option's default, unless its help already does or it has none."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if (
            not action.option_strings
            or "default" in text
            or action.default is None
            or action.default is False
            or action.default == argparse.SUPPRESS
        ):
            return text
        return f"{text} (default: %(default)s)"


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


def _command(
    commands: Any, name: str, summary: str, run: Callable[[argparse.Namespace, Out], int]
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=summary, epilog=EPILOG, formatter_class=_HelpFormatter
    )
    parser.set_defaults(command=run)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="welkin",
        description="Welkin Health SDK tools",
        epilog=EPILOG,
        formatter_class=_HelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"welkin {__version__}", help="show the version"
    )
    _add_debug(parser, False)
    commands = parser.add_subparsers(title="commands", required=True)
    _add_demo(commands)
    _add_fake_server(commands)
    _add_request(commands)
    _add_token(commands)
    return parser


def _add_demo(commands: Any) -> None:
    demo = _command(
        commands,
        "demo",
        "run a care team's workflow on an in-process fake (or --live on a tenant)",
        _demo,
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


def _add_fake_server(commands: Any) -> None:
    server = _command(
        commands,
        "fake-server",
        "serve a fake Welkin on 127.0.0.1 and print the WELKIN_* variables to reach it",
        _fake_server,
    )
    server.add_argument(
        "--port", type=_whole(0, 65535), default=0, help="port on 127.0.0.1; 0 picks a free one"
    )
    server.add_argument("--seed", type=int, default=0, help="makes the seeded data repeatable")
    server.add_argument("--patients", type=_whole(0), default=100, help="patients to seed")
    server.add_argument("--users", type=_whole(0), default=10, help="users to seed")
    server.add_argument(
        "--designer",
        action="store_true",
        help="also seed the designer objects `welkin demo --live` uses (a vitals CDT, a phq_2 "
        "assessment, encounter templates, a program, goal templates, document types)",
    )
    _add_debug(server, argparse.SUPPRESS)


def _add_request(commands: Any) -> None:
    request = _command(
        commands,
        "request",
        "call the API with the WELKIN_* credentials and print the JSON answer",
        _cli_api.request,
    )
    request.add_argument(
        "method",
        metavar="METHOD",
        type=_cli_api.http_method,
        help=f"one of {', '.join(_cli_api.METHODS)}",
    )
    request.add_argument(
        "path",
        metavar="PATH",
        help="relative to the API root, starting with the tenant; {tenant} and {instance} are "
        "filled in: '{tenant}/{instance}/patients'",
    )
    request.add_argument(
        "--data",
        metavar="JSON",
        type=_cli_api.json_data,
        help="the JSON body, or @FILE holding it (@- reads standard input)",
    )
    request.add_argument(
        "--param",
        metavar="NAME=VALUE",
        type=_cli_api.query_param,
        action="append",
        help="a query parameter; repeat it for several (a name given twice is a list)",
    )
    request.add_argument(
        "--all",
        action="store_true",
        help="walk every page from the first answer on, printing the items as they come (a "
        "JSON array, or a line each with --jsonl) and a progress line on stderr",
    )
    request.add_argument(
        "--jsonl",
        action="store_true",
        help="print JSON lines (the answer on one line; with --all an item a line) instead of "
        "indented JSON",
    )
    _add_debug(request, argparse.SUPPRESS)
    request.set_defaults(check=_checker(request, _cli_api.request_problem))


def _add_token(commands: Any) -> None:
    token = _command(
        commands,
        "token",
        "check the WELKIN_* credentials: fetch a token and print when it expires",
        _cli_api.token,
    )
    token.add_argument(
        "--show", action="store_true", help="print the token too (it is a credential: take care)"
    )
    _add_debug(token, argparse.SUPPRESS)


def _checker(
    parser: argparse.ArgumentParser, problem: Callable[[argparse.Namespace], str | None]
) -> Callable[[argparse.Namespace], None]:
    """A check of options taken together, failing as argparse does, before any request."""

    def check(args: argparse.Namespace) -> None:
        found = problem(args)
        if found is not None:
            parser.error(found)

    return check


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


def export_lines(variables: Mapping[str, str]) -> list[str]:
    """``export NAME=value`` lines to paste into a POSIX shell, each value quoted for it."""
    return [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]


def _fake_server(args: argparse.Namespace, out: Out) -> int:
    from .testing import FakeWelkin

    fake = FakeWelkin(seed=args.seed)
    fake.seed(patients=args.patients, users=args.users, designer=args.designer)
    seeded = f"{args.patients} patients, {args.users} users"
    if args.designer:
        seeded += ", the designer objects"
    with fake.serve(args.port) as base_url:
        variables = {
            "WELKIN_BASE_URL": base_url,
            "WELKIN_TENANT": fake.tenant,
            "WELKIN_INSTANCE": fake.instance,
            "WELKIN_API_CLIENT": fake.api_client,
            "WELKIN_SECRET": fake.secret,  # the fake's own, made up: no real secret
        }
        # Ctrl-C as soon as the lines are out (a reader may stop it at once) is a success too.
        try:
            out(f"# a fake Welkin on {base_url} ({seeded}); Ctrl-C stops it")
            out("# paste these lines into another shell, then: welkin token; welkin demo --live")
            for line in export_lines(variables):
                out(line)
            threading.Event().wait()
        except KeyboardInterrupt:
            pass  # the way to stop it
    return 0


def _print(line: str) -> None:
    print(line, flush=True)


def _one_line(error: BaseException) -> str:
    # Welkin's messages may span lines; a message never holds the secret or a token.
    return " ".join(str(error).split()) or type(error).__name__


def _stdout_closed() -> int:
    """The reader of stdout went away (``welkin ... | head``): stop quietly. Later writes,
    such as the interpreter's last flush, go to /dev/null instead of failing again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 141  # 128 + SIGPIPE: what a shell reports for a command its pipe cut short


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if "check" in args:
        args.check(args)
    # Here, not at the top: `welkin --version` and option errors need no httpx.
    import httpx

    from ._exceptions import WelkinError

    try:
        command: Callable[[argparse.Namespace, Out], int] = args.command
        return command(args, _print)
    except KeyboardInterrupt:
        return 130  # quietly, as a shell expects of Ctrl-C
    except BrokenPipeError:
        return _stdout_closed()
    except (WelkinError, httpx.HTTPError, OSError) as error:
        if args.debug:
            traceback.print_exc()
        print(f"welkin: error: {_one_line(error)}", file=sys.stderr, flush=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
