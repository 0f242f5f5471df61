"""A filter key's frame shows the new rows and the status line that names them together
(issue 15, the filter key's latency).

Each widget hands its repaint to the screen through its own message queue; with entries
pouring in, the screen used to paint whichever had arrived, so a frame showed 5XX rows under
"classes: all" (or the reverse) and the status line followed 20-60 ms later. The dashboard
now hands both over at once (tui/screens/dashboard_frame.py `paint_together`).

The installed `s4top` runs in a real pseudo-terminal (benchmarks/ptyrun.py) against the
simulator at ~3k entries/s; after 30 rounds of `5` / `0`, every frame written meanwhile is
replayed into a screen model one at a time, and each must be consistent: the status line says
5XX exactly when every log row on screen is a 5xx.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from benchmarks.terminal import live_and_caught_up, status_row
from benchmarks.vt import SYNC_END, Screen
from tests.integration.cli_support import configured_rate
from tests.integration.perf.pty_support import dashboard_in_pty
from tests.integration.perf.pty_support import wait as _wait

ROUNDS = 30


def _codes(screen: Screen) -> list[str]:
    """The CODE column of the log rows on screen (between the header and the footer)."""
    rows = [screen.row(y) for y in range(screen.rows)]
    head = next(y for y, r in enumerate(rows) if " TIME " in r and " CODE " in r)
    col = rows[head].index(" CODE ") + 1
    return [r[col:col + 3] for r in rows[head + 1:-1] if r[col:col + 3].strip()]


@pytest.mark.slow
def test_every_frame_during_filter_keys_shows_rows_and_status_line_agreeing(
        tmp_path: Path) -> None:
    screen = Screen(120, 40)
    rng = random.Random(3)
    with dashboard_in_pty(tmp_path, seed=7, rate=configured_rate(3000), backlog="10s") as proc:
        index = _wait(proc, screen, 0, live_and_caught_up, 60)
        time.sleep(1.0)
        t0 = time.monotonic()
        for _ in range(ROUNDS):
            for key, shows in ((b"5", "classes: 5XX"), (b"0", "classes: all")):
                proc.write(key)
                index = _wait(proc, screen, index,
                              lambda s, shows=shows: shows in status_row(s), 10)
                time.sleep(rng.uniform(0.05, 0.3))
        data = proc.output_between(t0, time.monotonic())
        before = proc.output_between(0.0, t0)
    replay = Screen(120, 40)
    replay.feed(before)
    checked = 0
    for frame in data.split(SYNC_END)[:-1]:  # the last piece: the start of a frame, or none
        replay.feed(frame + SYNC_END)
        codes = _codes(replay)
        says_5xx = "classes: 5XX" in status_row(replay)
        assert codes, replay.text()
        all_5xx = all(c.startswith("5") for c in codes)
        assert says_5xx == all_5xx, (checked, status_row(replay), codes)
        checked += 1
    assert checked >= 2 * ROUNDS, checked  # a frame at least per key
