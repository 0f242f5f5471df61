"""A scroll key acts on what is buffered when it is pressed: entries that arrived since the
last frame join the pane at once, so the key's effect is on the next screen update instead of
the next dashboard frame (up to 1/max_fps later: the scroll keys' p95 while ingesting)."""

from __future__ import annotations

from dataclasses import replace

from tests.app.conftest import wait_until
from tui.core.models import LogEntry


def loaded(app) -> bool:
    st = app.state
    return st.caught_up and len(st.buffer) > 0 and st.log_health.state == "ok"


def arrive(app, n: int) -> list[LogEntry]:
    """Entries delivered as the tail delivers a page, between two frames."""
    buf = app.state.buffer
    newest = buf.view_entry(buf.view_len - 1)
    new = [replace(newest, time_ns=newest.time_ns + i + 1, url=f"/arrived-{i}.png")
           for i in range(n)]
    app.state.ingest(new)
    return new


async def test_G_right_after_new_entries_shows_the_newest_row(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        dash = app.screen
        lv = dash.log_view
        dash._fast.pause()  # no frame from the timer: what shows comes from the key
        arrive(app, 5)
        await pilot.press("G")
        assert lv.following and lv.cursor_index == app.state.buffer.view_len - 1
        bottom = lv.render_line(lv.scrollable_content_region.height - 1).text
        assert "/arrived-4.png" in bottom


async def test_k_right_after_new_entries_moves_from_the_newest_row(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        dash = app.screen
        lv = dash.log_view
        dash._fast.pause()
        new = arrive(app, 5)
        await pilot.press("k")
        assert lv.selected is not None and lv.selected.url == new[-2].url
        above_bottom = lv.render_line(lv.scrollable_content_region.height - 2).text
        assert "/arrived-3.png" in above_bottom
