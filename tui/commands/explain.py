"""`s4top explain`: what distinguishes the failing (or missing, or all) requests of the last
minutes from the rest, dimension by dimension (tui/insight/explain.py), the same computation
as the dashboard's `w` screen."""

from __future__ import annotations

import argparse
import json
import sys

from tui.commands.logs import add_codes_argument, read_window
from tui.context import Context, UsageError
from tui.core.cursor import clamp_start
from tui.core.models import LogEntry
from tui.core.sanitize import inert
from tui.core.units import parse_duration
from tui.insight.explain import DIMENSIONS, FOCI, Explanation, columns_of_entries, explain
from tui.insight.explain_fmt import pct, pp, summary, times, title

NS = 1_000_000_000
VALUE_W = 60


def _focus(text: str) -> str:
    for f in FOCI:
        if text.upper() == f.upper():
            return f
    raise argparse.ArgumentTypeError(f"expected one of {', '.join(FOCI)}")


def add_args(p: argparse.ArgumentParser) -> None:
    when = p.add_mutually_exclusive_group()
    when.add_argument("--since", default="5m", metavar="DURATION",
                      help="the window, e.g. 5m, 1h (default 5m; with --replay, back from "
                           "the recording's end)")
    when.add_argument("--start", type=int, metavar="NS",
                      help="the window starts at this Unix time in nanoseconds")
    add_codes_argument(p)
    p.add_argument("--focus", default="5XX", type=_focus, metavar="|".join(FOCI),
                   help="what to explain (default 5XX): a class or MISS against the other "
                        "requests of the window, or all against the span before it")
    p.add_argument("--baseline", default=None, metavar="DURATION",
                   help="with --focus all: the span before the window (default as long)")
    p.add_argument("--by", default=",".join(DIMENSIONS), metavar="DIMS",
                   help=f"comma-separated dimensions (default {','.join(DIMENSIONS)} and "
                        "extra fields with few values)")
    p.add_argument("--top", type=int, default=5, help="values per dimension (default 5)")
    p.add_argument("--json", action="store_true",
                   help='one JSON array of {"dimension", "value", "selection_share", '
                        '"baseline_share", "delta", "ratio", "count", "score"}')


def _duration(flag: str, text: str) -> int:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def _dims(text: str) -> list[str] | None:
    dims = [d.strip().lower() for d in text.split(",") if d.strip()]
    bad = [d for d in dims if d not in DIMENSIONS]
    if bad or not dims:
        raise UsageError(f"--by: unknown dimension {inert(bad[0] if bad else text, 40)!r}: "
                         f"expected a list of {', '.join(DIMENSIONS)}")
    return None if set(dims) == set(DIMENSIONS) else dims


def _window_start(args: argparse.Namespace, now: int) -> int:
    """Where the window begins: `--start`, or `--since` back from `now`."""
    if args.start is not None:
        if not 0 <= args.start < now:
            raise UsageError("--start must be a Unix time in nanoseconds before now")
        return args.start
    span = _duration("--since", args.since)
    if span <= 0:
        raise UsageError("--since must be longer than 0")
    return now - span * NS


async def run(ctx: Context, args: argparse.Namespace) -> int:
    if not 1 <= args.top <= 1000:
        raise UsageError("--top must be between 1 and 1000")
    now = ctx.now_ns()  # a replay's: --since counts back from the recording's end
    start = _window_start(args, now)
    baseline = (_duration("--baseline", args.baseline) * NS if args.baseline is not None
                else now - start)
    if args.baseline is not None and args.focus != "all":
        print("s4top: warning: --baseline applies to --focus all only", file=sys.stderr)
    by = _dims(args.by)
    read_from = start - baseline if args.focus == "all" else start
    read_from, warning = clamp_start(read_from, now)
    if warning:
        print(f"s4top: warning: {warning}", file=sys.stderr)
    entries: list[LogEntry] = []
    async with ctx.cli_client() as client:
        await read_window(client, ctx.domain, read_from, now, args.codes, 1000,
                          entries.extend)
    ex = explain(columns_of_entries(entries), args.focus, start, now, baseline_ns=baseline,
                 by=by)
    if args.json:
        print(json.dumps([f.to_json() for f in ex.rows(args.top)], ensure_ascii=True))
        return 0
    window = f"since {args.start} ns" if args.start is not None else f"last {args.since}"
    codes = f" {args.codes.label()}" if not args.codes.everything else ""
    _print(ctx.domain, ex, window + codes, args.top)
    return 0


def _print(domain: str, ex: Explanation, window: str, top: int) -> None:
    print(f"{inert(domain)}  explain {summary(ex, window)}")
    if not ex.selected:
        print(f"no {ex.focus} requests in the window: nothing to explain")
        return
    if not ex.dimensions:
        print("nothing stands out (no value has enough requests to tell)")
        return
    for d in ex.dimensions:
        rows = d.findings[:top]
        values = [inert(f.value, VALUE_W) for f in rows]
        width = max([len(title(d.name))] + [len(v) for v in values])
        print()
        print(f"{title(d.name)}  (divergence {d.score:.2f})")
        print(f"{'VALUE'.ljust(width)}  {'SEL':>7}  {'BASE':>7}  {'DELTA':>9}  "
              f"{'RATIO':>6}  {'COUNT':>7}")
        for f, v in zip(rows, values, strict=True):
            print(f"{v.ljust(width)}  {pct(f.selection_share):>7}  {pct(f.baseline_share):>7}  "
                  f"{pp(f.delta):>9}  {times(f.ratio):>6}  {f.count:>7}")
