"""The smallest Textual app that shows a full screen: the baseline for start time and RSS.

`python -m benchmarks.minimal_app` (under a pty) draws a header, a text and a footer, the
frame every Textual app pays for, and nothing else.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class MinimalApp(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("minimal textual app", id="body")
        yield Footer()


if __name__ == "__main__":
    MinimalApp().run()
