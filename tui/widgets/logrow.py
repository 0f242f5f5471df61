"""How one log entry becomes one row of styled text. Every server field goes through `inert`
first; rows are built as `rich.text.Text` pieces (never markup), so `[bold]` in a URL is text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

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

#: tag(url, kind) adds/removes a URL ("url") or its directory ("directory") in the batch;
#: tagged(url) says which of the two it is in (None when neither). Used by the top-N and the
#: explain screens, which both tag rows for a refresh.
TagUrl = Callable[[str, str], None]
TaggedAs = Callable[[str], "str | None"]

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
    for name, width, right in (("CODE", w.code, False), ("METHOD", w.method, False),
                               ("SIZE", w.size, True), ("CLIENT", w.ip, False),
                               ("CC", w.country, False)):
        label = name if len(name) <= width else name[:width]
        head += (label.rjust(width) if right else label.ljust(width)) + " "
    if opts.show_cache:
        head += ("CACHE" if w.cache >= 5 else "C").ljust(w.cache) + " "
    head += "URL"
    return Text(head[: opts.width], style=Style(bold=True))


HIT_STYLE = Style(color="green")

#: A row as pieces of (text, style or None): what `build_row` (rich Text) and the log pane
#: (segments, without Text's span machinery) are both made from.
Piece = tuple[str, Style | None]
Spans = Callable[[str], list[tuple[int, int]]]


def _put(out: list[Piece], value: str, style: Style | None, spans: Spans | None) -> None:
    """Append `value` with `style`, the parts that `spans` finds highlighted as matches."""
    if spans is not None:
        pos = 0
        for a, b in spans(value):
            if a < pos:
                a = pos
            if b <= a:
                continue
            if a > pos:
                out.append((value[pos:a], style))
            out.append((value[a:b], style + MATCH if style is not None else MATCH))
            pos = b
        if pos:
            if pos < len(value):
                out.append((value[pos:], style))
            return
    out.append((value, style))


def _cell(out: list[Piece], value: str, width: int, style: Style | None, spans: Spans | None,
          right: bool = False) -> None:
    shown = value if len(value) <= width else value[: max(0, width - 1)] + "…"
    shown = shown.rjust(width) if right else shown.ljust(width)
    _put(out, shown, style, None if right else spans)
    out.append((" ", None))


def row_pieces(
    e: LogEntry,
    opts: RowOptions,
    tag: str | None = None,
    spans: Spans | None = None,
) -> list[Piece]:
    """One row as pieces. `tag` is None, "url" or "directory"; `spans` finds filter matches."""
    out: list[Piece] = []
    if tag == "url":
        out.append(("+", TAG_URL))
    elif tag == "directory":
        out.append(("D", TAG_DIR))
    else:
        out.append((" ", None))
    w = widths_for(opts.width)
    out.append((format_clock(e.time_ns, opts.utc, millis=w.time >= 12), DIM))
    out.append((" ", None))
    cls = e.status_class
    code = str(e.status) if e.status else "---"
    _cell(out, code, w.code, CLASS_STYLES.get(cls, UNKNOWN_STYLE) if cls else UNKNOWN_STYLE, spans)
    _cell(out, inert(e.method or "-", 32), w.method, None, spans)
    size = format_bytes(e.size)
    _cell(out, size.replace(" ", "") if len(size) > w.size else size, w.size, None, None,
          right=True)
    _cell(out, inert(e.client_ip or "-", 64), w.ip, None, spans)
    _cell(out, inert(e.country or "-", 16), w.country, DIM, spans)
    if opts.show_cache:
        c = inert(e.cache or "-", 16)
        hit = c.upper() == "HIT"
        _cell(out, c if w.cache >= 5 else c[:1], w.cache, HIT_STYLE if hit else DIM, None)
    room = max(0, opts.width - sum(len(t) for t, _ in out))
    url = middle_ellipsis(inert(short_url(e.url, opts.domain), 8192), room)
    _put(out, url, None, spans)
    return out


def build_row(
    e: LogEntry,
    opts: RowOptions,
    tag: str | None = None,
    spans: Spans | None = None,
) -> Text:
    """One row as rich Text (the log pane renders the same pieces as segments)."""
    text = Text(no_wrap=True, overflow="crop", end="")
    for piece, style in row_pieces(e, opts, tag, spans):
        text.append(piece, style)
    return text


def row_strip(pieces: Iterable[tuple[str, Style | None]], width: int, base: Style,
              over: Style | None, combined: dict[Style | None, Style]) -> Strip:
    """One row's strip straight from its pieces (`row_pieces`): each piece's style over the
    widget's `base` style, and `over` (the cursor's) over that, each combination made once in
    `combined`; padded or cropped to `width` (what rich Text would make, at a fraction of the
    cost)."""
    segments: list[Segment] = []
    last: Style | None = None
    run: list[str] = []
    for piece, style in pieces:
        full = combined.get(style)
        if full is None:
            full = base + style if style is not None else base
            if over is not None:
                full = full + over
            combined[style] = full
        if full is not last and run:
            segments.append(Segment("".join(run), last))
            run = []
        last = full
        run.append(piece)
    if run:
        segments.append(Segment("".join(run), last))
    cells = sum(cell_len(seg.text) for seg in segments)
    if cells < width:
        segments.append(Segment(" " * (width - cells), base))
    elif cells > width:
        return Strip(segments, cells).crop(0, width)
    return Strip(segments, width)
