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


def detail_text(e: LogEntry, utc: bool) -> Text:
    t = Text()
    when = datetime.fromtimestamp(e.time_ns / 1e9, tz=UTC if utc else None)
    rows = [
        ("time", f"{when.isoformat(timespec='milliseconds')}  ({e.time_ns} ns)"),
        ("status", f"{e.status or '-'}  ({e.status_class.value if e.status_class else 'unknown class'})"),
        ("method", inert(e.method or "-")),
        ("size", f"{format_bytes(e.size)}  ({e.size} bytes)"),
        ("client ip", inert(e.client_ip or "-")),
        ("country", inert(e.country or "-")),
        ("cache", inert(e.cache or "-")),
        ("url", inert(e.url or "-")),
    ]
    for k, v in e.extra.items():
        rows.append((inert(str(k), 40), inert(v if isinstance(v, str) else json.dumps(v, ensure_ascii=True, default=str), 4000)))
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        t.append(k.ljust(width), KEY)
        t.append("  ")
        t.append(v)
        t.append("\n")
    t.append("\nraw JSON (as received, re-serialised)\n", Style(bold=True))
    raw = json.dumps(e.raw_obj(), ensure_ascii=True, indent=2, default=str)
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
        Binding("escape,enter", "close", "Close", id="detail.close"),
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
