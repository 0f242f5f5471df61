"""Top-N panels over the last N minutes of what the log pane shows (its class and text
filters apply): URLs, client IPs, status codes, countries and, when entries carry one, the
cache status. Enter filters the log pane to the chosen row; Esc there comes back here.

Counts come first in fixed columns and keys last, elided in the middle to the panel's width
(tui/core/elide.py), so the numbers stay on screen at 80 columns and URLs stay told apart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.core.elide import elide_middle
from tui.core.models import LogEntry, StatusClass
from tui.core.sanitize import inert
from tui.core.units import format_bytes, format_count, format_duration
from tui.insight.top import TOP_KEYS, TopRow, top_n
from tui.live.state import DomainState
from tui.widgets.logrow import CLASS_STYLES, TAG_DIR, TAG_URL, TaggedAs, TagUrl

TITLES = {"url": "URLs", "ip": "client IPs", "status": "status codes", "country": "countries",
          "cache": "cache status"}
HEADS = {"url": "URL", "ip": "client IP", "status": "status", "country": "country",
         "cache": "cache"}
WINDOW_STEPS = [60, 300, 900, 1800, 3600]
COUNT_W, BYTES_W, SHARE_W, MARK_W = 8, 9, 6, 1



@dataclass(frozen=True, slots=True)
class Drill:
    """The row chosen: filter the log pane to `key` of kind `by`."""

    by: str
    key: str


class TopScreen(Screen[Drill | None]):
    DEFAULT_CSS = """
    TopScreen #top-title { height: 1; background: $panel; padding: 0 1; }
    TopScreen Grid { grid-size: 2; grid-rows: 2fr 1fr 1fr; grid-gutter: 0 1; }
    TopScreen #panel-url { column-span: 2; }
    TopScreen .-wide { column-span: 2; }
    TopScreen Vertical { border: round $primary-darken-2; }
    TopScreen Vertical:focus-within { border: round $accent; }
    TopScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="top.close"),
        Binding("enter", "drill", "Filter log to row", id="top.drill"),
        Binding("j", "cursor(1)", "Down", show=False, id="top.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="top.up"),
        Binding("space", "tag('url')", "Tag URL", id="top.tag_url"),
        Binding("d", "tag('directory')", "Tag dir", id="top.tag_dir"),
        Binding("b", "order", "Count/bytes", id="top.order"),
        Binding("plus,equals_sign", "window(1)", "Longer window", id="top.window_longer"),
        Binding("minus", "window(-1)", "Shorter window", id="top.window_shorter"),
        Binding("tab", "app.focus_next", "Next panel", show=False, id="top.next"),
    ]

    def __init__(self, state: DomainState, now: Callable[[], float], window_s: float,
                 tag: TagUrl | None = None, tagged: TaggedAs | None = None) -> None:
        super().__init__()
        self.st = state
        self.now = now
        self.window_s = int(window_s)
        self.order = "count"
        self.rows: dict[str, list[TopRow]] = {}
        self.total = 0
        self._tag = tag
        self._tagged = tagged

    def compose(self) -> ComposeResult:
        yield Static("", id="top-title")
        with Grid():
            for by in TOP_KEYS:
                with Vertical(id=f"panel-{by}") as v:
                    v.border_title = TITLES[by]
                    yield DataTable(cursor_type="row", id=f"top-{by}", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#top-url", DataTable).focus()
        self.call_after_refresh(self._fill)  # again once the panels have their widths
        self.set_interval(2.0, self._fill)

    def on_resize(self, _event: events.Resize) -> None:
        self.call_after_refresh(self._fill)

    # ---- what is counted --------------------------------------------------------------
    def entries(self) -> list[LogEntry]:
        """The entries of the window that the log pane shows (its filters apply)."""
        since = int((self.now() - self.window_s) * 1e9)
        return [e for e in self.st.buffer.matching() if e.time_ns >= since]

    def title_text(self) -> str:
        """'top 5m · 5XX · cache:MISS · 1.2k requests · by count' (plain text)."""
        flt = self.st.buffer.filter
        parts = [f"top {format_duration(self.window_s)}"]
        if flt.classes:
            parts.append(flt.describe())
        if flt.text:
            parts.append(inert(flt.text, 60))
        parts.append(f"{format_count(self.total)} requests")
        parts.append(f"by {self.order}")
        return " · ".join(parts)

    def _title(self) -> Text:
        t = Text()
        t.append(f"{inert(self.st.domain)}  ", Style(bold=True))
        t.append(self.title_text())
        return t

    # ---- drawing -------------------------------------------------------------------------
    def _columns(self, table: DataTable, by: str) -> None:
        table.clear(columns=True)
        if by == "url":  # the tag mark: only URL rows can be tagged
            table.add_column("", width=MARK_W, key="mark")
        if by == "url" or self.order == "count":
            table.add_column("requests", width=COUNT_W, key="count")
        if by == "url" or self.order == "bytes":
            table.add_column("bytes", width=BYTES_W, key="bytes")
        table.add_column("share", width=SHARE_W, key="share")
        table.add_column(HEADS[by], width=self._key_width(table), key="key")

    def _key_width(self, table: DataTable) -> int:
        others = [c for k, c in table.columns.items() if k.value != "key"]
        fixed = sum(c.width for c in others)
        pad = 2 * table.cell_padding * (len(others) + 1)
        return max(8, table.size.width - fixed - pad - 2)  # 2: the vertical scrollbar

    def _fill(self) -> None:
        entries = self.entries()
        self.total = total = len(entries)
        self.query_one("#top-title", Static).update(self._title())
        has_cache = any(e.cache for e in entries)
        self.query_one("#panel-cache").display = has_cache
        self.query_one("#panel-country").set_class(not has_cache, "-wide")
        for by in TOP_KEYS:
            table = self.query_one(f"#top-{by}", DataTable)
            cursor = table.cursor_row
            rows = top_n(entries, by, 0, n=50, order=self.order)
            self.rows[by] = rows
            self._columns(table, by)
            width = self._key_width(table)
            for r in rows:
                table.add_row(*self._cells(by, r, total, width))
            if rows:
                table.move_cursor(row=min(cursor, len(rows) - 1))

    def _cells(self, by: str, r: TopRow, total: int, width: int) -> list[Text]:
        cells: list[Text] = []
        if by == "url":
            kind = self._tagged(r.key) if self._tagged is not None else None
            if kind == "url":
                cells.append(Text("+", TAG_URL))
            elif kind == "directory":
                cells.append(Text("D", TAG_DIR))
            else:
                cells.append(Text(" "))
        style = Style()
        if by == "status" and r.key.isdigit():
            style = CLASS_STYLES.get(StatusClass.of(int(r.key)), Style())
        if by == "url" or self.order == "count":
            cells.append(Text(f"{format_count(r.count):>{COUNT_W}}"))
        if by == "url" or self.order == "bytes":
            cells.append(Text(f"{format_bytes(r.bytes):>{BYTES_W}}"))
        share = f"{r.count / total:.1%}" if total else "-"
        cells.append(Text(f"{share:>{SHARE_W}}"))
        cells.append(Text(elide_middle(inert(r.key, 2000), width), style))
        return cells

    # ---- keys ------------------------------------------------------------------------------
    def _focused_kind(self) -> str:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id and focused.id.startswith("top-"):
            return focused.id[4:]
        return "url"

    def _chosen(self) -> tuple[str, TopRow] | None:
        by = self._focused_kind()
        rows = self.rows.get(by) or []
        table = self.query_one(f"#top-{by}", DataTable)
        if rows and 0 <= table.cursor_row < len(rows):
            return by, rows[table.cursor_row]
        return None

    def action_drill(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.dismiss(Drill(chosen[0], chosen[1].key))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def action_cursor(self, step: int) -> None:
        table = self.query_one(f"#top-{self._focused_kind()}", DataTable)
        if step > 0:
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def action_tag(self, kind: str) -> None:
        """space/d: the URL row (or its directory) into the refresh batch, as in the log."""
        chosen = self._chosen()
        if chosen is None or chosen[0] != "url":
            self.notify("only URL rows can be tagged for refresh", severity="warning", timeout=3)
            return
        if self._tag is None:
            return
        url = chosen[1].key
        self._tag(url, kind)
        self._fill()

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

