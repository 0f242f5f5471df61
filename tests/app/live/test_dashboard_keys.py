"""Every dashboard key, driven with Pilot against the real client and the simulator."""

from __future__ import annotations

import json
from pathlib import Path

from tests.app.conftest import wait_until
from tui.core.models import StatusClass
from tui.screens.detail import DetailScreen
from tui.screens.help import HelpScreen
from tui.widgets.logview import LogView


def loaded(app) -> bool:
    st = app.state
    return st.caught_up and len(st.buffer) > 0 and st.log_health.state == "ok" and bool(st.series)


def view_classes(app) -> set:
    buf = app.state.buffer
    return {buf.view_entry(i).status_class for i in range(buf.view_len)}


async def test_backlog_loads_last_five_minutes(make_app, sim_server) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        buf = app.state.buffer
        now = sim_server.sim.now_ns()
        truth = sim_server.sim.truth("cdn.example.com", now - 300 * 10**9, now)
        assert len(buf) == len(truth) > 100
        assert buf.view_entry(0).time_ns >= now - 300 * 10**9
        lv = app.screen.query_one(LogView)
        assert lv.following and lv.cursor_seq == buf.view_seq(buf.view_len - 1)


async def test_class_keys_follow_the_ux_rule(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        total = app.state.buffer.view_len
        await pilot.press("5")
        assert view_classes(app) == {StatusClass.S5XX}
        await pilot.press("4")
        assert view_classes(app) == {StatusClass.S4XX, StatusClass.S5XX}
        await pilot.press("5")
        assert view_classes(app) == {StatusClass.S4XX}
        await pilot.press("4")  # removing the last class shows all again
        assert app.state.buffer.view_len == total
        await pilot.press("2", "0")
        assert app.state.buffer.view_len == total


async def test_text_filter_regex_error_and_escape(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        total = app.state.buffer.view_len
        await pilot.press("slash")
        await pilot.press(*"robots")
        buf = app.state.buffer
        assert 0 < buf.view_len < total
        assert all("robots" in buf.view_entry(i).url for i in range(buf.view_len))
        # letters typed into the filter are text, not commands: q did not quit
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
        await pilot.press(*"/[q/")
        assert app.is_running
        err = str(app.screen.query_one("#filter-error").render())
        assert err.strip(), "an invalid regex shows an inline error"
        await pilot.press("escape")
        assert app.state.buffer.view_len == total and app.state.buffer.filter.text == ""
        await pilot.press("slash", *r"/\.png$/", "enter")
        assert all(buf.view_entry(i).url.endswith(".png") for i in range(buf.view_len))
        assert isinstance(app.focused, LogView)
        await pilot.press("escape")
        assert app.state.buffer.view_len == total


async def test_cursor_follow_pause_and_new_rows(make_app, sim_server) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        lv = app.screen.query_one(LogView)
        buf = app.state.buffer
        last = buf.view_len - 1
        await pilot.press("k", "k", "up")
        assert lv.cursor_index == last - 3 and not lv.following
        await pilot.press("j")
        assert lv.cursor_index == last - 2
        await pilot.press("g")
        assert lv.cursor_index == 0
        await pilot.press("pagedown")
        assert lv.cursor_index > 10
        await pilot.press("G")
        assert lv.following and lv.cursor_index == buf.view_len - 1
        # pause: rows stay put while the buffer keeps collecting; "+N new" counts
        await pilot.press("p")
        assert lv.paused
        top_before = int(lv.scroll_y)
        size_before = len(buf)
        sim_server.sim.advance(20)
        await wait_until(pilot, lambda: len(buf) > size_before)
        await pilot.pause(0.3)
        assert lv.new_count == len(buf) - size_before
        assert int(lv.scroll_y) == top_before
        status = str(app.screen.query_one("#status").render())
        assert f"PAUSED +{lv.new_count}" in status.replace(",", "")
        await pilot.press("p")
        assert lv.live and lv.cursor_index == buf.view_len - 1 and lv.new_count == 0
        # f toggles follow
        await pilot.press("f")
        assert not lv.following
        await pilot.press("f")
        assert lv.following


async def test_detail_view_and_copy(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        entry = app.screen.query_one(LogView).selected
        await pilot.press("c")
        assert app.clipboard == entry.url
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        body = str(app.screen.query_one("#detail-body").render())
        assert entry.url in body and "raw JSON" in body and "referer" in body
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailScreen)


async def test_range_poll_utc_and_help(make_app) -> None:
    app = make_app(poll_interval=2.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        assert app.range_index == 2
        await pilot.press("t")
        assert app.range_index == 3
        await wait_until(pilot, lambda: bool(app.state.series))
        assert next(iter(app.state.series.values())).period == "daily"
        assert app.poll_s == 2.0
        await pilot.press("plus")
        assert app.poll_s == 5.0
        await pilot.press("minus", "minus")
        assert app.poll_s == 1.0
        status = str(app.screen.query_one("#status").render())
        await pilot.press("u")
        assert app.utc
        assert str(app.screen.query_one("#status").render()) != status or "UTC" in status
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("Static").render())
        for bid in ("dashboard.class_5xx", "dashboard.filter", "dashboard.pause", "app.quit", "dashboard.export"):
            assert bid in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_export_writes_the_filtered_entries(make_app, tmp_path: Path) -> None:
    app = make_app(export_dir=str(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("4")
        n = app.state.buffer.view_len
        await pilot.press("e")
        files = list(tmp_path.glob("s4top-*.jsonl"))
        assert len(files) == 1
        lines = files[0].read_text().splitlines()
        assert len(lines) == n and all(json.loads(x)["status"] // 100 == 4 for x in lines)
        await pilot.press("E")
        assert len(list(tmp_path.glob("s4top-*.log"))[0].read_text().splitlines()) == n


async def test_screenshot_has_no_token(make_app, tmp_path: Path) -> None:
    app = make_app(export_dir=str(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("f8")
        shots = list(tmp_path.glob("*.svg"))
        assert len(shots) == 1
        assert "s4top-demo-token" not in shots[0].read_text()


async def test_q_quits(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_auth_error_state(make_app) -> None:
    app = make_app(token="wrong-token-value")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.log_health.state == "auth")
        await pilot.pause(0.3)
        status = str(app.screen.query_one("#status").render())
        assert "auth error" in status and "BITIFUL_API_TOKEN" in status
        assert "wrong-token-value" not in status


async def test_rate_limited_state_then_recovery(make_app, sim_server) -> None:
    # the backlog's first round asks 4 slices at once (tui/live/pollers.py): 6 refusals
    # are two rounds of Retry-After, the window the status line had with one slice at first
    sim_server.sim.faults.set({"status": 429, "retry_after": 1, "path": "logs", "count": 6})
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        def status() -> str:
            return str(app.screen.query_one("#status").render())

        # the state changes in the poller; the status line shows it at the next frame
        await wait_until(pilot, lambda: app.state.log_health.state == "rate_limited"
                         and "rate limited" in status())
        assert "rate limited" in status() and "retry in" in status()
        await wait_until(pilot, lambda: app.state.log_health.state == "ok" and len(app.state.buffer) > 0, timeout=15)


async def test_keymap_remaps_a_binding(make_app, tmp_path: Path) -> None:
    app = make_app(config_text='[keymap]\n"dashboard.class_5xx" = "x"\n', tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("x")
        assert view_classes(app) == {StatusClass.S5XX}


async def test_theme_is_remembered(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        app.theme = "nord"
        await pilot.pause()
    app2 = make_app()
    async with app2.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app2.theme == "nord"


async def test_rows_take_the_new_theme_colours(make_app) -> None:
    """Rendered rows are cached; a theme change must not leave rows in the old colours."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        lv = app.screen.query_one(LogView)

        def backgrounds() -> set:
            return {seg.style.bgcolor for y in range(3) for seg in lv.render_line(y) if seg.style}

        before = backgrounds()
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause(0.2)
        after = backgrounds()
        assert after and after != before
        assert after == {lv.rich_style.bgcolor}


async def test_idle_dashboard_slows_its_frames_and_new_entries_wake_it(make_app, sim_server) -> None:
    """With nothing arriving the max_fps timer pauses (a once-a-second tick remains); the next
    entries wake it and reach the rows without waiting for that tick."""
    from tui.screens.dashboard import Dashboard

    Dashboard.IDLE_AFTER_S = 0.5
    try:
        app = make_app()
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, lambda: loaded(app))
            dash = app.screen
            await wait_until(pilot, lambda: dash._fast_paused, timeout=5)
            buf = app.state.buffer
            lv = app.screen.query_one(LogView)
            size_before = len(buf)
            sim_server.sim.advance(3)
            await wait_until(pilot, lambda: len(buf) > size_before)
            assert not dash._fast_paused  # woken by the arrival, not by the 1 s tick
            await pilot.pause(0.3)
            assert lv.following and lv.cursor_index == buf.view_len - 1
            newest = buf.view_entry(buf.view_len - 1)
            last_row = lv.render_line(lv.scrollable_content_region.height - 1).text
            assert str(newest.status) in last_row
            await wait_until(pilot, lambda: dash._fast_paused, timeout=5)
            await pilot.press("5")  # a key wakes it too
            assert not dash._fast_paused
    finally:
        Dashboard.IDLE_AFTER_S = 3.0


async def test_long_lived_objects_are_kept_out_of_full_collections_while_running(make_app) -> None:
    """Full GC passes over the app's own objects paused the UI; they are frozen once the
    screen is up and the backlog is in, and unfrozen when the app ends (nothing kept)."""
    import gc

    from tui.core.longlived import FULL_AFTER

    before = gc.get_threshold()
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        assert app._long_lived.after_backlog and gc.get_freeze_count() > 10_000
        assert gc.get_threshold()[2] == FULL_AFTER  # full passes further apart meanwhile
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


async def test_the_collector_held_off_at_start_resumes_at_the_first_frame(make_app) -> None:
    """`s4top` holds the collector off until the first frame (tui/core/longlived.py): the
    dashboard turns it back on once its screen is up, before any entry arrives."""
    import gc

    from tui.core.longlived import hold_collection, resume_collection

    app = make_app()
    hold_collection()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, gc.isenabled)
            assert gc.get_freeze_count() > 10_000  # what the first frame built is frozen
    finally:
        resume_collection()
