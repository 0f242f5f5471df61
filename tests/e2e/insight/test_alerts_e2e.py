"""The installed `s4top` in tmux against `s4top simulate --outage=-5m,30m`: a dashboard
opened during a sustained outage alerts, and `!` lists the alert in a real terminal."""

from __future__ import annotations

import os

import pytest

from tests.e2e.terminal import Simulate, Terminal, s4top_exe
from tui.sim import DEMO_TOKEN

pytestmark = pytest.mark.e2e
DOMAIN = "cdn.example.com"


def test_fresh_start_during_an_outage_alerts_and_the_list_shows_it() -> None:
    sim = Simulate(dict(os.environ), "--rate", "30", "--seed", "3", "--domain", DOMAIN,
                   "--no-incidents", "--outage=-5m,30m")
    env = dict(os.environ)
    env.update({"S4TOP_API_BASE": sim.base_url, "S4TOP_DOMAIN": DOMAIN,
                "BITIFUL_API_TOKEN": DEMO_TOKEN})
    term = Terminal([s4top_exe()], env, width=120, height=40)
    try:
        screen = term.wait_for(lambda s: "ALERT 5XX" in s, timeout=30, what="the 5XX alert")
        assert "Traceback" not in screen
        term.keys("!")
        screen = term.wait_for(lambda s: "alerts: every domain" in s and "ongoing" in s,
                               what="the alert list")
        line = next(ln for ln in screen.splitlines() if "ongoing" in ln)
        assert "firing" in line and "5XX" in line and DOMAIN in line
        term.keys("q")
        term.wait_for(lambda s: "alerts: every domain" not in s and "ALERT 5XX" in s,
                      what="back on the dashboard")
        term.keys("q")
        term.wait_for(lambda s: term.dead(), timeout=10, what="the app to exit")
    finally:
        term.close()
        sim.stop()
