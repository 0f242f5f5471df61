"""The Prometheus collector: fresh metric families from what the pollers last saw, built per
scrape (a label value that vanished disappears), no exposition timestamps, never a wait on
the vendor API. Names are part of the interface: README.md documents each one.

Labels take bounded values only: `cdn_domain` (configured names), `status_class`, `status`,
`cache`, `endpoint`, `kind`, `metric`, `of` (tui/exporter/counting.py, observe.py). No URL,
IP or user agent, and nothing read from the token.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from tui.exporter.counting import CACHE_VALUES, STATUS_CLASSES
from tui.exporter.observe import ENDPOINTS, ERROR_KINDS, EndpointBook
from tui.exporter.runner import Exporter
from tui.live.state import DomainState

#: one domain as a scrape sees it: its state, its counters' and its book's copies
_Seen = tuple[DomainState, tuple[dict[str, int], ...], dict[str, EndpointBook],
              dict[str, tuple[int, float]]]

P = "bitiful_cdn_"
_SERIES_GAUGES = {
    "traffic": (P + "edge_traffic_bytes", "Edge traffic of the last complete hour (bytes)."),
    "traffic_origin": (P + "origin_traffic_bytes",
                       "Origin traffic of the last complete hour (bytes)."),
    "request": (P + "edge_requests", "Edge requests of the last complete hour."),
    "request_origin": (P + "origin_requests", "Origin requests of the last complete hour."),
}


class ExporterCollector:
    """Reads the exporter's counters and books under their locks; builds nothing else."""

    def __init__(self, exporter: Exporter) -> None:
        self.exporter = exporter

    def describe(self) -> list[Metric]:
        return []  # registered without a first collect (nothing is known yet)

    def collect(self) -> Iterator[Metric]:
        ex = self.exporter
        seen: list[_Seen] = []
        for st in ex.states:  # each domain's copies once, each under its lock, held briefly
            endpoints, buckets = ex.books[st.domain].snapshot()
            seen.append((st, ex.counts[st.domain].snapshot(), endpoints, buckets))
        yield from self._log_families(seen)
        yield from self._series_families(seen)
        yield from self._api_families(seen)

    def _log_families(self, seen: list[_Seen]) -> Iterator[Metric]:
        ex = self.exporter
        req = CounterMetricFamily(P + "log_requests", "Log entries counted since the start, "
                                  "by status class.", labels=["cdn_domain", "status_class"])
        size = CounterMetricFamily(P + "log_response_bytes", "Response bytes of the counted "
                                   "entries, by status class.",
                                   labels=["cdn_domain", "status_class"])
        codes = CounterMetricFamily(P + "log_requests_by_status", "Log entries by exact "
                                    "status code (100-599, else other).",
                                    labels=["cdn_domain", "status"])
        cache = CounterMetricFamily(P + "log_cache_requests", "Log entries by cache status "
                                    "(HIT, MISS, other), when entries carry one.",
                                    labels=["cdn_domain", "cache"])
        lag = GaugeMetricFamily(P + "log_lag_seconds", "Now minus the time up to which the "
                                "tail has read every entry.", labels=["cdn_domain"])
        start = GaugeMetricFamily(P + "log_start_timestamp_seconds", "Where counting began "
                                  "(Unix seconds): entries at or after it are counted once.",
                                  labels=["cdn_domain"])
        now_s = ex.clock_ns() / 1e9
        for st, counts, _, _ in seen:
            d = st.domain
            by_class, by_bytes, by_code, by_cache = counts
            for cls in STATUS_CLASSES:
                req.add_metric([d, cls], by_class.get(cls, 0))
                size.add_metric([d, cls], by_bytes.get(cls, 0))
            for code in sorted(by_code):
                codes.add_metric([d, code], by_code[code])
            if by_cache:  # only once entries carry a cache status
                for c in CACHE_VALUES:
                    cache.add_metric([d, c], by_cache.get(c, 0))
            if st.tail_start_ns is not None:
                start.add_metric([d], st.tail_start_ns / 1e9)
                covered = max(st.covered_ns, st.tail_start_ns)
                lag.add_metric([d], max(0.0, now_s - covered / 1e9))
        yield from (req, size, codes, cache, lag, start)

    def _series_families(self, seen: list[_Seen]) -> Iterator[Metric]:
        gauges = {k: GaugeMetricFamily(name, doc, labels=["cdn_domain"])
                  for k, (name, doc) in _SERIES_GAUGES.items()}
        bucket = GaugeMetricFamily(P + "series_bucket_start_timestamp_seconds", "Start of the "
                                   "bucket the series gauges report (Unix seconds).",
                                   labels=["cdn_domain", "metric"])
        offload = GaugeMetricFamily(P + "offload_ratio", "Share served from the edge cache in "
                                    "the last complete hour: 1 - origin/edge (0..1).",
                                    labels=["cdn_domain", "of"])
        for st, _, _, buckets in seen:
            d = st.domain
            for metric, (t, value) in sorted(buckets.items()):
                gauges[metric].add_metric([d], value)
                bucket.add_metric([d, metric], t)
            for of, edge_m, origin_m in (("traffic", "traffic", "traffic_origin"),
                                         ("requests", "request", "request_origin")):
                edge, origin = buckets.get(edge_m), buckets.get(origin_m)
                # the same hour on both sides, and something served at the edge
                if edge and origin and edge[0] == origin[0] and edge[1] > 0:
                    offload.add_metric([d, of], min(1.0, max(0.0, 1 - origin[1] / edge[1])))
        yield from gauges.values()
        yield from (bucket, offload)

    def _api_families(self, seen: list[_Seen]) -> Iterator[Metric]:
        up = GaugeMetricFamily(P + "up", "1 when the last poll of the endpoint succeeded.",
                               labels=["cdn_domain", "endpoint"])
        reqs = CounterMetricFamily(P + "api_requests", "Vendor API requests made.",
                                   labels=["cdn_domain", "endpoint"])
        errs = CounterMetricFamily(P + "api_errors", "Vendor API requests that failed, by "
                                   "kind.", labels=["cdn_domain", "endpoint", "kind"])
        last = GaugeMetricFamily(P + "last_success_timestamp_seconds", "When the endpoint "
                                 "last answered usefully (Unix seconds).",
                                 labels=["cdn_domain", "endpoint"])
        for st, _, endpoints, _ in seen:
            d = st.domain
            for name in ENDPOINTS:
                book = endpoints[name]
                reqs.add_metric([d, name], book.requests)
                # the kinds seen so far (in ERROR_KINDS order): zeros for all seven on every
                # endpoint of every domain were 45 % of a scrape's samples
                for kind in ERROR_KINDS:
                    if kind in book.errors:
                        errs.add_metric([d, name, kind], book.errors[kind])
                if book.up is not None:
                    up.add_metric([d, name], 1.0 if book.up else 0.0)
                if book.last_success_s is not None:
                    last.add_metric([d, name], book.last_success_s)
        yield from (up, reqs, errs, last)
