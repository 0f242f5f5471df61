"""How one log entry becomes one row of styled text. Every server field goes through `inert`
first; rows are built as `rich.text.Text` pieces (never markup), so `[bold]` in a URL is text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from rich.style import Style
from rich.text import Text

from tui.core.models import LogEntry, StatusClass
from tui.core.sanitize import inert
from tui.core.units import format_bytes

CLASS_STYLES = {
    StatusClass.S2XX: Style(color="green", bold=True),
    StatusClass.S3XX: Style(color="cyan", bold=True),
    StatusClass.S4XX: Style(color="yellow", bold=True),
    StatusClass.S5XX: Style(color="red", bold=True),
}
UNKNOWN_STYLE = Style(color="magenta", bold=True)
DIM = Style(dim=True)
MATCH = Style(color="black", bgcolor="yellow")
TAG_URL = Style(color="black", bgcolor="bright_cyan", bold=True)
TAG_DIR = Style(color="black", bgcolor="bright_magenta", bold=True)

COMPACT_BELOW = 110  # narrower terminals get tighter columns, so the URL keeps its room


@dataclass(frozen=True, slots=True)
class Widths:
    time: int
    code: int
    method: int
    size: int
    ip: int
    country: int
    cache: int


WIDE = Widths(time=12, code=4, method=6, size=9, ip=15, country=3, cache=5)
COMPACT = Widths(time=8, code=3, method=4, size=7, ip=15, country=2, cache=1)


def widths_for(width: int) -> Widths:
    return COMPACT if width < COMPACT_BELOW else WIDE


@dataclass(slots=True)
class RowOptions:
    width: int
    domain: str = ""
    utc: bool = False
    show_cache: bool = False


def format_clock(ns: int, utc: bool, millis: bool = True) -> str:
    dt = datetime.fromtimestamp(ns / 1e9, tz=UTC if utc else None)
    if not millis:
        return dt.strftime("%H:%M:%S")
    return dt.strftime("%H:%M:%S.") + f"{(ns // 1_000_000) % 1000:03d}"


def short_url(url: str, domain: str) -> str:
    """Drop scheme and host when the host is the selected domain: the path is what differs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.hostname and parts.hostname == domain.lower():
        rest = url.split(parts.netloc, 1)[1] if parts.netloc else url
        return rest or "/"
    return url


def middle_ellipsis(s: str, width: int) -> str:
    """Keep the start and the end (the file name) of a long path."""
    if width <= 0:
        return ""
    if len(s) <= width:
        return s
    if width <= 3:
        return s[:width]
    tail = (width - 1) * 2 // 3
    head = width - 1 - tail
    return s[:head] + "…" + s[-tail:]


def header_text(opts: RowOptions) -> Text:
    w = widths_for(opts.width)
    head = " " + "TIME".ljust(w.time) + " "
    for name, width, right in (("CODE", w.code, False), ("METHOD", w.method, False), ("SIZE", w.size, True),
                               ("CLIENT", w.ip, False), ("CC", w.country, False)):
        label = name if len(name) <= width else name[:width]
        head += (label.rjust(width) if right else label.ljust(width)) + " "
    if opts.show_cache:
        head += ("CACHE" if w.cache >= 5 else "C").ljust(w.cache) + " "
    head += "URL"
    return Text(head[: opts.width], style=Style(bold=True))


def _cell(text: Text, value: str, width: int, style: Style | None, spans: Callable[[str], list[tuple[int, int]]] | None, right: bool = False) -> None:
    shown = value if len(value) <= width else value[: max(0, width - 1)] + "…"
    shown = shown.rjust(width) if right else shown.ljust(width)
    start = len(text)
    text.append(shown, style)
    if spans is not None and not right:
        for a, b in spans(shown):
            text.stylize(MATCH, start + a, start + b)
    text.append(" ")


def build_row(
    e: LogEntry,
    opts: RowOptions,
    tag: str | None = None,
    spans: Callable[[str], list[tuple[int, int]]] | None = None,
) -> Text:
    """One row. `tag` is None, "url" or "directory"; `spans` finds filter matches to highlight."""
    text = Text(no_wrap=True, overflow="crop", end="")
    if tag == "url":
        text.append("+", TAG_URL)
    elif tag == "directory":
        text.append("D", TAG_DIR)
    else:
        text.append(" ")
    w = widths_for(opts.width)
    text.append(format_clock(e.time_ns, opts.utc, millis=w.time >= 12), DIM)
    text.append(" ")
    cls = e.status_class
    code = str(e.status) if e.status else "---"
    _cell(text, code, w.code, CLASS_STYLES.get(cls, UNKNOWN_STYLE) if cls else UNKNOWN_STYLE, spans)
    _cell(text, inert(e.method or "-", 32), w.method, None, spans)
    size = format_bytes(e.size)
    _cell(text, size.replace(" ", "") if len(size) > w.size else size, w.size, None, None, right=True)
    _cell(text, inert(e.client_ip or "-", 64), w.ip, None, spans)
    _cell(text, inert(e.country or "-", 16), w.country, DIM, spans)
    if opts.show_cache:
        c = inert(e.cache or "-", 16)
        hit = c.upper() == "HIT"
        _cell(text, c if w.cache >= 5 else c[:1], w.cache, Style(color="green") if hit else DIM, None)
    room = max(0, opts.width - len(text))
    url = middle_ellipsis(inert(short_url(e.url, opts.domain), 8192), room)
    start = len(text)
    text.append(url)
    if spans is not None:
        for a, b in spans(url):
            text.stylize(MATCH, start + a, start + b)
    return text
