"""The paced reveal's arithmetic (tui/core/reveal.py), on the caller's clock: held rows are
shown oldest first in equal steps, the last a frame before the next poll, each row once."""

from __future__ import annotations

from tui.core.buffer import LogBuffer
from tui.core.models import LogEntry
from tui.core.reveal import HeldRows, RevealGate, RevealPace

T0 = 1_700_000_000_000_000_000


def _entries(start: int, n: int, status: int = 200) -> list[LogEntry]:
    return [LogEntry(T0 + (start + i) * 1_000_000, status, "GET", "203.0.113.7", 100,
                     f"/{start + i}.png", "CN", "HIT", {}) for i in range(n)]


def test_a_two_second_spread_at_eight_frames_takes_sixteen_steps() -> None:
    pace = RevealPace(frame_s=0.125)
    pace.start(now=100.0, spread_s=2.0)
    assert pace.frames_left(100.0) == 16
    held, shown, steps = 2000, 0, []
    for k in range(16):
        step = pace.step(held - shown, 100.0 + k * 0.125)
        steps.append(step)
        shown += step
    assert shown == 2000  # all of them by the 16th frame, at 101.875 (the poll is at 102)
    assert max(steps) - min(steps) <= 1  # equal shares


def test_a_late_frame_shows_more_and_the_time_is_kept() -> None:
    pace = RevealPace(frame_s=0.125)
    pace.start(now=0.0, spread_s=2.0)
    first = pace.step(1600, 0.0)
    assert first == 100
    late = pace.step(1500, 1.0)  # 7 frames' worth late: 8 frames left
    assert late == -(-1500 // 8)
    assert pace.step(500, 5.0) == 500  # past the time: everything that is left


def test_a_spread_shorter_than_a_frame_shows_everything_at_once() -> None:
    pace = RevealPace(frame_s=0.125)
    pace.start(now=0.0, spread_s=0.1)
    assert pace.step(900, 0.0) == 900


def test_held_rows_are_shown_in_order_each_once() -> None:
    buf = LogBuffer(10_000)
    buf.extend(_entries(0, 10))
    held = HeldRows(frame_s=0.125)
    buf.extend(_entries(10, 500))
    held.hold(buf, 500, page=30, spread_s=1.0, now=0.0)
    assert held.active and held.first == 10
    seen, counts, now = 0, [], 0.0
    while held.active:
        shown = held.step(buf, now)
        assert shown > seen  # forward only: no row twice, none skipped back
        for i in range(buf.view_len):
            assert held.hides(buf, i) == (i >= shown)
        counts.append(shown - seen)
        seen, now = shown, now + 0.125
    assert seen == buf.view_len == 510
    assert len(counts) == 8  # a 1 s spread at 8 frames/s


def test_a_batch_that_fits_a_page_is_not_held() -> None:
    buf = LogBuffer(1000)
    buf.extend(_entries(0, 30))
    held = HeldRows(frame_s=0.125)
    held.hold(buf, 30, page=30, spread_s=2.0, now=0.0)
    assert not held.active
    assert held.step(buf, 0.0) == 30


def test_rows_arriving_during_a_reveal_join_it_and_the_time_starts_anew() -> None:
    buf = LogBuffer(10_000)
    held = HeldRows(frame_s=0.125)
    buf.extend(_entries(0, 400))
    held.hold(buf, 400, page=30, spread_s=2.0, now=0.0)
    assert held.step(buf, 0.0) == 25  # 400 over 16 frames
    buf.extend(_entries(400, 5))  # a small batch while 375 are held: it waits its turn
    held.hold(buf, 5, page=30, spread_s=2.0, now=1.0)
    assert held.pace.due == 2.875
    assert held.step(buf, 1.0) == 25 + -(-380 // 16)


def test_release_says_how_many_were_held_and_the_filter_counts() -> None:
    buf = LogBuffer(10_000)
    buf.extend(_entries(0, 100, status=200) + _entries(100, 100, status=500))
    held = HeldRows(frame_s=0.125)
    held.hold(buf, 200, page=30, spread_s=2.0, now=0.0)
    shown = held.step(buf, 0.0)
    assert held.release(buf) == 200 - shown
    assert not held.active and held.release(buf) == 0


def test_eviction_under_a_reveal_keeps_its_place() -> None:
    buf = LogBuffer(1000)
    held = HeldRows(frame_s=0.125)
    buf.extend(_entries(0, 800))
    held.hold(buf, 800, page=30, spread_s=2.0, now=0.0)
    shown = held.step(buf, 0.0)  # seqs 0..49 shown
    assert shown == 50
    buf.extend(_entries(800, 400))  # 200 evicted from the front: seqs 200.. are buffered
    held.hold(buf, 400, page=30, spread_s=2.0, now=0.1)
    shown = held.step(buf, 0.1)
    assert buf.view_seq(shown - 1) >= 200  # the evicted held rows are gone, not shown twice
    assert buf.view_seq(shown) == held.first


def test_the_gate_paces_only_rows_after_the_backlog() -> None:
    gate = RevealGate(on=True)
    assert gate.spread(caught_up=False, poll_s=2.0) == 0.0  # the backlog
    assert gate.spread(caught_up=True, poll_s=2.0) == 0.0  # the frame that saw it end
    assert gate.spread(caught_up=True, poll_s=2.0) == 2.0  # the live tail
    off = RevealGate(on=False)
    off.spread(caught_up=True, poll_s=2.0)
    assert off.spread(caught_up=True, poll_s=2.0) == 0.0
