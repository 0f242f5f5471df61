"""The refresh modal and tagging, driven with Pilot against the simulator over loopback."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.app.conftest import wait_until
from tui.screens.history import HistoryScreen
from tui.screens.refresh import RefreshModal
from tui.widgets.logview import LogView

D = "https://cdn.example.com"


def modal(app) -> RefreshModal:
    assert isinstance(app.screen, RefreshModal), type(app.screen)
    return app.screen


def plan_text(app) -> str:
    return str(modal(app).query_one("#plan").render())


def history_lines() -> list[dict]:
    path = Path(os.environ["XDG_DATA_HOME"]) / "s4top" / "history.jsonl"
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines()]


def loaded(app) -> bool:
    return app.state.caught_up and len(app.state.buffer) > 0 and app.state.log_health.state == "ok"


async def open_and_type(pilot, app, text: str) -> None:
    await pilot.press("r")
    await pilot.pause(0.1)
    modal(app).query_one("#entries").insert(text)
    await pilot.pause(0.1)


async def test_validation_messages_and_nothing_sent(make_app, sim_server) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await open_and_type(pilot, app, f"{D}/ok.png\n{D}/bad*.png\nftp://x/y\n")
        text = plan_text(app)
        assert "line 2" in text and "'*'" in text and "line 3" in text
        assert "1 entry -> 1 request" in text
        await pilot.press("ctrl+s")
        assert modal(app).page == "page-compose"  # refused while lines are invalid
        assert sim_server.sim.refreshes == []


async def test_type_confirm_send_records_history_and_clears_batch(make_app, sim_server) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await open_and_type(pilot, app, f"{D}/a b.png\n{D}/中文.png\n{D}/a%20b.png\n")
        assert "1 duplicate folded" in plan_text(app)
        await pilot.press("ctrl+s")
        assert modal(app).page == "page-confirm"
        await pilot.press("y")
        await wait_until(pilot, lambda: app.desk.refresh_job is not None and not app.desk.refresh_job.running)
        assert app.desk.refresh_job.ok
        [rec] = sim_server.sim.refreshes
        assert rec["type"] == "url"
        assert rec["url_list"] == [f"{D}/a%20b.png", f"{D}/%E4%B8%AD%E6%96%87.png"]
        [hist] = history_lines()
        assert hist["domain"] == "cdn.example.com" and hist["requests"][0]["status"] == 200
        assert app.desk.batches.draft("cdn.example.com")[0] == ""  # accepted entries leave the batch


async def test_cancel_and_escape_keep_the_draft(make_app, sim_server) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await open_and_type(pilot, app, f"{D}/keep-me.png")
        await pilot.press("ctrl+s", "n")
        assert modal(app).page == "page-compose"
        await pilot.press("ctrl+s", "escape")
        assert modal(app).page == "page-compose"
        await pilot.press("escape")
        assert not isinstance(app.screen, RefreshModal)
        await pilot.press("r")
        assert "keep-me.png" in modal(app).query_one("#entries").text
        assert sim_server.sim.refreshes == []
        # this instance's own draft file (tui/refresh/instances.py), written as it was typed
        saved = json.loads(app.desk.batches.files.own_path("cdn.example.com").read_text())
        assert app.desk.batches.files.own_path("cdn.example.com").parent == (
            Path(os.environ["XDG_DATA_HOME"]) / "s4top" / "drafts" / "cdn.example.com")
        assert "keep-me.png" in saved["text"]


async def test_another_live_instance_is_named_and_adopted_once_it_dies(make_app) -> None:
    """Another real process holds a batch of the same domain: the modal says so and leaves
    it; once that process is SIGKILLed, opening the batch again brings its entries in."""
    from tests.unit.refresh.test_batch_instances import Child

    folder = Path(os.environ["XDG_DATA_HOME"]) / "s4top" / "drafts"
    other = Child(folder, f"{D}/other-1.png\n{D}/other-2.png")
    try:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: loaded(app))
            await open_and_type(pilot, app, f"{D}/mine.png")
            assert modal(app).query_one("#entries").text.strip() == f"{D}/mine.png"
            notes = [n.message for n in app._notifications]
            assert any(f"pid {other.proc.pid}" in n and "2 entries" in n for n in notes), notes
            await pilot.press("escape")
            other.kill()
            await pilot.press("r")
            await pilot.pause(0.1)
            lines = modal(app).query_one("#entries").text.strip().split("\n")
            assert lines == [f"{D}/mine.png", f"{D}/other-1.png", f"{D}/other-2.png"]
            assert "3 entries" in plan_text(app)
    finally:
        if other.proc.poll() is None:
            other.kill()


async def test_tagging_marks_rows_and_prefills(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        lv = app.screen.query_one(LogView)
        entry = lv.selected
        await pilot.press("space")
        assert app.desk.tag_of(entry) == "url"
        status = str(app.screen.query_one("#status").render())
        assert "refresh batch: 1" in status
        await pilot.press("k", "d")
        other = lv.selected
        assert app.desk.tag_of(other) in ("directory", "url")
        await pilot.press("r")
        text = modal(app).query_one("#entries").text
        assert f"url {entry.url}" in text and "dir https://cdn.example.com/" in text
        await pilot.press("escape", "j", "space")  # untag the first one again
        assert app.desk.tag_of(entry) != "url" or entry.url.rsplit("/", 1)[0] + "/" in text


async def test_failed_request_retried_with_one_key(make_app, sim_server) -> None:
    sim_server.sim.faults.set({"status": 500, "path": "refresh"})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await open_and_type(pilot, app, f"{D}/retry.png")
        await pilot.press("ctrl+s", "y")
        await wait_until(pilot, lambda: not app.desk.refresh_job.running, timeout=20)
        job = app.desk.refresh_job
        assert job.failed() == [0] and not job.ok
        summary = str(modal(app).query_one("#send-summary").render())
        assert "R retries" in summary
        assert "retry.png" in app.desk.batches.draft("cdn.example.com")[0]  # nothing lost
        sim_server.sim.faults.clear()
        await pilot.press("R")
        await wait_until(pilot, lambda: not app.desk.refresh_job.running and app.desk.refresh_job.ok, timeout=20)
        assert [r["status"] for r in sim_server.sim.refreshes][-1] == 200
        assert len(history_lines()) == 2


async def test_429_shows_the_wait(make_app, sim_server) -> None:
    sim_server.sim.faults.set({"status": 429, "retry_after": 2, "path": "refresh", "count": 1})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await open_and_type(pilot, app, f"{D}/limited.png")
        await pilot.press("ctrl+s", "y")
        await wait_until(pilot, lambda: app.desk.refresh_job.requests[0].phase == "retrying")
        row = str(modal(app).query_one("#req-0 .req-detail").render())
        assert "retrying in 2s" in row and "rate limited" in row
        await wait_until(pilot, lambda: not app.desk.refresh_job.running, timeout=20)
        assert app.desk.refresh_job.ok


async def test_close_while_sending_then_toast(make_app, sim_server) -> None:
    sim_server.sim.faults.set({"hang": True, "path": "refresh"})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await open_and_type(pilot, app, f"{D}/slow.png")
        await pilot.press("ctrl+s", "y")
        await wait_until(pilot, lambda: app.desk.refresh_job.requests[0].phase == "sending")
        await pilot.press("escape")
        assert not isinstance(app.screen, RefreshModal) and app.desk.refresh_job.running
        sim_server.sim.faults.clear()  # the hung request is answered
        await wait_until(pilot, lambda: not app.desk.refresh_job.running, timeout=20)
        assert app.desk.refresh_job.ok
        assert any("refresh accepted" in n.message for n in app._notifications)
        await pilot.press("r")
        assert modal(app).page == "page-compose"


async def test_read_only_refuses_everywhere(make_app) -> None:
    app = make_app(readonly=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("r", "space", "d")
        assert not isinstance(app.screen, RefreshModal)
        assert app.desk.batches.draft("cdn.example.com")[0] == ""
        assert any("read-only" in n.message for n in app._notifications)


async def test_directory_scope_is_confirmed_explicitly(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        big = "\n".join(f"{D}/f{i}.png" for i in range(101))
        await open_and_type(pilot, app, f"dir {D}/img/\n{big}")
        await pilot.press("ctrl+s")
        text = str(modal(app).query_one("#confirm-text").render())
        assert f"EVERYTHING under {D}/img/" in text
        assert "large batch: 102 entries in 7 requests" in text


async def test_history_resubmits(make_app, sim_server) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await open_and_type(pilot, app, f"{D}/again.png")
        await pilot.press("ctrl+s", "y")
        await wait_until(pilot, lambda: not app.desk.refresh_job.running)
        await pilot.press("escape", "h")
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("enter")  # opens the submission (its entries and verdicts) ...
        await pilot.pause(0.1)
        await pilot.press("r")  # ... and r there puts them back into the batch
        await pilot.pause(0.1)
        assert f"url {D}/again.png" in modal(app).query_one("#entries").text
        await pilot.press("ctrl+s", "y")
        await wait_until(pilot, lambda: not app.desk.refresh_job.running and len(sim_server.sim.refreshes) == 2)
        assert sim_server.sim.refreshes[1]["url_list"] == [f"{D}/again.png"]


async def test_partial_failure_keeps_only_the_failed_entries(make_app, sim_server) -> None:
    sim_server.sim.faults.set({"status": 400, "path": "refresh", "count": 1})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await open_and_type(pilot, app, "\n".join(f"{D}/p{i}.png" for i in range(25)))
        await pilot.press("ctrl+s", "y")
        await wait_until(pilot, lambda: not app.desk.refresh_job.running, timeout=20)
        assert [r.phase for r in app.desk.refresh_job.requests] == ["failed", "ok"]
        left = app.desk.batches.draft("cdn.example.com")[0].split("\n")
        assert left == [f"{D}/p{i}.png" for i in range(20)]
        [hist] = history_lines()
        assert [r["ok"] for r in hist["requests"]] == [False, True]


async def test_text_cursors_do_not_blink(make_app) -> None:
    """UX: nothing blinks when nothing changes (and a blinking cursor repaints over SSH twice a second)."""
    from textual.widgets import Input, TextArea

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("/")
        await pilot.pause(0.1)
        inp = app.screen.query_one("#filter-input", Input)
        assert inp.has_focus
        seen = set()
        for _ in range(8):  # Textual's blink period is 0.5 s
            await pilot.pause(0.15)
            seen.add(inp._cursor_visible)
        assert seen == {True}
        await pilot.press("escape")
        await pilot.press("r")
        await pilot.pause(0.1)
        ta = modal(app).query_one("#entries", TextArea)
        assert ta.has_focus
        seen = set()
        for _ in range(8):
            await pilot.pause(0.15)
            seen.add(ta._cursor_visible)
        assert seen == {True}


async def test_the_chosen_kind_shows_without_colour(make_app) -> None:
    """Only the chosen kind's radio button draws a dot (Textual draws one on both, told apart
    by colour alone)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("r")
        await pilot.pause(0.1)

        def dots() -> tuple[bool, bool]:
            return tuple("●" in str(modal(app).query_one(f"#kind-{k}").render())
                         for k in ("url", "dir"))

        assert dots() == (True, False)
        await pilot.press("ctrl+t")
        await pilot.pause(0.1)
        assert dots() == (False, True)
