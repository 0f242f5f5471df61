"""Scenario 5, memory: RSS with the default 100k-entry buffer full, and RSS growth in a soak.

- full buffer: the headless dashboard in a fresh process, fed by its real pollers from the
  simulator (own process, frozen clock, a backlog of more than 100k entries so the buffer
  fills and evicts); RSS after the backlog is in, a filter toggled and a full GC. Baseline: a
  bare Textual app's RSS measured the same way.
- soak: the installed `s4top` in a 120x40 pty, tailing ~5k entries/s with a full buffer from
  the start; RSS is read after a warm-up and again at the end (60 s; 10 minutes with
  `--long`). Baseline: the minimal Textual app idling in a pty over the same window.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from .env import DOMAIN, REPO, child_env
from .harness import Figure, Options, figure
from .harness import failed as failed_figures
from .responsiveness import configured_rate
from .simproc import SimProcess
from .terminal import dashboard_drawn, live_and_caught_up, python_terminal, s4top_terminal

NAME = "memory"
NS = 1_000_000_000
FULL = "RSS, headless dashboard, 100k-entry buffer full"
SOAK = "RSS growth in a soak, s4top tailing 5k entries/s"
SOAK_TARGET = "<= 5 % (10-minute soak)"


def run(opts: Options) -> list[Figure]:
    want = int(opts.pick(100_000, 3_000))
    soak_s = 600.0 if opts.long else opts.pick(60.0, 0.5)
    opts.log(f"memory: headless dashboard with a full buffer, a bare app, a {soak_s:.0f} s soak")
    settle = opts.pick(1.0, 0.1)
    full, bare, soak = opts.each([lambda: _full_buffer(want, settle),
                                  lambda: _child("bare", {"settle": settle}),
                                  lambda: _soak(soak_s, opts)])
    return [
        figure(NAME, FULL, full["rss_kb"] / 1024, "MB", bare["rss_kb"] / 1024,
               "bare Textual app", "<= 150 MB", lambda v, _b: v <= 150,
               note=f"{full['buffered']} entries buffered, {full['evicted']} evicted"),
        figure(NAME, SOAK, soak["growth_pct"], "%", soak["base_growth_pct"],
               "minimal Textual app, same window", SOAK_TARGET,
               (lambda v, _b: v <= 5) if opts.long else None,
               note=f"over {soak_s:g} s after a warm-up: "
                    f"s4top RSS {soak['rss0'] / 1024:.1f} -> {soak['rss1'] / 1024:.1f} MB "
                    f"(peak {soak['peak'] / 1024:.1f}), ~{soak['rate']:.0f} entries/s served; "
                    + ("" if opts.long else "the short soak has no target (run with --long)")),
    ]


def _full_buffer(want: int, settle: float) -> dict:
    rate = 5000.0
    now = time.time_ns() // 1_000_000 * 1_000_000
    with SimProcess(rate=rate, incidents=False, frozen=True, start_ns=now, seed=5,
                    cache_entries=max(300_000, 3 * want)) as sim:
        span = int(want * 1.3 / (rate * 0.4)) + 2
        probe = sim.ask("truth", start_ns=now - span * NS, end_ns=now,
                        nth_from_end=int(want * 1.2))
        backlog_s = (now - probe["nth_time"]) / NS
        return _child("dashboard", {"base_url": sim.base_url, "domain": DOMAIN,
                                    "backlog_s": backlog_s, "now_ns": now, "want": want,
                                    "settle": settle})


def _child(kind: str, args: dict) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.memchild", kind, json.dumps(args)],
                         capture_output=True, text=True, env=child_env(ours=True),
                         cwd=str(REPO), timeout=300)
    if out.returncode != 0:
        raise RuntimeError(f"memchild {kind} failed: {out.stderr[-400:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _soak(seconds: float, opts: Options) -> dict:
    with SimProcess(rate=configured_rate(5000), incidents=False, seed=13) as sim:
        term = s4top_terminal(sim.base_url, 'backlog = "30s"\n' if not opts.quick
                              else 'backlog = "2s"\n', name="soak")
        base = python_terminal("minimal_app")
        try:
            if term.wait_for(dashboard_drawn, 20) is None:
                raise RuntimeError("the dashboard never drew")
            if term.wait_for(live_and_caught_up, 120) is None:
                raise RuntimeError("the dashboard never caught up")
            time.sleep(opts.pick(10.0, 0.2))  # warm-up: caches, charts, first GCs
            s0, r0, b0 = sim.ask("stats"), term.proc.rss_kb(), base.proc.rss_kb()
            t0 = time.monotonic()
            peak = r0
            while time.monotonic() - t0 < seconds:
                time.sleep(min(5.0, max(0.1, seconds - (time.monotonic() - t0))))
                term.drain()
                peak = max(peak, term.proc.rss_kb())
            s1, r1, b1 = sim.ask("stats"), term.proc.rss_kb(), base.proc.rss_kb()
            dt = time.monotonic() - t0
        finally:
            term.close()
            base.close()
    return {"growth_pct": 100 * (r1 - r0) / r0, "base_growth_pct": 100 * (b1 - b0) / b0,
            "rss0": r0, "rss1": r1, "peak": max(peak, r1),
            "rate": (s1["served"] - s0["served"]) / dt}


def failed(error: str) -> list[Figure]:
    return failed_figures(NAME, [(FULL, "MB", "<= 150 MB"), (SOAK, "%", SOAK_TARGET)], error)
