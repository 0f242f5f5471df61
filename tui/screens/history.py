"""Refresh history (newest first). Enter puts a submission's entries back into the batch and
opens the refresh modal, so it can be re-submitted after a look."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from tui.core.sanitize import inert


def outcome_of(rec: dict[str, Any]) -> Text:
    reqs = rec.get("requests") or []
    if not isinstance(reqs, list) or not reqs:
        return Text("not sent", Style(dim=True))
    ok = sum(1 for r in reqs if isinstance(r, dict) and r.get("ok"))
    unknown = sum(1 for r in reqs if isinstance(r, dict) and r.get("unknown"))
    if ok == len(reqs):
        return Text(f"ok {ok}/{len(reqs)}", Style(color="green", bold=True))
    label = f"{ok}/{len(reqs)} ok" + (f", {unknown} unknown" if unknown else "")
    return Text(label, Style(color="red", bold=True))


class HistoryScreen(ModalScreen[dict | None]):
    DEFAULT_CSS = """
    HistoryScreen { align: center middle; }
    HistoryScreen > Vertical {
        width: 96%; height: 90%; border: round $accent; background: $surface;
    }
    HistoryScreen DataTable { height: 1fr; }
    HistoryScreen #history-empty { padding: 1 2; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="history.close"),
        Binding("enter", "resubmit", "Re-submit", id="history.resubmit"),
    ]

    def __init__(self, records: list[dict[str, Any]]) -> None:
        super().__init__()
        self.records = list(reversed(records))  # newest first

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            v.border_title = "refresh history (Enter: put back into the batch and review)"
            if not self.records:
                yield Static("no refresh has been submitted from this machine yet",
                             id="history-empty")
            table: DataTable = DataTable(cursor_type="row", zebra_stripes=True, id="history-table")
            yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("time (UTC)", "domain", "type", "entries", "result", "first entry")
        for i, rec in enumerate(self.records):
            entries = rec.get("entries") if isinstance(rec.get("entries"), list) else []
            table.add_row(
                Text(inert(str(rec.get("time", "?")), 32)),
                Text(inert(str(rec.get("domain", "?")), 64)),
                Text(inert(str(rec.get("type", "?")), 12)),
                Text(str(len(entries))),
                outcome_of(rec),
                Text(inert(str(entries[0]) if entries else "-", 120)),
                key=str(i),
            )
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_resubmit(self) -> None:
        table = self.query_one(DataTable)
        if not self.records:
            return
        self.dismiss(self.records[table.cursor_row])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.records[event.cursor_row])
