"""The two-line header: domain, API health, last poll age, poll interval, buffer, filters,
follow/pause state, time zone. Only repaints when the text it would show changes."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widgets import Static

from tui.core.sanitize import inert
from tui.core.units import format_count, format_duration
from tui.live.state import Health
from tui.widgets.repaint import changed_regions

HEALTH_STYLE = {
    "ok": ("● ok", Style(color="green", bold=True)),
    "connecting": ("◌ connecting", Style(color="cyan")),
    "degraded": ("▲ degraded", Style(color="yellow", bold=True)),
    "offline": ("✖ offline", Style(color="red", bold=True)),
    "auth": ("✖ auth error", Style(color="red", bold=True)),
    "rate_limited": ("⏳ rate limited", Style(color="yellow", bold=True)),
}


@dataclass
class StatusInfo:
    domain: str
    domain_index: int
    domain_count: int
    log_health: Health
    series_health: Health
    poll_s: float
    entries: int
    shown: int
    evicted: int
    classes: str
    text_filter: str
    following: bool
    paused: bool
    new_count: int
    tz_label: str
    caught_up: bool = True
    token_source: str = ""
    pending_tags: int = 0
    readonly: bool = False
    alert: str = ""
    other_alerts: int = 0  # how many domains besides the shown one have an active alert
    filter_error: bool = False  # a term of the text filter is bad: it filters nothing out
    purge: str = ""  # a young refresh's verdicts (tui/refresh/watch.py): a third line
    replay: str = ""  # a replay's clock and speed ("2026-11-20 14:02:11 ×10"); "" when live
    disk_warning: str = ""  # a draft or history line the disk refused (kept in memory)


def _age(last_ok: float | None, now: float) -> str:
    if last_ok is None:
        return "never"
    return f"{format_duration(max(0, int(now - last_ok)))} ago"


#: the age is shown in whole seconds: below these floors lateness cannot be read anyway
WARN_FLOOR_S = 1.0
ERROR_FLOOR_S = 2.5


def age_level(age_s: float | None, poll_s: float) -> str:
    """How late the last update is: "normal" up to 2x the poll interval, "warning" past
    2x, "error" past 5x (never below the floors). None (nothing yet) is normal."""
    if age_s is None:
        return "normal"
    if age_s > max(5.0 * poll_s, ERROR_FLOOR_S):
        return "error"
    if age_s > max(2.0 * poll_s, WARN_FLOOR_S):
        return "warning"
    return "normal"


def lateness(h: Health, poll_s: float, now: float) -> str:
    """The age level of a poller: since its last success, or since a request went out and
    has not come back (a hung first request has no success to count from)."""
    ages = [now - t for t in (h.last_ok, h.in_flight_since) if t is not None]
    return age_level(max(ages) if ages else None, poll_s)


AGE_STYLE = {
    "normal": ("", Style(dim=True)),
    "warning": (" (overdue)", Style(color="yellow", bold=True)),
    "error": (" (long overdue)", Style(color="red", bold=True, reverse=True)),
}
#: the health dot while no error came back but the answer is late
LATE_STYLE = {
    "warning": ("◔ late", Style(color="yellow", bold=True)),
    "error": ("◔ late", Style(color="red", bold=True)),
}


REPLAY_STYLE = Style(bold=True, color="black", bgcolor="cyan")


def _domain(t: Text, info: StatusInfo) -> None:
    t.append(info.domain, Style(bold=True))
    if info.domain_count > 1:
        t.append(f" [{info.domain_index + 1}/{info.domain_count}]", Style(dim=True))
    t.append("  ")


def _other_alerts_badge(t: Text, count: int) -> None:
    plural = "s" if count > 1 else ""
    t.append(f" !{count} other domain{plural} ", Style(bold=True, reverse=True, color="yellow"))


def render_status(info: StatusInfo, now: float | None = None) -> Text:
    now = time.time() if now is None else now
    t = Text(no_wrap=True, overflow="ellipsis")
    _health_line(t, info, now)
    t.append("\n")
    _counts_line(t, info)
    if info.purge:
        t.append("\n ")
        t.append(inert(info.purge, 200), Style(bold=True, color="cyan"))
    return t


def _health_line(t: Text, info: StatusInfo, now: float) -> None:
    """The alert or name, the domain, the pollers' health and how fresh the data is."""
    if info.alert:
        # an alert is the first thing read, whole at 80 columns; what follows yields
        t.append(f" ALERT {info.alert} ", Style(bold=True, color="white", bgcolor="red"))
    elif not info.replay:
        t.append(" s4top ", Style(bold=True, reverse=True))
    if info.replay:  # the past, not the present: said first after an alert, in its own colour
        t.append(f"{' ' if info.alert else ''} REPLAY {info.replay} ", REPLAY_STYLE)
    if info.other_alerts and not info.alert:
        t.append(" ")
        _other_alerts_badge(t, info.other_alerts)
    t.append(" ")
    if not info.alert:
        _domain(t, info)
    h = info.log_health
    # the worse of the two pollers decides
    if h.state == "ok" and info.series_health.state not in ("ok", "connecting"):
        h = info.series_health
    # a replay's clock is not the wall's: its age and poll say nothing
    late = "normal" if info.replay else lateness(info.log_health, info.poll_s, now)
    label, style = HEALTH_STYLE.get(h.state, (h.state, Style()))
    if h.state == "ok" and late != "normal":
        label, style = LATE_STYLE[late]
    t.append(label, style)
    # when the next try comes goes before the reason: at 80 columns after an alert the reason
    # is what the ellipsis may cut, never the countdown and its key
    if h.retry_at is not None and h.state != "ok":
        t.append(f"  retry in {max(0, int(h.retry_at - now + 0.999))}s (ctrl+r)", style)
    sep = "  " if h.retry_at is not None and h.state != "ok" else ": "
    if h.state == "auth":
        t.append(f"{sep}check the token ({info.token_source})", style)
    elif h.state in ("degraded", "offline") and h.message:
        t.append(sep + inert(h.message, 60), Style(dim=True))
    if info.alert:
        # in an alert the health comes right after it (a short word), then the domain
        t.append("  ")
        _domain(t, info)
        t.right_crop(2)  # the age below brings its own gap
    if info.replay:
        t.append(f"  {info.tz_label}", Style(dim=True))
        return
    age = f"updated {_age(info.log_health.last_ok, now)}"
    rest = f"  poll {info.poll_s:g}s  {info.tz_label}"
    if late == "normal":
        t.append(f"  {age}{rest}", Style(dim=True))
    else:
        mark, age_style = AGE_STYLE[late]
        t.append("  ")
        t.append(age + mark, age_style)
        t.append(rest, Style(dim=True))


def _counts_line(t: Text, info: StatusInfo) -> None:
    """What the buffer holds and shows, the filters, follow/pause, the refresh batch."""
    if info.other_alerts and info.alert:
        # the first line is the shown domain's alert: the others lead the second one
        _other_alerts_badge(t, info.other_alerts)
    if info.disk_warning:  # first: what is typed or sent is only in memory until it clears
        t.append(f" ⚠ {inert(info.disk_warning, 120)} ",
                 Style(bold=True, color="white", bgcolor="red"))
    t.append(" ")
    t.append(f"{format_count(info.shown)}", Style(bold=True))
    t.append(f" shown of {format_count(info.entries)} buffered")
    if info.evicted:
        t.append(f" ({format_count(info.evicted)} oldest dropped)", Style(dim=True))
    t.append("  classes: ")
    t.append(info.classes, Style(bold=True, color="magenta" if info.classes != "all" else None))
    if info.text_filter:
        t.append("  filter: ")
        t.append(inert(info.text_filter, 40), Style(bold=True, color="magenta"))
        if info.filter_error:
            t.append(" (bad term ignored)", Style(color="yellow"))
    t.append("  ")
    if not info.caught_up and info.log_health.state in ("ok", "connecting"):
        t.append("catching up… ", Style(bold=True, color="cyan"))
    if info.paused:
        t.append(f" PAUSED +{format_count(info.new_count)} new ",
                 Style(bold=True, reverse=True, color="yellow"))
    elif not info.following:
        t.append(f" +{format_count(info.new_count)} new (G: live) ",
                 Style(bold=True, color="yellow"))
    else:
        t.append("FOLLOW", Style(bold=True, color="green"))
    if info.pending_tags:
        t.append(f"  refresh batch: {info.pending_tags}", Style(bold=True, color="cyan"))
    if info.readonly:
        t.append("  read-only", Style(dim=True))


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine {
        height: 2;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._last: str = ""
        self._text = Text()
        self._shown: tuple[Size, list[Strip]] | None = None  # what the last show() drew

    def render(self) -> Text:
        return self._text

    def show(self, text: Text) -> None:
        key = text.plain + repr([(s.start, s.end, str(s.style)) for s in text.spans])
        if key == self._last:
            return
        self._last = key
        self._text = text
        rows = text.plain.count("\n") + 1
        if rows != self.styles.height.value:  # a purge line comes or goes (rarely)
            self._shown = None
            self.styles.height = rows
            self.refresh(layout=True)
            return
        # its size is fixed (2 rows, the full width): no layout pass over the whole screen
        # (about 7 ms each, once a second for the ages even when nothing else happens), and
        # only the cells that changed are repainted (the age: one segment, not two rows)
        size = self.size
        new = Visual.to_strips(self, visualize(self, text), size.width, size.height,
                               self.visual_style) if size.area else []
        old, self._shown = self._shown, (size, new)
        if old is None or old[0] != size or not new:
            self.refresh()
            return
        regions = changed_regions(old[1], new)
        if regions:
            self.refresh(*regions)
