"""A chart's figure label changing repaints its cell alone: the cell is one widget of a fixed
share of the row (the label and the sparkline drawn together), so no new label, whatever its
length, lays out the screen (a layout of the whole screen per changed figure was most of a
frame's cost while ingesting, issue 15)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tui.widgets.charts import SparkCell


class CellApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SparkCell("2XX …", id="cell")


def _row(cell: SparkCell) -> str:
    return "".join(seg.text for seg in cell.render_line(0))


async def test_a_new_label_repaints_the_cell_without_a_layout() -> None:
    app = CellApp()
    async with app.run_test(size=(80, 5)) as pilot:
        cell = app.query_one(SparkCell)
        cell.set("2XX 41.2/s", [1.0, 2.0])
        await pilot.pause()
        before = cell._layout_updates
        cell.set("2XX 47.9/s", [1.0, 3.0])  # same length
        cell.set("2XX 112/s 5%", [1.0, 3.0])  # longer
        await pilot.pause()
        assert cell._layout_updates == before
        assert _row(cell).startswith("2XX 112/s 5%")
