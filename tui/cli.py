"""The `s4top` command line: the dashboard (no subcommand) and the scriptable subcommands.

Shared options are accepted before or after the subcommand. Errors are one line on stderr;
exit codes: 0 ok, 1 API/network failure, 2 bad usage or invalid input, 3 auth failure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from tui import __version__
from tui.api.errors import ApiError, AuthError
from tui.config import ConfigError, TokenError, load_settings
from tui.context import Context, UsageError, build_context, describe_error, print_warnings

EXIT_OK, EXIT_API, EXIT_USAGE, EXIT_AUTH = 0, 1, 2, 3

#: shared option dest -> setting name (None: not a setting)
_SHARED_TO_SETTING = {
    "api_base": "api_base",
    "domain": "domain",
    "token_file": "token_file",
    "readonly": "readonly",
    "insecure": "insecure",
    "utc": "utc",
}


def _shared_options(suppress: bool) -> argparse.ArgumentParser:
    """The shared options; in subparsers their defaults are suppressed so a value given before
    the subcommand is not overwritten by the subparser's default."""
    d: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {}
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("shared options")
    g.add_argument("--api-base", metavar="URL", help="API base URL (default https://api.bitiful.com)", **d)
    g.add_argument("--domain", metavar="D", help="CDN domain, e.g. cdn.example.com", **d)
    g.add_argument("--token-file", metavar="PATH", help="file holding the API token (or set BITIFUL_API_TOKEN)", **d)
    g.add_argument("--config", metavar="PATH", help="config file (TOML)", **d)
    g.add_argument("--demo", action="store_true", help="run on the built-in simulator (no token needed)", **d)
    g.add_argument("--readonly", action="store_true", help="disable cache refresh everywhere", **d)
    g.add_argument("--insecure", action="store_true", help="do not verify TLS certificates (warns)", **d)
    g.add_argument("--utc", action="store_true", help="show times in UTC instead of local time", **d)
    g.add_argument("-v", "--verbose", action="store_true", help="more detail on errors (never the token)", **d)
    return p


def build_parser() -> argparse.ArgumentParser:
    from tui.commands import config_cmd, doctor, logs, refresh, stats
    from tui.sim.cli import add_simulate_args

    parser = argparse.ArgumentParser(
        prog="s4top",
        description="Terminal live monitor for the Bitiful S4 static CDN. Without a subcommand, opens the dashboard.",
        parents=[_shared_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"s4top {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    shared = _shared_options(suppress=True)

    def add(name: str, help_: str, setup: Callable[[argparse.ArgumentParser], None], run: Any) -> None:
        sp = sub.add_parser(name, help=help_, description=help_, parents=[shared])
        setup(sp)
        sp.set_defaults(run=run)

    add("logs", "print the real-time access log (one-shot or --follow)", logs.add_args, logs.run)
    add("stats", "print the traffic and request series", stats.add_args, stats.run)
    add("refresh", "refresh CDN cache for URLs or directories", refresh.add_args, refresh.run)
    add("doctor", "call each read endpoint once and show the raw responses", doctor.add_args, doctor.run)
    add("config", "show the effective settings and where each came from", config_cmd.add_args, config_cmd.run)
    sim = sub.add_parser(
        "simulate",
        help="serve the built-in simulator of the vendor API on loopback",
        description="Serve the built-in simulator of the vendor API.",
    )
    add_simulate_args(sim)
    sim.set_defaults(run=None, simulate=True)
    return parser


def _settings_from_args(args: argparse.Namespace):  # -> Settings
    flags = {setting: getattr(args, dest) for dest, setting in _SHARED_TO_SETTING.items() if getattr(args, dest, None)}
    return load_settings(flags=flags, config_path=getattr(args, "config", None))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        code = EXIT_OK
    except BrokenPipeError:
        # The reader (head, less) went away: not an error. Silence the flush at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_OK
    return code


def _main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "simulate", False):
        from tui.sim.cli import run_simulate

        return run_simulate(args)
    verbose = bool(getattr(args, "verbose", False))
    ctx: Context | None = None
    try:
        settings = _settings_from_args(args)
        ctx = build_context(settings, demo=bool(getattr(args, "demo", False)))
        print_warnings(ctx)
        run = getattr(args, "run", None)
        if run is None:
            from tui.app import run_app

            return run_app(ctx)
        return asyncio.run(run(ctx, args)) if asyncio.iscoroutinefunction(run) else run(ctx, args)
    except (ConfigError, UsageError) as exc:
        print(f"s4top: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TokenError as exc:
        print(f"s4top: {exc}", file=sys.stderr)
        return EXIT_AUTH
    except AuthError as exc:
        print(f"s4top: {describe_error(exc, ctx)}", file=sys.stderr)
        return EXIT_AUTH
    except ApiError as exc:
        print(f"s4top: {describe_error(exc, ctx)}", file=sys.stderr)
        if verbose:
            print(f"s4top: detail: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_API
    finally:
        if ctx is not None:
            ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
