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
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.screen import Screen
from textual.widgets import Footer, Static

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
from tui.widgets.logrow import TAG_DIR, TAG_URL, TaggedAs, TagUrl

DEFAULT_SPAN_S = 300  # the window when nothing alerts
TOP = 5  # values per dimension
PCT_W, PP_W, RATIO_W, COUNT_W = 7, 9, 6, 7
FIXED_W = 2 + 2 + PCT_W + 4 + PCT_W + 2 + PP_W + 2 + RATIO_W + 2 + COUNT_W  # all but the value
CURSOR = Style(reverse=True)
NS = 1_000_000_000



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
    ExplainScreen #explain-head { height: 1; background: $boost; }
    ExplainScreen #explain-scroll { height: 1fr; }
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
        yield Static("", id="explain-head")
        with VerticalScroll(id="explain-scroll"):
            yield RowList(id="explain-rows")
        yield Footer()

    def on_mount(self) -> None:
        self.compute()
        self.query_one(RowList).focus()
        self.call_after_refresh(self._fill)  # again once the list has its width

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
        rows = self.query_one(RowList)
        width = max(12, (rows.size.width or self.app.size.width) - FIXED_W - 1)
        self.query_one("#explain-head", Static).update(Text(
            f"  {'value'.ljust(width)}  {'sel':>{PCT_W}}    {'base':>{PCT_W}}  {'Δ':>{PP_W}}  "
            f"{'ratio':>{RATIO_W}}  {'count':>{COUNT_W}}", Style(bold=True)))
        chosen = self._chosen()
        self.rows, lines = [], []
        ex = self.explanation
        for d in ex.dimensions if ex is not None else ():
            lines.append(Text(f" {title(d.name)} · divergence {d.score:.2f}", Style(bold=True)))
            self.rows.append(None)
            for f in d.findings[:TOP]:
                lines.append(self._line(f, width))
                self.rows.append(f)
        found = chosen is not None and chosen in self.rows
        at = self.rows.index(chosen) if found else min(1, len(self.rows) - 1)
        rows.show(lines, max(0, at))

    def _line(self, f: Finding, width: int) -> Text:
        """'+ value   99.1 % vs   2.7 %   +96.4 pp   ×36.7      460' (fixed columns)."""
        line = Text()
        kind = self._tagged(f.value) if f.dimension in TAGGABLE and self._tagged else None
        if kind == "url":
            line.append("+", TAG_URL)
        elif kind == "directory":
            line.append("D", TAG_DIR)
        else:
            line.append(" ")
        # one span for the rest: a terminal keeps the columns either way, an SVG screenshot
        # only within a span (it drops the spaces a span starts with)
        line.append(f" {elide_middle(inert(f.value, 2000), width).ljust(width)}  "
                    f"{pct(f.selection_share):>{PCT_W}} vs {pct(f.baseline_share):>{PCT_W}}  "
                    f"{pp(f.delta):>{PP_W}}  {times(f.ratio):>{RATIO_W}}  {f.count:>{COUNT_W}}")
        return line

    # ---- keys ------------------------------------------------------------------------------
    @property
    def cursor(self) -> int:
        return self.query_one(RowList).cursor

    def _chosen(self) -> Finding | None:
        at = self.cursor
        return self.rows[at] if 0 <= at < len(self.rows) else None

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

    def action_cursor(self, step: int) -> None:
        self.query_one(RowList).move(step)

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


class RowList(Static, can_focus=True):
    """The explanation's lines in one Static (a DataTable drawing 50 rows cell by cell took
    most of the time from the key to the screen), the cursor line in reverse video."""

    DEFAULT_CSS = "RowList { height: auto; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.lines: list[Text] = []
        self.cursor = 0

    def show(self, lines: list[Text], cursor: int) -> None:
        self.lines = lines
        self.cursor = min(cursor, len(lines) - 1) if lines else 0
        self._draw()

    def move(self, step: int) -> None:
        if self.lines:
            self.cursor = max(0, min(len(self.lines) - 1, self.cursor + step))
            self._draw()

    def _draw(self) -> None:
        lines = list(self.lines)
        if lines:
            mark = lines[self.cursor].copy()
            mark.stylize(CURSOR)
            lines[self.cursor] = mark
        text = Text("\n").join(lines)
        text.no_wrap, text.overflow = True, "crop"  # one line per row: the cursor's index
        self.update(text)
        if lines and isinstance(self.parent, VerticalScroll):
            self.parent.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False)
