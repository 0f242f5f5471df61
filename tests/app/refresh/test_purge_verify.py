"""Purge verification in the dashboard: an accepted refresh is tracked against the log, the
status area and the history show the verdict, Enter opens the submission, `r` there puts
its entries back, the charts mark it purged, and the tracking survives a restart."""

from __future__ import annotations

from tests.app.conftest import wait_until
from tui.screens.history import HistoryScreen
from tui.screens.refresh import RefreshModal
from tui.screens.submission import SubmissionScreen
from tui.widgets.statusline import StatusLine

D = "https://cdn.example.com"
TOP = f"{D}/static/js/app.8f3c2a.js"


def loaded(app) -> bool:
    return app.state.caught_up and len(app.state.buffer) > 0 and app.state.log_health.state == "ok"


def status(app) -> str:
    return app.screen.query_one(StatusLine).render().plain


async def send(pilot, app, text: str) -> None:
    await pilot.press("r")
    await pilot.pause(0.1)
    assert isinstance(app.screen, RefreshModal)
    app.screen.query_one("#entries").insert(text)
    await pilot.pause(0.1)
    await pilot.press("ctrl+s", "y")
    await wait_until(pilot, lambda: app.desk.refresh_job is not None
                     and not app.desk.refresh_job.running)
    assert app.desk.refresh_job.ok
    await pilot.press("escape")


def verdicts(app) -> list[str]:
    return [r["verdict"] for r in app.purges.tracker.rows(app.purges.tracker.tracks[-1])]


async def test_a_refreshed_url_is_reported_purged_everywhere(make_app, sim_server) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        assert "refresh " not in status(app).split("\n")[-1]
        await send(pilot, app, f"{TOP}\n{D}/never-asked.png")
        assert verdicts(app) == ["not_requested", "not_requested"]
        await wait_until(pilot, lambda: "0/2 purged" in status(app))
        sim_server.sim.advance(40)  # the log moves on: app.js is asked for, MISSes, refills
        await wait_until(pilot, lambda: verdicts(app)[0] == "purged", timeout=15)
        assert verdicts(app) == ["purged", "not_requested"]
        row = app.purges.tracker.rows(app.purges.tracker.tracks[-1])[0]
        assert row["refilled_ns"] is not None and row["requests"] >= 3
        await wait_until(pilot, lambda: "1/2 purged · 5XX on them" in status(app))
        line = status(app).split("\n")
        assert len(line) == 3 and line[2].startswith(" refresh ")
        marks = app.purges.marks("cdn.example.com", app.desk.refresh_marks("cdn.example.com"))
        assert [m[1] for m in marks if isinstance(m, tuple)] == ["purged"]
        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        cells = [str(c) for c in app.screen.query_one("DataTable").get_row_at(0)]
        assert "1 purged · 1 not requested yet" in cells, cells
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, SubmissionScreen)
        table = app.screen.query_one("DataTable")
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0][0] == "purged" and rows[0][1] == "/static/js/app.8f3c2a.js"
        assert rows[1][0] == "not requested yet"
        await pilot.press("escape")  # back to the history, nothing put back
        await pilot.pause(0.1)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("enter")
        await pilot.pause(0.1)
        await pilot.press("r")
        await pilot.pause(0.2)
        assert isinstance(app.screen, RefreshModal)
        assert TOP in app.screen.query_one("#entries").text


async def test_tracking_survives_a_restart_within_the_window(make_app, sim_server) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await send(pilot, app, TOP)
        sim_server.sim.advance(40)
        await wait_until(pilot, lambda: verdicts(app) == ["purged"], timeout=15)
    again = make_app()
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(again))
        assert verdicts(again) == ["purged"]
        await wait_until(pilot, lambda: "1/1 purged" in status(again))
    sim_server.sim.advance(3600)  # long after the window: the line is gone, the verdict stays
    late = make_app()
    async with late.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(late))
        assert len(status(late).split("\n")) == 2
        assert verdicts(late) == ["purged"] and late.purges.tracker.tracks[-1].done
        await pilot.press("h")
        cells = [str(c) for c in late.screen.query_one("DataTable").get_row_at(0)]
        assert "1 purged" in cells


async def test_entries_without_cache_status_cannot_tell(make_app, sim_server) -> None:
    sim_server.sim.set_purge({"no_cache_status": True})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await send(pilot, app, TOP)
        sim_server.sim.advance(20)
        await wait_until(pilot, lambda: "cannot tell (no cache status)" in status(app),
                         timeout=15)
        assert verdicts(app) == ["cannot_tell"]
        await pilot.press("h", "enter")
        await pilot.pause(0.1)
        note = str(app.screen.query_one("#submission-note").render())
        assert "carry no cache status" in note
