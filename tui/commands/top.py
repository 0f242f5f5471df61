"""`s4top top`: the top URLs, client IPs, status codes, countries or cache statuses of the last
minutes, optionally of one status class (`--codes`, as `s4top logs`), the same computation as
the dashboard's top-N panels."""

from __future__ import annotations

import argparse
import json
import sys

from tui.commands.logs import add_codes_argument, read_window
from tui.context import Context, UsageError
from tui.core.cursor import clamp_start
from tui.core.models import LogEntry
from tui.core.sanitize import inert
from tui.core.units import format_bytes, format_count, parse_duration
from tui.insight.top import TOP_KEYS, top_n

NS = 1_000_000_000


def add_args(p: argparse.ArgumentParser) -> None:
    when = p.add_mutually_exclusive_group()
    when.add_argument("--since", default="5m", metavar="DURATION",
                      help="window, e.g. 5m, 1h (default 5m)")
    when.add_argument("--start", type=int, metavar="NS",
                      help="start at this Unix time in nanoseconds")
    add_codes_argument(p)
    p.add_argument("--by", default="url", choices=TOP_KEYS, help="what to rank (default url)")
    p.add_argument("-n", "--limit", type=int, default=10, help="how many rows (default 10)")
    p.add_argument("--order", default="count", choices=["count", "bytes"],
                   help="rank by count or bytes")
    p.add_argument("--json", action="store_true",
                   help='one JSON array of {"key", "count", "bytes"}')


async def run(ctx: Context, args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= 10_000:
        raise UsageError("-n must be between 1 and 10000")
    now = ctx.now_ns()  # a replay's: --since counts back from the recording's end
    if args.start is not None:
        if not 0 <= args.start <= now:
            raise UsageError("--start must be a Unix time in nanoseconds, not in the future")
        start = args.start
    else:
        try:
            start = now - parse_duration(args.since) * NS
        except ValueError as exc:
            raise UsageError(f"--since: {exc}") from None
    start, warning = clamp_start(start, now)
    if warning:
        print(f"s4top: warning: {warning}", file=sys.stderr)
    entries: list[LogEntry] = []
    async with ctx.cli_client() as client:
        await read_window(client, ctx.domain, start, now, args.codes, 1000, entries.extend)
    rows = top_n(entries, args.by, start, n=args.limit, order=args.order)
    if args.json:
        print(json.dumps([r.to_json() for r in rows], ensure_ascii=True))
        return 0
    total = len(entries)
    window = f"since {args.start} ns" if args.start is not None else f"last {args.since}"
    codes = f" {args.codes.label()}" if not args.codes.everything else ""
    print(f"{ctx.domain}  top {args.by} by {args.order}, {window}:{codes} "
          f"{format_count(total)} requests")
    width = min(90, max([len(args.by)] + [len(inert(r.key, 90)) for r in rows]))
    print(f"{args.by.upper().ljust(width)}  {'REQUESTS':>9}  {'BYTES':>9}  {'SHARE':>6}")
    for r in rows:
        share = f"{r.count / total:.1%}" if total else "-"
        print(f"{inert(r.key, 90).ljust(width)}  {format_count(r.count):>9}  "
              f"{format_bytes(r.bytes):>9}  {share:>6}")
    return 0
