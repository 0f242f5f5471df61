"""While a backlog pours in, the dashboard draws less (issue 15): rows arriving store the
pane's row count without a layout of the whole screen, and frames come at most every
CATCHUP_FRAME_S until the backlog is in (then at the full frame rate again)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.config import load_settings
from tui.context import build_context
from tui.core.buffer import LogBuffer
from tui.core.models import LogEntry
from tui.screens.dashboard import Dashboard
from tui.widgets.logview import LogView

T0 = 1_700_000_000_000_000_000


def _entries(start: int, n: int) -> list[LogEntry]:
    return [LogEntry(T0 + (start + i) * 1_000_000, 200, "GET", "203.0.113.7", 100,
                     f"https://cdn.example.com/{start + i}.png", "CN", "HIT", {})
            for i in range(n)]


class PaneApp(App[None]):
    def __init__(self, buffer: LogBuffer) -> None:
        super().__init__()
        self.buffer = buffer

    def compose(self) -> ComposeResult:
        yield LogView(self.buffer, domain="cdn.example.com", id="log")


async def test_rows_arriving_past_a_screenful_need_no_layout() -> None:
    buf = LogBuffer(10_000)
    app = PaneApp(buf)
    async with app.run_test(size=(120, 20)) as pilot:
        lv = app.query_one(LogView)
        buf.extend(_entries(0, 5))
        before = lv._layout_updates
        lv.data_changed(5)
        assert lv._layout_updates == before  # fewer rows than the pane's height: no scrollbar
        await pilot.pause()
        assert not lv.show_vertical_scrollbar
        seen = 5
        for _ in range(2):  # the scrollbar appears, then the rows' width shrinks to beside it
            buf.extend(_entries(seen, 300))
            seen += 300
            lv.data_changed(300)
            await pilot.pause()
        assert lv.show_vertical_scrollbar
        for _ in range(3):
            buf.extend(_entries(seen, 300))
            seen += 300
            before = lv._layout_updates
            lv.data_changed(300)
            assert lv._layout_updates == before  # only the count changed: no layout
            assert lv.virtual_size.height == seen
            assert lv.vertical_scrollbar.window_virtual_size == seen
            await pilot.pause()
        rows = ["".join(s.text for s in lv.render_line(y)) for y in range(lv.size.height)]
        assert f"/{seen - 1}.png" in rows[-1]  # following: the newest row at the bottom


async def test_catching_up_draws_at_most_every_catchup_frame_s(sim_server) -> None:
    from tui.app import S4TopApp

    settings = load_settings(flags={"api_base": sim_server.base_url, "domain": "cdn.example.com"})
    app = S4TopApp(build_context(settings), start_pollers=False, clock_ns=lambda: T0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        dash = app.screen
        assert isinstance(dash, Dashboard)
        st = app.states[0]
        assert not st.caught_up
        dash._framed_at = 0.0
        st.ingest(_entries(0, 100))
        dash._frame_tick()
        assert not st.dirty  # drawn
        st.ingest(_entries(100, 100))
        dash._frame_tick()  # the next tick, well within CATCHUP_FRAME_S of the last frame
        assert st.dirty  # kept for a later frame
        st.caught_up = True
        dash._frame_tick()
        assert not st.dirty  # the backlog is in: every tick draws again
        st.ingest(_entries(200, 10))
        dash._frame_tick()
        assert not st.dirty
