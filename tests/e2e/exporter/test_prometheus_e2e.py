"""End to end: a real Prometheus (Debian's package, started here on a free port with a temp
store) scrapes the real `s4top exporter`, which tails the simulator over loopback through
injected faults. Prometheus' HTTP API must then show request counters equal to the
simulator's truth from the exported start to the tail's horizon (the simulator's clock is
frozen at the end, so the horizon is exact), API-error counters moved by each fault, and
data for every query of the Grafana dashboard."""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import cli_env
from tests.integration.cli_support import start
from tests.integration.exporter.support import free_port, require_tool, wait_listening, write_config
from tests.integration.exporter.test_deploy import dashboard_queries
from tui.sim import DEMO_TOKEN, SimConfig, SimServer

pytestmark = pytest.mark.slow

DOMAINS = ("cdn.example.com", "img.example.com")
CLASSES = {2: "2XX", 3: "3XX", 4: "4XX", 5: "5XX", 1: "1XX"}

#: each fault, and the error kind it must be counted as
FAULTS: list[tuple[dict[str, Any], str]] = [
    ({"path": "logs", "status": 503, "count": 3}, "server"),
    ({"path": "logs", "status": 429, "retry_after": 0, "count": 2}, "rate_limited"),
    ({"path": "logs", "reset": True, "count": 2}, "network"),  # processed, answer lost
    ({"path": "logs", "truncate": "json", "count": 2}, "unexpected_shape"),
    ({"path": "series", "status": 500, "count": 4}, "server"),
    ({"path": "logs", "hang": True, "hang_s": 4, "count": 1}, "timeout"),
]


class Prom:
    """A Prometheus server of the test's own: free port, temp storage, scrapes every 0.5 s
    (the test waits for what was scraped, so the interval only sets how long it waits)."""

    def __init__(self, workdir: Path, target: str) -> None:
        binary = require_tool("prometheus")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = workdir / "prometheus.yml"
        cfg.write_text("global:\n  scrape_interval: 500ms\n  evaluation_interval: 500ms\n"
                       "scrape_configs:\n  - job_name: s4top\n    static_configs:\n"
                       f"      - targets: ['{target}']\n")
        self.log = open(workdir / "prometheus.log", "wb")
        self.proc = subprocess.Popen(
            [binary, f"--config.file={cfg}", f"--storage.tsdb.path={workdir / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL, start_new_session=True)
        self.http = httpx.Client(timeout=10)  # one client: a new one per query builds an SSL context

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "prometheus exited: see prometheus.log"
            try:
                if self.http.get(self.url + "/-/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("prometheus did not become ready")

    def query(self, q: str) -> list[dict[str, Any]]:
        r = self.http.get(self.url + "/api/v1/query", params={"query": q})
        body = r.json()
        assert r.status_code == 200 and body["status"] == "success", (q, body)
        return body["data"]["result"]

    def by(self, q: str, label: str) -> dict[str, float]:
        return {row["metric"].get(label, ""): float(row["value"][1]) for row in self.query(q)}

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.http.close()
        self.log.close()


def sim_admin(sim: SimServer, method: str, path: str, **kw: Any) -> Any:
    r = httpx.request(method, sim.base_url + path, timeout=10, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def truth_by_class(sim: SimServer, domain: str, start_ns: int, end_ns: int) -> Counter[str]:
    got = sim_admin(sim, "GET", "/_sim/truth",
                    params={"domain": domain, "start_ns": start_ns, "end_ns": end_ns})
    entries = got["data"] if isinstance(got, dict) else got
    return Counter(CLASSES.get(int(e["code"]) // 100, "other") for e in entries)


def inject_faults(sim: SimServer) -> None:
    """The faults of the logs one at a time, each until it has been used up; the series
    fault alongside them (another endpoint and poller: never the same request)."""
    def left(path: str) -> list[dict[str, Any]]:
        return [f for f in sim_admin(sim, "GET", "/_sim/faults")["faults"] if f["path"] == path]

    for rule, _kind in FAULTS:
        if rule["path"] == "series":
            sim_admin(sim, "POST", "/_sim/faults", json={**rule, "add": True})
    for rule, _kind in FAULTS:
        if rule["path"] != "logs":
            continue
        sim_admin(sim, "POST", "/_sim/faults", json={**rule, "add": True})
        deadline = time.monotonic() + 20
        while left("logs"):
            assert time.monotonic() < deadline, f"fault {rule} was not used up"
            time.sleep(0.1)
    deadline = time.monotonic() + 20
    while left("series"):
        assert time.monotonic() < deadline, "the series fault was not used up"
        time.sleep(0.1)


def wait_until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        ok, last = check()
        if ok:
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; last: {last}")


def test_prometheus_sees_the_truth_through_faults(tmp_path: Path) -> None:
    require_tool("prometheus")
    sim = SimServer(SimConfig(seed=13, rate=25.0, domains=DOMAINS))
    sim.start()
    cfg = write_config(tmp_path / "config.toml", exporter_poll_interval=0.5,
                       exporter_series_interval=1.0, backoff_base=0.2, backoff_cap=1.0,
                       auth_backoff=0.5, read_timeout=1.5, connect_timeout=1.5)
    env = cli_env(sim.base_url, S4TOP_CONFIG=str(cfg))  # the token travels in the environment
    env.pop("S4TOP_DOMAIN")
    port = free_port()
    args = ["exporter", "--listen", f"127.0.0.1:{port}"]
    for d in DOMAINS:
        args += ["--domain", d]
    # Prometheus first: it applies its targets only seconds after it starts, time in which
    # the exporter starts too (until then its scrapes of the port fail, which is harmless)
    prom: Prom | None = None
    try:
        prom = Prom(tmp_path, f"127.0.0.1:{port}")
        with start(args, env, tmp_path / "exporter") as exporter:
            wait_listening(exporter)
            prom.wait_ready()
            wait_until(lambda: (len(prom.query("bitiful_cdn_log_start_timestamp_seconds")) == 2,
                                None), 20, "the first scrape")
            wait_until(lambda: (set(prom.by("sum by (cdn_domain) (bitiful_cdn_log_requests_total)",
                                            "cdn_domain")) == set(DOMAINS), None),
                       20, "requests of both domains scraped before the faults")
            inject_faults(sim)

            def every_kind_counted() -> tuple[bool, Any]:
                errors = prom.by("sum by (kind) (bitiful_cdn_api_errors_total)", "kind")
                return all(errors.get(kind, 0) >= 1 for _rule, kind in FAULTS), errors

            wait_until(every_kind_counted, 20, "each fault counted and scraped")
            sim.sim.clock.set(sim.sim.clock.now_ns())
            sim.sim.clock.frozen = True  # no entry after this moment: the horizon is exact
            horizon = sim.sim.clock.now_ns()
            starts = prom.by("bitiful_cdn_log_start_timestamp_seconds", "cdn_domain")
            truth = {d: truth_by_class(sim, d, round(starts[d] * 1e9), horizon) for d in DOMAINS}

            def counters_match() -> tuple[bool, Any]:
                got = {d: prom.by(f'bitiful_cdn_log_requests_total{{cdn_domain="{d}"}}',
                                  "status_class") for d in DOMAINS}
                want = {d: {c: float(truth[d].get(c, 0)) for c in got[d]} for d in DOMAINS}
                return got == want and all(truth.values()), (got, truth)

            wait_until(counters_match, 20, "the counters to equal the truth")
            errors = prom.by("sum by (kind) (bitiful_cdn_api_errors_total)", "kind")
            for rule, kind in FAULTS:
                assert errors.get(kind, 0) >= 1, (rule, errors)
            want_server = sum(r["count"] for r, k in FAULTS if k == "server")
            assert errors["server"] >= want_server and errors.get("auth", 0) == 0, errors
            assert prom.by("sum(bitiful_cdn_api_requests_total)", "")[""] > sum(errors.values())
            for q in dashboard_queries(rate_interval="10s", domain="|".join(DOMAINS)):
                if q.startswith("label_values"):
                    values = prom.http.get(prom.url + "/api/v1/label/cdn_domain/values"
                                           ).json()["data"]
                    assert set(DOMAINS) <= set(values)
                    continue
                assert prom.query(q), f"no data for the dashboard query {q}"
            result = exporter.stop(signal.SIGTERM)
        assert result.rc == 0, result.err
        assert DEMO_TOKEN not in result.err and DEMO_TOKEN not in result.out
    finally:
        if prom is not None:
            prom.stop()
        sim.stop()
