"""The status line says when the disk refused a draft or a history line (issue 16), not only
a toast; the next change saves again and the warning goes. Real OS failures: the drafts
folder is a file, the history file is a folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.app.conftest import wait_until
from tui.screens.refresh import RefreshModal
from tui.widgets.logview import LogView

D = "https://cdn.example.com"


def data_dir() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "s4top"


def status(app) -> str:
    return str(app.screen.query_one("#status").render())


def loaded(app) -> bool:
    return app.state.caught_up and len(app.state.buffer) > 0 and app.state.log_health.state == "ok"


async def test_a_draft_the_disk_refuses_shows_in_the_status_line_until_saved(make_app) -> None:
    blocked = data_dir() / "drafts"
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("not a folder")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        entry = app.screen.query_one(LogView).selected
        await pilot.press("space")
        await pilot.pause(0.2)
        assert app.desk.tag_of(entry) == "url"  # kept in memory
        assert "draft NOT saved" in status(app) and "kept in memory" in status(app)
        assert "refresh batch: 1" in status(app)
        blocked.unlink()  # the disk is back: the next change saves, the warning goes
        lv = app.screen.query_one(LogView)
        for _ in range(50):  # another URL, so the change adds rather than removes
            await pilot.press("k")
            if lv.selected.url != entry.url:
                break
        await pilot.press("space")
        await pilot.pause(0.2)
        assert "NOT saved" not in status(app)
        saved = app.desk.batches.files.own_path("cdn.example.com").read_text()
        assert entry.url in saved


async def test_a_sent_refresh_is_reported_when_its_history_line_cannot_be_written(
        make_app, sim_server) -> None:
    history = data_dir() / "history.jsonl"
    history.mkdir(parents=True)  # a folder where the file should be: every write fails
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("r")
        await pilot.pause(0.1)
        assert isinstance(app.screen, RefreshModal)
        app.screen.query_one("#entries").insert(f"{D}/a.png\n")
        await pilot.pause(0.1)
        await pilot.press("ctrl+s", "y")
        await wait_until(pilot, lambda: app.desk.refresh_job is not None
                         and not app.desk.refresh_job.running)
        assert app.desk.refresh_job.ok and len(sim_server.sim.refreshes) == 1
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert "1 history line NOT written" in status(app)
        shutil.rmtree(history)
        await pilot.press("space")  # the next change writes the kept line
        await pilot.pause(0.2)
        assert "NOT written" not in status(app)
        assert '"cdn.example.com"' in history.read_text()
