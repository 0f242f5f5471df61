"""The pace of the log pane's reveal: how many held rows to show, and when.

While the pane follows live, a poll that brings more rows than the pane shows at once would
scroll them by in one jump, once per poll. Instead they are shown oldest first in steps,
spread so that the last step lands a step before the next poll is expected
(tui/widgets/logview.py holds the rows; the dashboard says when to spread them). The clock is
the caller's, so the arithmetic is tested without waiting.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tui.core.buffer import LogBuffer

#: at most this many steps a second: a step of a flood is a whole new pane of rows (~12 KB at
#: 120x40 with their colours), so a step at each of the 8 frames a second sent ~94 KB/s over
#: SSH (the budget is 64) and took 3x the CPU; 4 steps move the rows as a stream at half that
STEP_S = 0.25


@dataclass
class RevealPace:
    """Spreads held rows over the steps left until `due`, one step at most every `step_s`
    (the frame interval, or STEP_S when frames come faster); the clock is monotonic."""

    frame_s: float
    due: float = 0.0
    next_at: float = 0.0  # the next step is not drawn before this
    step_s: float = field(init=False)

    def __post_init__(self) -> None:
        self.step_s = max(self.frame_s, STEP_S)

    def start(self, now: float, spread_s: float) -> None:
        """Rows arrived at `now`; the next ones are expected `spread_s` later. The last step
        is due a step before then (that may bring the next batch); one is drawn now."""
        self.due = now + max(0.0, spread_s - self.step_s)
        self.next_at = now

    def ready(self, now: float) -> bool:
        """A step is due at the frame drawn at `now` (half a frame early is on time: the
        frame timer's ticks jitter)."""
        return now >= self.next_at - self.frame_s / 2

    def steps_left(self, now: float) -> int:
        """Steps up to and including the one that is due (this one counts): at least 1."""
        if self.step_s <= 0:
            return 1
        return max(1, int((self.due - now + self.frame_s / 2) / self.step_s) + 1)

    def step(self, held: int, now: float) -> int:
        """How many of `held` rows to show at the step drawn at `now`: an equal share of what
        is left per step left, so a late step shows more and the reveal keeps to its time;
        all of them once the time is up."""
        if held <= 0:
            return 0
        self.next_at = now + self.step_s
        return -(-held // self.steps_left(now))  # ceil


class HeldRows:
    """The rows at the end of a buffer's view that the pane holds back: every shown row from
    the seq `first` on (a seq, so eviction and new rows do not move it)."""

    def __init__(self, frame_s: float) -> None:
        self.first: int | None = None
        self.pace = RevealPace(frame_s)

    @property
    def active(self) -> bool:
        return self.first is not None

    def step_due(self, now: float) -> bool:
        """Rows are held and their next step is due at the frame drawn at `now`."""
        return self.first is not None and self.pace.ready(now)

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
        ones when it is due, oldest first (all of them once the reveal's time is up)."""
        n = buf.view_len
        if self.first is None:
            return n
        idx = buf.view_index_of_seq(self.first)
        if idx is not None:
            if not self.pace.ready(now):
                return idx
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

    #: after a key, this long every row shows at once. The dashboard takes in the held rows
    #: when a key comes (on_key), its binding acts a message later; a frame in between held
    #: the newest rows back again, so the pane jumped back in time and `k` moved from there
    KEY_S = 0.5

    def __init__(self, on: bool) -> None:
        self.on = on
        self.tailing = False  # the last frame with rows was already past the backlog
        self.key_at = -self.KEY_S  # monotonic time of the last key

    def spread(self, caught_up: bool, poll_s: float, now: float | None = None) -> float:
        """The spread in seconds for this frame's rows (0: at once), drawn at `now`."""
        paced, self.tailing = self.on and self.tailing, caught_up
        if paced and (time.monotonic() if now is None else now) - self.key_at < self.KEY_S:
            paced = False
        return poll_s if paced else 0.0
