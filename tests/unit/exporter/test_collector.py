"""The collector: every documented name, fresh families per scrape, no timestamps, the
partial bucket never reported, error kinds from the API's error types."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from tui.api.client import S4Client
from tui.api.errors import (
    ApiError,
    ApiTimeout,
    AuthError,
    BadRequest,
    NetworkError,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from tui.core.models import LogEntry, Metric, Series
from tui.exporter.collector import ExporterCollector
from tui.exporter.observe import error_kind, last_complete
from tui.exporter.runner import Exporter, PollSettings, in_shard, parse_shard

ROOT = Path(__file__).resolve().parents[3]
NOW_S = 1_795_168_800 + 1800  # half past an hour
D = "cdn.example.com"

#: every sample name the README documents (tests/unit/exporter/test_collector.py holds it)
NAMES = {
    "bitiful_cdn_log_requests_total", "bitiful_cdn_log_response_bytes_total",
    "bitiful_cdn_log_requests_by_status_total", "bitiful_cdn_log_cache_requests_total",
    "bitiful_cdn_log_lag_seconds", "bitiful_cdn_log_start_timestamp_seconds",
    "bitiful_cdn_edge_traffic_bytes", "bitiful_cdn_origin_traffic_bytes",
    "bitiful_cdn_edge_requests", "bitiful_cdn_origin_requests",
    "bitiful_cdn_series_bucket_start_timestamp_seconds", "bitiful_cdn_offload_ratio",
    "bitiful_cdn_up", "bitiful_cdn_api_requests_total", "bitiful_cdn_api_errors_total",
    "bitiful_cdn_last_success_timestamp_seconds",
}


def make_exporter(domains: tuple[str, ...] = (D,)) -> Exporter:
    client = S4Client("http://127.0.0.1:9", "unused-token")  # never called here
    return Exporter(list(domains), client, PollSettings(), clock_ns=lambda: NOW_S * 10**9)


def scrape(ex: Exporter) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    reg = CollectorRegistry()
    reg.register(ExporterCollector(ex))
    out = {}
    for fam in text_string_to_metric_families(generate_latest(reg).decode()):
        for s in fam.samples:
            assert s.timestamp is None  # no exposition timestamps
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(samples: dict, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted({"cdn_domain": D, **labels}.items()))))


def fed(ex: Exporter) -> Exporter:
    st = ex.states[0]
    st.tail_start_ns = (NOW_S - 100) * 10**9
    st.covered_ns = (NOW_S - 4) * 10**9
    st.ingest([LogEntry(time_ns=(NOW_S - 50) * 10**9, status=503, size=10, cache="MISS",
                        source_keys={"cache": "cache"})])
    book = ex.books[D]
    book.record("logs", None, NOW_S - 4.0)
    book.record("traffic", ServerError("boom", status=502), NOW_S - 3.0)
    hour = NOW_S - 1800 - 3600
    book.buckets.update({"traffic": (hour, 1000.0), "traffic_origin": (hour, 250.0),
                         "request": (hour, 10.0), "request_origin": (hour - 3600, 1.0)})
    return ex


def test_every_documented_name_and_only_those() -> None:
    ex = fed(make_exporter())
    ex.books[D].record("request_origin", None, NOW_S - 1.0)
    names = {name for name, _ in scrape(ex)}
    assert names == NAMES


def test_log_counters_lag_and_start() -> None:
    s = scrape(fed(make_exporter()))
    assert value(s, "bitiful_cdn_log_requests_total", status_class="5XX") == 1
    assert value(s, "bitiful_cdn_log_requests_total", status_class="2XX") == 0  # from zero
    assert value(s, "bitiful_cdn_log_response_bytes_total", status_class="5XX") == 10
    assert value(s, "bitiful_cdn_log_requests_by_status_total", status="503") == 1
    assert value(s, "bitiful_cdn_log_cache_requests_total", cache="MISS") == 1
    assert value(s, "bitiful_cdn_log_lag_seconds") == 4
    assert value(s, "bitiful_cdn_log_start_timestamp_seconds") == NOW_S - 100


def test_a_tail_that_never_read_shows_lag_growing_from_its_start() -> None:
    ex = make_exporter()
    assert value(scrape(ex), "bitiful_cdn_log_lag_seconds") is None  # not started yet
    ex.states[0].tail_start_ns = (NOW_S - 30) * 10**9
    assert value(scrape(ex), "bitiful_cdn_log_lag_seconds") == 30


def test_no_cache_family_until_entries_carry_a_cache_status() -> None:
    ex = make_exporter()
    ex.states[0].ingest([LogEntry(time_ns=1, status=200)])
    assert not [k for k in scrape(ex) if k[0] == "bitiful_cdn_log_cache_requests_total"]


def test_api_books_up_errors_and_last_success() -> None:
    s = scrape(fed(make_exporter()))
    assert value(s, "bitiful_cdn_up", endpoint="logs") == 1
    assert value(s, "bitiful_cdn_up", endpoint="traffic") == 0
    assert value(s, "bitiful_cdn_up", endpoint="request") is None  # no call has ended yet
    assert value(s, "bitiful_cdn_api_requests_total", endpoint="traffic") == 1
    assert value(s, "bitiful_cdn_api_errors_total", endpoint="traffic", kind="server") == 1
    assert value(s, "bitiful_cdn_api_errors_total", endpoint="logs", kind="auth") is None
    assert value(s, "bitiful_cdn_last_success_timestamp_seconds", endpoint="logs") == NOW_S - 4
    assert value(s, "bitiful_cdn_last_success_timestamp_seconds", endpoint="traffic") is None


def test_series_gauges_and_offload_of_the_same_hour_only() -> None:
    s = scrape(fed(make_exporter()))
    assert value(s, "bitiful_cdn_edge_traffic_bytes") == 1000
    assert value(s, "bitiful_cdn_series_bucket_start_timestamp_seconds",
                 metric="traffic") == NOW_S - 1800 - 3600
    assert value(s, "bitiful_cdn_offload_ratio", of="traffic") == 0.75
    assert value(s, "bitiful_cdn_offload_ratio", of="requests") is None  # hours differ


def test_fresh_families_per_scrape_a_vanished_value_disappears() -> None:
    ex = fed(make_exporter())
    assert value(scrape(ex), "bitiful_cdn_edge_requests") == 10
    del ex.books[D].buckets["request"]
    assert value(scrape(ex), "bitiful_cdn_edge_requests") is None


def test_the_partial_bucket_is_never_the_last_complete_one() -> None:
    hour = 1_795_168_800
    s = Series(Metric.TRAFFIC, "hourly", [(hour - 3600, 900.0), (hour, 5.0)])
    assert last_complete(s, hour + 1800) == (hour - 3600, 900.0)  # `hour` is still filling
    assert last_complete(s, hour + 3600) == (hour, 5.0)
    assert last_complete(Series(Metric.TRAFFIC, "hourly", [(hour, 5.0)]), hour + 10) is None


@pytest.mark.parametrize(("exc", "kind"), [
    (AuthError("no"), "auth"), (RateLimited("slow"), "rate_limited"),
    (ApiTimeout("late"), "timeout"), (NetworkError("reset"), "network"),
    (ServerError("500"), "server"), (BadRequest("400"), "bad_request"),
    (UnexpectedResponse("shape"), "unexpected_shape"), (ApiError("other"), "unexpected_shape"),
])
def test_error_kinds_from_the_api_error_types(exc: ApiError, kind: str) -> None:
    assert error_kind(exc) == kind


def test_shards_split_the_domains_exactly() -> None:
    domains = [f"d{i}.example.com" for i in range(40)]
    parts = [[d for d in domains if in_shard(d, k, 3)] for k in (1, 2, 3)]
    assert sorted(sum(parts, [])) == sorted(domains) and all(parts)
    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/3", "4/3", "x", "1/0", "-1/2"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_the_exporter_and_a_scrape_load_no_textual() -> None:
    code = (
        "import sys\n"
        "from prometheus_client import CollectorRegistry, generate_latest\n"
        "import tui.commands.exporter\n"
        "from tui.api.client import S4Client\n"
        "from tui.exporter.collector import ExporterCollector\n"
        "from tui.exporter.runner import Exporter, PollSettings\n"
        "from tui.exporter.server import MetricsServer\n"
        "ex = Exporter(['cdn.example.com'], S4Client('http://127.0.0.1:9', 't'), PollSettings())\n"
        "reg = CollectorRegistry(); reg.register(ExporterCollector(ex))\n"
        "assert b'bitiful_cdn_log_requests_total' in generate_latest(reg)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')\n"
        "             or m.startswith(('tui.screens', 'tui.widgets', 'tui.app'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


def test_the_readme_documents_every_metric_name() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running it for a team", 1)[1].split("\n## ", 1)[0]
    assert [n for n in sorted(NAMES) if f"`{n}`" not in section] == []
