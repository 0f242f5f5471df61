"""The dashboard over a recording: the REPLAY header, the speed keys, the jump, the keys that
have no meaning in the past. Real app, real client, the recording served on loopback."""

from __future__ import annotations

from tests.app.conftest import wait_until
from tests.app.replay.conftest import REC_END, REC_START, window
from tests.conftest import DOMAIN
from tests.replay_support import NS

BACKLOG = 300 * NS
AT = REC_START + 1200 * NS  # 10:20


def _urls(app) -> list[str]:
    return [e.url for e in app.state.buffer]


def _status(app) -> str:
    return app._dashboard.query_one("StatusLine").render().plain


def _toasts(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_paused_replay_shows_the_backlog_before_its_time(make_replay, recording) -> None:
    app = make_replay(at="10:20", speed="0")
    truth = recording[1][DOMAIN]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)
        assert _urls(app) == window(truth, AT - BACKLOG, AT)
        assert app.clock_ns() == AT
        assert "REPLAY 2026-11-20 10:20:00 paused" in _status(app)
        assert "updated" not in _status(app)  # the wall's age means nothing here


async def test_speed_keys_step_paused_1_10_60(make_replay) -> None:
    app = make_replay(speed="0")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)
        for key, label in ((">", "×1"), (">", "×10"), (">", "×60"), (">", "×60"),
                           ("<", "×10"), ("<", "×1"), ("<", "paused"), ("<", "paused")):
            await pilot.press(key)
            await pilot.pause()
            assert app.replay.source.speed == {"×1": 1, "×10": 10, "×60": 60,
                                               "paused": 0}[label]
            badge = _status(app).split("REPLAY 2026-11-20 ", 1)[1][:20]
            assert badge.split()[1] == label, badge
        await pilot.press(">", ">")  # 10x: the clock and the tail move on
        await wait_until(pilot, lambda: app.clock_ns() > AT + 3 * NS, timeout=5)
        assert "×10" in _status(app)


async def test_jump_fills_the_buffer_from_the_window_before_it(make_replay, recording) -> None:
    app = make_replay(at="10:20", speed="0")
    truth = recording[1][DOMAIN]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press(*"-10m", "enter")
        target = REC_END - 600 * NS
        await wait_until(pilot, lambda: app.clock_ns() == target and app.state.caught_up)
        assert _urls(app) == window(truth, target - BACKLOG, target)
        assert "REPLAY 2026-11-20 10:20:00" in _status(app)
        lv = app._dashboard.log_view
        assert lv.following and "FOLLOW" in _status(app)  # the newest rows at the bottom
        assert lv.selected is not None and lv.selected.url == _urls(app)[-1]
        # and back in time: nothing of the later window stays
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press(*"10:06", "enter")
        back = REC_START + 360 * NS
        await wait_until(pilot, lambda: app.clock_ns() == back and app.state.caught_up)
        assert _urls(app) == window(truth, back - BACKLOG, back)
        assert "10:06:00" in _status(app)


async def test_a_jumps_first_frame_is_the_whole_window(make_replay, recording) -> None:
    """The hold ends the moment the backlog is in (the tail says so as it hands over the
    last rows): the first frame drawn at the new time holds every entry of the window before
    it, never a part; the toast saying where the jump went is shown once."""
    app = make_replay(at="10:20", speed="0")
    truth = recording[1][DOMAIN]
    target = REC_END - 600 * NS
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)
        dash = app._dashboard
        firsts: list[list[str]] = []
        draw = dash.frame

        def observed() -> None:
            if not dash.hold_frames and app.clock_ns() == target and not firsts:
                firsts.append(_urls(app))
            draw()

        dash.frame = observed  # type: ignore[method-assign]
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press(*"-10m", "enter")
        said = "replay: at 2026-11-20 10:20:00"
        await wait_until(pilot, lambda: bool(firsts) and said in _toasts(app))
        assert firsts[0] == window(truth, target - BACKLOG, target)
        assert _toasts(app).count(said) == 1


async def test_a_bad_jump_time_is_said_and_the_text_kept(make_replay) -> None:
    app = make_replay()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press(*"soon", "enter")
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "JumpScreen"
        assert screen.query_one("#jump-input").value == "soon"
        assert "not a time" in screen.query_one("#jump-error").render().plain
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app._dashboard and app.clock_ns() == AT


async def test_poll_and_refresh_keys_say_they_do_nothing(make_replay) -> None:
    app = make_replay()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)
        poll = app.poll_s
        await pilot.press("plus")
        await pilot.pause()
        assert app.poll_s == poll and "have no effect" in _toasts(app)[-1]
        for key in ("r", "space", "d"):
            await pilot.press(key)
            await pilot.pause()
            assert _toasts(app)[-1].startswith("replay: refresh is disabled"), key
        assert app.screen is app._dashboard
        assert app.desk.pending_count(DOMAIN) == 0


async def test_pause_stops_the_pane_not_the_clock(make_replay) -> None:
    app = make_replay(speed="60")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)
        await pilot.press("p")
        t0 = app.clock_ns()
        await wait_until(pilot, lambda: app.clock_ns() > t0 + 10 * NS, timeout=5)
        assert "PAUSED" in _status(app)
        await pilot.press("G")
        await wait_until(pilot, lambda: "FOLLOW" in _status(app), timeout=5)


async def test_help_lists_the_replay_keys_and_live_says_they_need_a_replay(
        make_replay, sim_server, monkeypatch) -> None:
    app = make_replay()
    async with app.run_test(size=(120, 40)):
        rows = {row[2]: row for row in app.binding_rows()}
        for bid, key in (("dashboard.replay_faster", "greater_than_sign"),
                         ("dashboard.replay_slower", "less_than_sign"),
                         ("dashboard.replay_jump", "ctrl+g")):
            assert key in rows[bid][0] and rows[bid][1].startswith("replay:")
    from tui.app import S4TopApp
    from tui.config import load_settings
    from tui.context import build_context
    from tui.sim import DEMO_TOKEN

    monkeypatch.setenv("BITIFUL_API_TOKEN", DEMO_TOKEN)
    live = S4TopApp(build_context(load_settings(flags={"api_base": sim_server.base_url,
                                                       "domain": DOMAIN})),
                    clock_ns=sim_server.sim.now_ns)
    async with live.run_test(size=(120, 40)) as pilot:
        await pilot.press(">")
        await pilot.pause()
        assert "not a replay" in _toasts(live)[-1]


async def test_the_clock_stops_at_until(make_replay) -> None:
    app = make_replay(at="10:20", speed="60", until="10:20:30")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.clock_ns() == AT + 30 * NS, timeout=10)
        await pilot.pause(0.3)
        assert app.clock_ns() == AT + 30 * NS


async def test_the_tail_polls_as_often_in_replay_time_as_live(make_replay) -> None:
    """At 10x the tail polls ten times as often (never under 0.1 s), so the rows, rates and
    alerts keep up with the clock instead of lagging a poll interval x the speed."""
    app = make_replay(at="10:10", speed="0", poll_interval=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)
        intervals = {}
        for _ in range(4):
            intervals[app.replay.source.speed] = app.hooks.poll_s(app.state)
            await pilot.press(">")
            await pilot.pause()
    assert intervals == {0.0: 1.0, 1.0: 1.0, 10.0: 0.1, 60.0: 0.1}
