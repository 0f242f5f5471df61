"""LongLived: after the backlog, full collections come `FULL_AFTER` middle ones apart (a pass
over the screen's unfrozen objects paused a key); the app's end puts everything back."""

from __future__ import annotations

import gc

from tui.core.longlived import FULL_AFTER, LongLived


def test_full_collections_wait_longer_after_the_backlog_until_release() -> None:
    before = gc.get_threshold()
    assert before[2] < FULL_AFTER  # CPython's default (10): the raise is a change
    ll = LongLived()
    try:
        ll.backlog_in()
        assert gc.get_threshold() == (before[0], before[1], FULL_AFTER)
        assert gc.get_freeze_count() > 0
        ll.backlog_in()  # once only: a second call keeps what the first saved
        assert gc.get_threshold() == (before[0], before[1], FULL_AFTER)
    finally:
        ll.release()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_release_without_a_backlog_keeps_the_thresholds() -> None:
    before = gc.get_threshold()
    LongLived().release()
    assert gc.get_threshold() == before
