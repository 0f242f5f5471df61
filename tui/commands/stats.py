"""`s4top stats`: the four hourly/daily/monthly series as a table or JSON Lines."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from tui.context import Context, UsageError
from tui.core.models import PERIODS, Metric, Series
from tui.core.units import format_bytes, format_count, parse_duration

METRIC_CHOICES = [m.value for m in Metric] + ["all"]
PERIOD_SECONDS = {"hourly": 3600, "daily": 86400, "monthly": 31 * 86400}
LABELS = {
    Metric.TRAFFIC: "edge traffic",
    Metric.TRAFFIC_ORIGIN: "origin traffic",
    Metric.REQUEST: "edge requests",
    Metric.REQUEST_ORIGIN: "origin requests",
}


def add_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--metric", default="all", choices=METRIC_CHOICES,
                   help="which series (default all)")
    p.add_argument("--since", default="24h", metavar="DURATION", help="how far back (default 24h)")
    p.add_argument("--period", default="auto", choices=["auto", *PERIODS],
                   help="bucket width (default auto)")
    p.add_argument("--json", action="store_true", help="one JSON object per metric per line; "
                   "'partial' names the bucket still filling up (or null)")


def auto_period(span_s: float) -> str:
    """Hourly up to 3 days, daily up to 90 days, monthly beyond: readable row counts."""
    if span_s <= 3 * 86400:
        return "hourly"
    if span_s <= 90 * 86400:
        return "daily"
    return "monthly"


def _number(v: float) -> int | float:
    """Whole values print as integers (bytes and requests are counts)."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


def format_value(metric: Metric, value: float) -> str:
    return format_bytes(value) if metric.unit == "bytes" else format_count(value)


def _time_label(ts: int, period: str, utc: bool) -> str:
    """The bucket's start in the shown zone. Minutes are always shown for hourly buckets (a
    zone such as +05:30 does not start hours at :00), and a daily or monthly bucket that does
    not start at local midnight says at what time it starts."""
    dt = datetime.fromtimestamp(ts, tz=UTC if utc else None)
    if period == "hourly":
        return dt.strftime("%Y-%m-%d %H:%M")
    label = dt.strftime("%Y-%m-%d" if period == "daily" else "%Y-%m")
    if (dt.hour, dt.minute) != (0, 0) or (period == "monthly" and dt.day != 1):
        label = dt.strftime("%Y-%m-%d %H:%M")
    return label


def bucket_end(ts: int, period: str) -> int:
    """End (exclusive) of the bucket starting at `ts`; a monthly one ends with its month."""
    if period != "monthly":
        return ts + PERIOD_SECONDS[period]
    dt = datetime.fromtimestamp(ts, tz=UTC)
    nxt = (dt.replace(year=dt.year + 1, month=1) if dt.month == 12
           else dt.replace(month=dt.month + 1))
    return int(nxt.timestamp())


def partial_bucket(series: list[Series], period: str, now_s: int) -> int | None:
    """Start of the bucket still filling up at `now_s` (its values will grow), if listed."""
    starts = sorted({t for s in series for t, _ in s.points})
    for t in reversed(starts):
        if t <= now_s < bucket_end(t, period):
            return t
    return None


def render_table(series: list[Series], period: str, now_s: int, utc: bool) -> str:
    """Rows are buckets, columns are metrics; the unfinished bucket is marked partial."""
    times = sorted({t for s in series for t, _ in s.points})
    by_metric = [dict(s.points) for s in series]
    header = ["time", *(LABELS[s.metric] for s in series), ""]
    rows = [header]
    unfinished = partial_bucket(series, period, now_s)
    for t in times:
        partial = t == unfinished
        cells = [_time_label(t, period, utc)]
        for s, points in zip(series, by_metric, strict=True):
            cells.append(format_value(s.metric, points[t]) if t in points else "-")
        cells.append("(partial)" if partial else "")
        rows.append(cells)
    if len(rows) == 1:
        return "no data in this range\n"
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for r in rows:
        cells = (c.rjust(w) if i and i < len(header) - 1 else c.ljust(w)
                 for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


async def run(ctx: Context, args: argparse.Namespace) -> int:
    try:
        span = parse_duration(args.since)
    except ValueError as exc:
        raise UsageError(f"--since: {exc}") from None
    if span <= 0:
        raise UsageError("--since must be a positive duration")
    now = ctx.now_ns() // 1_000_000_000  # a replay's present, else the wall clock
    if span > now:  # the API's times are Unix seconds: nothing lies before 1970
        raise UsageError(f"--since {args.since} reaches back before 1970 (Unix time 0); "
                         "give a shorter duration")
    period = auto_period(span) if args.period == "auto" else args.period
    metrics = list(Metric) if args.metric == "all" else [Metric(args.metric)]
    domain = ctx.domain
    async with ctx.cli_client() as client:
        series = [await client.series(domain, m, now - span, now, period) for m in metrics]
    if args.json:
        partial = partial_bucket(series, period, now)
        for s in series:
            print(json.dumps({"metric": s.metric.value, "unit": s.unit, "period": s.period,
                              "points": [[t, _number(v)] for t, v in s.points],
                              "partial": partial if partial in dict(s.points) else None}))
    else:
        zone = "UTC" if ctx.settings.utc else "local time"
        print(f"{domain}  {period}  last {args.since}  ({zone})")
        print(render_table(series, period, now, ctx.settings.utc), end="")
    return 0
