"""The dashboard under every fault the simulator can make, over real loopback sockets.

One run of the real app (Pilot, the real client, fast back-off from the settings) against a
simulator whose clock runs, so new entries keep arriving during every fault. For each fault:
the app stays up, the status line names the trouble, and it heals by itself once the fault
ends. Across the whole sequence the buffer holds exactly the simulator's truth for the
followed window: every entry once, in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import DOMAIN
from tests.integration.cli_support import configured_rate
from tests.reliability.support import FAST, assert_exactly_once, key_of_entry, truth
from tui.config import load_settings
from tui.context import build_context
from tui.sim import DEMO_TOKEN, SimConfig, SimServer

DEGRADED = ("▲ degraded", "✖ offline")

#: (name, fault rule, status-line labels any of which must show, words in the line)
FAULTS: list[tuple[str, dict[str, Any], tuple[str, ...], str]] = [
    ("latency beyond the read timeout", {"latency_s": 1.0}, DEGRADED, "no answer within"),
    ("hang", {"hang": True}, DEGRADED, "no answer within"),
    ("HTTP 500", {"status": 500}, DEGRADED, "HTTP 500"),
    ("HTTP 502", {"status": 502}, DEGRADED, "HTTP 502"),
    ("HTTP 503", {"status": 503}, DEGRADED, "HTTP 503"),
    ("HTTP 429 with Retry-After", {"status": 429, "retry_after": 1}, ("⏳ rate limited",), "retry in"),
    ("connection reset", {"reset": True}, DEGRADED, "connection broke"),
    ("truncated body (short of Content-Length)", {"truncate": "length"}, DEGRADED, "connection broke"),
    ("truncated JSON (valid HTTP)", {"truncate": "json"}, DEGRADED, "not valid JSON"),
    ("wrong shape", {"shape": "unknown"}, DEGRADED, "no list of log entries"),
    ("401 mid-run", {"status": 401}, ("✖ auth error",), "check the token"),
]

@pytest.fixture
def live_server() -> Iterator[SimServer]:
    # 50 entries/s whatever the hour: the run must see more than 500 (473 at 0.5x)
    server = SimServer(SimConfig(seed=23, rate=configured_rate(50.0), domains=(DOMAIN,),
                                 incidents=False))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def status_text(app: Any) -> str:
    return str(app.screen.query_one("#status").render())


async def wait_until(pilot: Any, predicate: Callable[[], bool], timeout: float, what: str) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if predicate():
            return time.monotonic() - t0
        await pilot.pause(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; status line: {status_text(pilot.app)!r}")


async def test_dashboard_survives_every_fault_and_keeps_exactly_once(live_server: SimServer, monkeypatch) -> None:
    from tui.app import S4TopApp

    monkeypatch.setenv("BITIFUL_API_TOKEN", DEMO_TOKEN)
    server = live_server
    sim = server.sim
    settings = load_settings(flags={"api_base": server.base_url, "domain": DOMAIN, **FAST})
    app = S4TopApp(build_context(settings), clock_ns=sim.now_ns)
    recoveries: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        st = app.state

        def healthy() -> bool:
            return st.log_health.state == "ok" and st.series_health.state == "ok" and "● ok" in status_text(app)

        await wait_until(pilot, lambda: healthy() and st.caught_up and st.received > 50, 15, "a healthy start")
        for name, rule, labels, words in FAULTS:
            sim.faults.set(dict(rule))
            await wait_until(
                pilot, lambda labels=labels, words=words: any(x in status_text(app) for x in labels) and words in status_text(app),
                10, f"the status line to show {name}: {labels} {words!r}",
            )
            await pilot.pause(0.6)  # it keeps retrying against the fault; entries keep coming
            assert app.is_running, name
            before = st.received
            sim.faults.clear()
            took = await wait_until(pilot, lambda before=before: healthy() and st.received > before, 30, f"recovery from {name}")
            recoveries[name] = took
        # the charts' own poller: a series endpoint fails while the logs are fine
        sim.faults.set({"status": 503, "path": "series"})
        await pilot.press("t")  # another chart range: the charts poll at once
        await wait_until(pilot, lambda: "▲ degraded" in status_text(app) and "HTTP 503" in status_text(app), 10,
                         "the status line to show the charts failing")
        await pilot.pause(0.6)
        before = st.series_version
        sim.faults.clear()
        recoveries["charts: HTTP 503"] = await wait_until(
            pilot, lambda: healthy() and st.series_version > before, 30, "the charts to recover")
        # the server goes away and comes back on the same port (the same simulated world)
        port = server.port
        server.stop()
        await wait_until(pilot, lambda: any(x in status_text(app) for x in DEGRADED) and "could not connect" in status_text(app),
                         10, "the status line to show the server gone")
        await pilot.pause(0.6)
        again = SimServer(sim=sim, port=port)
        again.start()
        try:
            before = st.received
            recoveries["server stopped and restarted"] = await wait_until(
                pilot, lambda: healthy() and st.received > before, 30, "recovery after the restart")
            # let the tail reach the simulator's present, then compare with its truth
            await wait_until(pilot, lambda: sim.now_ns() - st.newest_ns < 2 * 10**9 and st.caught_up, 10, "the tail to catch up")
            assert app.is_running
            got = [key_of_entry(e) for e in st.buffer]
            start = st.tail_start_ns
            assert start is not None
            assert st.buffer.evicted == 0
            want = truth(sim, start, got[-1][0] + 10**9)
        finally:
            again.stop()
        await pilot.press("q")
    checked = assert_exactly_once(got, want)
    assert checked == len(got) and checked > 500
    assert max(recoveries.values()) < 30, recoveries
    print(f"\nTUI faults survived: {len(recoveries)}; entries checked exactly once: {checked}; "
          f"recovery times (s): { {k: round(v, 2) for k, v in recoveries.items()} }")
