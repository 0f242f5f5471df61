"""Every field of one entry, unknown ones included, and its raw JSON (rebuilt, inert)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui.core.models import LogEntry
from tui.core.sanitize import inert, inert_lines
from tui.core.units import format_bytes

KEY = Style(bold=True, color="cyan")
#: Longest value shown in full. A field can be any size (a 100 KB hostile URL in every field
#: made a 1.3 MB view that took seconds to open); the rest is counted, `e` exports it whole.
FIELD_LIMIT = 4000


def shown(v: str) -> str:
    """One field value, inert and capped, saying how much was left out."""
    if len(v) <= FIELD_LIMIT:
        return inert(v)
    return inert(v, FIELD_LIMIT) + f"  ({len(v):,} characters in all; e exports the entry)"


def _capped(v: object) -> object:
    """The raw object with long strings cut (for the re-serialised JSON)."""
    if isinstance(v, str) and len(v) > FIELD_LIMIT:
        return v[:FIELD_LIMIT] + f"… ({len(v):,} characters in all)"
    if isinstance(v, dict):
        return {_capped(k): _capped(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_capped(x) for x in v]
    return v


def detail_text(e: LogEntry, utc: bool) -> Text:
    t = Text()
    when = datetime.fromtimestamp(e.time_ns / 1e9, tz=UTC if utc else None)
    rows = [
        ("time", f"{when.isoformat(timespec='milliseconds')}  ({e.time_ns} ns)"),
        ("status",
         f"{e.status or '-'}  ({e.status_class.value if e.status_class else 'unknown class'})"),
        ("method", shown(e.method or "-")),
        ("size", f"{format_bytes(e.size)}  ({e.size} bytes)"),
        ("client ip", shown(e.client_ip or "-")),
        ("country", shown(e.country or "-")),
        ("cache", shown(e.cache or "-")),
        ("url", shown(e.url or "-")),
    ]
    for k, v in e.extra.items():
        rows.append((inert(str(k), 40),
                     shown(v if isinstance(v, str)
                           else json.dumps(v, ensure_ascii=True, default=str))))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        t.append(k.ljust(width), KEY)
        t.append("  ")
        t.append(v)
        t.append("\n")
    t.append("\nraw JSON (as received, re-serialised)\n", Style(bold=True))
    raw = json.dumps(_capped(e.raw_obj()), ensure_ascii=True, indent=2, default=str)
    t.append(inert_lines(raw))
    return t


class DetailScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    DetailScreen { align: center middle; }
    DetailScreen > VerticalScroll {
        width: 90%; height: 85%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape,enter,q", "close", "Close", id="detail.close"),
        Binding("c", "copy_url", "Copy URL", id="detail.copy"),
    ]

    def __init__(self, entry: LogEntry, utc: bool) -> None:
        super().__init__()
        self.entry = entry
        self.utc = utc

    def compose(self) -> ComposeResult:
        with VerticalScroll() as v:
            v.border_title = "entry detail"
            yield Static(detail_text(self.entry, self.utc), id="detail-body")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy_url(self) -> None:
        url = inert(self.entry.url)
        self.app.copy_to_clipboard(self.entry.url)
        self.notify(f"copied (OSC 52): {url}", title="URL")
