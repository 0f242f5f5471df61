"""Every binding, with the key it is bound to now (after the user's keymap) and its id."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.keys import key_to_character
from textual.screen import ModalScreen
from textual.widgets import Static

INTRO = (
    "s4top: live view of the CDN access log and traffic.\n"
    "2/3/4/5: with all classes shown, show only that class; while a class filter\n"
    "is active, add or remove that class. 0 shows all classes again.\n"
    "/ filters on URL, IP, method, code, country, cache; /regex/ is a regular expression;\n"
    "fields: cache:MISS cc:JP ip:203.0.113.0/24 code:5xx,404 method:HEAD url:/img/\n"
    "Remap a key in the config file: [keymap] \"<id>\" = \"keys\".\n"
)

KEY_NAMES = {
    "escape": "Esc", "enter": "Enter", "pagedown": "PgDn", "pageup": "PgUp", "home": "Home",
    "end": "End", "down": "↓", "up": "↑", "left": "←", "right": "→", "space": "space",
    "tab": "Tab", "f8": "F8", "plus": "+", "minus": "-", "slash": "/", "backslash": "\\",
    "underscore": "_",
    "exclamation_mark": "!",
}


def _one_key(key: str) -> str:
    """A Textual key name as it is typed: 'left_square_bracket' -> '['; ctrl+x stays."""
    key = key.strip()
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    char = key_to_character(key)  # None for keys with modifiers and keys with no character
    if char is not None and len(char) == 1 and char.isprintable() and not char.isspace():
        return char
    return key


def key_label(keys: str) -> str:
    """'plus,equals_sign' -> '+ =', 'exclamation_mark' -> '!' (help and the palette show
    keys as people type them, never Textual's key names)."""
    return " ".join(_one_key(k) for k in keys.split(","))


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
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll() as v:
            v.border_title = "help: keys"
            yield Static(help_text(self.rows))

    def action_close(self) -> None:
        self.dismiss(None)
