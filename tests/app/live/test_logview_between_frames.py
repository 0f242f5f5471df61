"""The log pane between an ingest and the next frame (tui/widgets/logview.py): entries are
added to the buffer by the tail as they come, the pane catches up at its next frame. A render
in between (a key's) must show the rows the pane last showed, and `G` the newest row under
the cursor, even when the ingest evicted a poll's worth of entries at a full buffer."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.core.buffer import LogBuffer
from tui.core.models import LogEntry
from tui.widgets.logview import LogView

URL = "https://cdn.example.com/img/{}.png"
T0 = 1_700_000_000_000_000_000


def _entries(lo: int, hi: int) -> list[LogEntry]:
    return [LogEntry(T0 + i, 200, "GET", "203.0.113.7", 100 + i, URL.format(i), "CN", "HIT")
            for i in range(lo, hi)]


class PaneApp(App[None]):
    def __init__(self, buffer: LogBuffer) -> None:
        super().__init__()
        self.buffer = buffer

    def compose(self) -> ComposeResult:
        yield LogView(self.buffer, domain="cdn.example.com", id="log", tag_of=lambda e: None)


def _rows(lv: LogView) -> list[str]:
    return ["".join(seg.text for seg in lv.render_line(y)) for y in range(lv.size.height)]


def _cursor_rows(lv: LogView) -> list[int]:
    """The rows drawn with the cursor's style (its background differs from the others')."""
    bgs = [lv.render_line(y)._segments[0].style.bgcolor for y in range(lv.size.height)]
    common = max(set(bgs), key=bgs.count)
    return [y for y, bg in enumerate(bgs) if bg != common]


async def _paused(app: PaneApp, pilot, up: int) -> LogView:
    """The pane drawn over the full buffer, then paused `up` rows above the newest."""
    lv = app.query_one(LogView)
    lv.data_changed(0)
    await pilot.pause()
    lv.move_cursor(-up)
    await pilot.pause()
    return lv


def _full() -> LogBuffer:
    buf = LogBuffer(1000)
    buf.extend(_entries(0, 1000))
    return buf


async def test_a_paused_pane_keeps_its_rows_through_an_evicting_ingest() -> None:
    app = PaneApp(buf := _full())
    async with app.run_test(size=(120, 20)) as pilot:
        lv = await _paused(app, pilot, 5)  # paused, reading
        before = _rows(lv)
        assert any("/img/994.png" in r for r in before)
        buf.extend(_entries(1000, 1400))  # a poll's worth arrives: 400 evicted, no frame yet
        assert _rows(lv) == before  # the same entries, not 400 rows further on


async def test_g_after_an_evicting_ingest_puts_the_newest_row_under_the_cursor() -> None:
    app = PaneApp(buf := _full())
    async with app.run_test(size=(120, 20)) as pilot:
        lv = await _paused(app, pilot, 3)
        buf.extend(_entries(1000, 1600))  # between two frames
        lv.go_live()
        await pilot.pause()
        rows = _rows(lv)
        last = max(y for y, r in enumerate(rows) if r.strip())
        assert "/img/1599.png" in rows[last], rows[last]
        assert _cursor_rows(lv) == [last]
        # scrolled there too (not clamped at the last frame's row count): the scrollbar
        # and a wheel scroll start from the newest row
        assert int(lv.scroll_y) == buf.view_len - lv.scrollable_content_region.height
        buf.extend(_entries(1600, 1900))  # and another before the next frame
        rows = _rows(lv)
        assert "/img/1599.png" in rows[last] and _cursor_rows(lv) == [last]
