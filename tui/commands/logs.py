"""`s4top logs`: the access log, one-shot (until the moment the command started) or --follow.

One-shot reads retry transient errors a few times (each retry is announced on stderr) and then
exit 1. `--follow` never gives up: the shared `LogTail` loop owns every retry (the client does
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

from tui.api.retry import RetryPolicy
from tui.context import Context, UsageError, describe_error, format_wait
from tui.core.cursor import LogCursor, clamp_start
from tui.core.logfmt import format_json, format_line
from tui.core.models import LogEntry
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


def _start_ns(args: argparse.Namespace, now: int) -> int:
    if args.start is not None:
        start = args.start
        if start < 0:
            raise UsageError("--start must be a Unix time in nanoseconds (zero or more)")
    else:
        try:
            span = parse_duration("5m" if args.since is None else args.since)
        except ValueError as exc:
            raise UsageError(f"--since: {exc}") from None
        start = now - span * NS
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
    now = time.time_ns()
    start = _start_ns(args, now)
    utc = ctx.settings.utc
    fmt = format_json if args.json else (lambda e: format_line(e, utc))
    out = sys.stdout

    def emit(entries: list[LogEntry]) -> None:
        if entries:
            out.write("".join(fmt(e) + "\n" for e in entries))
            out.flush()

    if not args.follow:
        async with ctx.cli_client() as client:
            await read_window(client, domain, start, now, args.codes, args.limit, emit)
        return 0
    return await _follow(ctx, args, domain, start, emit)


async def read_window(client, domain: str, start: int, until: int,
                      codes: str | CodeSelection, limit: int,
                      emit: Callable[[list[LogEntry]], None]) -> None:
    """Page from `start` to `until` (the moment the command started), each entry once, of
    the statuses `codes` selects (the narrowest class asked, the rest filtered here).

    The next page is asked for as soon as this one is accepted (the cursor knows where it
    starts), so the server prepares it while this one is formatted and written: the output is
    the same, in the same order, and a long backlog takes about the server's time, not the
    server's plus ours."""
    selection = codes if isinstance(codes, CodeSelection) else parse_codes(codes)
    ask = selection.request_class
    cursor = LogCursor(start, limit=limit, until_ns=until)
    fetch = asyncio.ensure_future(client.logs_page(domain, cursor.request_start(), ask, limit))
    try:
        while True:
            page = await fetch
            step = cursor.accept(page)
            last = step.done or not step.more
            if not last:
                fetch = asyncio.ensure_future(
                    client.logs_page(domain, cursor.request_start(), ask, limit))
                await asyncio.sleep(0)  # the request goes out before this page is formatted
            if step.stepped:
                print(f"s4top: warning: {step.note}", file=sys.stderr)
            emit(selection.keep(step.entries))
            if last:
                return
    finally:
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(BaseException):
                await fetch


async def _follow(ctx: Context, args: argparse.Namespace, domain: str, start: int, emit) -> int:
    s = ctx.settings
    selection: CodeSelection = args.codes
    failing = [False]

    def on_state(state: TailState) -> None:
        if not state.ok and state.error is not None:
            wait = (f"; retrying in {format_wait(state.retry_in_s)}"
                    if state.retry_in_s is not None else "")
            print(f"s4top: {describe_error(state.error, ctx)}{wait}", file=sys.stderr, flush=True)
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

        tail = LogTail(
            fetch,
            LogCursor(start, limit=args.limit),
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
