"""SVG snapshots of the dashboard's charts at 1h (per minute from the log, the API's hourly
averages before the log began) and at 24h (the API's hourly series), on the frozen simulator.

Regenerate on purpose with `pytest tests/snapshots --snapshot-update`, then look at them.
"""

from __future__ import annotations

from tests.snapshots.conftest import loaded, settle
from tui.live.state import RANGES

SIZE = (120, 40)  # the full charts need >= 100 columns and >= 32 rows


def _at_range(app, label: str):
    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        while RANGES[app.range_index][0] != label:
            await pilot.press("t")
        await settle(pilot, lambda: loaded(app))
        app.clear_notifications()  # the "chart range" toasts would cover the log pane
        await pilot.pause(0.2)

    return run_before


def test_charts_1h(snap_compare, app_factory) -> None:
    app = app_factory()
    assert snap_compare(app, terminal_size=SIZE, run_before=_at_range(app, "1h"))


def test_charts_24h(snap_compare, app_factory) -> None:
    app = app_factory()
    assert snap_compare(app, terminal_size=SIZE, run_before=_at_range(app, "24h"))
