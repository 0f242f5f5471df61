"""The `s4top` command line: the dashboard (no subcommand) and the scriptable subcommands.

Shared options are accepted before or after the subcommand. Errors are one line on stderr;
exit codes: 0 ok, 1 API/network failure, 2 bad usage or invalid input, 3 auth failure.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from tui import __version__
from tui.api.errors import ApiError, AuthError
from tui.config import ConfigError, load_settings
from tui.context import (
    Context,
    ReplayOptions,
    UsageError,
    build_context,
    describe_error,
    print_warnings,
)
from tui.core.longlived import hold_collection, resume_collection
from tui.core.sanitize import inert
from tui.core.token import TOKEN_ENV, TokenError

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


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (docs/ux.md) and no abbreviated options: `--token X` must
    never be taken for `--token-file X`, and a mistyped option never echoes its value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            # argparse lists the unknown words, which may be a secret typed in the wrong place:
            # name the options, only count the rest
            words = message[len(prefix):].split()
            opts = [w.split("=", 1)[0] for w in words if w.startswith("-")]
            rest = len(words) - len(opts)
            shown = ", ".join(inert(o, 40) for o in opts[:5])
            extra = f"{rest} unexpected value{'s' if rest != 1 else ''}" if rest else ""
            message = (
                f"unrecognized arguments: {', '.join(x for x in (shown, extra) if x)}"
                " (see --help)"
            )
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _token_on_command_line(argv: Sequence[str]) -> bool:
    """A token given as an option: refused before argparse can echo it anywhere."""
    for word in argv:
        if word == "--":
            break
        name = word.split("=", 1)[0]
        if name.startswith("--") and "token" in name and name != "--token-file":
            return True
    return False


class _DomainAction(argparse.Action):
    """`--domain D`: the last one given is the domain (every command); all of them are kept in
    `domain_list` for the commands that take several (`s4top exporter`)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values)
        namespace.domain_list = [*(getattr(namespace, "domain_list", None) or []), values]
#: options whose value may start with '-' (`--at -10m`: ten minutes before the end)
_DASH_VALUES = ("--at", "--until")


def _glue_dash_values(argv: list[str]) -> list[str]:
    """`--at -10m` -> `--at=-10m`, so argparse does not read `-10m` as an option."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            return out + argv[i:]
        if word in _DASH_VALUES and i + 1 < len(argv) and argv[i + 1].startswith("-") \
                and argv[i + 1][1:2].isdigit():
            out.append(f"{word}={argv[i + 1]}")
            i += 2
            continue
        out.append(word)
        i += 1
    return out


def _shared_options(suppress: bool) -> argparse.ArgumentParser:
    """The shared options; in subparsers their defaults are suppressed so a value given before
    the subcommand is not overwritten by the subparser's default."""
    d: dict[str, Any] = {"default": argparse.SUPPRESS} if suppress else {}
    p = Parser(add_help=False)
    g = p.add_argument_group("shared options")
    g.add_argument("--api-base", metavar="URL",
                   help="API base URL (default https://api.bitiful.com)", **d)
    g.add_argument("--domain", metavar="D", action=_DomainAction,
                   help="CDN domain, e.g. cdn.example.com", **d)
    g.add_argument("--token-file", metavar="PATH",
                   help="file holding the API token (or set BITIFUL_API_TOKEN)", **d)
    g.add_argument("--config", metavar="PATH", help="config file (TOML)", **d)
    g.add_argument("--demo", action="store_true",
                   help="run on the built-in simulator (no token needed)", **d)
    g.add_argument("--readonly", action="store_true",
                   help="disable cache refresh everywhere", **d)
    g.add_argument("--insecure", action="store_true",
                   help="do not verify TLS certificates (warns)", **d)
    g.add_argument("--utc", action="store_true",
                   help="show times in UTC instead of local time", **d)
    g.add_argument("-v", "--verbose", action="store_true",
                   help="more detail on errors (never the token)", **d)
    g.add_argument("--replay", metavar="FILE.db",
                   help="work on a recording (s4top record) instead of the API, offline", **d)
    g.add_argument("--at", metavar="TIME",
                   help="with --replay: where the dashboard's clock starts (14:02, -10m from "
                        "the end, ISO; default the start)", **d)
    g.add_argument("--until", metavar="TIME",
                   help="with --replay: where the clock stops (a command reads up to here; "
                        "default the end); for record: the end of the range (default now)", **d)
    g.add_argument("--speed", metavar="N",
                   help="with --replay: the dashboard's clock speed (default 1, 0 = paused)", **d)
    return p


class _CommandsAction(argparse._SubParsersAction):
    """Subcommands whose module (options and run) is imported only when the command is
    chosen: the dashboard, which has none, starts without the nine command modules
    (benchmarks/start.py). `--help` lists them from their names and help texts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.modules: dict[str, str] = {}

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        module = self.modules.pop(values[0], None) if values else None
        if module is not None:
            mod = _command_module(module)
            sub = self._name_parser_map[values[0]]
            mod.add_args(sub)
            sub.set_defaults(run=mod.run)
        super().__call__(parser, namespace, values, option_string)


def _command_module(name: str) -> Any:
    """`tui.commands.<name>`, imported alone (`s4top logs` does not load `doctor`'s or
    `explain`'s modules)."""
    import importlib

    return importlib.import_module(f"tui.commands.{name}")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="s4top",
        description="Terminal live monitor for the Bitiful S4 static CDN. "
        "Without a subcommand, opens the dashboard.",
        parents=[_shared_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"s4top {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", action=_CommandsAction)
    shared = _shared_options(suppress=True)

    def add(name: str, help_: str, module: str) -> None:
        sub.add_parser(name, help=help_, description=help_, parents=[shared])
        sub.modules[name] = module

    add("logs", "print the real-time access log (one-shot or --follow)", "logs")
    add("stats", "print the traffic and request series", "stats")
    add("record", "record log entries, series and refreshes to an SQLite file", "record")
    add("top",
        "top URLs, client IPs, status codes, countries or cache statuses of the last minutes",
        "top")
    add("explain", "what distinguishes the failing requests: by URL, network, country ...",
        "explain")
    add("refresh", "refresh CDN cache for URLs or directories", "refresh")
    add("doctor", "call each read endpoint once and show the raw responses", "doctor")
    add("exporter", "serve Prometheus metrics of the domains (--domain repeatable)",
        "exporter")
    add("config", "show the effective settings and where each came from", "config_cmd")
    # The simulator's options are parsed by its own parser, built only when it runs, so the
    # other commands do not import it (a quicker start for scripts that call s4top often).
    sim = sub.add_parser(
        "simulate",
        help="serve the built-in simulator of the vendor API on loopback",
        add_help=False,
        prefix_chars="\0",  # every word goes to the simulator's parser, --help included
    )
    sim.add_argument("simulate_args", nargs=argparse.REMAINDER)
    sim.set_defaults(run=None, simulate=True)
    return parser


def simulate_parser() -> argparse.ArgumentParser:
    from tui.sim.cli import add_simulate_args

    p = Parser(prog="s4top simulate", description="Serve the built-in simulator of the vendor API.")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    add_simulate_args(p)
    return p


def _run_simulate(args: argparse.Namespace) -> int:
    from tui.sim.cli import run_simulate

    sargs = simulate_parser().parse_args(args.simulate_args)
    sargs.verbose = sargs.verbose or bool(getattr(args, "verbose", False))
    if getattr(sargs, "domain", None) is None and getattr(args, "domain", None):
        sargs.domain = [args.domain]  # `s4top --domain D simulate`
    if getattr(sargs, "token_file", None) is None and getattr(args, "token_file", None):
        sargs.token_file = args.token_file
    return run_simulate(sargs)


def _settings_from_args(args: argparse.Namespace):  # -> Settings
    # an option given empty (`--domain ''`) is given, and then refused as invalid
    flags = {
        setting: getattr(args, dest)
        for dest, setting in _SHARED_TO_SETTING.items()
        if getattr(args, dest, None) not in (None, False)
    }
    return load_settings(flags=flags, config_path=getattr(args, "config", None))


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # a terminal that cannot show a character gets an escape, never a crash
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    hold_collection()  # until the dashboard's first frame, or a subcommand runs
    try:
        code = _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        code = EXIT_OK
    except BrokenPipeError:
        # The reader (head, less) went away: not an error. Silence the flush at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_OK
    finally:
        resume_collection()
    return code


def _main(argv: list[str]) -> int:
    if _token_on_command_line(argv):
        print(
            f"s4top: a token is never taken on the command line (other users can read it "
            f"with ps): set {TOKEN_ENV} or use --token-file PATH (chmod 600)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    parser = build_parser()
    args = parser.parse_args(_glue_dash_values(argv))
    if getattr(args, "run", None) is not None or getattr(args, "simulate", False):
        resume_collection()  # a command may run for hours: only the dashboard holds it off
    if getattr(args, "simulate", False):
        return _run_simulate(args)
    verbose = bool(getattr(args, "verbose", False))
    ctx: Context | None = None
    try:
        settings = _settings_from_args(args)
        ctx = build_context(settings, demo=bool(getattr(args, "demo", False)),
                            replay=_replay_options(args))
        print_warnings(ctx)
        run = getattr(args, "run", None)
        if run is None:
            return _run_dashboard(ctx)
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
    except (KeyboardInterrupt, BrokenPipeError, SystemExit):
        raise
    except Exception as exc:  # a bug: one redacted line, never a traceback
        print(f"s4top: internal error: {_redacted(exc, ctx, verbose)}", file=sys.stderr)
        return EXIT_API
    finally:
        if ctx is not None:
            ctx.close()


#: commands that make no sense on a recording: refresh changes the API (a recording is the
#: past), record reads the API (a recording is copied with cp)
_NOT_IN_REPLAY = {"refresh": "replay: refresh is disabled (a recording is the past)",
                  "record": "record reads the API; a recording is copied as a file"}
#: commands with a meaning of their own for an option that is otherwise --replay's
_OWN_OPTIONS = {"record": ("until",)}


def _replay_options(args: argparse.Namespace) -> ReplayOptions | None:
    """`--replay` and its options, for any command (None when live)."""
    path = getattr(args, "replay", None)
    command = getattr(args, "command", None)
    own = _OWN_OPTIONS.get(command or "", ())
    given = [o for o in ("at", "until", "speed")
             if getattr(args, o, None) is not None and o not in own]
    if path is None:
        if given:
            raise UsageError(f"--{given[0]} needs --replay FILE.db")
        return None
    if command in _NOT_IN_REPLAY:
        raise UsageError(_NOT_IN_REPLAY[command])
    if getattr(args, "follow", False):
        raise UsageError("--follow: a recording gets no new entries (watch it move with "
                         "s4top --replay FILE.db --speed N)")
    return ReplayOptions(path=path, at=getattr(args, "at", None),
                         until=getattr(args, "until", None),
                         speed=getattr(args, "speed", None) or "1", dashboard=command is None)


def _run_dashboard(ctx: Context) -> int:
    """The dashboard (no subcommand); the app module is imported only here."""
    if not ctx.domains:
        raise UsageError("no CDN domain: use --domain D, S4TOP_DOMAIN, 'domain' in the config "
                         "file, or --demo")
    ctx.token.read()  # a missing token is a one-line error before the screen opens
    from tui.app import S4TopApp

    app = S4TopApp(ctx)
    for warning in app.keymap_warnings:  # also left on the terminal once the screen closes
        print(f"s4top: {inert(warning, 300)}", file=sys.stderr)
    app.run()
    return EXIT_OK


def _redacted(exc: BaseException, ctx: Context | None, verbose: bool) -> str:
    """`Type: message` of an unexpected exception (and, with -v, its causes), token-free."""
    from tui.api.redact import redact

    secrets: list[str] = []
    if ctx is not None:
        try:
            secrets.append(ctx.token.read())
        except Exception:  # no token, nothing to hide
            pass
    parts: list[str] = []
    e: BaseException | None = exc
    while e is not None and len(parts) < (5 if verbose else 1):
        parts.append(f"{type(e).__name__}: {e}")
        e = e.__cause__ or e.__context__
    text = " <- ".join(parts)
    return inert(redact(text, secrets), 500) + (
        "" if verbose else " (run with -v for more; please report it)"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
