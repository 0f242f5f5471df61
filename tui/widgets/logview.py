"""The log pane: a view over the bounded `LogBuffer`, rendering only the visible rows.

Rows are addressed by the buffer's append sequence numbers, so the cursor and the top row stay
on the same entries while old ones are evicted or the filter changes. Following (toolong's
model): new rows scroll into view; moving up stops following and counts "+N new"; G/End goes
back to live. Pause freezes the rows while the buffer keeps collecting.

Paced reveal (tui/core/reveal.py): following live, a poll of more rows than the pane shows is
shown oldest first in steps until the next poll, not in one jump; only the pane waits, and
whatever acts on the rows takes in the held ones first (`take_in`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.buffer import LogBuffer
from tui.core.models import LogEntry
from tui.core.reveal import HeldRows
from tui.widgets.logrow import RowOptions, row_pieces, row_strip

#: Rendered rows kept: a few screens' worth. Rows are cheap to rebuild, and each kept Strip is
#: a dozen objects that the cyclic garbage collector walks on every full pass.
STRIP_CACHE = 256


class LogView(ScrollView, can_focus=True, inherit_bindings=False):
    """Line-API view of a LogBuffer with a cursor row, match highlights and tag marks.

    It has no bindings of its own: the screen's keys move the cursor (not the viewport),
    and they work whichever pane has focus.

    `tag_of` is asked with an entry holding only the URL (tags are by URL or its directory,
    tui/refresh/drafts.py): a row already drawn is found without rebuilding its entry."""

    DEFAULT_CSS = """
    LogView {
        height: 1fr;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
    }
    LogView > .logview--cursor {
        background: $accent 40%;
    }
    """
    COMPONENT_CLASSES = {"logview--cursor"}

    class CursorMoved(Message):
        """The selected entry changed (or the follow/pause state did)."""

    def __init__(
        self,
        buffer: LogBuffer,
        *,
        domain: str = "",
        utc: bool = False,
        tag_of: Callable[[LogEntry], str | None] | None = None,
        frame_s: float = 0.125,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.buffer = buffer
        self.domain = domain
        self.utc = utc
        self.show_cache = False
        self.tag_of = tag_of or (lambda _e: None)
        self.following = True
        self.paused = False
        self.new_count = 0
        self.cursor_seq: int | None = None
        self._top_seq: int | None = None
        self._cache: LRUCache[tuple, Strip] = LRUCache(STRIP_CACHE)
        self._base_style: Style | None = None  # the rows' styles, kept while the cache is
        self._cursor_style = Style()
        self._combined: tuple[dict[Style | None, Style], dict[Style | None, Style]] = ({}, {})
        self._render_key: tuple = ()
        self.empty_message = ""  # shown in place when no row matches: never a blank box
        self._seen_appended = 0  # buffer.appended when the rows were last laid out
        self._held = HeldRows(frame_s)  # the paced reveal's rows; frame_s: the frame interval

    # ---- state -------------------------------------------------------------------------
    @property
    def live(self) -> bool:
        return self.following and not self.paused

    @property
    def cursor_index(self) -> int | None:
        if self.cursor_seq is None:
            return None
        return self.buffer.view_index_of_seq(self.cursor_seq)

    @property
    def selected(self) -> LogEntry | None:
        idx = self.cursor_index
        if idx is None or idx >= self.buffer.view_len:
            return None
        return self.buffer.view_entry(idx)

    @property
    def revealing(self) -> bool:
        """Rows are held back, to be shown at the coming frames (paced reveal)."""
        return self._held.active

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def invalidate(self) -> None:
        """Forget rendered rows (time zone, tags or theme changed)."""
        self._forget_rows()
        self.refresh()

    def _forget_rows(self) -> None:
        self._cache.clear()
        self._base_style = None

    def data_changed(self, new_matching: int, spread_s: float = 0.0) -> None:
        """Called once per frame by the screen when the buffer or its view changed. While
        following, `spread_s` > 0 reveals a flood over that many seconds (`reveal_step`)."""
        if spread_s > 0 and self.live:
            self._held.hold(self.buffer, new_matching, self._page(), spread_s, time.monotonic())
        else:
            self._release()
        self._show(new_matching)

    def reveal_step(self) -> None:
        """A frame without new rows: show the next step of the held ones, when it is due."""
        if self._held.step_due(time.monotonic()):
            self._show(0)

    def take_in(self) -> None:
        """Show every held row now: a key acts on every row that arrived, none hidden."""
        if self._held.active:
            self._release()
            self._show(0)

    def _release(self) -> None:
        """Hold no row back; held rows a pane that stopped following never showed are new."""
        held = self._held.release(self.buffer)
        if not self.live:
            self.new_count += held

    def _show(self, new_matching: int) -> None:
        buf = self.buffer
        n = buf.view_len
        if not self.show_cache and n and buf.view_entry(n - 1).cache:
            self.show_cache = True
            self._cache.clear()
        if self.live:
            shown = self._held.step(buf, time.monotonic())
            self._set_rows(shown)
            self.new_count = 0
            self.cursor_seq = buf.view_seq(shown - 1) if shown else None
            self._scroll_to_index(max(0, shown - self._page()))
        else:
            self._release()
            self._set_rows(n)
            self.new_count += new_matching
            self._restore_top()
        self._seen_appended = buf.appended
        self.refresh()

    def view_reset(self) -> None:
        """The filter changed: keep the cursor entry if it is still shown. (Rendered rows stay
        cached: a row shows only the text filter, which is part of the cache key, so toggling
        a class back redraws from the cache.)"""
        self._release()  # the new view shows whole
        n = self.buffer.view_len
        self._set_rows(n)
        if self.live or self.cursor_seq is None:
            self.cursor_seq = self.buffer.view_seq(n - 1) if n else None
            self._scroll_to_index(max(0, n - self._page()))
        else:
            idx = self.cursor_index
            if idx is None:
                idx = max(0, n - 1)
                self.cursor_seq = self.buffer.view_seq(idx) if n else None
            self._scroll_to_index(max(0, idx - self._page() // 2))
        self._seen_appended = self.buffer.appended
        self.refresh()
        self.post_message(self.CursorMoved())

    def _set_rows(self, n: int) -> None:
        """The view holds n rows. `virtual_size` is a layout reactive: setting it lays out the
        whole screen again (the charts, the status line, every widget), which while catching
        up was most of each frame (a reflow per frame: 80 in one 100k catch-up's profile).
        Only a change of width or of whether the scrollbar shows changes any size; otherwise
        the rows' count is stored without a layout and the scrollbar gets the new count."""
        size = Size(self.scrollable_content_region.width, n)
        old = self.virtual_size
        if size == old:
            return
        height = self.size.height
        if size.width != old.width or (old.height > height) != (n > height) or not height:
            self.virtual_size = size
            return
        self.set_reactive(LogView.virtual_size, size)
        if self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            bar.window_virtual_size = n
            bar.refresh()

    def _scroll_to_index(self, idx: int) -> None:
        self.scroll_to(y=idx, animate=False, immediate=True, force=True)
        n = self.buffer.view_len
        self._top_seq = self.buffer.view_seq(idx) if 0 <= idx < n else None

    def _top_index(self) -> int:
        """The top row's view index, found from the entry the pane last scrolled to: an
        ingest between two frames evicts a poll's worth of entries (5k at 5k/s), and a render
        then (a key's) showed the rows shifted by as many, the cursor's out of sight."""
        top = self.buffer.view_index_of_seq(self._top_seq) if self._top_seq is not None else None
        return int(self.scroll_y) if top is None else top

    def _restore_top(self) -> None:
        if self._top_seq is None:
            return
        idx = self.buffer.view_index_of_seq(self._top_seq)
        if idx is not None:
            self.scroll_to(y=idx, animate=False, immediate=True, force=True)

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        """Textual moves the thumb only when `scroll_y` changes while the bar is shown: rows
        that arrive (and scroll) before the layout that shows it would leave the thumb at the
        top until the next scroll, which in a paused pane never comes."""
        if shown:
            self.vertical_scrollbar.position = self.scroll_y

    def on_mount(self) -> None:
        # rendered rows hold the theme's colours
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.invalidate())

    def on_resize(self) -> None:
        self._release()
        self._forget_rows()
        self._seen_appended = self.buffer.appended
        self.virtual_size = Size(self.scrollable_content_region.width, self.buffer.view_len)
        if self.live:
            n = self.buffer.view_len
            self._scroll_to_index(max(0, n - self._page()))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        n = self.buffer.view_len
        top = int(new)
        self._top_seq = self.buffer.view_seq(top) if 0 <= top < n else self._top_seq
        # A scroll up by the user (wheel, scrollbar) stops following.
        if new < old and self.following and not self.is_vertical_scroll_end:
            self.following = False
            self.post_message(self.CursorMoved())

    # ---- cursor movement ---------------------------------------------------------------
    def move_cursor(self, delta: int) -> None:
        self.take_in()
        n = self.buffer.view_len
        if not n:
            return
        self._keep_rows_in_place()
        idx = self.cursor_index
        idx = n - 1 if idx is None else idx
        target = max(0, min(n - 1, idx + delta))
        if delta < 0 or target < n - 1:
            self.following = False
        self._select(target)

    def cursor_home(self) -> None:
        self.take_in()
        if self.buffer.view_len:
            self.following = False
            self._select(0)

    def go_live(self) -> None:
        self._held.release(self.buffer)  # every row shows: the newest at the bottom
        self.following = True
        self.paused = False
        self.new_count = 0
        n = self.buffer.view_len
        old_top, old_idx = int(self.scroll_y), self.cursor_index
        self.cursor_seq = self.buffer.view_seq(n - 1) if n else None
        self._scroll_to_index(max(0, n - self._page()))
        self._repaint_cursor(old_top, old_idx, n - 1 if n else None)
        self.post_message(self.CursorMoved())

    def toggle_follow(self) -> None:
        self.take_in()
        if self.following:
            self.following = False
            self.post_message(self.CursorMoved())
        else:
            self.go_live()

    def toggle_pause(self) -> None:
        self.take_in()  # the pause freezes every row that arrived before it
        if self.paused:
            self.go_live()
        else:
            self.paused = True
            self.new_count = 0
            self.post_message(self.CursorMoved())

    def _select(self, idx: int) -> None:
        old_idx = self.cursor_index
        self.cursor_seq = self.buffer.view_seq(idx)
        top = int(self.scroll_y)
        page = self._page()
        if idx < top:
            self._scroll_to_index(idx)
        elif idx >= top + page:
            self._scroll_to_index(idx - page + 1)
        self._repaint_cursor(top, old_idx, idx)
        self.post_message(self.CursorMoved())

    def _keep_rows_in_place(self) -> None:
        """Entries arrived or left since the last frame, so view indices moved under the rows
        on screen: scroll by as much, keeping the same entries in place (the user moves the
        cursor over what they see, not over rows that only exist in the buffer so far)."""
        if self.buffer.appended != self._seen_appended:
            self._restore_top()

    def _repaint_cursor(self, old_top: int, old_idx: int | None, new_idx: int | None) -> None:
        """Repaint what a cursor move changed: the two rows when nothing scrolled and the view
        did not change since the last frame (fewer cells to draw and to send over a slow
        link), else the whole pane."""
        if (int(self.scroll_y) != old_top or old_idx is None or new_idx is None
                or self.buffer.appended != self._seen_appended):
            self._seen_appended = self.buffer.appended
            self.refresh()
            return
        self.refresh_line(old_idx)
        if new_idx != old_idx:
            self.refresh_line(new_idx)

    # ---- rendering ---------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        idx = self._top_index() + y
        width = self.scrollable_content_region.width
        buf = self.buffer
        if idx >= buf.view_len or idx < 0 or self._held.hides(buf, idx):
            if buf.view_len == 0 and y == 1 and self.empty_message:
                msg = Text("  " + self.empty_message, style=Style(dim=True, italic=True),
                           no_wrap=True)
                msg.stylize_before(self.rich_style)
                return Strip(msg.render(self.app.console), msg.cell_len).crop_extend(
                    0, width, self.rich_style)
            return Strip.blank(width, self.rich_style)
        seq = buf.view_seq(idx)
        is_cursor = seq == self.cursor_seq
        tag = self.tag_of(LogEntry(0, url=buf.url_of_seq(seq)))  # a tag is by URL alone
        text = buf.filter.text  # only the text filter shows in a row (as highlights)
        key = (seq, width, is_cursor, tag, text, self.utc, self.show_cache, self.domain)
        strip = self._cache.get(key)
        if strip is None:  # only a row not drawn yet is rebuilt from the columns
            strip = self._render_row(buf.view_entry(idx), width, is_cursor, tag)
            self._cache[key] = strip
        return strip.apply_offsets(0, idx)  # selection offsets, as every Line API widget

    def _row_styles(self, is_cursor: bool) -> tuple[Style, dict[Style | None, Style]]:
        """The base style and the cell styles combined over it (and the cursor over them),
        worked out once per theme or size change instead of once per cell."""
        if self._base_style is None:
            self._base_style = self.rich_style
            self._cursor_style = self.get_component_rich_style("logview--cursor")
            self._combined = ({}, {})
        base = self._base_style
        combined = self._combined[is_cursor]
        return base, combined

    def _render_row(self, entry: LogEntry, width: int, is_cursor: bool, tag: str | None) -> Strip:
        """Segments straight from the row's pieces: the cursor over the cell styles over the
        widget's base style (what rich Text would make, at a fraction of the cost)."""
        base, combined = self._row_styles(is_cursor)
        flt = self.buffer.filter
        opts = RowOptions(width=width, domain=self.domain, utc=self.utc, show_cache=self.show_cache)
        return row_strip(row_pieces(entry, opts, tag, flt.spans if flt.text else None), width,
                         base, self._cursor_style if is_cursor else None, combined)
