"""The paced reveal's arithmetic (tui/core/reveal.py), on the caller's clock: held rows are
shown oldest first in equal steps (at most one per STEP_S), the last a step before the next
poll, each row once."""

from __future__ import annotations

from tui.core.buffer import LogBuffer
from tui.core.models import LogEntry
from tui.core.reveal import STEP_S, HeldRows, RevealGate, RevealPace

T0 = 1_700_000_000_000_000_000


def _entries(start: int, n: int, status: int = 200) -> list[LogEntry]:
    return [LogEntry(T0 + (start + i) * 1_000_000, status, "GET", "203.0.113.7", 100,
                     f"/{start + i}.png", "CN", "HIT", {}) for i in range(n)]


def test_a_two_second_spread_at_eight_frames_takes_a_step_every_other_frame() -> None:
    pace = RevealPace(frame_s=0.125)
    assert pace.step_s == STEP_S == 0.25
    pace.start(now=100.0, spread_s=2.0)
    assert pace.steps_left(100.0) == 8
    held, shown, steps = 2000, 0, []
    for k in range(16):  # the frames of the two seconds
        now = 100.0 + k * 0.125
        if pace.ready(now):
            step = pace.step(held - shown, now)
            steps.append((k, step))
            shown += step
    assert shown == 2000  # all of them by the 8th step, at 101.75 (the poll is at 102)
    assert [k for k, _ in steps] == [0, 2, 4, 6, 8, 10, 12, 14]
    assert max(n for _, n in steps) - min(n for _, n in steps) <= 1  # equal shares


def test_frames_slower_than_four_a_second_step_at_each_frame() -> None:
    pace = RevealPace(frame_s=0.5)  # max_fps = 2
    pace.start(now=0.0, spread_s=2.0)
    assert pace.step_s == 0.5 and pace.steps_left(0.0) == 4
    pace.step(100, 0.0)
    assert pace.ready(0.5) and not pace.ready(0.2)


def test_a_late_step_shows_more_and_the_time_is_kept() -> None:
    pace = RevealPace(frame_s=0.125)
    pace.start(now=0.0, spread_s=2.0)
    assert pace.step(1600, 0.0) == 200
    assert pace.ready(1.0)
    late = pace.step(1400, 1.0)  # 3 steps' worth late: 4 steps left (1.0 to 1.75)
    assert late == 350
    assert pace.step(500, 5.0) == 500  # past the time: everything that is left


def test_a_jittery_frame_timer_is_on_time() -> None:
    pace = RevealPace(frame_s=0.125)
    pace.start(now=0.0, spread_s=2.0)
    pace.step(1000, 0.0)
    assert pace.ready(0.24)  # the tick two frames on, a hair early
    assert not pace.ready(0.125)


def test_a_spread_shorter_than_a_step_shows_everything_at_once() -> None:
    pace = RevealPace(frame_s=0.125)
    pace.start(now=0.0, spread_s=0.2)
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
        due = held.step_due(now)
        shown = held.step(buf, now)
        assert shown > seen if due else shown == seen  # forward only, at its steps
        for i in range(buf.view_len):
            assert held.hides(buf, i) == (held.active and i >= shown)
        if due:
            counts.append(shown - seen)
        seen, now = shown, now + 0.125
    assert seen == buf.view_len == 510
    assert len(counts) == 4  # a 1 s spread at 4 steps/s
    assert held.step(buf, now) == 510 and not held.step_due(now)


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
    assert held.step(buf, 0.0) == 50  # 400 over 8 steps
    assert held.step(buf, 0.125) == 50  # no step before its time
    buf.extend(_entries(400, 5))  # a small batch while 350 are held: it waits its turn
    held.hold(buf, 5, page=30, spread_s=2.0, now=1.0)
    assert held.pace.due == 2.75
    assert held.step(buf, 1.0) == 50 + -(-355 // 8)


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
    shown = held.step(buf, 0.0)  # seqs 0..99 shown
    assert shown == 100
    buf.extend(_entries(800, 400))  # 200 evicted from the front: seqs 200.. are buffered
    held.hold(buf, 400, page=30, spread_s=2.0, now=0.3)
    shown = held.step(buf, 0.3)
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


def test_the_gate_holds_nothing_back_just_after_a_key() -> None:
    """A key takes in the held rows and its binding acts a message later: a frame between
    them must not hold the newest rows back again (the pane jumped back in time)."""
    gate = RevealGate(on=True)
    gate.spread(caught_up=True, poll_s=2.0, now=10.0)
    assert gate.spread(caught_up=True, poll_s=2.0, now=10.1) == 2.0
    gate.key_at = 10.2
    assert gate.spread(caught_up=True, poll_s=2.0, now=10.3) == 0.0
    assert gate.spread(caught_up=True, poll_s=2.0, now=10.2 + RevealGate.KEY_S - 0.01) == 0.0
    assert gate.spread(caught_up=True, poll_s=2.0, now=10.2 + RevealGate.KEY_S) == 2.0
