"""LongLived: after the backlog, full collections come `FULL_AFTER` middle ones apart (a pass
over the screen's unfrozen objects paused a key); the app's end puts everything back."""

from __future__ import annotations

import gc
import weakref

from tui.core.longlived import FULL_AFTER, STREAM_YOUNG, LongLived, streaming_collection


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


class _Node:
    me: object = None


def test_a_streaming_read_collects_young_objects_less_often_until_the_last_read_ends() -> None:
    before = gc.get_threshold()
    assert before[0] < STREAM_YOUNG
    with streaming_collection():
        assert gc.get_threshold() == (STREAM_YOUNG, *before[1:])
        assert gc.get_freeze_count() > 0  # what the start left is out of the way
        with streaming_collection():  # another domain's read, overlapping
            assert gc.get_threshold() == (STREAM_YOUNG, *before[1:])
        assert gc.get_threshold() == (STREAM_YOUNG, *before[1:]), "the first read still runs"
        node = _Node()
        node.me = node  # a cycle made while streaming is still freed by a collection
        ref = weakref.ref(node)
        del node
        gc.collect()
        assert ref() is None
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_read_that_fails_still_restores_the_collector() -> None:
    before = gc.get_threshold()
    try:
        with streaming_collection():
            raise OSError("disk full")
    except OSError:
        pass
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
