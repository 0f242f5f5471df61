"""The log pane draws a visible row from its strip cache without rebuilding the entry from the
buffer's columns (tui/widgets/logview.py `render_line`); a changed tag still redraws the row."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.core.buffer import LogBuffer
from tui.core.models import LogEntry
from tui.widgets.logview import LogView

URL = "https://cdn.example.com/img/{}.png"


class CountingBuffer(LogBuffer):
    """The real buffer, counting how often an entry is rebuilt for the view."""

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.rebuilt = 0

    def view_entry(self, i: int) -> LogEntry:
        self.rebuilt += 1
        return super().view_entry(i)


class PaneApp(App[None]):
    def __init__(self, buffer: LogBuffer, tagged: set[str]) -> None:
        super().__init__()
        self.buffer = buffer
        self.tagged = tagged

    def compose(self) -> ComposeResult:
        yield LogView(self.buffer, domain="cdn.example.com", id="log",
                      tag_of=lambda e: "url" if e.url in self.tagged else None)


def _rows(lv: LogView) -> list[str]:
    return ["".join(seg.text for seg in lv.render_line(y)) for y in range(lv.size.height)]


async def test_a_warm_repaint_rebuilds_no_entry_and_a_new_tag_redraws_its_row() -> None:
    buf = CountingBuffer(1000)
    buf.extend(LogEntry(1_700_000_000_000_000_000 + i, 200, "GET", "203.0.113.7", 100 + i,
                        URL.format(i), "CN", "HIT", {"ua": "curl"}) for i in range(500))
    tagged: set[str] = set()
    app = PaneApp(buf, tagged)
    async with app.run_test(size=(120, 20)) as pilot:
        lv = app.query_one(LogView)
        lv.data_changed(0)
        await pilot.pause()
        first = _rows(lv)  # warms the cache
        assert any("/img/499.png" in row for row in first)
        buf.rebuilt = 0
        assert _rows(lv) == first
        assert buf.rebuilt == 0  # every row came from the cache
        tagged.add(URL.format(495))  # no invalidate: the tag is part of the cache key
        again = _rows(lv)
        assert buf.rebuilt == 1
        changed = [(a, b) for a, b in zip(first, again, strict=True) if a != b]
        assert len(changed) == 1 and "/img/495.png" in changed[0][1]
        assert changed[0][1].startswith("+") and not changed[0][0].startswith("+")
