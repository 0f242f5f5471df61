"""Did the purge work, in a real terminal: a URL tagged from the log pane is refreshed
(space -> r -> ctrl+s -> y), the status line and the history then report it purged."""

from __future__ import annotations

import os

import pytest

from tests.e2e.live.test_dashboard_e2e import DOMAIN, ROW, env_for, rows
from tests.e2e.terminal import Simulate, Terminal, s4top_exe

pytestmark = pytest.mark.e2e
TOP = "app.8f3c2a.js"  # about one request in nine: asked for within seconds


@pytest.fixture
def simulate():
    sim = Simulate(dict(os.environ), "--rate", "40", "--seed", "5", "--domain", DOMAIN,
                   "--no-incidents")
    try:
        yield sim
    finally:
        sim.stop()


def test_a_tagged_url_is_reported_purged(simulate: Simulate, tmp_path) -> None:
    env = env_for(simulate)
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    term = Terminal([s4top_exe()], env, width=120, height=40)
    try:
        term.wait_for(lambda s: len(rows(s)) >= 3, what="log rows")
        term.keys("/")
        term.wait_for(lambda s: "Enter: keep, Esc: clear" in s, what="the filter box")
        term.text(TOP)
        term.wait_for(lambda s: TOP in s, what="the typed filter")
        term.keys("Enter")
        term.wait_for(lambda s: len(rows(s)) >= 1 and all(
            TOP in line for line in s.splitlines() if ROW.match(line)), what="only app.js rows")
        term.keys("Space")  # tag the URL under the cursor
        term.wait_for(lambda s: "refresh batch: 1" in s, what="the tag")
        term.keys("r")
        term.wait_for(lambda s: "1 entry -> 1 request" in s, what="the plan")
        term.keys("C-s")
        term.wait_for(lambda s: "Send 1 entry in 1 request" in s, what="the confirmation")
        term.keys("y")
        term.wait_for(lambda s: "refresh accepted" in s, what="the outcome")
        term.keys("Escape")
        term.wait_for(lambda s: "refresh cache:" not in s, what="the modal to close")
        screen = term.wait_for(lambda s: "1/1 purged" in s, timeout=30,
                               what="the status line reporting the purge")
        assert "refresh " in screen and "5XX on them" in screen
        term.keys("h")
        term.wait_for(lambda s: "refresh history" in s and "1 purged" in s,
                      what="the history's verdict")
        term.keys("Enter")
        term.wait_for(lambda s: "purged" in s and TOP in s and "r: put back" in s,
                      what="the submission's entries and verdicts")
    finally:
        term.close()
    assert (tmp_path / "data" / "s4top" / "verify.json").exists()
