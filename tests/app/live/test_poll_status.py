"""The poll loops answer the user at once, and the status line says when it is stale (#10).

Real app, real client, the simulator on a loopback port. Requests are counted by the
simulator itself: a fault rule without effects, limited to N requests, counts down one per
log request it sees.
"""

from __future__ import annotations

from typing import Any

from tests.app.conftest import wait_until
from tests.conftest import DOMAIN
from tests.reliability.support import FAST
from tui.config import load_settings
from tui.context import build_context
from tui.sim import DEMO_TOKEN, SimConfig, SimServer

COUNT = 100_000


def status_text(app: Any) -> str:
    return str(app.screen.query_one("#status").render())


def log_requests(server: SimServer) -> int:
    """How many log requests the simulator answered since `count_log_requests`."""
    rules = [r for r in server.sim.faults.snapshot() if r.get("path") == "logs"]
    return COUNT - int(rules[0]["count"]) if rules else COUNT


def count_log_requests(server: SimServer) -> None:
    server.sim.faults.set({"path": "logs", "count": COUNT})


async def test_a_faster_poll_wakes_the_sleeping_tail_at_once(make_app, sim_server) -> None:
    app = make_app(poll_interval=30.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up
                         and app.state.log_health.state == "ok")
        count_log_requests(sim_server)  # the tail sleeps its 30 s now
        await pilot.press("plus")
        assert app.poll_s == 60.0
        await pilot.pause(1.0)
        assert log_requests(sim_server) == 0  # slower: the sleep is not cut short
        await pilot.press("minus", "minus", "minus", "minus")
        assert app.poll_s == 2.0
        # the next poll comes within about one short interval, not after the old 30 s
        await wait_until(pilot, lambda: log_requests(sim_server) >= 1, timeout=4.0)
        assert "poll 2s" in status_text(app)


def _live_app(monkeypatch, server: SimServer, **flags: Any) -> Any:
    from tui.app import S4TopApp

    monkeypatch.setenv("BITIFUL_API_TOKEN", DEMO_TOKEN)
    settings = load_settings(flags={"api_base": server.base_url, "domain": DOMAIN, **FAST, **flags})
    return S4TopApp(build_context(settings), clock_ns=server.sim.now_ns)


def _live_server() -> SimServer:
    server = SimServer(SimConfig(seed=3, rate=5.0, domains=(DOMAIN,), incidents=False))
    server.start()
    return server


async def test_a_hung_request_shows_overdue_not_ok(monkeypatch) -> None:
    server = _live_server()
    try:
        # a read timeout far longer than the poll interval: the request hangs, no error yet
        app = _live_app(monkeypatch, server, poll_interval=0.5, read_timeout=30.0)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.state.caught_up and "● ok" in status_text(app))
            server.sim.faults.set({"path": "logs", "hang": True})
            await wait_until(pilot, lambda: "overdue" in status_text(app), timeout=5.0)
            text = status_text(app)
            assert "● ok" not in text
            assert app.state.log_health.state == "ok"  # no error came back: it is only late
            await wait_until(pilot, lambda: "long overdue" in status_text(app), timeout=5.0)
            server.sim.faults.clear()  # the hung request is answered now
            await wait_until(pilot, lambda: "● ok" in status_text(app)
                             and "overdue" not in status_text(app), timeout=5.0)
            assert "◔ late" not in status_text(app)
    finally:
        server.stop()


async def test_ctrl_r_retries_a_backing_off_tail_at_once(monkeypatch) -> None:
    server = _live_server()
    try:
        # a long back-off: without ctrl+r the next try would come only after 60 s
        app = _live_app(monkeypatch, server, poll_interval=0.5, backoff_base=60.0, backoff_cap=60.0)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: app.state.caught_up and "● ok" in status_text(app))
            server.sim.faults.set({"path": "logs", "status": 503, "count": 1})
            await wait_until(pilot, lambda: app.state.log_health.state == "degraded", timeout=5.0)
            await wait_until(pilot, lambda: "retry in" in status_text(app)
                             and "(ctrl+r)" in status_text(app), timeout=10.0)
            await pilot.press("ctrl+r")
            # well inside the 60 s back-off (generous deadlines: the suite may run loaded)
            await wait_until(pilot, lambda: app.state.log_health.state == "ok", timeout=10.0)
            # the state changes in the poller, the line at the next frame
            await wait_until(pilot, lambda: "ctrl+r" not in status_text(app), timeout=5.0)
    finally:
        server.stop()


async def test_ctrl_r_with_nothing_waiting_says_so(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.log_health.state == "ok")
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        assert any("nothing to retry" in str(n.message) for n in app._notifications)


async def test_ctrl_r_retries_the_backing_off_backlog_slices_at_once(monkeypatch) -> None:
    """The start-up backlog is read through concurrent slices (tui/core/slices.py); a slice
    that failed waits its back-off like the tail, and ctrl+r ends that wait too."""
    server = SimServer(SimConfig(seed=3, rate=40.0, domains=(DOMAIN,), incidents=False,
                                 frozen=True))
    server.start()
    try:
        # every slice's first try fails; without ctrl+r the next comes only after 20 s
        server.sim.faults.set({"path": "logs", "status": 503, "count": 40})
        app = _live_app(monkeypatch, server, poll_interval=0.5, backoff_base=20.0,
                        backoff_cap=20.0, concurrency=4)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: "(ctrl+r)" in status_text(app), timeout=5.0)
            assert not app.state.caught_up
            server.sim.faults.clear()
            await pilot.press("ctrl+r")
            await wait_until(pilot, lambda: app.state.caught_up
                             and app.state.log_health.state == "ok", timeout=5.0)
            assert not any("nothing to retry" in str(n.message) for n in app._notifications)
    finally:
        server.stop()
