"""Scenario 4, bytes over SSH: what the terminal receives while tailing ~1k entries/s at
120x40, and when nothing arrives.

The installed `s4top` runs in a real pty (the terminal answers that it supports synchronized
output, so every frame is bracketed and counted) against the simulator in its own process.
After the backlog is in and a warm-up, bytes/s, frames/s and CPU% (from /proc) are taken over
a window. Idle: the simulator's rate is 0. The baseline is `benchmarks/naive_tail.py`, a tail
that writes every poll (every 0.1 s) to Textual's `Log`, measured the same way in the same run.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .env import DOMAIN
from .harness import Figure, Options, figure
from .harness import failed as failed_figures
from .responsiveness import configured_rate
from .simproc import SimProcess
from .terminal import Terminal, dashboard_drawn, live_and_caught_up, python_terminal, s4top_terminal

NAME = "bytes"
RATE = 1000.0
NAIVE_POLL_S = 0.1
TAIL = "bytes/s to the terminal, tailing 1k entries/s at 120x40"
FPS = "frames/s while tailing 1k entries/s"
IDLE = "bytes/s to the terminal, idle (no new entries)"
CPU = "CPU, idle"
TAIL_CPU = "CPU while tailing 1k entries/s"


def run(opts: Options) -> list[Figure]:
    window = opts.pick(20.0, 0.5)
    runs = [(who, rate) for who in ("s4top", "naive") for rate in (RATE, 0.0)]
    opts.log("bytes: " + ", ".join(f"{who} at {rate:.0f} entries/s" for who, rate in runs))
    got = opts.each([lambda w=who, r=rate: _measure(w, r, window, opts) for who, rate in runs])
    results = dict(zip(runs, got, strict=True))
    s, n = results["s4top", RATE], results["naive", RATE]
    si, ni = results["s4top", 0.0], results["naive", 0.0]
    naive = f"naive Log tail, {NAIVE_POLL_S:g} s poll"
    return [
        figure(NAME, TAIL, s["bytes"] / 1000, "KB/s", n["bytes"] / 1000, naive, "<= 64 KB/s",
               lambda v, _b: v <= 64,
               note=f"{s['served']:.0f} entries/s served to s4top, {n['served']:.0f} to the "
                    f"naive tail; {s['bytes'] / max(s['frames'], 1e-9) / 1000:.1f} KB per "
                    f"frame; window {window:.0f} s"),
        figure(NAME, FPS, s["frames"], "frames/s", n["frames"], naive,
               ">= 3 (several updates a second)", lambda v, _b: v >= 3),
        figure(NAME, TAIL_CPU, s["cpu"], "%", n["cpu"], naive, "", None),
        figure(NAME, IDLE, si["bytes"], "B/s", ni["bytes"], naive, "<= 1,000 B/s",
               lambda v, _b: v <= 1000, note=f"{si['frames']:.2f} frames/s idle"),
        figure(NAME, CPU, si["cpu"], "%", ni["cpu"], naive, "<= 1 %", lambda v, _b: v <= 1.0),
    ]


def _measure(who: str, rate: float, window: float, opts: Options) -> dict[str, float]:
    cfg = {"rate": configured_rate(rate) if rate else 0.0, "incidents": False, "seed": 17}
    backlog = 10.0 if not opts.quick else 2.0
    with SimProcess(**cfg) as sim:
        term: Terminal
        ready: Callable
        if who == "s4top":
            term = s4top_terminal(sim.base_url, f'backlog = "{backlog:g}s"\n', name="bytes")
            ready = _s4top_ready
        else:
            term = python_terminal("naive_tail", sim.base_url, DOMAIN, str(backlog),
                                   str(NAIVE_POLL_S))
            ready = _naive_ready
        try:
            if not ready(term):
                raise RuntimeError(f"{who} did not start: {term.screen.row(0).strip()!r}")
            time.sleep(opts.pick(3.0, 0.2))  # warm-up: the backlog drawn, charts settled
            p = term.proc
            s0, c0, t0 = sim.ask("stats"), p.cpu_seconds(), time.monotonic()
            time.sleep(window)
            s1, c1, t1 = sim.ask("stats"), p.cpu_seconds(), time.monotonic()
            dt = t1 - t0
            return {"bytes": p.bytes_between(t0, t1) / dt, "frames": p.frames_between(t0, t1) / dt,
                    "cpu": 100 * (c1 - c0) / dt, "served": (s1["served"] - s0["served"]) / dt}
        finally:
            term.close()


def _s4top_ready(term: Terminal) -> bool:
    return (term.wait_for(dashboard_drawn, 20) is not None
            and term.wait_for(live_and_caught_up, 60) is not None)


def _naive_ready(term: Terminal) -> bool:
    """A first whole frame was drawn (idle, it is blank: nothing to show)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if term.proc.frames_between(0.0, float("inf")) > 0:
            return True
        time.sleep(0.05)
    return False


def failed(error: str) -> list[Figure]:
    return failed_figures(NAME, [(TAIL, "KB/s", "<= 64 KB/s"), (FPS, "frames/s", ">= 3"),
                                 (TAIL_CPU, "%", ""), (IDLE, "B/s", "<= 1,000 B/s"),
                                 (CPU, "%", "<= 1 %")], error)
