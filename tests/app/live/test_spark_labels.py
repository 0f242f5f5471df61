"""A chart's figure label changing to text of the same length repaints the label alone: the
label is `width: auto`, so only a new length can move anything (a layout of the whole screen
per changed figure was most of a frame's cost while ingesting, issue 15)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from tui.widgets.charts import SparkCell


class CellApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SparkCell("2XX …", id="cell")


async def test_a_label_of_the_same_length_needs_no_layout() -> None:
    app = CellApp()
    async with app.run_test(size=(80, 5)) as pilot:
        cell = app.query_one(SparkCell)
        label = cell.query_one(Static)
        cell.set("2XX 41.2/s", [1.0, 2.0])
        await pilot.pause()
        before = label._layout_updates
        cell.set("2XX 47.9/s", [1.0, 3.0])  # same length: the label repaints in place
        assert label._layout_updates == before
        await pilot.pause()
        assert str(label.render()) == "2XX 47.9/s"
        cell.set("2XX 112/s 5%", [1.0, 3.0])  # longer: the row is laid out again
        assert label._layout_updates == before + 1
        await pilot.pause()
        assert str(label.render()) == "2XX 112/s 5%"
        assert label.size.width >= len("2XX 112/s 5%")
