"""Idle, the dashboard's once-a-second tick repaints part of one line (the status line's age),
not the whole status area: what an SSH link carries when nothing happens (issue 15).

The installed `s4top` runs in a real pseudo-terminal (benchmarks/ptyrun.py: it answers that
synchronized output is supported, so each frame is bracketed) against the simulator with no
new entries. Every frame written after the dashboard is live is read for the rows it moves
the cursor to.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from benchmarks.terminal import dashboard_drawn, live_and_caught_up
from benchmarks.vt import SYNC_END, Screen
from tests.integration.perf.pty_support import dashboard_in_pty
from tests.integration.perf.pty_support import wait as _wait

MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


def _charts_drawn(screen: Screen) -> bool:
    return "loading" not in screen.row(2) and bool(screen.row(2).strip())


@pytest.mark.slow
def test_an_idle_frame_repaints_only_the_age_on_the_first_row(tmp_path: Path) -> None:
    with dashboard_in_pty(tmp_path, seed=3, rate=0.0, backlog="5s") as proc:
        screen = Screen(120, 40)
        index = _wait(proc, screen, 0, dashboard_drawn, 30)
        index = _wait(proc, screen, index, live_and_caught_up, 30)
        # the charts may still be loading when the (empty) backlog is in: their series
        # arrive beside the log pages, later under load, and drawing them is not idle
        index = _wait(proc, screen, index, _charts_drawn, 30)
        time.sleep(0.5)  # the backlog drawn; from here only the ages change
        t0 = time.monotonic()
        time.sleep(2.5)
        data = proc.output_between(t0, time.monotonic())
    frames = [f for f in data.split(SYNC_END) if f.strip()]
    assert len(frames) >= 2, data  # the age ticks each second
    for frame in frames:
        rows = {int(m.group(1)) for m in MOVE.finditer(frame)}
        assert rows == {1}, (rows, frame)  # the first row only (the cursor goes back there)
        assert b"updated" in frame and b"shown of" not in frame, frame
        # up to the age: the row's start, not its padding to 120 columns
        assert len(frame) < 400, frame
