"""Scenario 6, start and filter: time to the first frame of the dashboard, and a filter toggle
over 100k buffered entries.

- first frame: the installed `s4top` in a 120x40 pty against the simulator, from the fork
  until the first complete frame (the end of the first synchronized update that paints the
  top row: the whole screen laid out); baseline: `benchmarks/minimal_app.py` (header, text,
  footer) the same way. Median of several starts, after one untimed start of each (bytecode
  and file caches warm, as after an install). Also reported: when the footer's key list is
  on screen too (Textual fills it in after the first frame).
- filter toggle in the data model: `LogBuffer.set_filter` to 5XX and back over 100k entries;
  baseline: one list comprehension over the same 100k entries testing the status class.
- filter toggle through the app: key `5` / `0` to the screen showing it, in the pty, with the
  buffer full (100k, from a frozen simulator); baseline: the same keys with an empty buffer.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

from tui.api.parse import parse_logs
from tui.core.buffer import LogBuffer
from tui.core.logfilter import LogFilter
from tui.core.models import StatusClass

from .env import REPO, ROWS, child_env
from .harness import Figure, Options, figure
from .harness import failed as failed_figures
from .pipeline import record_pages
from .responsiveness import configured_rate
from .simproc import SimProcess
from .terminal import (
    Terminal,
    buffered_count,
    dashboard_drawn,
    live_and_caught_up,
    s4top_terminal,
    status_row,
)
from .vt import Screen

NAME = "start"
FIRST = "first frame of the dashboard (pty, 120x40)"
FOOTER = "dashboard complete, footer keys drawn (pty)"
MODEL = "filter toggle over 100k entries, LogBuffer.set_filter"
TEXT = "text filter over 100k entries, first use (builds search text)"
APP = "filter toggle over 100k entries, key to screen (pty)"
FIRST_TARGET = "<= 1.4x baseline (medians of 5 starts)"


def run(opts: Options) -> list[Figure]:
    starts = int(opts.pick(5, 1))
    n = int(opts.pick(100_000, 3_000))
    opts.log("start: first frames; filter toggles in the data model and through the app")
    ff = _first_frames(starts, warm=not opts.quick)
    model, floor, text = _model_toggle(n)
    samples = int(opts.pick(10, 1))
    (full, full_n), (empty, _) = opts.each([lambda: _app_toggle(True, samples, opts),
                                            lambda: _app_toggle(False, samples, opts)])
    return [
        figure(NAME, FIRST, ff["dash"], "s", ff["mini"], "minimal Textual app",
               FIRST_TARGET, lambda v, b: b is not None and v <= 1.4 * b,
               note=f"median of {starts} starts each"
                    + (", after a warm-up start" if not opts.quick else "")
                    + f"; the starts in turn (s4top/minimal): {ff['pairs']}"),
        figure(NAME, FOOTER, ff["dash_footer"], "s", ff["mini_footer"], "minimal Textual app",
               "", None),
        figure(NAME, MODEL, model * 1000, "ms", floor * 1000, "one list comprehension",
               "<= 100 ms", lambda v, _b: v <= 100, note=f"{n} entries; median of 5"),
        figure(NAME, TEXT, text * 1000, "ms", model * 1000, "class toggle", "", None),
        figure(NAME, APP, full * 1000, "ms", empty * 1000, "empty buffer", "<= 100 ms",
               lambda v, _b: v <= 100, note=f"{full_n} entries buffered; median of the "
                                            "5 and 0 presses"),
    ]


def _first_frames(count: int, warm: bool = True) -> dict[str, Any]:
    """Median seconds from fork to the first frame and to the footer, for both apps."""
    got: dict[str, list[float]] = {"dash": [], "dash_footer": [], "mini": [], "mini_footer": []}
    with SimProcess(rate=configured_rate(1000), incidents=False, seed=19) as sim:
        for i in range(0 if warm else 1, count + 1):  # round 0 warms caches, not counted
            for who in ("dash", "mini"):
                if who == "dash":
                    term = s4top_terminal(sim.base_url, "", name="start")
                else:
                    term = Terminal([sys.executable, "-m", "benchmarks.minimal_app"],
                                    child_env(ours=True), cwd=str(REPO))
                try:
                    first = term.wait_for(_first_full_frame, 30)
                    footer = term.wait_for(_footer_drawn, 30)
                    if first is None or footer is None:
                        raise RuntimeError(f"{who}: no complete frame "
                                           f"({term.screen.row(0).strip()[:40]!r})")
                    if i:
                        got[who].append(first - term.proc.started)
                        got[f"{who}_footer"].append(footer - term.proc.started)
                finally:
                    term.close()
    out: dict[str, Any] = {k: statistics.median(v) for k, v in got.items()}
    out["pairs"] = ", ".join(f"{d:.3f}/{m:.3f} s"
                             for d, m in zip(got["dash"], got["mini"], strict=True))
    return out


def _first_full_frame(s: Screen) -> bool:
    """A frame has ended and it painted the top row (Textual paints whole screens at first)."""
    return s.frames > 0 and bool(s.row(0).strip())


def _footer_drawn(s: Screen) -> bool:
    return bool(s.row(0).strip()) and bool(s.row(ROWS - 1).strip())


def _model_toggle(n: int) -> tuple[float, float, float]:
    _start, _now, pages = record_pages(n)
    entries = [e for _, body in pages for e in parse_logs(json.loads(body), "logs")][-n:]
    buf = LogBuffer(max(n, 100_000))
    buf.extend(entries)
    t0 = time.perf_counter()
    buf.set_filter(LogFilter().with_text("jpg"))
    text = time.perf_counter() - t0
    buf.set_filter(LogFilter())
    five = LogFilter().with_class_key(StatusClass.S5XX)
    toggles, floors = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        buf.set_filter(five)
        toggles.append(time.perf_counter() - t0)
        buf.set_filter(LogFilter())
        t0 = time.perf_counter()
        _ = [e for e in entries if e.status // 100 == 5]
        floors.append(time.perf_counter() - t0)
    return statistics.median(toggles), statistics.median(floors), text


def _app_toggle(full: bool, samples: int, opts: Options) -> tuple[float, int]:
    now = time.time_ns()
    rate = 5000.0 if full else 0.0
    backlog = "30s" if full and not opts.quick else "1s"  # --quick: 5k entries still fill it
    with SimProcess(rate=configured_rate(rate) if rate else 0.0, incidents=False, frozen=True,
                    start_ns=now, seed=23, cache_entries=400_000) as sim:
        term = s4top_terminal(sim.base_url, f'backlog = "{backlog}"\n', name="toggle")
        try:
            if term.wait_for(dashboard_drawn, 30) is None:
                raise RuntimeError("the dashboard never drew")
            if term.wait_for(live_and_caught_up, 120) is None:
                raise RuntimeError("never caught up")
            time.sleep(opts.pick(1.0, 0.0))
            term.drain()
            buffered = buffered_count(term.screen) or 0
            got = []
            for _ in range(samples):
                for key, shows in ((b"5", "classes: 5XX"), (b"0", "classes: all")):
                    lat = term.press(key, lambda s, shows=shows: shows in status_row(s))
                    if lat is not None:
                        got.append(lat)
                    time.sleep(opts.pick(0.15, 0.05))
        finally:
            term.close()
    if not got:
        raise RuntimeError("no key press showed on the screen")
    return statistics.median(got), buffered


def failed(error: str) -> list[Figure]:
    return failed_figures(NAME, [(FIRST, "s", FIRST_TARGET), (FOOTER, "s", ""),
                                 (MODEL, "ms", "<= 100 ms"),
                                 (TEXT, "ms", ""), (APP, "ms", "<= 100 ms")], error)

