"""Spike alerts, top-N and offload math."""

from __future__ import annotations

from tui.core.logfilter import LogFilter
from tui.core.models import LogEntry, Metric, Series
from tui.core.rates import RateWindow
from tui.insight.top import (
    AlertRule,
    AlertState,
    current_offload,
    drill_filter,
    evaluate,
    key_of,
    offload_series,
    top_n,
)

S = 1_000_000_000


def entries_at(second: int, n: int, status: int = 200, cache: str = "HIT") -> list[LogEntry]:
    return [LogEntry(time_ns=second * S + i, status=status, size=100, cache=cache, url=f"https://a/{i % 3}",
                     client_ip=f"10.0.0.{i % 2}", country="CN") for i in range(n)]


def window_with(base_5xx: int, spike_5xx: int, now: int = 10_000) -> RateWindow:
    rw = RateWindow(bucket_s=1, keep_buckets=900)
    for s in range(now - 660, now):
        bad = spike_5xx if s >= now - 60 else base_5xx
        rw.add(entries_at(s, 10 - bad) + entries_at(s, bad, status=503))
    return rw


def test_5xx_alert_fires_and_clears_with_hysteresis() -> None:
    rule = AlertRule("5xx", floor=0.02, factor=3.0)
    quiet = window_with(0, 0)
    st = AlertState("5xx")
    assert not evaluate(rule, quiet, 10_000, st) and not st.active
    spiky = window_with(0, 3)  # 30 % 5xx in the last minute, 0 % before
    assert evaluate(rule, spiky, 10_000, st) and st.active
    assert "5XX 30.0%" in st.label()
    assert not evaluate(rule, spiky, 10_000, st)  # no change, no second toast


def test_no_alert_without_enough_requests_or_below_floor() -> None:
    rule = AlertRule("5xx", floor=0.5)
    st = AlertState("5xx")
    evaluate(rule, window_with(0, 3), 10_000, st)
    assert not st.active  # 30 % is below the 50 % floor
    rw = RateWindow()
    rw.add(entries_at(9_990, 5, status=500))
    evaluate(AlertRule("5xx"), rw, 10_000, st)
    assert not st.active  # 5 requests: no verdict


def test_steady_high_share_is_not_a_spike() -> None:
    st = AlertState("5xx")
    evaluate(AlertRule("5xx"), window_with(3, 3), 10_000, st)
    assert not st.active  # 30 % all along: the baseline is 30 % too


def test_origin_rule_uses_misses_per_second() -> None:
    rw = RateWindow()
    for s in range(10_000 - 660, 10_000):
        misses = 8 if s >= 10_000 - 60 else 1
        rw.add(entries_at(s, 10 - misses) + entries_at(s, misses, cache="MISS"))
    st = AlertState("origin")
    evaluate(AlertRule("origin", floor=5.0), rw, 10_000, st)
    assert st.active and round(st.value) == 8


def test_top_n_by_count_and_bytes() -> None:
    es = [LogEntry(time_ns=i, url=u, size=sz, status=200, client_ip="1.1.1.1", country="CN")
          for i, (u, sz) in enumerate([("a", 1), ("a", 1), ("a", 1), ("b", 1000), ("c", 5)])]
    assert [(r.key, r.count) for r in top_n(es, "url", n=2)] == [("a", 3), ("b", 1)]
    assert [r.key for r in top_n(es, "url", order="bytes")] == ["b", "c", "a"]
    assert [r.key for r in top_n(es, "url", since_ns=3)] == ["b", "c"]
    assert top_n(es, "status")[0].to_json() == {"key": "200", "count": 5, "bytes": 1008}


def test_drill_filters_select_exactly_one_key() -> None:
    es = [
        LogEntry(time_ns=1, status=503, method="GET", client_ip="1.2.3.4", country="CN", url="https://a/x.png"),
        LogEntry(time_ns=2, status=200, method="GET", client_ip="1.2.3.45", country="US", url="https://a/x.png?v=503"),
        LogEntry(time_ns=3, status=200, method="", client_ip="1.2.3.4", country="", url="https://a/x.png.bak"),
    ]
    def sel(by: str, key: str) -> list[int]:
        f = LogFilter(text=drill_filter(by, key))
        return [e.time_ns for e in es if f.matches(e)]
    assert sel("status", "503") == [1]
    assert sel("ip", "1.2.3.4") == [1, 3]
    assert sel("country", "US") == [2]
    assert sel("country", "-") == [3]
    assert sel("url", "https://a/x.png") == [1]


def test_drill_filters_are_field_terms_and_exact() -> None:
    es = [
        LogEntry(time_ns=1, status=503, client_ip="2001:db8::1", country="JP", cache="MISS",
                 url="https://a/a b.png"),
        LogEntry(time_ns=2, status=0, client_ip="-", country="", cache="",
                 url="https://a/a b.png.bak"),
        LogEntry(time_ns=3, status=200, client_ip="2001:db8::10", country="jp", cache="HIT",
                 url="https://a/A B.PNG"),
    ]

    def sel(by: str, key: str) -> list[int]:
        f = LogFilter(text=drill_filter(by, key))
        return [e.time_ns for e in es if f.matches(e)]

    assert drill_filter("status", "503") == "code:503"
    assert drill_filter("country", "JP") == "cc:JP"
    assert drill_filter("ip", "2001:db8::1") == "ip:2001:db8::1"
    assert drill_filter("cache", "MISS") == "cache:MISS"
    assert drill_filter("url", "https://a/x").startswith("url:/^")
    for e in es:
        for by in ("url", "ip", "status", "country", "cache"):
            key = key_of(e, by)
            assert e.time_ns in sel(by, key), (by, key)
    assert sel("ip", "2001:db8::1") == [1]
    assert sel("ip", "-") == [2]
    assert sel("status", "-") == [2]
    assert sel("cache", "-") == [2]
    assert sel("url", "https://a/a b.png") == [1, 3]  # case-insensitive, as the filter is


def test_offload() -> None:
    edge = Series(Metric.REQUEST, "hourly", [(0, 100.0), (3600, 100.0), (7200, 0.0)])
    origin = Series(Metric.REQUEST_ORIGIN, "hourly", [(0, 10.0), (3600, 60.0)])
    assert offload_series(edge, origin) == [(0, 0.9), (3600, 0.4), (7200, None)]
    assert current_offload(edge, origin) == 1 - 70 / 200
    assert current_offload(None, origin) is None
