"""The alert list (`!`): the active and past alerts of every domain, newest first, kept
across restarts (tui/insight/alert_log.py). Enter switches to the alert's domain with the log pane
filtered to it; Esc or q goes back."""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.core.sanitize import inert
from tui.insight.alert_log import AlertRecord
from tui.insight.alerts import drill_text

if TYPE_CHECKING:
    from tui.screens.dashboard import Dashboard

STATE_STYLES = {
    "firing": Style(color="red", bold=True),
    "stale": Style(color="yellow"),
    "resolved": Style(dim=True),
}
COLUMNS = ("state", "kind", "domain", "start", "peak", "end", "top finding")


def clock(t: int, utc: bool) -> str:
    return time.strftime("%m-%d %H:%M:%S", time.gmtime(t) if utc else time.localtime(t))


def row_cells(rec: AlertRecord, utc: bool) -> tuple[Text, ...]:
    kind = "origin" if rec.kind == "origin" else rec.kind.upper()
    return (
        Text(rec.state, STATE_STYLES.get(rec.state, Style())),
        Text(kind),
        Text(inert(rec.domain, 60)),
        Text(clock(rec.start_s, utc)),
        Text(rec.figure(rec.peak), justify="right"),
        Text(clock(rec.end_s, utc) if rec.end_s else "ongoing"),
        Text(inert(rec.finding, 80) or "-"),
    )


class AlertListScreen(Screen[AlertRecord | None]):
    DEFAULT_CSS = """
    AlertListScreen #alerts-title { height: 1; background: $panel; padding: 0 1; }
    AlertListScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="alerts.close"),
        Binding("enter", "choose", "Show entries", id="alerts.choose"),
    ]

    def __init__(self, records: Callable[[], list[AlertRecord]], utc: bool) -> None:
        super().__init__()
        self._records = records
        self.utc = utc
        self.rows: list[AlertRecord] = []
        self._shown: tuple | None = None  # None: the title is not drawn yet, even for no rows

    def compose(self) -> ComposeResult:
        yield Static("", id="alerts-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="alerts-table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        self._fill()
        table.focus()
        self.set_interval(2.0, self._fill)

    def _fill(self) -> None:
        rows = self._records()
        shown = tuple((r.key, r.state, r.peak, r.end_s, r.finding) for r in rows)
        if shown == self._shown:
            return
        self._shown = shown
        self.rows = rows
        active = sum(r.state != "resolved" for r in rows)
        title = Text()
        title.append("alerts: every domain", Style(bold=True))
        title.append(f"  {active} active, {len(rows) - active} resolved" if rows else "  none yet")
        title.append("   Enter: show the alert's entries · Esc/q: back", Style(dim=True))
        self.query_one("#alerts-title", Static).update(title)
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for rec in rows:
            table.add_row(*row_cells(rec, self.utc))
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    def action_choose(self) -> None:
        table = self.query_one(DataTable)
        if self.rows and 0 <= table.cursor_row < len(self.rows):
            self.dismiss(self.rows[table.cursor_row])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_choose()

    def action_close(self) -> None:
        self.dismiss(None)


def show_alert(dash: Dashboard, rec: AlertRecord, utc: bool, back: Callable[[], None]) -> None:
    """The log pane filtered to the alert's entries (its status class), the cursor on the
    first one since it began; Esc goes `back` (to the list)."""
    kind = "origin" if rec.kind == "origin" else rec.kind.upper()
    start = time.strftime("%H:%M:%S", (time.gmtime if utc else time.localtime)(rec.start_s))
    dash.apply_drill(drill_text(rec.kind), f"{kind} alert from {start}", back, "the alert list")
    buf, lv = dash.host.state.buffer, dash.log_view
    n = buf.view_len
    first = bisect_left(range(n), rec.start_s * 10**9, key=lambda i: buf.view_entry(i).time_ns)
    if first < n:
        lv.cursor_home()
        lv.move_cursor(first)
