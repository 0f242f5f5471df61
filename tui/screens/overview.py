"""One row per domain: health, edge traffic and requests over the chart range, the 5xx share
of the last minutes, the cache offload ratio, and any alert. Enter switches to the domain."""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer

from tui.core.models import Metric, StatusClass
from tui.core.sanitize import inert
from tui.core.units import format_bytes, format_count
from tui.insight.top import current_offload
from tui.live.state import DomainState, alert_text

SHARE_WINDOW_S = 300


def overview_row(st: DomainState, now_s: int, threshold_5xx: float = 0.05) -> list[Text]:
    """One domain's row. The health cell leads with the alert state: "ok" beside a 5XX share
    of 30 % read as all-clear; the connection's own health follows it."""
    edge_t = st.series.get(Metric.TRAFFIC)
    edge_r = st.series.get(Metric.REQUEST)
    traffic = format_bytes(sum(v for _, v in edge_t.points)) if edge_t else "…"
    requests = format_count(sum(v for _, v in edge_r.points)) if edge_r else "…"
    share = st.rates.share(StatusClass.S5XX, now_s - SHARE_WINDOW_S, now_s)
    offload = current_offload(edge_r, st.series.get(Metric.REQUEST_ORIGIN))
    alert = alert_text(st)
    health = st.log_health.state if st.log_health.state != "ok" else st.series_health.state
    active = [a for a in st.alerts.values() if a.active]
    if active:
        word = "ALERT" if any(not a.stale for a in active) else "ALERT (stale)"
        health_cell = Text(f"{word} · {health}", Style(color="white", bgcolor="red", bold=True))
    else:
        health_cell = Text(health, Style(color="green" if health == "ok" else "yellow"))
    hot = share is not None and share > threshold_5xx
    return [
        Text(inert(st.domain, 80), Style(bold=True)),
        health_cell,
        Text(traffic),
        Text(requests),
        # marked by a glyph too: never colour alone
        Text("-" if share is None else f"{'▲' if hot else ''}{share:.2%}",
             Style(color="red", bold=True, reverse=True) if hot else Style()),
        Text("-" if offload is None else f"{offload:.1%}"),
        Text(alert or "-",
             Style(color="white", bgcolor="red", bold=True) if alert else Style(dim=True)),
    ]


class OverviewScreen(ModalScreen[int | None]):
    DEFAULT_CSS = """
    OverviewScreen { align: center middle; }
    OverviewScreen > Vertical {
        width: 96%; height: auto; max-height: 90%; border: round $accent; background: $surface;
    }
    OverviewScreen DataTable { height: auto; max-height: 30; }
    """
    BINDINGS = [
        Binding("escape,o,q", "close", "Close", id="overview.close"),
        Binding("enter", "choose", "Switch to", id="overview.choose"),
    ]

    def __init__(self, states: list[DomainState], active: int, now: Callable[[], float],
                 range_label: str,
                 threshold_5xx: float = 0.05) -> None:
        super().__init__()
        self.threshold_5xx = threshold_5xx
        self.states = states
        self.active = active
        self.now = now
        self.range_label = range_label

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            v.border_title = (f"domains (traffic and requests over {self.range_label}; "
                              "5xx share of the last 5 min)")
            yield DataTable(cursor_type="row", id="overview-table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("domain", "health", "edge traffic", "requests", "5xx share", "offload",
                          "alert")
        self._fill()
        table.move_cursor(row=self.active)
        table.focus()
        self.set_interval(2.0, self._fill)

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        now_s = int(self.now()) - 1
        for i, st in enumerate(self.states):
            table.add_row(*overview_row(st, now_s, self.threshold_5xx), key=str(i))
        if self.states:
            table.move_cursor(row=min(row, len(self.states) - 1))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_choose(self) -> None:
        self.dismiss(self.query_one(DataTable).cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(event.cursor_row)
