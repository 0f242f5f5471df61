"""SVG snapshots of the dashboard states at 80x24 and 120x40, from the frozen simulator.

Regenerate on purpose with `pytest tests/snapshots --snapshot-update`, then look at them.
"""

from __future__ import annotations

import time

import pytest

from tests.conftest import DOMAIN
from tui.config import load_settings
from tui.context import build_context

SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def app_factory(sim_server, monkeypatch):
    from tui.app import S4TopApp
    from tui.sim import DEMO_TOKEN

    def make(token: str = DEMO_TOKEN):
        monkeypatch.setenv("BITIFUL_API_TOKEN", token)
        settings = load_settings(flags={"api_base": sim_server.base_url, "domain": DOMAIN, "poll_interval": 0.2})
        return S4TopApp(build_context(settings), clock_ns=sim_server.sim.now_ns)

    return make


async def settle(pilot, predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("the app did not reach the state to snapshot")
        await pilot.pause(0.05)
    await pilot.pause(0.4)


def loaded(app) -> bool:
    return len(app.state.buffer) > 0 and bool(app.state.series) and app.state.log_health.state == "ok"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard(snap_compare, app_factory, size) -> None:
    app = app_factory()

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_filter_5xx(snap_compare, app_factory, size) -> None:
    app = app_factory()

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        await pilot.press("5")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_paused_with_new_rows(snap_compare, app_factory, sim_server, size) -> None:
    app = app_factory()

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        await pilot.press("p")
        before = len(app.state.buffer)
        now = sim_server.sim.now_ns()
        expected = len(sim_server.sim.truth(DOMAIN, now + 1, now + 10 * 10**9))
        sim_server.sim.advance(10)
        await settle(pilot, lambda: len(app.state.buffer) == before + expected)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_detail_view(snap_compare, app_factory, size) -> None:
    app = app_factory()

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        await pilot.press("k", "k", "enter")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help(snap_compare, app_factory, size) -> None:
    app = app_factory()

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        await pilot.press("question_mark")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_auth_error(snap_compare, app_factory, size) -> None:
    app = app_factory(token="not-the-right-token")

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: app.state.log_health.state == "auth" and app.state.series_health.state == "auth")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_rate_limited(snap_compare, app_factory, sim_server, size) -> None:
    app = app_factory()

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        sim_server.sim.faults.set({"status": 429, "retry_after": 90, "path": "logs"})
        await settle(pilot, lambda: app.state.log_health.state == "rate_limited", timeout=5)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
