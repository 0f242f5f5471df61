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
    "2/3/4/5: with all classes shown, show only that class; while a class filter\n"
    "is active, add or remove that class. 0 shows all classes again.\n"
    "/ filters on URL, IP, method, code, country; /regex/ is a regular expression.\n"
    "Remap a key in the config file: [keymap] \"<id>\" = \"keys\".\n"
)

KEY_NAMES = {
    "question_mark": "?", "slash": "/", "plus": "+", "equals_sign": "=", "minus": "-",
    "escape": "Esc", "enter": "Enter", "pagedown": "PgDn", "pageup": "PgUp", "home": "Home",
    "end": "End", "down": "↓", "up": "↑", "space": "Space", "f8": "F8",
    "exclamation_mark": "!",
}


def key_label(keys: str) -> str:
    """'plus,equals_sign' -> '+ ='; ctrl+x stays as it is."""
    return " ".join(KEY_NAMES.get(k, k) for k in keys.split(","))


def help_text(rows: list[tuple[str, str, str]]) -> Text:
    t = Text(INTRO + "\n")
    labels = [key_label(k) for k, _, _ in rows]
    width = max((len(k) for k in labels), default=4)
    for label, (_keys, desc, bid) in zip(labels, rows, strict=True):
        t.append(label.ljust(width), Style(bold=True, color="cyan"))
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
