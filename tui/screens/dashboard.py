"""The dashboard: status line, charts, the log pane and its filters.

It reads the monitor model (`DomainState`) once per frame through the narrow `DashboardHost`
protocol and redraws only what changed; what the user asks for beyond the screen (tag, open,
export, step the poll) it posts as a message nested here, which the app handles (tui/app.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Static

from tui.core.logfilter import FilterError, LogFilter
from tui.core.models import LogEntry, StatusClass
from tui.core.reveal import RevealGate
from tui.core.sanitize import inert
from tui.live.state import DomainState
from tui.screens.dashboard_bindings import DASHBOARD_BINDINGS
from tui.screens.dashboard_filter import FilterLine
from tui.screens.dashboard_frame import ChartFeed, StatusFeed, empty_message, rows_now, status_info
from tui.screens.dashboard_messages import DashboardMessages
from tui.widgets.charts import ChartsPane
from tui.widgets.footer import HelpFirstFooter
from tui.widgets.logrow import RowOptions, header_text
from tui.widgets.logview import LogView
from tui.widgets.statusline import StatusLine


class DashboardHost(Protocol):
    """What the dashboard reads from the app each frame (so the screen never imports it);
    `active`, `utc`, `poll_s` and `draft_version` are reactives of the host that the dashboard
    watches."""

    @property
    def state(self) -> DomainState: ...
    poll_s: float
    @property
    def range_index(self) -> int: ...
    utc: bool
    def now(self) -> float: ...
    def status_extras(self) -> dict: ...


CLASS_KEYS = {"2": StatusClass.S2XX, "3": StatusClass.S3XX, "4": StatusClass.S4XX,
              "5": StatusClass.S5XX}


class Dashboard(DashboardMessages, Screen[None]):
    DEFAULT_CSS = """
    Dashboard { layout: vertical; }
    #filter-bar { height: 1; display: none; }
    #filter-bar.-open { display: block; }
    #filter-bar > Static { width: auto; padding: 0 1 0 0; }
    #filter-input { height: 1; border: none; padding: 0; width: 1fr; }
    #filter-error { color: $error; width: auto; max-width: 50%; }
    #log-header { height: 1; background: $boost; }
    """

    BINDINGS = DASHBOARD_BINDINGS

    def __init__(self, host: DashboardHost, *, tag_of: Callable[[LogEntry], str | None],
                 marks: Callable[[str], tuple[float, ...]], max_fps: float,
                 five_xx_threshold: float, paced_reveal: bool = True) -> None:
        super().__init__()
        self.host = host
        self.tag_of, self.marks, self.max_fps = tag_of, marks, max_fps
        self.five_xx_threshold = five_xx_threshold
        self._chart_mode = "auto"  # auto | full | compact | hidden
        self._charts = ChartFeed(five_xx_threshold)
        self._header_key: tuple = ()
        self._status = StatusFeed()
        self._drill_label = ""  # set while the filter came from a top-N row
        self._drill_prev = ""  # the filter text before that drill
        self._drill_back: Callable[[], None] | None = None  # where Esc goes back to (top-N)
        self._reveal = RevealGate(paced_reveal)  # a flood's rows in steps (tui/core/reveal.py)

    # ---- layout ------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        st = self.host.state
        yield StatusLine(id="status")
        yield ChartsPane(id="charts")
        # the filter line (#filter-bar) comes here, mounted after the first frame
        yield Static("", id="log-header")
        yield LogView(st.buffer, domain=st.domain, utc=self.host.utc, tag_of=self.tag_of,
                      frame_s=1 / max(0.5, self.max_fps), id="log")
        yield HelpFirstFooter()

    @property
    def log_view(self) -> LogView:
        return self.query_one("#log", LogView)

    def on_mount(self) -> None:
        self.log_view.focus()
        # Frames come at up to max_fps while entries arrive; after IDLE_AFTER_S without any,
        # that timer pauses and a once-a-second tick keeps the ages and rate windows moving
        # (an idle dashboard costs next to no CPU); new entries wake it again at once.
        self._fast = self.set_interval(1 / max(0.5, self.max_fps), self._frame_tick)
        self._framed_at = 0.0
        self._fast_paused = False
        self._busy_at = time.monotonic()
        self.set_interval(1.0, self._slow_tick)
        self.watch(self.app, "active", self.switch_domain, init=False)
        self.watch(self.app, "utc", self._show_utc, init=False)
        self.watch(self.app, "poll_s", self._update_status, init=False)
        self.watch(self.app, "draft_version", self._show_tags, init=False)
        self.frame()
        self._filter_line = FilterLine(self, before="#log-header")
        self.call_after_refresh(self._filter_line.mount)

    IDLE_AFTER_S = 3.0

    #: while the backlog pours in, a frame at most this often: its rows fly past unread, and
    #: each frame (new rows, rates, status) cost more than parsing its pages (issue 15)
    CATCHUP_FRAME_S = 0.5

    def _frame_tick(self) -> None:
        now = time.monotonic()
        if not self.host.state.caught_up and now - self._framed_at < self.CATCHUP_FRAME_S:
            return
        self._framed_at = now
        self.frame()

    def wake(self) -> None:
        """Entries arrived: frames at the full rate again."""
        self._busy_at = time.monotonic()
        if getattr(self, "_fast_paused", False):
            self._fast_paused = False
            self._fast.resume()

    def on_key(self, _event: object) -> None:
        self.wake()  # whatever the key does shows at the full frame rate
        self._reveal.key_at = time.monotonic()  # and no row is held back while it acts
        if not self.hold_frames:  # and acts on the rows buffered now (before its binding)
            rows_now(self.host.state, self.log_view)

    def _slow_tick(self) -> None:
        if self._fast_paused:
            self.frame()
        elif (time.monotonic() - self._busy_at > self.IDLE_AFTER_S
              and not self.host.state.dirty and not self.log_view.revealing):
            self._fast_paused = True
            self._fast.pause()

    def on_resize(self) -> None:
        self._apply_chart_mode()
        self._header_key = ()
        self._status.key = ()
        self._charts.invalidate()  # labels depend on the width: redraw them at the next frame

    def _apply_chart_mode(self) -> None:
        charts = self.query_one(ChartsPane)
        mode = self._chart_mode
        if mode == "auto":
            mode = "compact" if self.size.height < 32 or self.size.width < 100 else "full"
        charts.set_class(mode == "compact", "-compact")
        charts.set_class(mode == "hidden", "-hidden")

    def switch_domain(self) -> None:
        """The host changed the active domain: point the pane at its buffer."""
        st = self.host.state
        lv = self.log_view
        lv.buffer = st.buffer
        lv.domain = st.domain
        lv.show_cache = False
        st.pending_new = 0
        st.dirty = True
        lv.invalidate()  # rows are cached by sequence number, which each domain starts anew
        lv.go_live()
        self._charts.invalidate()
        self.frame()

    # ---- the frame: one batched update of everything that changed ----------------------
    #: a replay's jump holds the frames until the new time's backlog is in (its first frame
    #: is the whole window, not the stream of pages; tui/screens/replay.py)
    hold_frames = False

    def frame(self) -> None:
        if self.hold_frames:
            return
        st = self.host.state
        lv = self.log_view
        arrived = st.dirty
        if arrived:
            new = st.pending_new
            st.pending_new = 0
            st.dirty = False
            lv.data_changed(new, self._reveal.spread(st.caught_up, self.host.poll_s))
        else:
            lv.reveal_step()
        now = self.host.now()
        self._charts.feed(self.query_one(ChartsPane), st, now, arrived, self.host.range_index,
                          self.host.utc, lambda: self.marks(st.domain))
        msg = empty_message(st)
        if msg != lv.empty_message:
            lv.empty_message = msg
            lv.refresh()
        hkey = (lv.show_cache, self.size.width)
        if hkey != self._header_key:
            self._header_key = hkey
            self.query_one("#log-header", Static).update(
                header_text(RowOptions(width=self.size.width, show_cache=lv.show_cache)))
        self._update_status()

    def _update_status(self) -> None:
        st = self.host.state
        info = status_info(st, self.log_view, self.host.status_extras(), self.host.poll_s,
                           self.host.utc, self._drill_label or st.buffer.filter.text,
                           filter_error=not self._drill_label and bool(st.buffer.filter.error))
        self._status.show(self.query_one(StatusLine), info, self.host.now(), self.log_view)

    def on_log_view_cursor_moved(self, _msg: LogView.CursorMoved) -> None:
        self._update_status()

    # ---- filters -----------------------------------------------------------------------
    def _set_filter(self, flt: LogFilter) -> None:
        buf = self.host.state.buffer
        if flt == buf.filter:
            return
        buf.set_filter(flt)
        self.log_view.view_reset()
        self._update_status()

    def action_class_key(self, key: str) -> None:
        self._set_filter(self.host.state.buffer.filter.with_class_key(CLASS_KEYS[key]))

    def action_all_classes(self) -> None:
        self._set_filter(self.host.state.buffer.filter.all_classes())

    async def action_open_filter(self) -> None:
        await self._filter_line.ready()
        bar = self.query_one("#filter-bar")
        bar.add_class("-open")
        inp = self.query_one("#filter-input", Input)
        inp.value = self.host.state.buffer.filter.text
        inp.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "filter-input":
            return
        self._drill_label = ""
        err = self.query_one("#filter-error", Static)
        try:
            flt = self.host.state.buffer.filter.with_text(event.value)
        except FilterError:
            # the bad term filters nothing out; the good ones apply (tui/core/buffer.py)
            flt = self.host.state.buffer.filter.with_text_lenient(event.value)
        # one line, cut at its end: the box keeps half the width for what is typed
        err.update(Text(f" {inert(flt.error, 120)}", no_wrap=True, overflow="ellipsis")
                   if flt.error else "")
        self._set_filter(flt)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter-input":
            if not event.value:
                self.query_one("#filter-bar").remove_class("-open")
            self.log_view.focus()

    async def action_back(self) -> None:
        """Esc: back out of the innermost thing: the filter input, then the text filter."""
        await self._filter_line.ready()
        inp = self.query_one("#filter-input", Input)
        # a drill without text (an origin alert) is still something to back out of
        if inp.has_focus or self.host.state.buffer.filter.text or self._drill_label:
            drilled, self._drill_label = bool(self._drill_label), ""
            kept = self._drill_prev if drilled else ""  # a drill gives back the filter before
            inp.value = kept
            self.query_one("#filter-error", Static).update("")
            self._set_filter(self.host.state.buffer.filter.with_text_lenient(kept))
            if not kept:
                self.query_one("#filter-bar").remove_class("-open")
            self.log_view.focus()
            if drilled:
                if self._drill_back is not None:
                    self._drill_back()
                else:
                    self.post_message(self.OpenRequested("top"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Keys typed into the filter box are text, not commands (so the filter can contain q).
        if self.focused is not None and isinstance(self.focused, Input) and action != "back":
            return False
        return True

    # ---- the log pane ------------------------------------------------------------------
    def action_follow(self) -> None:
        self.log_view.toggle_follow()

    def action_pause(self) -> None:
        self.log_view.toggle_pause()

    def action_cursor(self, delta: int) -> None:
        self.log_view.move_cursor(delta)

    def action_page(self, direction: int) -> None:
        lv = self.log_view
        lv.move_cursor(direction * max(1, lv.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self.log_view.cursor_home()

    def action_live(self) -> None:
        self.log_view.go_live()

    def action_detail(self) -> None:
        entry = self.log_view.selected
        if entry is not None:
            from tui.screens.detail import DetailScreen  # loaded when first opened (start-up)

            self.app.push_screen(DetailScreen(entry, self.host.utc))

    def action_copy_url(self) -> None:
        entry = self.log_view.selected
        if entry is None:
            return
        self.app.copy_to_clipboard(entry.url)
        self.notify(f"copied (OSC 52): {inert(entry.url, 300)}", title="URL")

    # ---- charts and settings -----------------------------------------------------------
    def action_cycle_range(self) -> None:
        self.post_message(self.RangeCycled())

    def action_poll(self, direction: int) -> None:
        self.post_message(self.PollStepped(direction))

    def action_replay(self, step: int) -> None:
        self.post_message(self.ReplayStepped(step))

    def action_retry_now(self) -> None:
        self.post_message(self.RetryRequested())

    def action_charts(self) -> None:
        order = ["auto", "full", "compact", "hidden"]
        self._chart_mode = order[(order.index(self._chart_mode) + 1) % len(order)]
        self._apply_chart_mode()
        self.notify(f"charts: {self._chart_mode}", timeout=2)

    def action_utc(self) -> None:
        self.post_message(self.UtcToggled())

    def _show_tags(self) -> None:
        if not self.is_active:  # under another screen: as before, its rows keep what they show
            return
        self.log_view.invalidate()
        self._update_status()

    def _show_utc(self) -> None:
        lv = self.log_view
        lv.utc = self.host.utc
        lv.invalidate()
        self._charts.series_shown = -1
        self._update_status()

    def action_export(self, plain: bool) -> None:
        self.post_message(self.ExportRequested(plain))

    # ---- domains -------------------------------------------------------------------------
    def action_domain(self, step: int) -> None:
        self.post_message(self.DomainStepped(step))

    def action_overview(self) -> None:
        self.post_message(self.OpenRequested("overview"))

    def action_top(self) -> None:
        self.post_message(self.OpenRequested("top"))

    def action_explain(self) -> None:
        self.post_message(self.OpenRequested("explain"))

    def apply_drill(self, text: str, label: str, back: Callable[[], None] | None = None,
                    back_name: str = "top-N") -> None:
        """Filter the log to one top-N row (or alert); Esc restores the filter before and goes
        back there."""
        self._drill_prev = self.host.state.buffer.filter.text
        self._set_filter(self.host.state.buffer.filter.with_text_lenient(text))
        self._drill_label = label
        self._drill_back = back
        self.notify(f"log filtered to {label} (Esc goes back to {back_name})", timeout=4)

    def action_alerts(self) -> None:
        self.post_message(self.OpenRequested("alerts"))

    # ---- refresh -------------------------------------------------------------------------
    def action_open_refresh(self) -> None:
        """r: review and send the refresh batch (the CDN purge; Textual's refresh() repaints)."""
        self.post_message(self.OpenRequested("refresh"))

    def action_history(self) -> None:
        self.post_message(self.OpenRequested("history"))

    def action_tag(self, kind: str) -> None:
        entry = self.log_view.selected
        if entry is None:
            return
        self.post_message(self.TagRequested(entry, kind))
