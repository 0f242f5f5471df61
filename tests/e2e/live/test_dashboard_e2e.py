"""The installed `s4top` in a real terminal (tmux) against `s4top simulate` on loopback."""

from __future__ import annotations

import os
import re
import time

import httpx
import pytest

from tests.e2e.terminal import Simulate, Terminal, s4top_exe
from tui.sim import DEMO_TOKEN

pytestmark = pytest.mark.e2e
ROW = re.compile(r"^.(\d\d:\d\d:\d\d(?:\.\d{3})?) +(\d{3}|---) ")
DOMAIN = "cdn.example.com"


def rows(screen: str) -> list[tuple[str, str]]:
    out = []
    for line in screen.splitlines():
        m = ROW.match(line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


@pytest.fixture
def simulate():
    env = dict(os.environ)
    sim = Simulate(env, "--rate", "60", "--seed", "3", "--domain", DOMAIN)
    try:
        yield sim
    finally:
        sim.stop()


def env_for(sim: Simulate) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"S4TOP_API_BASE": sim.base_url, "S4TOP_DOMAIN": DOMAIN, "BITIFUL_API_TOKEN": DEMO_TOKEN})
    return env


def inject_5xx(sim: Simulate, n: int = 3) -> None:
    now = time.time_ns()
    entries = [
        {"path": f"https://{DOMAIN}/e2e/broken-{i}.png", "size": 100 + i, "access_time": now - (n - i) * 1_000_000,
         "code": 503, "method": "GET", "ip": "192.0.2.7", "country": "NL", "cache": "MISS"}
        for i in range(n)
    ]
    r = httpx.post(f"{sim.base_url}/_sim/inject", json={"domain": DOMAIN, "entries": entries}, timeout=5)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_tail_filter_5xx_and_quit(simulate: Simulate, size) -> None:
    inject_5xx(simulate)
    term = Terminal([s4top_exe()], env_for(simulate), width=size[0], height=size[1])
    try:
        screen = term.wait_for(lambda s: len(rows(s)) >= 5, what="log rows")
        assert "cdn.example.com" in screen
        codes = {c for _, c in rows(screen)}
        assert codes - {"500", "502", "503", "504"}, "before filtering, other classes are shown"
        term.keys("5")
        screen = term.wait_for(
            lambda s: len(rows(s)) >= 3 and all(c.startswith("5") for _, c in rows(s)) and "5XX" in s,
            what="only 5xx rows",
        )
        assert len(rows(screen)) >= 3
        term.keys("q")
        term.wait_for(lambda s: term.dead(), timeout=10, what="the app to exit")
    finally:
        term.close()


def test_demo_mode_starts_without_token_or_config(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("BITIFUL_API_TOKEN", "S4TOP_API_BASE", "S4TOP_DOMAIN")}
    term = Terminal([s4top_exe(), "--demo"], env, width=100, height=30)
    try:
        screen = term.wait_for(lambda s: len(rows(s)) >= 5 and "● ok" in s, what="demo rows")
        assert "Traceback" not in screen
        term.keys("C-c")
        term.wait_for(lambda s: term.dead(), timeout=10, what="ctrl+c to quit")
    finally:
        term.close()


def test_a_full_buffer_keeps_the_screen_following(simulate: Simulate, tmp_path) -> None:
    """Textual's Log stops repainting once max_lines is reached while auto-scrolling; our ring
    evicts on every append once full: the real screen must keep showing the newest rows."""
    cfg = tmp_path / "small.toml"
    cfg.write_text('buffer_size = 200\npoll_interval = 0.5\n')
    env = env_for(simulate)
    env["S4TOP_CONFIG"] = str(cfg)
    term = Terminal([s4top_exe()], env, width=120, height=40)
    try:
        def bottom_time(s: str) -> str:
            found = rows(s)
            return found[-1][0] if found else ""

        first = term.wait_for(lambda s: "oldest dropped" in s and len(rows(s)) >= 10, what="a full buffer")
        t0 = bottom_time(first)
        later = term.wait_for(lambda s: bottom_time(s) not in ("", t0) and "FOLLOW" in s, timeout=15,
                              what="newer rows at the bottom after the buffer filled")
        t1 = bottom_time(later)
        term.wait_for(lambda s: bottom_time(s) not in ("", t1), timeout=15, what="the screen to keep moving")
        term.keys("q")
        term.wait_for(lambda s: term.dead(), timeout=10, what="the app to exit")
    finally:
        term.close()
