"""What the dashboard's frame assembles from the monitor model: the charts' figures (fed
only when what they show changed), the status line's facts, the empty log pane's words."""

from __future__ import annotations

import time
from collections.abc import Callable
from copy import copy
from dataclasses import replace
from typing import Any

from textual import messages
from textual.screen import Screen
from textual.widget import Widget

from tui.core.chartdata import LOG_CHART_MAX_S, LogMinutes
from tui.core.models import StatusClass
from tui.live.state import RANGES, DomainState
from tui.widgets.charts import ChartsPane
from tui.widgets.logview import LogView
from tui.widgets.statusline import StatusInfo, StatusLine, render_status


def paint_together(screen: Screen, *widgets: Widget) -> None:
    """Hand what `widgets` were asked to repaint to the screen's compositor now, so one frame
    shows it all. Textual passes each widget's repaint on through that widget's own message
    queue, and under load the screen painted whichever had arrived: after a filter key, the
    rows in one frame and the status line saying so in the next, 20-60 ms later (half of the
    filter key's slowest presses, benchmarks/RESULTS.md). The widgets' own hand-overs that
    follow find their regions painted already and add nothing to the frame after."""
    for w in widgets:
        screen.post_message(messages.Update(w))


class ChartFeed:
    """Feeds the charts pane: the rates once a second (or when entries arrived), the series
    when a new version came in, the range changed or the log's minute moved on."""

    def __init__(self, five_xx_threshold: float) -> None:
        self.five_xx_threshold = five_xx_threshold
        self.series_shown = -1
        self.log_minute_shown = 0  # the log minute the charts show (ranges up to 6 h)
        self.rates_second = -1

    def invalidate(self) -> None:
        """Labels depend on the width and the clock's zone: redraw them at the next frame."""
        self.rates_second = -1
        self.series_shown = -1

    def feed(self, charts: ChartsPane, st: DomainState, now: float, arrived: bool,
             range_index: int, utc: bool, marks: Callable[[], tuple[float, ...]]) -> None:
        sec = int(now)
        if sec != self.rates_second or arrived:
            self.rates_second = sec
            end = sec - 1  # the current second is still filling
            per_class = {c: st.rates.counts(end, 120, c) for c in StatusClass}
            # per-minute bars over the buffered window (at most the last 30 minutes)
            minutes = max(1, min(
                30, int(end - (st.first_ns // 10**9 if st.first_ns else end)) // 60 + 1))
            per_minute = {c: st.minute_rates.counts(end, minutes, c) for c in StatusClass}
            shares = {c: st.rates.share(c, end - 60, end + 1) for c in StatusClass}
            share_5xx = shares.get(StatusClass.S5XX)
            hot = share_5xx is not None and share_5xx > self.five_xx_threshold
            over = frozenset({StatusClass.S5XX}) if hot else frozenset()
            charts.show_rates(per_class, st.rates.bytes(end, 120), per_minute, shares, over)
        label, span_s, _ = RANGES[range_index]
        # up to 6 h the charts follow the log's minutes too (once the backlog is in)
        follow = st.caught_up and span_s <= LOG_CHART_MAX_S
        log_minute = st.newest_ns // 60_000_000_000 if follow else 0
        if (st.series_version != self.series_shown or st.series_error
                or log_minute != self.log_minute_shown):
            self.series_shown = st.series_version
            self.log_minute_shown = log_minute
            since = st.tail_start_ns or st.first_ns
            log = LogMinutes(st.minute_rates, since, st.newest_ns) if log_minute else None
            charts.show_series(st.series, st.series_version, label, utc, st.series_error, now,
                               marks(), span_s, log)


class StatusFeed:
    """The frame timer ticks up to max_fps times a second: render the line only when what it
    shows changed (its ages and countdowns are in whole seconds). The healths are updated in
    place, so the key holds copies."""

    def __init__(self) -> None:
        self.key: tuple = ()  # what the status line last showed

    def show(self, line: StatusLine, info: StatusInfo, now: float,
             rows: Widget | None = None) -> None:
        """A changed line is painted in the same frame as `rows` (the log pane) so the line
        never says what the rows do not show yet (`paint_together`); an unchanged one costs
        the frame nothing."""
        key = (int(now), replace(info, log_health=copy(info.log_health),
                                 series_health=copy(info.series_health)))
        if key == self.key:
            return
        self.key = key
        line.show(render_status(info, now=now))
        if rows is not None:
            paint_together(line.screen, line, rows)


def empty_message(st: DomainState) -> str:
    buf = st.buffer
    if buf.view_len:
        return ""
    h = st.log_health
    if h.state == "auth":
        return "no entries: the API refused the token; fix it and s4top retries by itself"
    if len(buf):
        parts = []
        if buf.filter.classes:
            parts.append("0 shows all classes")
        if buf.filter.text:
            parts.append("Esc clears the text filter")
        return (f"no buffered entry matches the filter ({buf.filter.describe()}): "
                + ", ".join(parts))
    if h.state in ("degraded", "offline", "rate_limited"):
        return "no entries yet: the log endpoint is failing (see the status line); retrying"
    if h.state == "connecting":
        return "loading the recent log entries…"
    return "no log entries in the window yet; waiting for new ones"


def status_info(st: DomainState, lv: LogView, extras: dict[str, Any], poll_s: float,
                utc: bool, text_filter: str, filter_error: bool = False) -> StatusInfo:
    return StatusInfo(
        domain=st.domain,
        domain_index=extras.get("domain_index", 0),
        domain_count=extras.get("domain_count", 1),
        log_health=st.log_health,
        series_health=st.series_health,
        poll_s=poll_s,
        entries=len(st.buffer),
        shown=st.buffer.view_len,
        evicted=st.buffer.evicted,
        classes=st.buffer.filter.describe(),
        text_filter=text_filter,
        filter_error=filter_error,
        following=lv.following,
        paused=lv.paused,
        new_count=lv.new_count,
        tz_label="UTC" if utc else time.strftime("%Z"),
        caught_up=st.caught_up,
        token_source=extras.get("token_source", ""),
        pending_tags=extras.get("pending_tags", 0),
        readonly=extras.get("readonly", False),
        alert=extras.get("alert", ""),
        other_alerts=extras.get("other_alerts", 0),
        purge=extras.get("purge", ""),
        replay=extras.get("replay", ""),
        disk_warning=extras.get("disk_warning", ""),
    )


def rows_now(st: DomainState, lv: LogView) -> None:
    """Before a key acts: entries that arrived since the last frame join the log pane (the
    charts and the status wait for the frame), and so do rows a paced reveal still holds.
    Else a move was made over the old row count (`G` clamped short of the newest row) and
    showed only at the next frame, up to 1/max_fps later (0.5 s while catching up): the
    scroll keys' p95 while ingesting. Nothing is hidden from what a key does."""
    if st.dirty:
        new, st.pending_new = st.pending_new, 0
        lv.data_changed(new)  # no spread: every row now
    else:
        lv.take_in()
