"""Charts: edge vs origin traffic and requests (the API's hourly/daily series, with axes and
units), compact sparklines of the same, and a strip of live per-status-class rates computed
from the log stream. Charts redraw only when their data or size changes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Sparkline, Static
from textual_plotext import PlotextPlot

from tui.core.insight import current_offload, offload_series
from tui.core.models import Metric, Series, StatusClass
from tui.core.units import format_bits_per_s, format_bytes, format_count, format_rate

PERIOD_S = {"hourly": 3600, "daily": 86400, "monthly": 31 * 86400}


def _scale(values: Sequence[float], unit: str) -> tuple[list[float], str]:
    """Pick one decimal unit for an axis: bytes -> kB/MB/GB/TB, requests -> k/M."""
    peak = max(values, default=0.0)
    if unit == "bytes":
        for div, name in ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
            if peak >= div:
                return [v / div for v in values], name
        return list(values), "B"
    for div, name in ((1e6, "M req"), (1e3, "k req")):
        if peak >= div:
            return [v / div for v in values], name
    return list(values), "req"


class SeriesPlot(PlotextPlot):
    """A plotext chart of edge vs origin for one unit; renders from a cache keyed by data
    version, size and theme (a plotext render costs tens of ms)."""

    def __init__(self, title: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title = title
        self.edge: Series | None = None
        self.origin: Series | None = None
        self.version = 0
        self.error = ""
        self.utc = False
        self._cached: tuple[tuple, Text] | None = None
        self.now = 0.0
        self.marks: tuple[float, ...] = ()  # refreshes made from s4top (unix seconds)

    def set_series(self, edge: Series | None, origin: Series | None, version: int, utc: bool, error: str, now: float,
                   marks: tuple[float, ...] = ()) -> None:
        if (version, utc, error, marks) == (self.version, self.utc, self.error, self.marks):
            return
        self.marks = marks
        self.edge, self.origin, self.version, self.utc, self.error = edge, origin, version, utc, error
        self.now = now
        self.refresh()

    def render(self) -> RenderResult:
        key = (self.size.width, self.size.height, self.version, self.utc, self.error, self.app.theme, self.marks)
        if self._cached and self._cached[0] == key:
            return self._cached[1]
        if self.edge is None:
            msg = f"{self.title}: " + (f"error: {self.error}" if self.error else "loading…")
            return Text(msg, style="dim" if not self.error else "red")
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        now = self.now
        period_s = PERIOD_S.get(self.edge.period, 3600)
        pts = self.edge.points
        times = [t for t, _ in pts]
        origin = dict(self.origin.points) if self.origin else {}
        edge_vals = [v for _, v in pts]
        origin_vals = [origin.get(t, 0.0) for t in times]
        scaled, unit = _scale(edge_vals + origin_vals, self.edge.unit)
        e_s, o_s = scaled[: len(times)], scaled[len(times):]
        complete = [i for i, t in enumerate(times) if t + period_s <= now]
        partial = [i for i, t in enumerate(times) if t + period_s > now]
        xs = list(range(len(times)))
        if complete:
            plt.plot([xs[i] for i in complete], [e_s[i] for i in complete], label="edge", color="cyan", marker="braille")
            plt.plot([xs[i] for i in complete], [o_s[i] for i in complete], label="origin", color="orange", marker="braille")
        if partial:
            plt.scatter([xs[i] for i in partial], [e_s[i] for i in partial], label="now (partial)", color="cyan", marker="○")
            plt.scatter([xs[i] for i in partial], [o_s[i] for i in partial], color="orange", marker="○")
        if times:
            shown_marks = [x for x in ((m - times[0]) / period_s for m in self.marks) if 0 <= x <= len(times)]
            for x in shown_marks:
                plt.vline(x, color="magenta")
            fmt = "%H:%M" if period_s < 86400 else "%m-%d"
            tz = UTC if self.utc else None
            n_ticks = max(2, min(6, self.size.width // 14))
            step = max(1, len(times) // n_ticks)
            ticks = xs[::step]
            plt.xticks(ticks, [datetime.fromtimestamp(times[i], tz=tz).strftime(fmt) for i in ticks])
        per = {"hourly": "hour", "daily": "day", "monthly": "month"}.get(self.edge.period, self.edge.period)
        marked = " · magenta: refreshes from s4top" if self.marks and times and any(
            0 <= (m - times[0]) / period_s <= len(times) for m in self.marks) else ""
        plt.title(f"{self.title} ({unit} per {per}){marked}")
        text = super().render()
        assert isinstance(text, Text)
        self._cached = (key, text)
        return text


class SparkCell(Horizontal):
    """A label and a sparkline on one row."""

    DEFAULT_CSS = """
    SparkCell { height: 1; width: 1fr; margin: 0 1 0 0; }
    SparkCell > Static { width: auto; min-width: 10; padding: 0 1 0 0; }
    SparkCell > Sparkline { width: 1fr; height: 1; }
    """

    def __init__(self, label: str, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.label_text = label

    def compose(self) -> ComposeResult:
        yield Static(self.label_text, classes="spark-label")
        yield Sparkline([], summary_function=max)

    def set(self, label: str, data: list[float], style: Style | None = None) -> None:
        lbl = self.query_one(Static)
        key = (label, str(style))
        if getattr(self, "_label_key", None) != key:
            self._label_key = key
            lbl.update(Text(label, style=style) if style is not None else Text(label))
        spark = self.query_one(Sparkline)
        if list(spark.data or []) != data:
            spark.data = data  # a new list: Sparkline only repaints on !=


class ChartsPane(Widget):
    """Full charts (plotext), series sparklines, and live per-class rates."""

    DEFAULT_CSS = """
    ChartsPane { height: auto; }
    ChartsPane #plots { height: 12; }
    ChartsPane.-compact #plots { display: none; }
    ChartsPane.-hidden { display: none; }
    ChartsPane #sparks, ChartsPane #rates { height: 1; }
    #rate-2XX > Sparkline > .sparkline--max-color { color: green; }
    #rate-3XX > Sparkline > .sparkline--max-color { color: cyan; }
    #rate-4XX > Sparkline > .sparkline--max-color { color: yellow; }
    #rate-5XX > Sparkline > .sparkline--max-color { color: red; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="plots"):
            yield SeriesPlot("traffic", id="plot-traffic")
            yield SeriesPlot("requests", id="plot-requests")
        with Horizontal(id="sparks"):
            yield SparkCell("edge traffic", id="spark-traffic")
            yield SparkCell("origin", id="spark-traffic_origin")
            yield SparkCell("edge req", id="spark-request")
            yield SparkCell("origin req", id="spark-request_origin")
            yield SparkCell("offload", id="spark-offload")
        with Horizontal(id="rates"):
            for c in StatusClass:
                yield SparkCell(c.value, id=f"rate-{c.value}")
            yield SparkCell("live", id="rate-bytes")

    def show_series(self, series: dict[Metric, Series], version: int, range_label: str, utc: bool, error: str, now: float,
                    marks: tuple[float, ...] = ()) -> None:
        self.query_one("#plot-traffic", SeriesPlot).set_series(
            series.get(Metric.TRAFFIC), series.get(Metric.TRAFFIC_ORIGIN), version, utc, error, now, marks)
        self.query_one("#plot-requests", SeriesPlot).set_series(
            series.get(Metric.REQUEST), series.get(Metric.REQUEST_ORIGIN), version, utc, error, now, marks)
        off = offload_series(series.get(Metric.REQUEST), series.get(Metric.REQUEST_ORIGIN))
        cur = current_offload(series.get(Metric.REQUEST), series.get(Metric.REQUEST_ORIGIN))
        cell = self.query_one("#spark-offload", SparkCell)
        if cur is None:
            cell.set("offload …", [])
        else:
            label = f"offload {cur:.0%}" if self.size.width < 110 else f"offload {cur:.1%}"
            cell.set(label, [v * 100 if v is not None else 0.0 for _, v in off])
        for m in Metric:
            s = series.get(m)
            cell = self.query_one(f"#spark-{m.value}", SparkCell)
            compact = self.size.width < 110
            names = ({"traffic": "edge", "traffic_origin": "orig", "request": "req", "request_origin": "orig req"} if compact
                     else {"traffic": "edge", "traffic_origin": "origin", "request": "edge req", "request_origin": "origin req"})
            name = names[m.value]
            if s is None:
                cell.set(f"{name} {'error' if error else '…'}", [])
                continue
            total = sum(v for _, v in s.points)
            shown = format_bytes(total) if m.unit == "bytes" else format_count(total)
            label = f"{name} {shown}" if compact else f"{name} {range_label} {shown}"
            cell.set(label, [float(v) for _, v in s.points])

    def show_rates(self, per_class: dict[StatusClass, list[int]], bytes_per_bucket: list[int],
                   per_minute: dict[StatusClass, list[int]] | None = None,
                   shares: dict[StatusClass, float | None] | None = None,
                   over: frozenset[StatusClass] = frozenset()) -> None:
        """Sparklines: requests per minute by class over the buffered window (or per second
        when no minute data is given); labels: the last 10 s rate and the share of the last
        minute. A class in `over` (its share past the alert threshold) is marked with a
        glyph and reverse video, not by colour alone."""
        for c, counts in per_class.items():
            recent = counts[-10:]
            rate = sum(recent) / max(1, len(recent))
            share = (shares or {}).get(c)
            pct = f" {share:.1%}" if share is not None and (c in (StatusClass.S4XX, StatusClass.S5XX)) else ""
            label = f"{c.value} {rate:.3g}/s{pct}" if self.size.width < 110 else f"{c.value} {format_rate(rate)}{pct}"
            data = (per_minute or {}).get(c, counts)
            style = None
            if c in over:
                if self.size.width < 110 and share is not None:  # whole percent: the mark fits
                    label = f"{c.value} {rate:.3g}/s {share:.0%}"
                label, style = f"▲{label}", Style(bold=True, reverse=True, color="red")
            cell = self.query_one(f"#rate-{c.value}", SparkCell)
            cell.set(label, [float(x) for x in data], style)
        recent_b = bytes_per_bucket[-10:]
        bps = sum(recent_b) / max(1, len(recent_b))
        self.query_one("#rate-bytes", SparkCell).set(f"live {format_bits_per_s(bps)}", [float(x) for x in bytes_per_bucket])
