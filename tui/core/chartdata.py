"""What a chart shows for a range, decided without any screen.

The vendor's series are hourly at best: at 1h they give one or two points. For ranges up to
6 h the edge line therefore comes from the log stream's own per-minute counters
(`tui.core.rates.RateWindow` with 60 s buckets, kept beside the buffer), and the hourly
series only fills the part of the range before the log began, drawn as flat hourly averages
per minute so both share one axis. Longer ranges keep the API series as they are.

Partial buckets never look like drops: the log's minute that is still filling (the one that
holds the newest entry, and the first minute when the tail began mid-minute) is left out;
the API's partial period is drawn apart in series mode and left out in log mode, where the
log's minutes cover it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.models import Series
from tui.core.rates import RateWindow

#: ranges up to this long chart the log's per-minute counters
LOG_CHART_MAX_S = 6 * 3600
MINUTE_S = 60
PERIOD_S = {"hourly": 3600, "daily": 86400, "monthly": 31 * 86400}
PER = {"hourly": "hour", "daily": "day", "monthly": "month"}

Segment = tuple[int, int, float]  # (from s, to s, value per minute): one API period, clipped


@dataclass(frozen=True, slots=True)
class LogMinutes:
    """What the log stream counted: per-minute counters, since when, and up to which entry."""

    window: RateWindow
    since_ns: int  # where counting began: the tail's start (or the first entry received)
    newest_ns: int  # the newest entry counted


@dataclass(frozen=True, slots=True)
class ChartData:
    """The points of one chart (edge and origin of one unit) for one range.

    mode "log": `log` holds complete minutes (start s, value per minute) from the log;
    `hourly`/`origin` hold the API's complete periods as per-minute averages, the edge ones
    only before the log's first minute. mode "series": `points`/`origin_points` are the API
    series as they come, `partial_from` the first bucket still filling."""

    mode: str  # "log" | "series"
    unit: str  # "bytes" | "requests"
    range_label: str
    resolution: str  # "per minute (log) + hourly (API)", "per minute (log)", "hourly", ...
    per: str  # what one value counts: "min", "hour", "day", "month"
    start_s: int
    end_s: int
    log_since_s: int | None = None  # the first complete minute counted from the log
    log: tuple[tuple[int, float], ...] = ()
    hourly: tuple[Segment, ...] = ()
    origin: tuple[Segment, ...] = ()
    period_s: int = 3600
    points: tuple[tuple[int, float], ...] = ()
    origin_points: tuple[tuple[int, float], ...] = ()
    partial_from: int | None = None

    @property
    def has_data(self) -> bool:
        return bool(self.log or self.points)


def _ceil(t: int, step: int) -> int:
    return -(-t // step) * step


def chart_data(edge: Series | None, origin: Series | None, *, unit: str, range_label: str,
               span_s: int, now_s: float, log: LogMinutes | None) -> ChartData:
    """Merge the log's per-minute counters with the API's series for one range.

    `unit` picks the log counter: "bytes" sums entry sizes, "requests" counts entries."""
    end = int(now_s)
    start = end - span_s
    minutes = _log_minutes(log, start, end, unit) if span_s <= LOG_CHART_MAX_S else []
    if not minutes:
        return _series_data(edge, origin, unit, range_label, start, end)
    first = minutes[0][0]
    hourly = _segments(edge, start, first, end) if edge else []
    origin_segs = _segments(origin, start, end, end) if origin else []
    res = "per minute (log) + hourly (API)" if hourly else "per minute (log)"
    return ChartData(mode="log", unit=unit, range_label=range_label, resolution=res, per="min",
                     start_s=start, end_s=end, log_since_s=first, log=tuple(minutes),
                     hourly=tuple(hourly), origin=tuple(origin_segs))


def _log_minutes(log: LogMinutes | None, start: int, end: int,
                 unit: str) -> list[tuple[int, float]]:
    """Complete minutes inside [start, end] since the log began: not the minute the tail
    started in (unless on the boundary), not the minute holding the newest entry (entries
    come in time order, so only that one can still grow), not the clock's current minute."""
    if log is None or not log.since_ns or not log.newest_ns:
        return []
    first = max(_ceil(-(-log.since_ns // 10**9), MINUTE_S), _ceil(start, MINUTE_S))
    stop = min(log.newest_ns // 10**9 // MINUTE_S * MINUTE_S, end // MINUTE_S * MINUTE_S)
    count = (stop - first) // MINUTE_S
    if count <= 0:
        return []
    last = stop - MINUTE_S
    w = log.window
    values = w.bytes(last, count) if unit == "bytes" else w.counts(last, count)
    return [(first + i * MINUTE_S, float(v)) for i, v in enumerate(values)]


def _segments(s: Series, start: int, until: int, now: int) -> list[Segment]:
    """The complete periods of `s` that overlap [start, until), clipped to it, as averages
    per minute (a partial period would understate its average and is left out)."""
    period = PERIOD_S.get(s.period, 3600)
    out = []
    for t, v in s.points:
        if t + period > now:
            continue
        a, b = max(t, start), min(t + period, until)
        if a < b:
            out.append((a, b, v * MINUTE_S / period))
    return out


def _series_data(edge: Series | None, origin: Series | None, unit: str, range_label: str,
                 start: int, end: int) -> ChartData:
    period = edge.period if edge else "hourly"
    period_s = PERIOD_S.get(period, 3600)
    pts = tuple(edge.points) if edge else ()
    partial = next((t for t, _ in pts if t + period_s > end), None)
    return ChartData(mode="series", unit=unit, range_label=range_label, resolution=period,
                     per=PER.get(period, period), start_s=start, end_s=end, period_s=period_s,
                     points=pts, origin_points=tuple(origin.points) if origin else (),
                     partial_from=partial)
