"""SVG snapshots of the dashboard states at 80x24 and 120x40, from the frozen simulator.

Regenerate on purpose with `pytest tests/snapshots --snapshot-update`, then look at them.
"""

from __future__ import annotations

import pytest

from tests.conftest import DOMAIN
from tests.snapshots.conftest import loaded, settle

SIZES = [(80, 24), (120, 40)]


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


def _charts_say_error(app) -> bool:
    from tui.widgets.charts import SeriesPlot

    plots = list(app.screen.query(SeriesPlot))
    return bool(plots) and all(p.error for p in plots)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_auth_error(snap_compare, app_factory, size) -> None:
    app = app_factory(token="not-the-right-token")

    async def run_before(pilot) -> None:
        # the state, and the frame that shows it: before the first page frames come at most
        # every 0.5 s (catch-up), longer than settle's pause, and a CI run caught "connecting"
        await settle(pilot, lambda: app.state.log_health.state == "auth"
                     and app.state.series_health.state == "auth"
                     and "auth error" in str(app.screen.query_one("#status").render())
                     and _charts_say_error(app))

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_rate_limited(snap_compare, app_factory, sim_server, size) -> None:
    app = app_factory()

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        sim_server.sim.faults.set({"status": 429, "retry_after": 90, "path": "logs"})
        await settle(pilot, lambda: app.state.log_health.state == "rate_limited", timeout=5)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
