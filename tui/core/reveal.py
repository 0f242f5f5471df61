"""The pace of the log pane's reveal: how many held rows to show at a frame.

While the pane follows live, a poll that brings more rows than the pane shows at once would
scroll them by in one jump, once per poll. Instead they are shown oldest first in steps, one a
frame, spread so that the last step lands a frame before the next poll is expected
(tui/widgets/logview.py holds the rows; the dashboard says when to spread them). The clock is
the caller's, so the arithmetic is tested without waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.core.buffer import LogBuffer

#: slack for a frame timer that fires a hair early (a step is never skipped for it)
_EARLY_S = 1e-3


@dataclass
class RevealPace:
    """Spreads held rows over the frames left until `due` (the caller's monotonic clock)."""

    frame_s: float
    due: float = 0.0

    def start(self, now: float, spread_s: float) -> None:
        """Rows arrived at `now`; the next ones are expected `spread_s` later. The last step
        is due a frame before then (that frame may bring the next batch)."""
        self.due = now + max(0.0, spread_s - self.frame_s)

    def frames_left(self, now: float) -> int:
        """Frames up to and including the one that is due (this one counts): at least 1."""
        if self.frame_s <= 0:
            return 1
        return max(1, int((self.due - now + _EARLY_S) / self.frame_s) + 1)

    def step(self, held: int, now: float) -> int:
        """How many of `held` rows to show at the frame drawn at `now`: an equal share of
        what is left per frame left, so a late frame shows more and the reveal keeps to its
        time; all of them once the time is up."""
        if held <= 0:
            return 0
        left = self.frames_left(now)
        return -(-held // left)  # ceil


class HeldRows:
    """The rows at the end of a buffer's view that the pane holds back: every shown row from
    the seq `first` on (a seq, so eviction and new rows do not move it)."""

    def __init__(self, frame_s: float) -> None:
        self.first: int | None = None
        self.pace = RevealPace(frame_s)

    @property
    def active(self) -> bool:
        return self.first is not None

    def hides(self, buf: LogBuffer, idx: int) -> bool:
        """The view's row `idx` is held back (not drawn yet)."""
        return self.first is not None and buf.view_seq(idx) >= self.first

    def hold(self, buf: LogBuffer, new: int, page: int, spread_s: float, now: float) -> None:
        """`new` rows joined the end of the view at `now`, the next ones are expected
        `spread_s` later: hold them when they are more than a `page` (a batch that fits shows
        at once), or join them to those still held; the reveal is spread anew."""
        if new <= 0 or (self.first is None and new <= page):
            return
        if self.first is None:
            self.first = buf.view_seq(max(0, buf.view_len - new))
        self.pace.start(now, spread_s)

    def release(self, buf: LogBuffer) -> int:
        """Hold nothing from now on; returns how many shown rows were held."""
        first, self.first = self.first, None
        if first is None:
            return 0
        idx = buf.view_index_of_seq(first)
        return 0 if idx is None else buf.view_len - idx

    def step(self, buf: LogBuffer, now: float) -> int:
        """The frame at `now` shows this many rows of the view: the next step of the held
        ones, oldest first (all of them once the reveal's time is up)."""
        n = buf.view_len
        if self.first is None:
            return n
        idx = buf.view_index_of_seq(self.first)
        if idx is not None:
            shown = idx + self.pace.step(n - idx, now)
            if shown < n:
                self.first = buf.view_seq(shown)
                return shown
        self.first = None
        return n


class RevealGate:
    """Whether the rows a frame brings are revealed in steps, and over how long: the time
    until the next poll. Only the live tail's: not the backlog's, nor those of the frame that
    saw it end (the last frame with rows was already past it); not with the setting off (nor
    in a replay)."""

    def __init__(self, on: bool) -> None:
        self.on = on
        self.tailing = False  # the last frame with rows was already past the backlog

    def spread(self, caught_up: bool, poll_s: float) -> float:
        """The spread in seconds for this frame's rows (0: at once)."""
        paced, self.tailing = self.on and self.tailing, caught_up
        return poll_s if paced else 0.0
