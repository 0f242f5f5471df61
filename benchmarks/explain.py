"""Explain a spike over a full buffer: the ranking in the data model and the `w` key to screen.

- in the data model: `explain()` (tui/insight/explain.py) for focus 5XX and focus all over
  100k entries read from the simulator as the dashboard reads them, through the buffer's
  columns; baseline: `top_n` by URL over the same entries (one of the five passes the top-N
  screen makes).
- through the app: the installed `s4top` in a 120x40 pty with the buffer full (100k, from a
  frozen simulator at ~5k entries/s), key `w` to the screen showing "explain 5XX", then Esc;
  baseline: key `n` to the top-N screen the same way.
"""

from __future__ import annotations

import json
import re
import statistics
import time

from tui.api.parse import parse_logs
from tui.core.buffer import LogBuffer
from tui.insight.explain import columns_of_buffer, explain
from tui.insight.top import top_n

from .harness import Figure, Options, figure
from .harness import failed as failed_figures
from .pipeline import record_pages
from .responsiveness import configured_rate
from .simproc import SimProcess
from .terminal import buffered_count, dashboard_drawn, live_and_caught_up, s4top_terminal
from .vt import Screen

NAME = "explain"
MODEL = "explain 5XX over 100k entries, explain() on the buffer"
MODEL_ALL = "explain all over 100k entries, explain() on the buffer"
APP = "explain over 100k entries, key w to screen (pty)"
NS = 1_000_000_000


def run(opts: Options) -> list[Figure]:
    n = int(opts.pick(100_000, 3_000))
    opts.log("explain: the ranking over a full buffer, then the w key in the app")
    five, every, floor = _model(n)
    samples = int(opts.pick(10, 1))
    w, top, buffered = _app(samples, opts)
    return [
        figure(NAME, MODEL, five * 1000, "ms", floor * 1000, "top_n by URL", "<= 100 ms",
               lambda v, _b: v <= 100, note=f"{n} entries; median of 5"),
        figure(NAME, MODEL_ALL, every * 1000, "ms", floor * 1000, "top_n by URL", "", None,
               note=f"{n} entries; median of 5"),
        figure(NAME, APP, w * 1000, "ms", top * 1000, "key n (top-N)", "<= 150 ms",
               lambda v, _b: v <= 150, note=f"{buffered} entries buffered; median of "
                                            f"{samples} presses each"),
    ]


def _model(n: int) -> tuple[float, float, float]:
    _start, now, pages = record_pages(n)
    entries = [e for _, body in pages for e in parse_logs(json.loads(body), "logs")][-n:]
    buf = LogBuffer(max(n, 100_000))
    buf.extend(entries)
    start = entries[0].time_ns
    half = start + (now - start) // 2
    got: dict[str, list[float]] = {"5XX": [], "all": [], "floor": []}
    for _ in range(5):
        t0 = time.perf_counter()
        explain(columns_of_buffer(buf), "5XX", start, now)
        got["5XX"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        explain(columns_of_buffer(buf), "all", half, now)
        got["all"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        top_n(buf, "url", 0, n=50)
        got["floor"].append(time.perf_counter() - t0)
    return (statistics.median(got["5XX"]), statistics.median(got["all"]),
            statistics.median(got["floor"]))


def _explain_shown(s: Screen) -> bool:
    """The explain screen's title, whatever its focus: `w` explains the class of an active
    alert (a 4XX or MISS alert can fire at this rate at some hours of the simulated day)."""
    return re.search(r"\bexplain (5XX|4XX|MISS|all requests)\b", s.row(0)) is not None


def _top_shown(s: Screen) -> bool:
    return " top " in s.row(0) and "requests" in s.row(0)


def _app(samples: int, opts: Options) -> tuple[float, float, int]:
    backlog = "30s" if not opts.quick else "3s"
    with SimProcess(rate=configured_rate(5000.0), incidents=False, frozen=True,
                    start_ns=time.time_ns(), seed=29, cache_entries=400_000) as sim:
        term = s4top_terminal(sim.base_url, f'backlog = "{backlog}"\n', name="explain")
        try:
            if term.wait_for(dashboard_drawn, 30) is None:
                raise RuntimeError("the dashboard never drew")
            if term.wait_for(live_and_caught_up, 120) is None:
                raise RuntimeError("never caught up")
            time.sleep(opts.pick(1.0, 0.0))
            term.drain()
            buffered = buffered_count(term.screen) or 0
            got: dict[bytes, list[float]] = {b"w": [], b"n": []}
            last_top = ""
            for _ in range(samples):
                for key, shown in ((b"w", _explain_shown), (b"n", _top_shown)):
                    lat = term.press(key, shown)
                    if lat is not None:
                        got[key].append(lat)
                    last_top = term.screen.row(0).strip()
                    term.press(b"\x1b", dashboard_drawn)
                    time.sleep(opts.pick(0.3, 0.05))
        finally:
            term.close()
    if not got[b"w"] or not got[b"n"]:
        raise RuntimeError(f"a key press showed no screen; the top row: {last_top!r}")
    return statistics.median(got[b"w"]), statistics.median(got[b"n"]), buffered


def failed(error: str) -> list[Figure]:
    return failed_figures(NAME, [(MODEL, "ms", "<= 100 ms"), (MODEL_ALL, "ms", ""),
                                 (APP, "ms", "<= 150 ms")], error)
