"""Snapshots of the incident views: the alert state, the top-N panels, the domain overview."""

from __future__ import annotations

from tests.conftest import FIXED_NS
from tests.snapshots.conftest import loaded, settle

BURST_NS = FIXED_NS + (41 * 60 + 30) * 10**9  # 10:41:30 UTC, inside the hourly 5xx burst
DOMAINS = ("cdn.example.com", "img.example.com", "static.example.net")


def test_alert_state(snap_compare, app_at) -> None:
    app = app_at(BURST_NS)

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        await settle(pilot, lambda: all(app.state.alerts.get(k) is not None and app.state.alerts[k].active
                                        for k in ("5xx", "origin")))
        # toasts arrive in the order the alerts fired, which depends on timing; the header
        # shows the state (the toast itself is checked by a Pilot test)
        app.clear_notifications()
        await pilot.pause(0.5)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_alert_state_80x24(snap_compare, app_at) -> None:
    """At 80 columns the alert is the first thing in the header, whole; the 5XX figure over
    its threshold is marked (glyph and reverse video)."""
    app = app_at(BURST_NS)

    def firing() -> bool:
        return all(app.state.alerts.get(k) is not None and app.state.alerts[k].active
                   for k in ("5xx", "origin"))

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        await settle(pilot, firing)
        app.clear_notifications()
        await pilot.pause(0.5)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_top_n_panels(snap_compare, app_at) -> None:
    app = app_at(BURST_NS)

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        await settle(pilot, lambda: app.state.alerts.get("5xx") is not None and app.state.alerts["5xx"].active)
        app.clear_notifications()
        await pilot.press("n")
        await pilot.pause(0.5)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_overview_three_domains(snap_compare, app_at) -> None:
    app = app_at(FIXED_NS, DOMAINS)

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: all(st.caught_up and st.series for st in app.states))
        app.clear_notifications()
        await pilot.press("o")
        await pilot.pause(0.5)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def _top_under_filter(app):
    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        # the burst's alert fires a moment after the backlog is in: wait for it, so the
        # header and the toasts do not depend on timing
        await settle(pilot, lambda: app.state.alerts.get("5xx") is not None and app.state.alerts["5xx"].active)
        app.clear_notifications()
        await pilot.press("5", "slash", *"cache:MISS", "enter", "n")
        await pilot.pause(0.5)

    return run_before


def test_top_n_at_80x24_under_a_filter(snap_compare, app_at) -> None:
    app = app_at(BURST_NS)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_top_under_filter(app))


def test_top_n_at_120x40_under_a_filter(snap_compare, app_at) -> None:
    app = app_at(BURST_NS)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_top_under_filter(app))
