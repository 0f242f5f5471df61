"""Every binding, with the key it is bound to now (after the user's keymap) and its id."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

INTRO = (
    "s4top: live view of the CDN access log and traffic.\n"
    "Status-class keys: with all classes shown, 2/3/4/5 show only that class; while a class\n"
    "filter is active they add or remove classes; 0 shows all again.\n"
    "Filter (/): plain text matches URL, IP, method, code, country; /regex/ is a regex.\n"
    "Remap any binding in the config file: [keymap] <id> = \"keys\".\n"
)


def help_text(rows: list[tuple[str, str, str]]) -> Text:
    t = Text(INTRO + "\n")
    width = max((len(k) for k, _, _ in rows), default=4)
    for keys, desc, bid in rows:
        t.append(keys.ljust(width), Style(bold=True, color="cyan"))
        t.append(f"  {desc}")
        if bid:
            t.append(f"  ({bid})", Style(dim=True))
        t.append("\n")
    return t


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 95%; height: 85%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,question_mark", "close", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll() as v:
            v.border_title = "help: keys"
            yield Static(help_text(self.rows))

    def action_close(self) -> None:
        self.dismiss(None)
