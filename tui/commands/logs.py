"""`s4top logs`: the access log, one-shot (until the moment the command started) or --follow.

One-shot reads page the range in concurrent time slices (`--concurrency`, tui/core/slices.py:
the same entries in the same order as one cursor would give), retry transient errors a few
times (each retry is announced on stderr; a 429 holds every slice) and then exit 1; on a
terminal stderr shows a progress line (tui/commands/progress.py) unless `-q`.
`--follow` never gives up: the shared `LogTail` loop owns every retry (the client does
not retry underneath it, so each failure is reported at once), prints one state line per
failure and one when the connection recovers, and resumes from the same cursor position, so
nothing is lost or doubled. Ctrl-C (SIGINT) or SIGTERM ends it with exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from tui.api.loglines import parse_log_lines
from tui.api.parse import parse_logs
from tui.api.retry import RetryPolicy
from tui.commands.progress import ProgressLine, shares_terminal
from tui.context import Context, UsageError, describe_error, format_wait, print_retrying
from tui.core.anonymize import anonymize_entries
from tui.core.cursor import LogCursor, clamp_start
from tui.core.logfmt import format_json, format_line
from tui.core.longlived import streaming_collection
from tui.core.models import LogEntry
from tui.core.progress import ProgressFigures
from tui.core.slices import SlicedRead
from tui.core.statuscodes import HELP as CODES_HELP
from tui.core.statuscodes import CodeSelection, CodesError, parse_codes
from tui.core.tail import LogTail, TailState
from tui.core.units import parse_duration

NS = 1_000_000_000


def add_args(p: argparse.ArgumentParser) -> None:
    when = p.add_mutually_exclusive_group()
    when.add_argument("--since", metavar="DURATION",
                      help="start this long ago, e.g. 90s, 15m, 2h (default 5m)")
    when.add_argument("--start", metavar="NS", type=int,
                      help="start at this Unix time in nanoseconds")
    add_codes_argument(p)
    p.add_argument("-f", "--follow", action="store_true",
                   help="keep following new entries until Ctrl-C")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per line (normalised keys + extra)")
    p.add_argument("--limit", type=int, default=1000,
                   help="entries per request, 1-1000 (default 1000)")
    p.add_argument("--poll", type=float, default=None, metavar="SECONDS",
                   help="poll interval with --follow (default: poll_interval setting)")
    add_long_read_arguments(p)


MAX_CONCURRENCY = 64


def add_long_read_arguments(p: argparse.ArgumentParser) -> None:
    """`--concurrency` and `-q`, shared by `logs` and `record`."""
    p.add_argument("--concurrency", type=int, default=None, metavar="N",
                   help="time slices read at once over a long range, 1-64 "
                        "(default: concurrency setting, 4)")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress line on stderr")
    p.add_argument("--anonymize-ip", action="store_true", default=None,
                   help="cut client IPs to /24 (IPv4) or /48 (IPv6) (setting anonymize_ip)")


def anonymizing(ctx: Context, args: argparse.Namespace) -> bool:
    return bool(args.anonymize_ip) or ctx.settings.anonymize_ip


def concurrency_of(ctx: Context, args: argparse.Namespace) -> int:
    n = args.concurrency if args.concurrency is not None else ctx.settings.concurrency
    if not 1 <= n <= MAX_CONCURRENCY:
        raise UsageError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}, got {n}")
    return n


def add_codes_argument(p: argparse.ArgumentParser) -> None:
    """`--codes`, the one parser `s4top logs` and `s4top top` share: an extension reaches
    both. Classes and exact codes (tui/core/statuscodes.py): the narrowest class is asked of
    the API (it takes one per call) and the rest is filtered here."""
    p.add_argument("--codes", default=parse_codes("ALL"), type=codes_arg, metavar="CODES",
                   help=CODES_HELP)


def codes_arg(text: str) -> CodeSelection:
    """argparse's reading of `--codes` (a one-line error for a bad value)."""
    try:
        return parse_codes(text)
    except CodesError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def given_start(args: argparse.Namespace, now: int, default_since: str) -> int:
    """`--start NS` or `--since DURATION` (counted back from `now`), checked, not clamped."""
    if args.start is not None:
        start = args.start
        if start < 0:
            raise UsageError("--start must be a Unix time in nanoseconds (zero or more)")
        return start
    try:
        span = parse_duration(default_since if args.since is None else args.since)
    except ValueError as exc:
        raise UsageError(f"--since: {exc}") from None
    return now - span * NS


def _start_ns(args: argparse.Namespace, now: int) -> int:
    start = given_start(args, now, "5m")
    if start > now:
        raise UsageError("the start time is in the future")
    start, warning = clamp_start(start, now)
    if warning:
        print(f"s4top: warning: {warning}", file=sys.stderr)
    return start


async def run(ctx: Context, args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= 1000:
        raise UsageError("--limit must be between 1 and 1000")
    if args.poll is not None and not 0 < args.poll <= 3600:
        raise UsageError("--poll must be more than 0 and at most 3600 seconds")
    domain = ctx.domain
    concurrency = concurrency_of(ctx, args)
    now = ctx.now_ns()  # a replay's: --since counts back from the recording's end
    start = _start_ns(args, now)
    utc = ctx.settings.utc
    fmt = format_json if args.json else (lambda e: format_line(e, utc))
    out = sys.stdout

    cut = anonymizing(ctx, args)
    # A one-shot --json read writes each line straight from the wire (tui/api/loglines.py):
    # the same text, without building the entries first.
    lines = args.json and not cut and not args.follow

    def emit(entries: list[Any]) -> None:
        if cut:
            entries = anonymize_entries(entries)
        if entries:
            out.write("".join([e.text for e in entries]) if lines
                      else "".join(fmt(e) + "\n" for e in entries))
            out.flush()

    if not args.follow:
        progress = ProgressLine(lambda: figures(reader), utc=utc, quiet=args.quiet)
        clear_first = progress.enabled and shares_terminal(out, sys.stderr)

        def emit_shown(entries: list[LogEntry]) -> None:
            if clear_first and entries:
                progress.clear()
            emit(args.codes.keep(entries))
            progress.draw()

        # One try per request: the slices do the retrying, so a 429 can hold all of them.
        async with ctx.cli_client(retry=RetryPolicy(attempts=1)) as client:
            reader = slice_reader(ctx, client, domain, start, now, args.codes, args.limit,
                                  concurrency, read=parse_log_lines if lines else parse_logs)
            async with progress.running():
                try:
                    with streaming_collection():
                        await reader.run(emit_shown, cli_state_printer(ctx, progress.clear))
                finally:
                    progress.finish()
        return 0
    return await _follow(ctx, args, domain, start, emit)


def figures(reader: SlicedRead) -> ProgressFigures:
    return ProgressFigures(reader.delivered, time.monotonic() - reader.began, reader.reached_ns,
                           reader.start_ns, reader.until_ns)


def slice_reader(ctx: Context, client, domain: str, start: int, until: int,
                 codes: str | CodeSelection, limit: int, concurrency: int,
                 skip_at_start: int = 0, read: Callable[..., list[Any]] = parse_logs
                 ) -> SlicedRead:
    """The one-shot reader of `logs` and `record`: the settings' retries (retry_attempts,
    retry_base) made by the slices, over a client that tries each request once. It asks for
    the narrowest class that covers `codes`; the caller keeps what `codes` selects from what
    it delivers (the cursor must see every entry the server sent). `read`: how a page is
    read (`parse_logs`'s signature: the entries, or their JSON lines)."""
    s = ctx.settings
    ask = (codes if isinstance(codes, CodeSelection) else parse_codes(codes)).request_class

    async def fetch(start_ns: int, page_limit: int):
        return await client.logs_reply(domain, start_ns, ask, page_limit)

    # a slot is held by the request only; the page is parsed after it (tui/core/slices.py)
    return SlicedRead(fetch, start, until, concurrency=concurrency, limit=limit,
                      skip_at_start=skip_at_start, max_failures=s.retry_attempts,
                      backoff_base_s=s.retry_base,
                      parse=lambda raw: client.parse_logs_reply(domain, raw, read))


def cli_state_printer(ctx: Context, before: Callable[[], None] = lambda: None
                      ) -> Callable[[TailState], None]:
    """Each retry and each warning as one line on stderr (never silent)."""

    def on_state(state: TailState) -> None:
        if not state.ok and state.error is not None:
            before()
            wait = (f"; retrying in {format_wait(state.retry_in_s)}"
                    if state.retry_in_s is not None else "")
            print(f"s4top: {describe_error(state.error, ctx)}{wait}", file=sys.stderr,
                  flush=True)
        elif state.warning:
            before()
            print(f"s4top: warning: {state.warning}", file=sys.stderr, flush=True)

    return on_state


async def read_window(client, domain: str, start: int, until: int,
                      codes: str | CodeSelection, limit: int,
                      emit: Callable[[list[LogEntry]], None], *,
                      concurrency: int = 4) -> None:
    """Page from `start` to `until` (the moment the command started), each entry once, in
    order, of the statuses `codes` selects, through concurrent time slices
    (tui/core/slices.py). The client's own retries apply (`top`); `logs` and `record` use
    `slice_reader` so the slices retry instead."""
    selection = codes if isinstance(codes, CodeSelection) else parse_codes(codes)

    async def fetch(start_ns: int, page_limit: int):
        return await client.logs_reply(domain, start_ns, selection.request_class, page_limit)

    def warn(state: TailState) -> None:
        if state.warning:
            print(f"s4top: warning: {state.warning}", file=sys.stderr)

    reader = SlicedRead(fetch, start, until, concurrency=concurrency, limit=limit,
                        max_failures=1, parse=lambda raw: client.parse_logs_reply(domain, raw))
    await reader.run(lambda entries: emit(selection.keep(entries)), warn)


async def _follow(ctx: Context, args: argparse.Namespace, domain: str, start: int, emit) -> int:
    s = ctx.settings
    selection: CodeSelection = args.codes
    failing = [False]

    def on_state(state: TailState) -> None:
        if not state.ok and state.error is not None:
            print_retrying(describe_error(state.error, ctx), state.retry_in_s)
            failing[0] = True
            return
        if state.warning:
            print(f"s4top: warning: {state.warning}", file=sys.stderr, flush=True)
        if failing[0]:
            print("s4top: connection recovered", file=sys.stderr, flush=True)
            failing[0] = False

    # One try per fetch: the tail does the backing off, and says so each time.
    async with ctx.cli_client(retry=RetryPolicy(attempts=1)) as client:

        async def fetch(start_ns: int, limit: int) -> list[LogEntry]:
            return await client.logs_page(domain, start_ns, selection.request_class, limit)

        def emit_selected(entries: list[LogEntry]) -> None:
            emit(selection.keep(entries))

        t, k = start, 0
        concurrency = concurrency_of(ctx, args)
        until = time.time_ns() - int(s.tail_delay * NS)
        if concurrency > 1 and until > start:
            # the stretch already in the past goes through the slices, then the tail follows
            reader = slice_reader(ctx, client, domain, start, until, args.codes, args.limit,
                                  concurrency)
            reader.max_failures = None  # --follow never gives up
            reader.slow_backoff_base_s = s.auth_backoff
            reader.backoff_base_s, reader.backoff_cap_s = s.backoff_base, s.backoff_cap
            with _stop_on_signals():
                try:
                    await reader.run(emit_selected, on_state)
                except asyncio.CancelledError:
                    return 0  # Ctrl-C or SIGTERM while catching up
            t, k = reader.position
        tail = LogTail(
            fetch,
            LogCursor.resume(t, k, limit=args.limit),
            poll_interval_s=args.poll if args.poll is not None else s.poll_interval,
            delay_ns=int(s.tail_delay * NS),
            backoff_base_s=s.backoff_base,
            backoff_cap_s=s.backoff_cap,
            slow_backoff_base_s=s.auth_backoff,
        )
        with _stop_on_signals():
            try:
                await tail.run(emit_selected, on_state)
            except asyncio.CancelledError:
                pass  # Ctrl-C or SIGTERM: a normal end of --follow
    return 0


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Cancel the running task on SIGINT/SIGTERM, even when started with SIGINT ignored
    (a shell's `&`), so the tail ends cleanly: buffers flushed, client closed, exit 0."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    installed: list[int] = []
    if task is not None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, task.cancel)
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
                continue
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
