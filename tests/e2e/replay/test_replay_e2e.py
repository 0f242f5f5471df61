"""The installed `s4top --replay FILE.db` in a real terminal (tmux): the REPLAY header with
the recorded time, a speed change, a jump. Offline: no API, no token."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import DOMAIN, FIXED_NS
from tests.e2e.terminal import Terminal, s4top_exe
from tests.replay_support import NS, record_sim
from tui.sim import SimConfig, Simulator

pytestmark = pytest.mark.e2e
ROW = re.compile(r"^.(\d\d:\d\d:\d\d(?:\.\d{3})?) +(\d{3}) ")


def last_row_time(screen: str) -> str:
    found = [m.group(1) for line in screen.splitlines() if (m := ROW.match(line))]
    return found[-1] if found else ""


def test_replay_header_speed_and_jump(tmp_path: Path) -> None:
    sim = Simulator(SimConfig(seed=4, rate=10.0, start_ns=FIXED_NS + 1800 * NS, frozen=True,
                              domains=(DOMAIN,)))
    path = tmp_path / "incident.db"
    record_sim(path, sim, FIXED_NS, FIXED_NS + 1800 * NS)  # 10:00-10:30 UTC
    env = {k: v for k, v in os.environ.items()
           if k not in ("BITIFUL_API_TOKEN", "S4TOP_API_BASE", "S4TOP_DOMAIN")}
    env["TZ"] = "UTC"
    term = Terminal([s4top_exe(), "--replay", str(path), "--at", "10:10", "--speed", "0"],
                    env, width=120, height=40)
    try:
        screen = term.wait_for(lambda s: "REPLAY 2026-11-20 10:10:00 paused" in s
                               and last_row_time(s).startswith("10:09:5"),
                               what="the paused replay at 10:10")
        assert "Traceback" not in screen
        term.text(">")
        term.text(">")
        term.wait_for(lambda s: "×10" in s and "REPLAY 2026-11-20 10:10:0" in s
                      and "10:10:00 paused" not in s, what="the clock running at 10x")
        term.keys("C-g")
        term.wait_for(lambda s: "jump to:" in s, what="the jump box")
        term.text("10:25")
        term.keys("Enter")
        term.wait_for(lambda s: "REPLAY 2026-11-20 10:2" in s
                      and last_row_time(s) >= "10:24:5", what="the jump to 10:25")
        term.keys("q")
        term.wait_for(lambda s: term.dead(), timeout=10, what="the app to exit")
    finally:
        term.close()


def test_replay_of_a_missing_file_is_one_line(tmp_path: Path) -> None:
    import subprocess

    r = subprocess.run([s4top_exe(), "--replay", str(tmp_path / "nope.db")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and "no recording at" in r.stderr
