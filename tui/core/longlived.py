"""What lives as long as the app, out of the garbage collector's sight.

What exists after the first frame (widgets, styles, modules) and again after the backlog is
in lives as long as the app: moved out of the collector's sight (`gc.freeze`), a full
collection no longer walks it. Measured while ingesting 5k entries/s: full passes over
~100k tracked objects paused the UI for 40-90 ms each, several times a minute, which was
most of the key-to-screen p95. Reference counting still frees anything that was frozen once
it is dropped.

For the same reason the `s4top` command holds the collector off from its start to the
dashboard's first frame (`hold_collection`): it walked the ~100k objects of the imports and
widgets that are frozen at that frame anyway, ~35 ms of the first frame's CPU
(benchmarks/start.py). The few cycles dropped during start-up (~13k objects) are frozen
with the rest instead of collected.
"""

from __future__ import annotations

import gc

#: after the backlog, a full collection waits for this many collections of the middle
#: generation (CPython's default: 10). While 5k entries/s arrive that made a full pass every
#: ~3.5 s over the ~50k unfrozen objects of the screen (rendered rows: Textual's strips keep
#: themselves in their own caches, so each dropped row is a cycle only a full pass frees), a
#: key landing in one waited 10-90 ms. Five times fewer: each pass frees five times the rows
#: (~15k objects, a few MB at most between two passes).
FULL_AFTER = 50


class LongLived:
    """Freezes once after the first frame and once after the backlog is in; from then on
    full collections come `FULL_AFTER` middle ones apart."""

    def __init__(self) -> None:
        self.after_backlog = False  # frozen again once the backlog was in
        self._thresholds: tuple[int, ...] | None = None  # before backlog_in (release restores)

    def first_frame(self) -> None:
        gc.freeze()
        gc.enable()  # held off since the start (hold_collection)

    def backlog_in(self) -> None:
        if not self.after_backlog:
            self.after_backlog = True
            gc.freeze()
            self._thresholds = gc.get_threshold()
            young, middle, old = self._thresholds
            gc.set_threshold(young, middle, max(old, FULL_AFTER))

    def release(self) -> None:
        """At exit: what was frozen can be collected again once the app is gone, at the
        thresholds from before."""
        gc.unfreeze()
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None


def hold_collection() -> None:
    """No collection until `resume_collection` or the first frame (LongLived.first_frame)."""
    gc.disable()


def resume_collection() -> None:
    gc.enable()
