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

A one-shot read that streams pages through (`s4top logs`, `record`) keeps nothing: each page's
decoded objects are freed by reference counting once its lines are out, but CPython's young
collection comes every 700 net allocations, so nearly every page of 1000 entries was walked
while alive, and twice a full pass walked the imports (`streaming_collection`).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

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


#: a young collection after this many net allocations while a read streams (CPython's: 700):
#: over 100k entries 40 collections instead of 270, 15-20 ms instead of 55-75 ms.
STREAM_YOUNG = 20_000


_streaming: list[tuple[int, ...]] = []  # the thresholds before, while any read streams


@contextlib.contextmanager
def streaming_collection() -> Iterator[None]:
    """While a one-shot read streams pages through: what the start left frozen, young
    collections `STREAM_YOUNG` allocations apart. Cycles are still collected (a few thousand
    objects at most wait for it). Reads may overlap (`record` of several domains): the
    thresholds and the frozen objects are restored when the last one ends."""
    if not _streaming:
        _streaming.append(gc.get_threshold())
        gc.freeze()
        young, *older = _streaming[0]
        gc.set_threshold(max(young, STREAM_YOUNG), *older)
    else:
        _streaming.append(_streaming[0])
    try:
        yield
    finally:
        before = _streaming.pop()
        if not _streaming:
            gc.set_threshold(*before)
            gc.unfreeze()


def hold_collection() -> None:
    """No collection until `resume_collection` or the first frame (LongLived.first_frame)."""
    gc.disable()


def resume_collection() -> None:
    gc.enable()
