"""The dashboard's `/` filter line, mounted after the first frame.

The line is hidden until `/` opens it, yet its Input took a quarter of the dashboard's
first-frame work (styles, mount; benchmarks/start.py). The dashboard mounts it on the tick
after its first frame; a key that needs it before then waits for that mount.
"""

from __future__ import annotations

from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Input, Static

PLACEHOLDER = "text, or /regex/   (Enter: keep, Esc: clear)"


def filter_bar() -> Horizontal:
    """The line: a label, the input (never blinking: nothing blinks when nothing changes)
    and the error of a bad term."""
    filter_input = Input(placeholder=PLACEHOLDER, id="filter-input")
    filter_input.set_reactive(Input.cursor_blink, False)
    return Horizontal(Static("filter:"), filter_input, Static("", id="filter-error"),
                      id="filter-bar")


class FilterLine:
    """Mounts the filter line once, before `before`; `ready()` waits until it is there."""

    def __init__(self, screen: Screen, before: str) -> None:
        self._screen, self._before = screen, before
        self._mounting: object | None = None

    def mount(self) -> None:
        if self._mounting is None:
            self._mounting = self._screen.mount(filter_bar(), before=self._before)

    async def ready(self) -> None:
        self.mount()
        await self._mounting  # type: ignore[misc]
