"""One refresh submission from the history: its entries and what the purge tracker saw for
each (tui/refresh/verify.py), with the figures before and after. `r` puts the entries back
into the refresh batch (what Enter did in the history before this view existed)."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from tui.core.elide import elide_middle
from tui.core.sanitize import inert
from tui.core.units import format_bytes
from tui.refresh.verify import CANNOT_TELL_REASON

VERDICT_STYLE = {"purged": Style(color="green", bold=True), "no_miss": Style(color="red"),
                 "cannot_tell": Style(color="yellow"), "not_requested": Style(dim=True)}


def _pct(share: Any) -> str:
    if not isinstance(share, (int, float)):
        return "-"
    p = share * 100
    return f"{p:.0f}%" if p >= 10 or p == 0 else f"{p:.1f}%"


def _change(before: dict[str, Any], after: dict[str, Any], key: str) -> str:
    return f"{_pct(before.get(key))} -> {_pct(after.get(key))}"


def _shown(url: str, domain: str) -> str:
    """The entry without `https://<domain>` (the title names the domain): the path is what
    tells entries apart; a directory keeps its trailing slash."""
    for scheme in ("https://", "http://"):
        prefix = scheme + domain
        if domain and url.startswith(prefix + "/"):
            return url[len(prefix):]
    return url


def rows_of(rec: dict[str, Any], watch: Any) -> tuple[list[dict[str, Any]], str]:
    """The verdict rows of a record and a note above them."""
    track = watch.for_record(rec) if watch is not None else None
    if track is None:
        entries = rec.get("entries") if isinstance(rec.get("entries"), list) else []
        rows = [{"url": str(u), "type": str(rec.get("type", "?")), "verdict": "",
                 "words": "not tracked"} for u in entries]
        return rows, ("not tracked: only refreshes accepted while this dashboard ran are "
                      "checked against the log")
    rows = watch.tracker.rows(track)
    note = "verdicts from the log since the refresh"
    if track.done:
        note += " (tracking window over: final)"
    if any(r["verdict"] == "cannot_tell" for r in rows):
        note += f"; cannot tell: {CANNOT_TELL_REASON}"
    return rows, note


class SubmissionScreen(ModalScreen[dict | None]):
    DEFAULT_CSS = """
    SubmissionScreen { align: center middle; }
    SubmissionScreen > Vertical {
        width: 96%; height: 90%; border: round $accent; background: $surface;
    }
    SubmissionScreen #submission-note { padding: 0 1; color: $text-muted; height: auto; }
    SubmissionScreen DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="submission.close"),
        Binding("r", "resubmit", "Re-submit", id="submission.resubmit"),
    ]

    def __init__(self, rec: dict[str, Any], watch: Any = None) -> None:
        super().__init__()
        self.rec = rec
        self.rows, self.note = rows_of(rec, watch)

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            when = inert(str(self.rec.get("time", "?")), 32)
            domain = inert(str(self.rec.get("domain", "?")), 64)
            v.border_title = f"refresh {when} of {domain} (r: put back into the batch)"
            yield Static(Text(inert(self.note, 300)), id="submission-note")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="submission-table")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("verdict", "entry", "requests", "URLs missed", "4XX before→after",
                          "5XX before→after", "origin after")
        width = max(30, self.app.size.width - 92)  # the other columns keep their room
        domain = str(self.rec.get("domain", ""))
        for i, row in enumerate(self.rows):
            before, after = row.get("before") or {}, row.get("after") or {}
            urls = (f"{row['urls_missed']} of {row['urls_seen']}" if "urls_seen" in row else "")
            table.add_row(
                Text(str(row.get("words", "")), VERDICT_STYLE.get(row.get("verdict", ""),
                                                                  Style())),
                Text(elide_middle(inert(_shown(str(row.get("url", "")), domain), 2100),
                                  width)),
                Text(str(row.get("requests", "-"))),
                Text(urls),
                Text(_change(before, after, "share_4xx") if after else "-"),
                Text(_change(before, after, "share_5xx") if after else "-"),
                Text(format_bytes(after["origin_bytes"]) if after else "-"),
                key=str(i),
            )
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_resubmit(self) -> None:
        self.dismiss(self.rec)
