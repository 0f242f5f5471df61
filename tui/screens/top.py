"""Top-N panels over the last N minutes of the buffered log: URLs, client IPs, status codes
and countries, by count or by bytes. Enter filters the log pane to the chosen row; Esc there
comes back here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.core.insight import TOP_KEYS, top_n
from tui.core.models import StatusClass
from tui.core.sanitize import inert
from tui.core.units import format_bytes, format_count, format_duration
from tui.monitor import DomainState
from tui.widgets.logrow import CLASS_STYLES

TITLES = {"url": "URLs", "ip": "client IPs", "status": "status codes", "country": "countries"}
WINDOW_STEPS = [60, 300, 900, 1800, 3600]


@dataclass(frozen=True, slots=True)
class Drill:
    """The row chosen: filter the log pane to `key` of kind `by`."""

    by: str
    key: str


class TopScreen(Screen[Drill | None]):
    DEFAULT_CSS = """
    TopScreen #top-title { height: 1; background: $panel; padding: 0 1; }
    TopScreen Grid { grid-size: 2 2; grid-gutter: 0 1; }
    TopScreen Vertical { border: round $primary-darken-2; }
    TopScreen Vertical:focus-within { border: round $accent; }
    TopScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "close", "Back", id="top.close"),
        Binding("enter", "drill", "Filter log to row", id="top.drill"),
        Binding("b", "order", "Count/bytes", id="top.order"),
        Binding("plus,equals_sign", "window(1)", "Longer window", id="top.window_longer"),
        Binding("minus", "window(-1)", "Shorter window", id="top.window_shorter"),
        Binding("tab", "app.focus_next", "Next panel", show=False, id="top.next"),
    ]

    def __init__(self, state: DomainState, now: Callable[[], float], window_s: float) -> None:
        super().__init__()
        self.st = state
        self.now = now
        self.window_s = int(window_s)
        self.order = "count"
        self.rows: dict[str, list] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="top-title")
        with Grid():
            for by in TOP_KEYS:
                with Vertical(id=f"panel-{by}") as v:
                    v.border_title = TITLES[by]
                    yield DataTable(cursor_type="row", id=f"top-{by}", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        for by in TOP_KEYS:
            t = self.query_one(f"#top-{by}", DataTable)
            t.add_columns(TITLES[by][:-1] if by != "country" else "country", "requests", "bytes", "share")
        self._fill()
        self.query_one("#top-url", DataTable).focus()
        self.set_interval(2.0, self._fill)

    def _title(self, total: int) -> Text:
        t = Text()
        t.append(f"top-N: {inert(self.st.domain)}", Style(bold=True))
        t.append(f"  last {format_duration(self.window_s)} of the buffered log ({format_count(total)} requests)")
        t.append(f"  ordered by {self.order}", Style(bold=True))
        t.append("   Enter: filter the log to a row · b: count/bytes · +/-: window · Esc: back", Style(dim=True))
        return t

    def _fill(self) -> None:
        since = int((self.now() - self.window_s) * 1e9)
        entries = [e for e in self.st.buffer if e.time_ns >= since]
        total = len(entries)
        self.query_one("#top-title", Static).update(self._title(total))
        for by in TOP_KEYS:
            table = self.query_one(f"#top-{by}", DataTable)
            cursor = table.cursor_row
            rows = top_n(entries, by, since, n=50, order=self.order)
            self.rows[by] = rows
            table.clear()
            for r in rows:
                style = Style()
                if by == "status" and r.key.isdigit():
                    style = CLASS_STYLES.get(StatusClass.of(int(r.key)), Style())
                table.add_row(
                    Text(inert(r.key, 100), style),
                    Text(format_count(r.count), justify="right"),
                    Text(format_bytes(r.bytes), justify="right"),
                    Text(f"{r.count / total:.1%}" if total else "-", justify="right"),
                )
            if rows:
                table.move_cursor(row=min(cursor, len(rows) - 1))

    def _focused_kind(self) -> str:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id and focused.id.startswith("top-"):
            return focused.id[4:]
        return "url"

    def action_drill(self) -> None:
        by = self._focused_kind()
        rows = self.rows.get(by) or []
        table = self.query_one(f"#top-{by}", DataTable)
        if rows and 0 <= table.cursor_row < len(rows):
            self.dismiss(Drill(by, rows[table.cursor_row].key))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def action_order(self) -> None:
        self.order = "bytes" if self.order == "count" else "count"
        self._fill()

    def action_window(self, step: int) -> None:
        steps = WINDOW_STEPS
        if step > 0:
            bigger = [s for s in steps if s > self.window_s]
            self.window_s = bigger[0] if bigger else self.window_s
        else:
            smaller = [s for s in steps if s < self.window_s]
            self.window_s = smaller[-1] if smaller else self.window_s
        self._fill()

    def action_close(self) -> None:
        self.dismiss(None)
