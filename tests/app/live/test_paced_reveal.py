"""The paced reveal (tui/core/reveal.py, tui/widgets/logview.py): following live, a poll that
brings more rows than the log pane shows is revealed oldest first in steps until the next poll,
each row once, while the buffer and its counts take every entry at once. A key first takes
in every held row; a paused or scrolled pane, a small batch and the setting off are as before.

The flood goes the real way: entries injected into the simulator's log, the clock moved past
them, the tail's next poll reads them over HTTP."""

from __future__ import annotations

import re

from tests.app.conftest import wait_until
from tests.conftest import DOMAIN
from tui.screens.dashboard import Dashboard
from tui.widgets.logview import LogView
from tui.widgets.statusline import format_count

FLOOD = 400
URL = re.compile(r"flood-(\d{4})\.png")


def loaded(app) -> bool:
    st = app.state
    return st.caught_up and len(st.buffer) > 0 and st.log_health.state == "ok"


def flood(sim, n: int = FLOOD, seconds: float = 1.0) -> None:
    """The clock moves on by `seconds` (the simulator's own traffic), and n entries, each
    its own URL, are the newest of them: the tail's next poll reads them all."""
    end = sim.now_ns() + int(seconds * 1e9)
    sim.inject(DOMAIN, [{"path": f"https://cdn.example.com/flood-{i:04d}.png", "code": 200,
                         "size": 10, "method": "GET", "ip": "203.0.113.7",
                         "access_time": end - 100 * (n - i)} for i in range(n)])
    sim.advance(seconds)


def drawn(lv: LogView) -> list[str]:
    return [lv.render_line(y).text for y in range(lv.scrollable_content_region.height)]


def flood_rows(lv: LogView) -> list[int]:
    """The flood's entries the pane draws now, top to bottom, by their number."""
    return [int(m.group(1)) for line in drawn(lv) if (m := URL.search(line))]


def newest_url(app) -> str:
    buf = app.state.buffer
    return buf.view_entry(buf.view_len - 1).url.removeprefix(f"https://{DOMAIN}")


def record_frames(dash: Dashboard, frames: list[dict]) -> None:
    """After each dashboard frame: what the pane draws and what the buffer holds."""
    draw = dash.frame

    def recorded() -> None:
        draw()
        lv = dash.log_view
        frames.append({"rows": flood_rows(lv), "buffered": len(dash.host.state.buffer),
                       "bottom": drawn(lv)[-1], "revealing": lv.revealing,
                       "new": lv.new_count, "status": str(dash.query_one("#status").render())})

    dash.frame = recorded  # type: ignore[method-assign]


def arrived(app, count: int) -> bool:
    return sum(1 for e in app.state.buffer if "flood-" in e.url) >= count


async def test_a_flood_is_revealed_in_steps_in_order_each_row_once(make_app, sim_server) -> None:
    app = make_app(poll_interval=2.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        dash = app.screen
        lv = dash.log_view
        frames: list[dict] = []
        record_frames(dash, frames)
        flood(sim_server.sim)
        await wait_until(pilot, lambda: arrived(app, FLOOD), timeout=10)
        await wait_until(pilot, lambda: not lv.revealing, timeout=10)
        shown = [f for f in frames if f["rows"]]
        assert shown, "the flood never showed"
        # every frame since the rows arrived: the buffer and the header had all of them
        total = shown[-1]["buffered"]
        assert all(f["buffered"] == total for f in shown)
        assert all(f"shown of {format_count(total)} buffered" in f["status"] for f in shown)
        # the pane drew them in steps, oldest first: its bottom flood row only moves forward
        bottoms = [f["rows"][-1] for f in shown]
        steps = [b for i, b in enumerate(bottoms) if i == 0 or b != bottoms[i - 1]]
        assert steps == sorted(steps) and len(set(steps)) == len(steps)
        assert len(steps) >= 3, steps
        assert shown[0]["revealing"] and steps[0] < FLOOD - 1
        for f in shown:  # each frame: consecutive flood rows, none missing, none twice
            assert f["rows"] == list(range(f["rows"][0], f["rows"][0] + len(f["rows"])))
        # and at the end every row is in, the newest at the bottom, the cursor on it
        assert steps[-1] == FLOOD - 1 and newest_url(app) == f"/flood-{FLOOD - 1:04d}.png"
        assert lv.selected is not None and lv.selected.url.endswith(newest_url(app))
        assert lv.following and lv.new_count == 0


async def test_a_key_takes_in_every_held_row_at_once(make_app, sim_server) -> None:
    app = make_app(poll_interval=2.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        lv = app.screen.log_view
        flood(sim_server.sim)
        await wait_until(pilot, lambda: arrived(app, FLOOD) and lv.revealing, timeout=10)
        assert newest_url(app) not in drawn(lv)[-1]  # held back
        await pilot.press("k")  # up one row: from the newest, not from the last one drawn
        assert not lv.revealing
        buf = app.state.buffer
        assert lv.selected is not None and lv.selected.url.endswith(f"/flood-{FLOOD - 2:04d}.png")
        assert lv.selected.url == buf.view_entry(buf.view_len - 2).url
        assert newest_url(app) in drawn(lv)[-1]
        await pilot.press("G")
        assert lv.following and lv.selected.url.endswith(newest_url(app))


async def test_pause_during_a_reveal_freezes_every_row_that_arrived(make_app, sim_server) -> None:
    app = make_app(poll_interval=2.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        lv = app.screen.log_view
        flood(sim_server.sim)
        await wait_until(pilot, lambda: arrived(app, FLOOD) and lv.revealing, timeout=10)
        await pilot.press("p")
        assert lv.paused and not lv.revealing and lv.new_count == 0
        frozen = drawn(lv)
        assert newest_url(app) in frozen[-1]
        await pilot.pause(0.5)  # frames go on: the pane stays put
        assert drawn(lv) == frozen


async def test_a_paused_pane_counts_a_flood_at_once_and_does_not_move(make_app, sim_server) -> None:
    app = make_app(poll_interval=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        dash = app.screen
        lv = dash.log_view
        await pilot.press("p")
        frozen = drawn(lv)
        frames: list[dict] = []
        record_frames(dash, frames)
        flood(sim_server.sim)
        await wait_until(pilot, lambda: arrived(app, FLOOD), timeout=10)
        first = next(f for f in frames if f["buffered"] == len(app.state.buffer))
        assert first["new"] >= FLOOD and not first["revealing"]  # "+N new" takes them all
        assert f"+{format_count(first['new'])} new" in first["status"]
        assert drawn(lv) == frozen and not lv.revealing


async def test_a_scrolled_pane_keeps_its_rows_and_counts_a_flood_at_once(make_app,
                                                                        sim_server) -> None:
    app = make_app(poll_interval=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        lv = app.screen.log_view
        await pilot.press(*"kkkkk")
        assert not lv.following
        frozen, selected = drawn(lv), lv.selected
        flood(sim_server.sim)
        await wait_until(pilot, lambda: arrived(app, FLOOD), timeout=10)
        assert not lv.revealing and lv.new_count >= FLOOD
        assert drawn(lv) == frozen and lv.selected == selected


async def test_a_batch_that_fits_the_pane_shows_at_once(make_app, sim_server) -> None:
    app = make_app(poll_interval=1.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        dash = app.screen
        frames: list[dict] = []
        record_frames(dash, frames)
        flood(sim_server.sim, 3, seconds=0.05)  # and ~1 of its own: fewer than a pane
        await wait_until(pilot, lambda: arrived(app, 3), timeout=10)
        first = next(f for f in frames if f["rows"])
        assert first["rows"][-3:] == [0, 1, 2] and not first["revealing"]
        assert newest_url(app) in first["bottom"]


async def test_with_the_setting_off_a_flood_shows_at_once(make_app, sim_server, tmp_path) -> None:
    app = make_app(poll_interval=1.0, config_text="paced_reveal = false\n", tmp_path=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        dash = app.screen
        frames: list[dict] = []
        record_frames(dash, frames)
        flood(sim_server.sim)
        await wait_until(pilot, lambda: arrived(app, FLOOD), timeout=10)
        first = next(f for f in frames if f["rows"])
        assert not first["revealing"] and newest_url(app) in first["bottom"]
