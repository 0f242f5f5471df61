"""One label and one sparkline on a row of the charts pane (tui/widgets/charts.py)."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.renderables.sparkline import Sparkline as SparklineRenderable
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.widget import Widget


class SparkCell(Widget):
    """A label and a sparkline on one row, drawn by one widget: the two rows of cells were 32
    widgets (a container, a label and a sparkline each), the most of the dashboard's first
    frame after its imports (benchmarks/start.py). The label takes its width plus one column
    (at least 10), the sparkline the rest; colours as Textual's Sparkline (min to max)."""

    COMPONENT_CLASSES = {"sparkcell--max-color", "sparkcell--min-color"}
    DEFAULT_CSS = """
    SparkCell { height: 1; width: 1fr; margin: 0 1 0 0; }
    SparkCell > .sparkcell--max-color { color: $primary; }
    SparkCell > .sparkcell--min-color { color: $primary 30%; }
    """

    def __init__(self, label: str, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.label_text = label
        self.label = Text(label)
        self.data: list[float] = []
        self._label_key: tuple[str, str] | None = None

    def set(self, label: str, data: list[float], style: Style | None = None) -> None:
        key = (label, str(style))
        if self._label_key != key:
            self._label_key = key
            self.label = Text(label, style=style) if style is not None else Text(label)
            self.refresh()
        if self.data != data:
            self.data = data
            self.refresh()

    def render_line(self, y: int) -> Strip:
        """The label, the column after it (Textual's padding: background only) and the
        sparkline, styled as the Static and the Sparkline widget they replace."""
        width = self.size.width
        base_bg, bg = self.background_colors
        base = self.visual_style.rich_style
        lo = bg + self.get_component_styles("sparkcell--min-color").color
        hi = bg + self.get_component_styles("sparkcell--max-color").color
        label = self.label
        label_w = max(10, label.cell_len + 1)
        segments = [Segment(label.plain, base + label.style if label.style else base),
                    Segment(" " * max(0, label_w - label.cell_len),
                            VisualStyle(background=base_bg + bg).rich_style)]
        spark_w = width - label_w
        if spark_w > 0:
            spark = SparklineRenderable(self.data, width=spark_w, height=1,
                                        min_color=lo.rich_color, max_color=hi.rich_color,
                                        summary_function=max)
            console = self.app.console
            segments += [Segment(text, base + style if style else base)
                         for text, style, _ in console.render(spark, console.options)]
        return Strip(segments).crop_extend(0, width, base)
