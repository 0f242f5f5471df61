"""Refresh history (newest first), with the purge verdicts of each submission. Enter opens a
submission (its entries and their verdicts, tui/screens/submission.py); `r` there, or here,
puts its entries back into the batch and opens the refresh modal, to re-submit them."""

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
from tui.refresh.verify import VERDICTS, verdict_words


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


def verdicts_of(watch: Any, rec: dict[str, Any]) -> Text:
    """Counts per verdict of a submission ("-" when it was not tracked here)."""
    track = watch.for_record(rec) if watch is not None else None
    if track is None:
        return Text("-", Style(dim=True))
    counts = watch.tracker.counts(track)
    needed = watch.tracker.needed
    parts = [f"{counts[v]} {verdict_words(v, needed)}" for v in VERDICTS if counts.get(v)]
    style = Style(color="green") if set(counts) == {"purged"} else Style()
    return Text(" · ".join(parts), style)


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
        Binding("enter", "open", "Entries", id="history.open"),
        Binding("r", "resubmit", "Re-submit", id="history.resubmit"),
    ]

    def __init__(self, records: list[dict[str, Any]], watch: Any = None) -> None:
        """`watch`: the app's PurgeWatch (tui/refresh/watch.py), None when not tracking."""
        super().__init__()
        self.records = list(reversed(records))  # newest first
        self.watch = watch

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            v.border_title = "refresh history (Enter: entries and verdicts · r: put back into "\
                "the batch)"
            if not self.records:
                yield Static("no refresh has been submitted from this machine yet",
                             id="history-empty")
            table: DataTable = DataTable(cursor_type="row", zebra_stripes=True, id="history-table")
            yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("time (UTC)", "domain", "type", "entries", "result", "verdicts",
                          "first entry")
        for i, rec in enumerate(self.records):
            entries = rec.get("entries") if isinstance(rec.get("entries"), list) else []
            table.add_row(
                Text(inert(str(rec.get("time", "?")), 32)),
                Text(inert(str(rec.get("domain", "?")), 64)),
                Text(inert(str(rec.get("type", "?")), 12)),
                Text(str(len(entries))),
                outcome_of(rec),
                verdicts_of(self.watch, rec),
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

    def action_open(self) -> None:
        if self.records:
            self._open(self.records[self.query_one(DataTable).cursor_row])

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self._open(self.records[event.cursor_row])

    def _open(self, rec: dict[str, Any]) -> None:
        from tui.screens.submission import SubmissionScreen

        def chosen(again: dict | None) -> None:
            if again is not None:  # `r` there: back into the batch
                self.dismiss(again)

        self.app.push_screen(SubmissionScreen(rec, self.watch), chosen)
