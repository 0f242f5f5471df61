"""Refresh from the keyboard in a real terminal: typed entries reach the simulator encoded,
and a SIGKILL loses nothing that was typed."""

from __future__ import annotations

import os
import signal

import httpx
import pytest

from tests.e2e.live.test_dashboard_e2e import DOMAIN, env_for, rows
from tests.e2e.terminal import Simulate, Terminal, s4top_exe

pytestmark = pytest.mark.e2e


@pytest.fixture
def simulate():
    sim = Simulate(dict(os.environ), "--rate", "20", "--seed", "5", "--domain", DOMAIN)
    try:
        yield sim
    finally:
        sim.stop()


def refreshes(sim: Simulate) -> list[dict]:
    r = httpx.get(f"{sim.base_url}/_sim/refreshes", timeout=5)
    r.raise_for_status()
    data = r.json()
    return data["data"]


def test_type_two_urls_submit_confirm(simulate: Simulate, tmp_path) -> None:
    env = env_for(simulate)
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    term = Terminal([s4top_exe()], env, width=120, height=40)
    try:
        term.wait_for(lambda s: len(rows(s)) >= 3, what="log rows")
        term.keys("r")
        term.wait_for(lambda s: "refresh cache:" in s, what="the refresh modal")
        term.text(f"https://{DOMAIN}/my file.png")
        term.keys("Enter")
        term.text(f"https://{DOMAIN}/图片/标志.png")
        term.wait_for(lambda s: "2 entries -> 1 request" in s, what="the plan")
        term.keys("C-s")
        term.wait_for(lambda s: "Send 2 entries in 1 request" in s, what="the confirmation")
        term.keys("y")
        term.wait_for(lambda s: "refresh accepted" in s, what="the outcome")
        [rec] = refreshes(simulate)
        assert rec["type"] == "url"
        assert rec["url_list"] == [
            f"https://{DOMAIN}/my%20file.png",
            f"https://{DOMAIN}/%E5%9B%BE%E7%89%87/%E6%A0%87%E5%BF%97.png",
        ]
        term.keys("Escape")  # alone: ESC followed at once by q would read as alt+q
        term.wait_for(lambda s: "refresh cache:" not in s, what="the modal to close")
        term.keys("q")
        term.wait_for(lambda s: term.dead(), timeout=10, what="exit")
    finally:
        term.close()


def test_sigkill_loses_no_typed_entry(simulate: Simulate, tmp_path) -> None:
    env = env_for(simulate)
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    typed = [f"https://{DOMAIN}/keep/{i}.png" for i in range(3)]
    term = Terminal([s4top_exe()], env, width=120, height=40)
    try:
        term.wait_for(lambda s: len(rows(s)) >= 3, what="log rows")
        term.keys("r")
        term.wait_for(lambda s: "refresh cache:" in s, what="the refresh modal")
        for url in typed:
            term.text(url)
            term.keys("Enter")
        term.wait_for(lambda s: "3 entries -> 1 request" in s, what="the plan")
        pid = int(term._run("list-panes", "-t", term.name, "-F", "#{pane_pid}").strip())
        os.kill(pid, signal.SIGKILL)
        term.wait_for(lambda s: term.dead(), timeout=10, what="the kill")
    finally:
        term.close()
    assert refreshes(simulate) == []
    term = Terminal([s4top_exe()], env, width=120, height=40)
    try:
        term.wait_for(lambda s: "refresh batch: 3" in s, what="the restored batch count")
        term.keys("r")
        screen = term.wait_for(lambda s: all(u.split("/", 3)[3] in s for u in typed), what="the restored entries")
        assert "3 entries -> 1 request" in screen
    finally:
        term.close()


def _pane_pid(term: Terminal) -> int:
    return int(term._run("list-panes", "-t", term.name, "-F", "#{pane_pid}").strip())


def test_two_dashboards_on_one_account_lose_neither_batch(simulate: Simulate, tmp_path) -> None:
    """Two real dashboards type into the batch of the same domain at once, both are SIGKILLed;
    a third one's batch holds both sets (each instance keeps its own draft file)."""
    env = env_for(simulate)
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    typed = {"left": [f"https://{DOMAIN}/left/{i}.png" for i in range(2)],
             "right": [f"https://{DOMAIN}/right/{i}.png" for i in range(2)]}
    terms = {side: Terminal([s4top_exe()], env, width=120, height=40) for side in typed}
    try:
        for term in terms.values():
            term.wait_for(lambda s: len(rows(s)) >= 3, what="log rows")
            term.keys("r")
            term.wait_for(lambda s: "refresh cache:" in s, what="the refresh modal")
        for i in range(2):  # interleaved, as two people typing at once
            for side, term in terms.items():
                term.text(typed[side][i])
                term.keys("Enter")
        for term in terms.values():
            term.wait_for(lambda s: "2 entries -> 1 request" in s, what="the plan")
        for term in terms.values():
            os.kill(_pane_pid(term), signal.SIGKILL)
        for term in terms.values():
            term.wait_for(lambda s, t=term: t.dead(), timeout=10, what="the kill")
    finally:
        for term in terms.values():
            term.close()
    assert refreshes(simulate) == []
    term = Terminal([s4top_exe()], env, width=120, height=40)
    everything = typed["left"] + typed["right"]
    try:
        term.wait_for(lambda s: "refresh batch: 4" in s, what="both batches, merged")
        term.keys("r")
        screen = term.wait_for(lambda s: all(u.split("/", 3)[3] in s for u in everything),
                               what="the entries typed in both dashboards")
        assert "4 entries -> 1 request" in screen
    finally:
        term.close()


def test_the_demo_keeps_its_batch_and_history_apart(simulate: Simulate, tmp_path) -> None:
    """A `--demo` dashboard sends a refresh and leaves a tag and a typed URL in its batch; the
    real dashboard for the same domain (against a separate simulator) then shows an empty
    batch and an empty history."""
    env = env_for(simulate)
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    demo_env = {k: v for k, v in env.items() if k not in ("S4TOP_API_BASE", "BITIFUL_API_TOKEN")}
    term = Terminal([s4top_exe(), "--demo", "--domain", DOMAIN], demo_env, width=120, height=40)
    try:
        term.wait_for(lambda s: len(rows(s)) >= 3, what="demo log rows")
        term.keys("r")
        term.wait_for(lambda s: "refresh cache:" in s, what="the refresh modal")
        term.text(f"https://{DOMAIN}/demo/sent.png")
        term.wait_for(lambda s: "1 entry -> 1 request" in s, what="the plan")
        term.keys("C-s")
        term.wait_for(lambda s: "Send 1 entry in 1 request" in s, what="the confirmation")
        term.keys("y")
        term.wait_for(lambda s: "refresh accepted" in s, what="the outcome")
        term.keys("Escape")
        term.wait_for(lambda s: "refresh cache:" not in s, what="the modal to close")
        term.keys("Space")  # a tag from the log pane
        term.wait_for(lambda s: "refresh batch: 1" in s, what="the tag")
        term.keys("r")
        term.wait_for(lambda s: "refresh cache:" in s, what="the refresh modal")
        term.text(f"https://{DOMAIN}/demo/typed.png")
        term.wait_for(lambda s: "2 entries -> 1 request" in s, what="the plan")
        term.keys("Escape")
        term.wait_for(lambda s: "refresh cache:" not in s and "refresh batch: 2" in s,
                      what="the modal to close, the batch kept")
        term.keys("q")
        term.wait_for(lambda s: term.dead(), timeout=10, what="exit")
    finally:
        term.close()
    term = Terminal([s4top_exe()], env, width=120, height=40)
    try:
        screen = term.wait_for(lambda s: len(rows(s)) >= 3, what="log rows")
        assert "refresh batch" not in screen
        term.keys("r")
        term.wait_for(lambda s: "plan: nothing to send yet" in s, what="an empty batch")
        term.keys("Escape")
        term.wait_for(lambda s: "refresh cache:" not in s, what="the modal to close")
        term.keys("h")
        term.wait_for(lambda s: "no refresh has been submitted from this machine yet" in s,
                      what="an empty history")
    finally:
        term.close()
    assert refreshes(simulate) == []
    assert (tmp_path / "data" / "s4top" / "demo" / "history.jsonl").exists()
