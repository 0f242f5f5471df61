"""The chart data of a range: per-minute log counters merged with the API's hourly series."""

from __future__ import annotations

import sys

from tui.core.chartdata import LOG_CHART_MAX_S, LogMinutes, chart_data
from tui.core.models import LogEntry, Metric, Series
from tui.core.rates import RateWindow
from tui.live.state import RANGES, DomainState

S = 10**9
HOUR = 3600
NOW = 1_700_006_400 + 41 * 60 + 30  # 41 min 30 s past an hour
HOUR0 = NOW // HOUR * HOUR  # the current (partial) hour


def _window(per_minute: dict[int, int], size: int = 100) -> RateWindow:
    """`per_minute[m]` entries of `size` bytes in the minute starting at `m` (s)."""
    w = RateWindow(bucket_s=60, keep_buckets=362)
    for m in sorted(per_minute):
        n = per_minute[m]
        w.add([LogEntry(time_ns=(m + i * 59 // max(1, n)) * S, status=200, size=size) for i in range(n)])
    return w


def _hourly(metric: Metric, start: int, values: list[float]) -> Series:
    return Series(metric, "hourly", [(start + i * HOUR, v) for i, v in enumerate(values)])


def _req(**kw):
    base = dict(unit="requests", range_label="1h", span_s=HOUR, now_s=NOW)
    return chart_data(**{**base, **kw})


def test_1h_has_a_point_per_complete_minute_from_the_log() -> None:
    tail = (NOW - HOUR - 120) * S  # the tail began before the range
    first = (NOW - HOUR - 120) // 60 * 60
    minutes = {first + 60 * i: 10 + i % 7 for i in range(63)}
    w = _window(minutes)
    newest = (NOW - 5) * S  # an entry of the current minute is in: that minute is partial
    d = _req(edge=None, origin=None, log=LogMinutes(w, tail, newest))
    assert d.mode == "log" and d.per == "min"
    starts = [t for t, _ in d.log]
    assert starts[0] == -(-(NOW - HOUR) // 60) * 60  # the first whole minute of the range
    assert starts[-1] == NOW // 60 * 60 - 60  # the current partial minute is left out
    # 30 s of the range's first minute and of the current one are not whole minutes
    assert len(starts) == 59
    assert [v for _, v in d.log] == [float(minutes.get(t, 0)) for t in starts]
    assert d.resolution == "per minute (log)"  # the log covers all of it: no hourly part


def test_before_the_log_began_the_hourly_series_fills_the_range() -> None:
    tail = (NOW - 300) * S + 500_000_000  # 5 min of backlog, starting mid-second, mid-minute
    w = _window({m: 30 for m in range((NOW - 300) // 60 * 60, NOW, 60)})
    edge = _hourly(Metric.REQUEST, HOUR0 - HOUR, [6000.0, 999.0])  # last hour, this (partial) hour
    origin = _hourly(Metric.REQUEST_ORIGIN, HOUR0 - HOUR, [600.0, 99.0])
    d = _req(edge=edge, origin=origin, log=LogMinutes(w, tail, NOW * S))
    since = -(-(NOW - 300) // 60) * 60  # the first whole minute after the tail began
    assert d.log_since_s == since and d.log[0][0] == since
    assert d.resolution == "per minute (log) + hourly (API)"
    # the previous hour as a per-minute average, clipped to the range; not past the log start
    assert d.hourly == ((NOW - HOUR, HOUR0, 100.0),)
    # the API's partial hour would understate its average: left out where the log covers it
    assert all(b <= HOUR0 for _, b, _ in d.hourly)
    assert d.origin == ((NOW - HOUR, HOUR0, 10.0),)
    assert all(v == 30.0 for _, v in d.log)


def test_bytes_are_summed_from_entry_sizes() -> None:
    w = _window({m: 4 for m in range(NOW // 60 * 60 - 600, NOW, 60)}, size=1500)
    d = _req(unit="bytes", edge=None, origin=None, log=LogMinutes(w, (NOW - 600) * S, NOW * S))
    assert d.unit == "bytes" and {v for _, v in d.log} == {6000.0}


def test_a_lagging_log_leaves_out_the_minute_of_its_newest_entry() -> None:
    w = _window({m: 5 for m in range(NOW // 60 * 60 - 600, NOW, 60)})
    newest = (NOW - 200) * S  # the log is 200 s behind the clock
    d = _req(edge=None, origin=None, log=LogMinutes(w, (NOW - 600) * S, newest))
    assert d.log[-1][0] == (NOW - 200) // 60 * 60 - 60


def test_longer_ranges_and_no_log_keep_the_api_series() -> None:
    edge = _hourly(Metric.REQUEST, HOUR0 - 23 * HOUR, [100.0] * 24)
    w = _window({m: 5 for m in range(NOW // 60 * 60 - 600, NOW, 60)})
    log = LogMinutes(w, (NOW - 600) * S, NOW * S)
    d = _req(edge=edge, origin=None, range_label="24h", span_s=86400, log=log)
    assert d.mode == "series" and d.resolution == "hourly" and d.per == "hour"
    assert d.points == tuple(edge.points) and d.partial_from == HOUR0  # partial hour kept apart
    assert not d.log
    nolog = _req(edge=edge, origin=None, log=None)
    assert nolog.mode == "series"
    # a tail that started this minute has no complete minute yet: the series stays
    fresh = LogMinutes(w, (NOW - 10) * S, NOW * S)
    assert _req(edge=edge, origin=None, log=fresh).mode == "series"


def test_the_minute_counters_hold_the_longest_log_range() -> None:
    assert max(span for _, span, _ in RANGES if span <= LOG_CHART_MAX_S) == 6 * HOUR
    st = DomainState("d", buffer=None)  # type: ignore[arg-type]
    assert st.minute_rates.bucket_s == 60 and st.minute_rates.keep_buckets >= 361
    entries = [LogEntry(time_ns=(NOW - 7 * HOUR + i * 30) * S, status=200, size=10**7)
               for i in range(7 * 120)]
    st.minute_rates.add(entries)
    d = chart_data(None, None, unit="requests", range_label="6h", span_s=6 * HOUR,
                   now_s=NOW, log=LogMinutes(st.minute_rates, entries[0].time_ns, entries[-1].time_ns))
    assert len(d.log) == 6 * 60 - 1  # 6 h of whole minutes, all still counted (2 per minute)
    assert {v for _, v in d.log} == {2.0}
    # the memory of 6 h of counters stays small (the figure is in the report)
    w = st.minute_rates._buckets
    size = sys.getsizeof(w) + sum(sys.getsizeof(r) + sum(sys.getsizeof(x) for x in r) for r in w.values())
    assert size < 200_000


def test_a_tail_started_mid_minute_leaves_that_minute_out() -> None:
    m0 = NOW // 60 * 60 - 600
    w = _window({m: 5 for m in range(m0, NOW, 60)})
    on_boundary = _req(edge=None, origin=None, log=LogMinutes(w, m0 * S, NOW * S))
    assert on_boundary.log_since_s == m0
    just_after = _req(edge=None, origin=None, log=LogMinutes(w, m0 * S + 1, NOW * S))
    assert just_after.log_since_s == m0 + 60
