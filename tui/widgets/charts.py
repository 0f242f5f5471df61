"""Charts: edge vs origin traffic and requests, with axes and units (up to 6 h per minute from
the log stream, longer ranges the API's hourly/daily series: tui/core/chartdata.py), compact
sparklines of the series, and a strip of live per-status-class rates computed from the log
stream. Charts redraw only when their data or size changes."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Horizontal
from textual.widget import Widget

from tui.core.chartdata import LOG_CHART_MAX_S, ChartData, LogMinutes, chart_data
from tui.core.models import Metric, Series, StatusClass
from tui.core.units import format_bits_per_s, format_bytes, format_count, format_rate
from tui.insight.top import current_offload, offload_series
from tui.widgets.sparkcell import SparkCell

if TYPE_CHECKING:
    from textual_plotext.plot import Plot


def _require(*names: str) -> None:
    """Fail at import, as importing plotext here did, when it is not installed: the command
    says so in one line before the screen opens (tui/cli.py), not at the first chart."""
    for name in names:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


_require("textual_plotext", "plotext")


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


def _fit(width: int, *options: str) -> str:
    """The first (longest) wording that fits the width, else the last one."""
    for o in options:
        if len(o) <= width:
            return o
    return options[-1]


def _clock(t: float, utc: bool) -> str:
    return datetime.fromtimestamp(t, tz=UTC if utc else None).strftime("%H:%M")


class SeriesPlot(Widget):
    """A plotext chart of edge vs origin for one unit; renders from a cache keyed by data
    version, size and theme (a plotext render costs tens of ms).

    Until it has data it says "loading…" without plotext: plotext (~20 ms to import) is
    loaded at the first chart drawn, after the first frame (benchmarks/start.py). The
    drawing is textual-plotext's PlotextPlot.render, with its "auto" theme.

    The legend goes on the line under the x axis (plotext's own legend is drawn over the
    plot and hid the lines); the title names the range and the resolution."""

    DEFAULT_CSS = "SeriesPlot { width: 1fr; height: 1fr; }"

    def __init__(self, title: str, unit: str = "requests", id: str | None = None) -> None:
        super().__init__(id=id)
        self._plot: Plot | None = None
        self.title = title
        self.unit = unit  # which log counter feeds it: "bytes" or "requests"
        self.data: ChartData | None = None
        self.version: tuple = ()
        self.error = ""
        self.utc = False
        self._cached: tuple[tuple, Text] | None = None
        # refreshes made from s4top (unix seconds); (seconds, "purged") once the purge
        # tracker (tui/refresh/verify.py) saw one purged: drawn green instead of magenta
        self.marks: tuple[Any, ...] = ()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.refresh())

    @property
    def plt(self) -> Plot:
        """The plotext figure, made at the first use."""
        if self._plot is None:
            from textual_plotext.plot import Plot

            self._plot = Plot()
        return self._plot

    def _build(self) -> Text:
        """textual-plotext's PlotextPlot.render: size the figure, theme it, draw."""
        from plotext._dict import themes
        from textual.color import Color
        from textual_plotext.plot import _rgbify_theme, _sequence

        plt, w, h = self.plt, self.size.width, self.size.height
        plt.plotsize(w, h)
        plt._set_size(w, h)  # as PlotextPlot does (textual-plotext issue 5)
        name = f"textual-auto-{self.app.theme}"
        if name not in themes:
            surface = Color.parse(self.app.theme_variables.get("surface")).rgb
            fg = Color.parse(self.app.theme_variables.get("foreground")).rgb
            themes[name] = _rgbify_theme(surface, surface, fg, "default", _sequence)
        plt.theme(name)
        return Text.from_ansi(plt.build())

    def set_data(self, data: ChartData, version: tuple, utc: bool, error: str,
                 marks: tuple[Any, ...] = ()) -> None:
        """`version` names the data (series version, last log minute, range): the chart
        redraws only when it, the size, the theme or the marks change."""
        if (version, utc, error, marks) == (self.version, self.utc, self.error, self.marks):
            return
        self.data, self.version, self.utc, self.error, self.marks = data, version, utc, error, marks
        self.refresh()

    def render(self) -> RenderResult:
        key = (self.size.width, self.size.height, self.version, self.utc, self.error,
               self.app.theme, self.marks)
        if self._cached and self._cached[0] == key:
            return self._cached[1]
        d = self.data
        if d is None or not d.has_data:
            msg = f"{self.title}: " + (f"error: {self.error}" if self.error else "loading…")
            return Text(msg, style="dim" if not self.error else "red")
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if d.mode == "log":
            unit, legend = self._draw_log(d)
        else:
            unit, legend = self._draw_series(d)
        # plotext centres title and label on the canvas and drops them if they do not fit
        # beside the y ticks (up to 6 columns for "999.9┤") and a margin
        width = max(10, self.size.width - 9)
        head = f"{self.title} · {d.range_label} · "
        res = d.resolution
        short = res.replace("per minute", "per min")
        tiny = res.replace("per minute (log)", "log/min").replace("hourly (API)", "API/h")
        plt.title(_fit(width, f"{head}{res} · {unit}/{d.per}", f"{head}{short} · {unit}/{d.per}",
                       f"{head}{tiny} · {unit}/{d.per}",
                       f"{d.range_label} · {tiny} · {unit}/{d.per}"))
        plt.xlabel(_fit(width, *legend))
        text = self._build()
        self._cached = (key, text)
        return text

    def _shown_marks(self, start: float, end: float) -> list[Any]:
        return [m for m in self.marks if start <= _mark_t(m) <= end]

    def _draw_log(self, d: ChartData) -> tuple[str, tuple[str, ...]]:
        """Per-minute line from the log; API hourly averages as flat dotted segments."""
        plt = self.plt
        x = lambda t: (t - d.start_s) / 60  # noqa: E731 - minutes into the range
        values = [v for _, v in d.log] + [v for *_, v in d.hourly] + [v for *_, v in d.origin]
        scaled, unit = _scale(values, d.unit)
        n_log, n_h = len(d.log), len(d.hourly)
        logs, hourly, origin = scaled[:n_log], scaled[n_log:n_log + n_h], scaled[n_log + n_h:]
        for (a, b, _), v in zip(d.origin, origin, strict=True):
            plt.plot([x(a), x(b)], [v, v], color="orange", marker="x")
        for (a, b, _), v in zip(d.hourly, hourly, strict=True):
            plt.plot([x(a), x(b)], [v, v], color="cyan", marker="•")
        plt.plot([x(t) for t, _ in d.log], logs, color="cyan", marker="braille")
        marks = self._shown_marks(d.start_s, d.end_s)
        for m in marks:
            plt.vline(x(_mark_t(m)), color=_mark_color(m))
        span_min = (d.end_s - d.start_s) / 60
        plt.xlim(0, span_min)
        n_ticks = max(2, min(6, self.size.width // 14))
        step = next((s for s in (5, 10, 15, 30, 60, 120) if span_min / s <= n_ticks), 180)
        ticks = list(range(_ceil_div(d.start_s, step * 60) * step * 60, d.end_s + 1, step * 60))
        plt.xticks([x(t) for t in ticks], [_clock(t, self.utc) for t in ticks])
        since = _clock(d.log_since_s or d.start_s, self.utc)
        api = " · API: error" if self.error else ""  # the status line has the details
        refresh = " · | refresh" if marks else ""
        purged = " (green: purged)" if any(_mark_color(m) == "green" for m in marks) else ""
        parts_h = " · • edge hourly" if d.hourly else ""
        parts_o = " · x origin hourly (API)" if d.origin else ""
        short_o = " · x origin" if d.origin else ""
        return unit, (
            *([f"⠤ edge per min, log since {since}{parts_h}{parts_o}{refresh}{purged}{api}"]
              if purged else []),
            f"⠤ edge per min, log since {since}{parts_h}{parts_o}{refresh}{api}",
            f"⠤ log/min since {since}{parts_h and parts_h + ' avg'}{short_o}{refresh}{api}",
            f"⠤ log/min since {since}{parts_h}{short_o}{refresh}{api}",
            # a drawn refresh line keeps its name before 'x origin' keeps its last letters
            *([f"⠤ log since {since}{' · • hourly' if d.hourly else ''}"
               f"{' · x orig' if d.origin else ''}{refresh}{api}"] if refresh else []),
            f"⠤ log since {since}{' · • hourly' if d.hourly else ''}{short_o}{api}",
            f"log since {since}",
        )

    def _draw_series(self, d: ChartData) -> tuple[str, tuple[str, ...]]:
        """The API series as they come: one point per period, the partial one apart."""
        plt = self.plt
        period_s = d.period_s
        times = [t for t, _ in d.points]
        origin = dict(d.origin_points)
        edge_vals = [v for _, v in d.points]
        origin_vals = [origin.get(t, 0.0) for t in times]
        scaled, unit = _scale(edge_vals + origin_vals, d.unit)
        e_s, o_s = scaled[: len(times)], scaled[len(times):]
        complete = [i for i, t in enumerate(times) if t + period_s <= d.end_s]
        partial = [i for i, t in enumerate(times) if t + period_s > d.end_s]
        xs = list(range(len(times)))
        if complete:
            plt.plot([xs[i] for i in complete], [e_s[i] for i in complete], color="cyan",
                     marker="braille")
            plt.plot([xs[i] for i in complete], [o_s[i] for i in complete], color="orange",
                     marker="x")
        if partial:
            plt.scatter([xs[i] for i in partial], [e_s[i] for i in partial], color="cyan",
                        marker="○")
            plt.scatter([xs[i] for i in partial], [o_s[i] for i in partial], color="orange",
                        marker="○")
        marked = False
        if times:
            shown_marks = [(x, _mark_color(m)) for x, m in
                           (((_mark_t(m) - times[0]) / period_s, m) for m in self.marks)
                           if 0 <= x <= len(times)]
            for x, color in shown_marks:
                plt.vline(x, color=color)
            marked = bool(shown_marks)
            fmt = "%H:%M" if period_s < 86400 else "%m-%d"
            tz = UTC if self.utc else None
            n_ticks = max(2, min(6, self.size.width // 14))
            step = max(1, len(times) // n_ticks)
            ticks = xs[::step]
            plt.xticks(ticks,
                       [datetime.fromtimestamp(times[i], tz=tz).strftime(fmt) for i in ticks])
        now = " · ○ now (partial)" if partial else ""
        refresh = " · magenta: refreshes from s4top" if marked else ""
        return unit, (
            f"⠤ edge · x origin{now}{refresh}",
            f"⠤ edge · x origin{now}{' · | refresh' if marked else ''}",
            f"⠤ edge · x origin{' · ○ partial' if partial else ''}",
        )


def _mark_t(m: Any) -> float:
    return float(m[0]) if isinstance(m, tuple) else float(m)


def _mark_color(m: Any) -> str:
    return "green" if isinstance(m, tuple) and m[1] == "purged" else "magenta"


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


class ChartsPane(Widget):
    """Full charts (plotext), series sparklines, and live per-class rates."""

    DEFAULT_CSS = """
    ChartsPane { height: auto; }
    ChartsPane #plots { height: 12; }
    ChartsPane.-compact #plots { display: none; }
    ChartsPane.-hidden { display: none; }
    ChartsPane #sparks, ChartsPane #rates { height: 1; }
    #rate-2XX > .sparkcell--max-color { color: green; }
    #rate-3XX > .sparkcell--max-color { color: cyan; }
    #rate-4XX > .sparkcell--max-color { color: yellow; }
    #rate-5XX > .sparkcell--max-color { color: red; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="plots"):
            yield SeriesPlot("traffic", "bytes", id="plot-traffic")
            yield SeriesPlot("requests", "requests", id="plot-requests")
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

    def show_series(self, series: dict[Metric, Series], version: int, range_label: str, utc: bool,
                    error: str, now: float,
                    marks: tuple[Any, ...] = (), span_s: int = 0,
                    log: LogMinutes | None = None) -> None:
        """The two charts for the range (per-minute from `log` up to 6 h, see
        tui/core/chartdata.py) and the sparklines of the API series."""
        if span_s > LOG_CHART_MAX_S:
            log = None  # longer ranges chart the API alone: no redraw per log minute
        last_minute = log.newest_ns // 60_000_000_000 if log else 0
        # id(series): each domain holds its own dict, so equal versions of two domains differ
        key = (version, id(series), range_label, last_minute)
        plots = (("#plot-traffic", Metric.TRAFFIC, Metric.TRAFFIC_ORIGIN),
                 ("#plot-requests", Metric.REQUEST, Metric.REQUEST_ORIGIN))
        for sel, edge_m, origin_m in plots:
            plot = self.query_one(sel, SeriesPlot)
            if (key, utc, error, marks) == (plot.version, plot.utc, plot.error, plot.marks):
                continue  # nothing new: no assembly, no redraw
            data = chart_data(series.get(edge_m), series.get(origin_m), unit=plot.unit,
                              range_label=range_label, span_s=span_s, now_s=now, log=log)
            plot.set_data(data, key, utc, error, marks)
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
            names = ({"traffic": "edge", "traffic_origin": "orig", "request": "req",
                      "request_origin": "orig req"} if compact
                     else {"traffic": "edge", "traffic_origin": "origin", "request": "edge req",
                           "request_origin": "origin req"})
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
            pct = (f" {share:.1%}" if share is not None
                   and (c in (StatusClass.S4XX, StatusClass.S5XX)) else "")
            label = (f"{c.value} {rate:.3g}/s{pct}" if self.size.width < 110
                     else f"{c.value} {format_rate(rate)}{pct}")
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
        self.query_one("#rate-bytes", SparkCell).set(f"live {format_bits_per_s(bps)}",
                                                     [float(x) for x in bytes_per_bucket])
