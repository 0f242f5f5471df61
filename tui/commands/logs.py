"""`s4top logs`: the access log, one-shot (until the moment the command started) or --follow."""

from __future__ import annotations

import argparse
import sys
import time

from tui.context import Context, UsageError
from tui.core.cursor import LogCursor, clamp_start
from tui.core.logfmt import format_json, format_line
from tui.core.models import LOG_CODES, LogEntry
from tui.core.tail import LogTail, TailState
from tui.core.units import parse_duration


def add_args(p: argparse.ArgumentParser) -> None:
    when = p.add_mutually_exclusive_group()
    when.add_argument("--since", metavar="DURATION", help="start this long ago, e.g. 90s, 15m, 2h (default 5m)")
    when.add_argument("--start", metavar="NS", type=int, help="start at this Unix time in nanoseconds")
    p.add_argument("--codes", default="ALL", type=str.upper, choices=LOG_CODES, help="status class (default ALL)")
    p.add_argument("-f", "--follow", action="store_true", help="keep following new entries until Ctrl-C")
    p.add_argument("--json", action="store_true", help="one JSON object per line (normalised keys + extra)")
    p.add_argument("--limit", type=int, default=1000, help="entries per request, 1-1000 (default 1000)")
    p.add_argument("--poll", type=float, default=None, metavar="SECONDS", help="poll interval with --follow")


async def run(ctx: Context, args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= 1000:
        raise UsageError("--limit must be between 1 and 1000")
    now = time.time_ns()
    if args.start is not None:
        start = args.start
    else:
        try:
            start = now - parse_duration(args.since or "5m") * 1_000_000_000
        except ValueError as exc:
            raise UsageError(f"--since: {exc}") from None
    if start > now:
        raise UsageError("the start time is in the future")
    start, warning = clamp_start(start, now)
    if warning:
        print(f"s4top: warning: {warning}", file=sys.stderr)
    utc = bool(ctx.settings.utc)
    fmt = format_json if args.json else (lambda e: format_line(e, utc))
    out = sys.stdout
    domain = ctx.domain

    def emit(entries: list[LogEntry]) -> None:
        if entries:
            out.write("".join(fmt(e) + "\n" for e in entries))
            out.flush()

    async with ctx.client() as client:

        async def fetch(start_ns: int, limit: int) -> list[LogEntry]:
            return await client.logs_page(domain, start_ns, args.codes, limit)

        if not args.follow:
            cursor = LogCursor(start, limit=args.limit, until_ns=now)
            while True:
                step = cursor.accept(await fetch(cursor.request_start(), args.limit))
                emit(step.entries)
                if step.stepped:
                    print("s4top: warning: a full page shared one timestamp; stepped past it", file=sys.stderr)
                if step.done or not step.more:
                    return 0

        last_state: list[bool] = [True]

        def on_state(state: TailState) -> None:
            if not state.ok and state.error is not None:
                from tui.context import describe_error

                wait = f"; retrying in {state.retry_in_s:.0f}s" if state.retry_in_s else ""
                print(f"s4top: {describe_error(state.error, ctx)}{wait}", file=sys.stderr)
            elif state.ok and not last_state[0]:
                print("s4top: connection recovered", file=sys.stderr)
            last_state[0] = state.ok

        poll = args.poll if args.poll is not None else ctx.settings.poll_interval
        tail = LogTail(
            fetch,
            LogCursor(start, limit=args.limit),
            poll_interval_s=poll,
            delay_ns=int(ctx.settings.tail_delay * 1e9),
        )
        try:
            await tail.run(emit, on_state)
        except KeyboardInterrupt:
            pass
    return 0
