"""Scenario exporter: `s4top exporter` tailing 20 domains at a total 5k entries/s.

- CPU: the exporter's user+system time over a soak after a warm-up, as a share of one core
  (target <= 10 %). Baseline: the same exporter on the same 20 domains with almost no
  traffic (what polling alone costs).
- RSS: after the warm-up, at the end, and its peak; growth over the soak (flat: <= 10 %),
  absolute <= 80 MB.
- Scrape latency: p95 of GET /metrics (200 scrapes after the soak; target <= 20 ms).
  Baseline: the p95 of the idle exporter's scrapes. The note gives the p95 of GET / (one
  line, nothing to build) on the same busy exporter: the part of the latency that the load
  on the machine and the ingest cost any request.

The simulator runs in its own process (python -m benchmarks.exporter --sim CONFIG), as the
real API is on another machine; the exporter is the installed `s4top`, with its default
poll intervals (exporter_poll_interval 10 s, exporter_series_interval 5 m).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from .env import REPO, child_env, s4top_exe, write_config
from .harness import Figure, Options, figure
from .harness import failed as failed_figures

NAME = "exporter"
DOMAINS = [f"d{i:02d}.example.com" for i in range(20)]
CPU = "exporter CPU, 20 domains, 5k entries/s in all"
RSS = "exporter RSS at the end of the soak"
GROWTH = "exporter RSS growth over the soak"
SCRAPE = "exporter scrape latency p95"


def failed(error: str) -> list[Figure]:
    return failed_figures(NAME, [(CPU, "% of a core", "<= 10 %"), (RSS, "MB", "<= 80 MB"),
                                 (GROWTH, "%", "<= 10 %"), (SCRAPE, "ms", "<= 20 ms")], error)


def run(opts: Options) -> list[Figure]:
    # --quick: only running matters (the smoke test): short windows, a fifth of the traffic
    warm, soak = opts.pick(20.0, 0.5), opts.pick(90.0, 0.5)  # quick: one poll in each
    total = opts.pick(5000.0, 1000.0)
    scrapes = int(opts.pick(200, 5))
    opts.log(f"exporter: 20 domains, {total:g} entries/s, {warm:.0f} s warm-up, {soak:.0f} s soak")
    opts.log("exporter: then the same 20 domains with almost no traffic (baseline)"
             + (", side by side with --quick" if opts.quick else ""))
    busy, idle = opts.each([
        lambda: _measure(total / len(DOMAINS), warm, soak, scrapes, opts),
        lambda: _measure(0.01, opts.pick(10.0, 0.2), opts.pick(30.0, 0.2), scrapes, opts)])
    rate_note = (f"{busy['rate']:.0f} entries/s counted, {busy['pages']:.0f} log pages; "
                 f"RSS {busy['rss0']:.1f} -> {busy['rss1']:.1f} MB (peak {busy['peak']:.1f})")
    return [
        figure(NAME, CPU, busy["cpu_pct"], "% of a core", idle["cpu_pct"],
               "same exporter, no traffic", "<= 10 %", lambda v, _b: v <= 10, note=rate_note),
        figure(NAME, RSS, busy["rss1"], "MB", idle["rss1"], "same exporter, no traffic",
               "<= 80 MB", lambda v, _b: v <= 80),
        figure(NAME, GROWTH, busy["growth"], "%", idle["growth"], "same exporter, no traffic",
               "<= 10 %", (lambda v, _b: v <= 10) if not opts.quick else None,
               note=f"over {soak:.0f} s after a {warm:.0f} s warm-up"),
        figure(NAME, SCRAPE, busy["p95_ms"], "ms", idle["p95_ms"], "same exporter, no traffic",
               "<= 20 ms", lambda v, _b: v <= 20,
               note=f"{scrapes} scrapes, median {busy['p50_ms']:.1f} ms, "
                    f"{busy['scrape_cpu_ms']:.1f} ms of the exporter's CPU each, "
                    f"{busy['bytes'] / 1024:.0f} kB of text (sent gzipped); GET / on the same "
                    f"exporter (no metrics): p95 {busy['floor_p95_ms']:.1f} ms; "
                    f"load average {_load()}"),
    ]


def _measure(rate: float, warm: float, soak: float, scrapes: int, opts: Options) -> dict:
    sim_cfg: dict[str, Any] = {"rate": rate, "domains": DOMAINS}
    if opts.quick:
        # the series asked at the exporter's start are summed from generated entries over the
        # exact window (about 2000 s of each of the 20 domains: 5 s of a quick run's 8 s of
        # CPU); a quick run keeps the simulator's shortest (no figure reads the series)
        sim_cfg["exact_series_s"] = 60
    sim = subprocess.Popen([sys.executable, "-m", "benchmarks.exporter", "--sim",
                            json.dumps(sim_cfg)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                           env=child_env(ours=True))
    assert sim.stdout is not None
    base = sim.stdout.readline().strip()
    proc = None
    try:
        if not base.startswith("http"):
            raise RuntimeError(f"the simulator did not start: {base!r}")
        port = _free_port()
        # the default poll interval (10 s); a quick run polls faster to see entries at all
        cfg = write_config(f"exporter-{rate:g}", f'domains = {json.dumps(DOMAINS)}\n'
                           + ("exporter_poll_interval = 0.5\n" if opts.quick else ""))
        proc = subprocess.Popen(
            [s4top_exe(), "exporter", "--listen", f"127.0.0.1:{port}"],
            env=child_env(S4TOP_CONFIG=str(cfg), S4TOP_API_BASE=base),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{port}/metrics"
        _wait_up(url, proc)
        time.sleep(warm)
        c0, t0, n0, p0 = _cpu_s(proc.pid), time.monotonic(), *_counted(url)
        rss = [_rss_mb(proc.pid)]
        while time.monotonic() - t0 < soak:
            time.sleep(min(5.0, soak / 4))
            rss.append(_rss_mb(proc.pid))
        c1, t1, n1, p1 = _cpu_s(proc.pid), time.monotonic(), *_counted(url)
        lat, floor, size, c2 = [], [], 0, _cpu_s(proc.pid)
        with httpx.Client(timeout=10) as client:
            for _ in range(scrapes):
                s = time.perf_counter()
                size = len(client.get(url).content)
                lat.append((time.perf_counter() - s) * 1000)
                time.sleep(0.02)
            c3 = _cpu_s(proc.pid)
            # the floor: the same client, exporter and ingest, an answer of one line (what
            # the machine's load and the tails cost any request, with no metrics to build)
            for _ in range(scrapes):
                s = time.perf_counter()
                client.get(url.removesuffix("metrics"))
                floor.append((time.perf_counter() - s) * 1000)
                time.sleep(0.02)
        lat.sort()
        floor.sort()
        return {"scrape_cpu_ms": 1000 * (c3 - c2) / scrapes,
                "floor_p95_ms": floor[min(len(floor) - 1, int(0.95 * len(floor)))],
                "cpu_pct": 100 * (c1 - c0) / (t1 - t0), "rate": (n1 - n0) / (t1 - t0),
                "pages": p1 - p0, "rss0": rss[0], "rss1": rss[-1], "peak": max(rss),
                "growth": 100 * (rss[-1] - rss[0]) / rss[0],
                "p95_ms": lat[min(len(lat) - 1, int(0.95 * len(lat)))],
                "p50_ms": statistics.median(lat), "bytes": size}
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(20)
        if sim.stdin is not None:
            sim.stdin.close()
        sim.wait(20)


def _load() -> str:
    """The machine's 1-minute load average (the figures are wall-clock on a shared machine)."""
    return Path("/proc/loadavg").read_text().split()[0]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"s4top exporter exited: {err[-500:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("s4top exporter did not answer")


def _counted(url: str) -> tuple[float, float]:
    """(entries counted, log pages asked) in all domains, from the exporter's own metrics."""
    entries = pages = 0.0
    for line in httpx.get(url, timeout=10).text.splitlines():
        if line.startswith("bitiful_cdn_log_requests_total{"):
            entries += float(line.rsplit(" ", 1)[1])
        elif line.startswith("bitiful_cdn_api_requests_total{") and 'endpoint="logs"' in line:
            pages += float(line.rsplit(" ", 1)[1])
    return entries, pages


def _cpu_s(pid: int) -> float:
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _sim_main(config: dict[str, Any]) -> int:
    import time as _time

    from tui.sim import SimConfig, SimServer, Simulator

    # the simulator shapes its rate by the hour of day (x0.45-x1.55): scale it so that the
    # next few minutes average the rate asked for
    now = int(_time.time())
    shape = Simulator(SimConfig(rate=1.0, incidents=False)).model.day_factor
    factor = sum(shape(s + 0.5) for s in range(now, now + 300)) / 300
    exact = {k: int(config[k]) for k in ("exact_series_s",) if k in config}  # --quick
    server = SimServer(SimConfig(rate=float(config["rate"]) / factor,
                                 domains=tuple(config["domains"]), incidents=False, seed=3,
                                 **exact))
    print(server.start(), flush=True)
    try:
        sys.stdin.read()  # until the harness closes it
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--sim":
        sys.path.insert(0, str(REPO))
        sys.exit(_sim_main(json.loads(sys.argv[2])))
    sys.exit("usage: python -m benchmarks.exporter --sim CONFIG_JSON")
