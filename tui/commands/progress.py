"""The progress line of a long command (`logs`, `record`) on stderr, shown only when stderr
is a terminal and `-q` was not given (docs/ux.md, "Long commands"): one line redrawn in
place, never more than a few times a second. When stdout is the same terminal the line is
cleared before data is written, so the data never mixes with it. Nothing but figures is
drawn (no field from the server), and nothing at all when stderr is not a terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import TextIO

from tui.core.progress import ProgressFigures, progress_text

_CLEAR = "\r\x1b[K"


class ProgressLine:
    """Draws `figures()` on `stream`; a no-op when the stream is not a terminal."""

    def __init__(self, figures: Callable[[], ProgressFigures], *, utc: bool, quiet: bool,
                 stream: TextIO | None = None, interval_s: float = 0.25) -> None:
        self._figures = figures
        self._utc = utc
        self._stream = stream or sys.stderr
        self.enabled = not quiet and _isatty(self._stream)
        self._interval = interval_s
        self._shown = False
        self._last = 0.0

    def draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self._interval:
            return
        self._last = now
        try:
            columns = os.get_terminal_size(self._stream.fileno()).columns
        except (OSError, ValueError):
            columns = 0
        width = columns - 1 if columns > 1 else 79  # an unsized terminal says 0
        self._stream.write(_CLEAR + progress_text(self._figures(), utc=self._utc, width=width))
        self._stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Take the line away (before data or a message is written to the same terminal)."""
        if self._shown:
            self._stream.write(_CLEAR)
            self._stream.flush()
            self._shown = False

    def finish(self) -> None:
        """Leave the final figures on their own line."""
        if self.enabled:
            self.draw(force=True)
            self._stream.write("\n")
            self._stream.flush()
            self._shown = False

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[ProgressLine]:
        """Redraw on a timer while the body runs (figures move even while a slice waits)."""
        if not self.enabled:
            yield self
            return

        async def tick() -> None:
            while True:
                await asyncio.sleep(self._interval)
                self.draw(force=True)

        task = asyncio.ensure_future(tick())
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def shares_terminal(a: TextIO, b: TextIO) -> bool:
    """True when both streams are terminals (data written to one shows next to the other)."""
    return _isatty(a) and _isatty(b)
