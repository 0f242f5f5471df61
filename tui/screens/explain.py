"""`w`: what distinguishes the alerting class (5XX when none alerts) over the alert's span
(its start to now; the last 5 minutes when none alerts), one block per dimension, best first
(tui/insight/explain.py over the whole buffer, whatever the log pane's filter).

`4`/`5`/`m`/`a` switch the focus (pressing the shown one computes again); Enter filters the
log pane to the row's value (Esc there comes back here); space/d tag a URL or directory row
into the refresh batch, as the log pane does. Computed when asked, never per frame."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.core.elide import elide_middle
from tui.core.sanitize import inert
from tui.core.units import format_count, format_duration
from tui.insight.explain import Explanation, Finding, columns_of_buffer, explain
from tui.insight.explain_fmt import (
    FOCUS_WORDS,
    TAGGABLE,
    alert_focus,
    drill_text,
    pct,
    pp,
    times,
    title,
)
from tui.live.state import DomainState
from tui.widgets.logrow import TAG_DIR, TAG_URL

DEFAULT_SPAN_S = 300  # the window when nothing alerts
TOP = 5  # values per dimension
PCT_W, PP_W, RATIO_W, COUNT_W, MARK_W = 7, 9, 6, 7, 1
NS = 1_000_000_000

TagUrl = Callable[[str, str], None]
TaggedAs = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class ExplainDrill:
    """The row chosen: filter the log pane with `text`; `focus` to come back to."""

    text: str
    label: str
    focus: str


class ExplainScreen(Screen[ExplainDrill | None]):
    DEFAULT_CSS = """
    ExplainScreen #explain-title { height: 1; background: $panel; padding: 0 1; }
    ExplainScreen #explain-note { height: auto; padding: 0 1; color: $text-muted; }
    ExplainScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="explain.close"),
        Binding("enter", "drill", "Filter log to row", id="explain.drill"),
        Binding("j", "cursor(1)", "Down", show=False, id="explain.down"),
        Binding("k", "cursor(-1)", "Up", show=False, id="explain.up"),
        Binding("space", "tag('url')", "Tag URL", id="explain.tag_url"),
        Binding("d", "tag('directory')", "Tag dir", id="explain.tag_dir"),
        Binding("5", "focus('5XX')", "5XX", id="explain.focus_5xx"),
        Binding("4", "focus('4XX')", "4XX", id="explain.focus_4xx"),
        Binding("m", "focus('MISS')", "MISS", id="explain.focus_miss"),
        Binding("a", "focus('all')", "All", id="explain.focus_all"),
    ]

    def __init__(self, state: DomainState, now: Callable[[], float], *,
                 focus: str | None = None, tag: TagUrl | None = None,
                 tagged: TaggedAs | None = None) -> None:
        super().__init__()
        self.st = state
        self.now = now
        alerted, since_s = alert_focus(state.alerts)
        self.focus_name = focus or alerted
        self._since_s = since_s if focus in (None, alerted) else None
        self._tag, self._tagged = tag, tagged
        self.explanation: Explanation | None = None
        self.rows: list[Finding | None] = []  # per table row: its finding (None: a heading)
        self.span_s = DEFAULT_SPAN_S

    def compose(self) -> ComposeResult:
        yield Static("", id="explain-title")
        yield Static("", id="explain-note")
        yield DataTable(cursor_type="row", id="explain-table", zebra_stripes=False)
        yield Footer()

    def on_mount(self) -> None:
        self.compute()
        self.query_one(DataTable).focus()
        self.call_after_refresh(self._fill)  # again once the table has its width

    def on_resize(self, _event: events.Resize) -> None:
        self.call_after_refresh(self._fill)

    # ---- what is compared ------------------------------------------------------------
    def compute(self) -> None:
        """Explain the focus over its span (the alert's, or the last 5 minutes)."""
        now_s = self.now()
        since = self._since_s
        self.span_s = max(1, int(now_s - since)) if since else DEFAULT_SPAN_S
        end = int(now_s * NS)
        start = end - self.span_s * NS
        self.explanation = explain(columns_of_buffer(self.st.buffer), self.focus_name, start,
                                   end)
        self._fill()

    def title_text(self) -> str:
        """'explain 5XX · alert span 6m · 475 requests against 7.7k others' (plain)."""
        ex = self.explanation
        span = format_duration(self.span_s)
        parts = [f"explain {FOCUS_WORDS[self.focus_name]}",
                 f"alert span {span}" if self._since_s else f"last {span}"]
        if ex is not None:
            other = "in the span before" if ex.focus == "all" else "others"
            parts.append(f"{format_count(ex.selected)} requests against "
                         f"{format_count(ex.baseline)} {other}")
        parts.append("4 5 m a: focus")
        return " · ".join(parts)

    def note_text(self) -> str:
        ex = self.explanation
        if ex is None or not ex.selected:
            return f"no {self.focus_name} requests in the buffer for this span: nothing to explain"
        if not ex.dimensions:
            return "nothing stands out: no value has enough requests to tell"
        if not ex.baseline:
            return "no baseline entries in the buffer: the shares are not compared"
        return ""

    # ---- drawing -----------------------------------------------------------------------
    def _fill(self) -> None:
        heading = Text()
        heading.append(f"{inert(self.st.domain)}  ", Style(bold=True))
        heading.append(self.title_text())
        self.query_one("#explain-title", Static).update(heading)
        note = self.note_text()
        note_w = self.query_one("#explain-note", Static)
        note_w.update(note)
        note_w.display = bool(note)
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_column("", width=MARK_W, key="mark")
        fixed = MARK_W + 2 * PCT_W + 2 + PP_W + RATIO_W + COUNT_W
        width = max(12, table.size.width - fixed - 2 * table.cell_padding * 8 - 2)
        table.add_column("value", width=width, key="value")
        for head, w in (("sel", PCT_W), ("", 2), ("base", PCT_W), ("Δ", PP_W),
                        ("ratio", RATIO_W), ("count", COUNT_W)):
            table.add_column(head, width=w)
        self.rows = []
        ex = self.explanation
        for d in ex.dimensions if ex is not None else ():
            head = Text(f"{title(d.name)} · divergence {d.score:.2f}", Style(bold=True))
            table.add_row(Text(""), head, *[Text("")] * 6)
            self.rows.append(None)
            for f in d.findings[:TOP]:
                table.add_row(*self._cells(f, width))
                self.rows.append(f)
        if self.rows:
            first = next((i for i, r in enumerate(self.rows) if r is not None), 0)
            table.move_cursor(row=min(max(cursor, first), len(self.rows) - 1))

    def _cells(self, f: Finding, width: int) -> list[Text]:
        mark = Text(" ")
        if f.dimension in TAGGABLE and self._tagged is not None:
            kind = self._tagged(f.value)
            mark = Text("+", TAG_URL) if kind == "url" else (
                Text("D", TAG_DIR) if kind == "directory" else mark)
        return [mark, Text(elide_middle(inert(f.value, 2000), width)),
                Text(f"{pct(f.selection_share):>{PCT_W}}"), Text("vs", Style(dim=True)),
                Text(f"{pct(f.baseline_share):>{PCT_W}}"), Text(f"{pp(f.delta):>{PP_W}}"),
                Text(f"{times(f.ratio):>{RATIO_W}}"), Text(f"{f.count:>{COUNT_W}}")]

    # ---- keys ------------------------------------------------------------------------------
    def _chosen(self) -> Finding | None:
        table = self.query_one(DataTable)
        if 0 <= table.cursor_row < len(self.rows):
            return self.rows[table.cursor_row]
        return None

    def action_focus(self, focus: str) -> None:
        alerted, since_s = alert_focus(self.st.alerts)
        self.focus_name = focus
        self._since_s = since_s if focus == alerted else None
        self.compute()

    def action_drill(self) -> None:
        f = self._chosen()
        if f is None:
            return
        text = drill_text(self.focus_name, f.dimension, f.value)
        if text is None:
            self.notify(f"the log filter has no field for {inert(f.dimension, 40)}",
                        severity="warning", timeout=3)
            return
        label = f"{self.focus_name} {title(f.dimension)} = {inert(f.value, 60)}"
        self.dismiss(ExplainDrill(text, label, self.focus_name))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def action_cursor(self, step: int) -> None:
        table = self.query_one(DataTable)
        if step > 0:
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def action_tag(self, kind: str) -> None:
        """space/d: a URL row (or its directory), a directory row as a directory."""
        f = self._chosen()
        if f is None or f.dimension not in TAGGABLE:
            self.notify("only URL and directory rows can be tagged for refresh",
                        severity="warning", timeout=3)
            return
        if self._tag is None:
            return
        self._tag(f.value, "directory" if f.dimension == "dir" else kind)
        self._fill()

    def action_close(self) -> None:
        self.dismiss(None)
