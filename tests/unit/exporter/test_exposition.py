"""Our text-format encoder writes the bytes of prometheus-client's `generate_latest` for the
same registry: label values that need escaping, +Inf/-Inf/NaN and Go's exponents,
timestamps, the OpenMetrics-only samples that the 0.0.4 format moves (_created, _gsum,
_gcount), every family type, names outside the legacy character set, and a fed exporter."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, Summary
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeHistogramMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
    StateSetMetricFamily,
    SummaryMetricFamily,
    UnknownMetricFamily,
)
from prometheus_client.exposition import generate_latest
from prometheus_client.samples import Timestamp
from prometheus_client.utils import floatToGoString

from tests.unit.exporter.test_collector import NOW_S, D, fed, make_exporter
from tui.core.models import LogEntry
from tui.exporter.collector import ExporterCollector
from tui.exporter.exposition import generate_text, go_float

HOSTILE = ['back\\slash', 'q"uote', "new\nline", "both\\\n\"", "ünïcødé ✓", "%s %d %%",
           "", " lead and trail ", "{}", "a=b,c=\"d\"", "\t\r\x00"]
NUMBERS = [0, 1, -1, 0.0, -0.0, 0.1, 1 / 3, 123456.0, 1234567.0, 12345678.9, 1e22, 2**70,
           -1234567.0, 1e-9, 5e-324, 1.7976931348623157e308, float("inf"), float("-inf"),
           float("nan"), True, 3]


class Fixed:
    """A collector that yields the same families on every collect."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> list[Metric]:
        return self.families


def same(*families: Metric) -> bytes:
    reg = CollectorRegistry()
    reg.register(Fixed(list(families)))
    ours = generate_text(reg)
    assert ours == generate_latest(reg)
    return ours


@pytest.mark.parametrize("value", NUMBERS)
def test_numbers_as_go_writes_them(value: float) -> None:
    assert go_float(value) == floatToGoString(value)
    g = GaugeMetricFamily("g", "a gauge", labels=["k"])
    g.add_metric(["v"], value)
    same(g)


def test_label_values_that_need_escaping_and_the_label_order() -> None:
    g = GaugeMetricFamily("hostile", "every value", labels=["zeta", "alpha", "mid"])
    for i, v in enumerate(HOSTILE):
        g.add_metric([v, str(i), v[::-1]], i)
    text = same(g)
    assert b'alpha="2",mid="enil\\nwen",zeta="new\\nline"' in text


def test_help_text_escaping_and_no_labels() -> None:
    same(GaugeMetricFamily("plain", "help with \\ and \n and \"quotes\"", value=1.5),
         CounterMetricFamily("bare", "", value=7))


def test_timestamps_in_milliseconds() -> None:
    g = GaugeMetricFamily("ts", "timestamps", labels=["k"])
    g.add_metric(["a"], 1, timestamp=1_700_000_000.123)
    g.add_metric(["b"], 2, timestamp=Timestamp(1_700_000_000, 5_000_000))
    g.add_metric(["c"], 3, timestamp=0)
    assert b'ts{k="a"} 1.0 1700000000123\n' in same(g)


def test_every_family_type_and_the_moved_samples() -> None:
    c = CounterMetricFamily("reqs", "counted", labels=["k"])
    c.add_metric(["a"], 3, created=1_700_000_000.5)
    c.add_metric(["b"], 4)
    h = HistogramMetricFamily("lat", "latency", labels=["k"])
    h.add_metric(["a"], [("0.1", 1), ("1.0", 2), ("+Inf", 3)], sum_value=1.7)
    gh = GaugeHistogramMetricFamily("gh", "a gauge histogram")
    gh.add_metric([], [("1.0", 1), ("+Inf", 2)], gsum_value=3.5)
    s = SummaryMetricFamily("sz", "sizes", labels=["k"])
    s.add_metric(["a"], count_value=2, sum_value=9.0)
    info = InfoMetricFamily("build", "build info", labels=["k"])
    info.add_metric(["a"], {"version": "1.2\"3", "commit": "abc"})
    st = StateSetMetricFamily("state", "a state set", labels=["k"])
    st.add_metric(["a"], {"on": True, "off": False})
    u = UnknownMetricFamily("odd", "unknown type", labels=["k"])
    u.add_metric(["a"], 1)
    text = same(c, h, gh, s, info, st, u)
    assert b"# TYPE reqs_created gauge\n" in text and b"# TYPE gh_gsum gauge\n" in text


def test_names_outside_the_legacy_character_set() -> None:
    g = GaugeMetricFamily("dotted.name", "utf-8 names", labels=["la.bel", "ok"])
    g.add_metric(["v", "w"], 1)
    same(g)


def test_the_library_s_own_metrics_with_created_samples() -> None:
    reg = CollectorRegistry()
    Counter("events", "events", ["kind"], registry=reg).labels("x\"y").inc(2)
    Gauge("level", "level", registry=reg).set(float("nan"))
    Histogram("dur", "durations", registry=reg).observe(0.3)
    Summary("took", "took", registry=reg).observe(1.0)
    Info("about", "about", registry=reg).info({"a": "b\\c"})
    assert generate_text(reg) == generate_latest(reg)


def test_a_fed_exporter_of_twenty_domains_byte_for_byte() -> None:
    domains = (D, *(f"d{i:02d}.example.com" for i in range(19)))
    ex = fed(make_exporter(domains))
    for i, st in enumerate(ex.states):
        st.tail_start_ns = (NOW_S - 100) * 10**9
        st.ingest([LogEntry(time_ns=1, status=s, size=i * 1000 + s, cache=c,
                            source_keys={"cache": "cache"})
                   for s in (200, 206, 304, 404, 503, 0, 999) for c in ("HIT", "miss", "?")])
    reg = CollectorRegistry()
    reg.register(ExporterCollector(ex))
    text = generate_text(reg)
    assert text == generate_latest(reg)
    assert text.count(b"bitiful_cdn_log_requests_by_status_total{") == 20 * 6  # 0 and 999 are both `other`
    assert b'status="other"' in text and b'cache="other"' in text


def test_the_kept_series_text_is_bounded_and_never_stale() -> None:
    from tui.exporter import exposition

    for n in (3, 1, 2):  # a scrape after another: values change, series come and go
        g = GaugeMetricFamily("g", "gauge", labels=["k", "a"])
        for i in range(n):
            g.add_metric([f"v{i}", str(n)], n * 10 + i)
        same(g)
    big = CounterMetricFamily("many", "more series than are kept", labels=["k"])
    for i in range(exposition._CACHE_MAX + 5000):
        big.add_metric([f"series-{i}"], i)
    same(big)
    assert len(exposition._prefixes) <= exposition._CACHE_MAX
