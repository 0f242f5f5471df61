"""The refresh pacer: a sliding window of at most `limit` sends per `window_s` seconds."""

from __future__ import annotations

import pytest

from tui.refresh.pacing import Pacer


def test_no_wait_under_the_limit_then_wait_for_the_oldest_to_leave() -> None:
    p = Pacer(limit=3, window_s=10.0)
    for t in (0.0, 1.0, 2.0):
        assert p.delay(t) == 0.0
        p.record(t)
    assert p.used(2.5) == 3
    assert p.delay(2.5) == pytest.approx(7.5)  # the send at 0 leaves the window at 10
    assert p.delay(10.0) == 0.0  # exactly one window later it has left
    assert p.used(10.0) == 2
    p.record(10.0)
    assert p.delay(10.5) == pytest.approx(0.5)  # now the send at 1 is the oldest


def test_sends_spread_out_never_exceed_the_limit_in_any_window() -> None:
    p = Pacer(limit=5, window_s=60.0)
    now, sent = 0.0, []
    for _ in range(23):
        now += p.delay(now)
        p.record(now)
        sent.append(now)
    for i, t in enumerate(sent):
        assert sum(1 for u in sent if t - 60.0 < u <= t) <= 5, i
    assert sent[5] == pytest.approx(60.0)


def test_seed_from_earlier_processes() -> None:
    p = Pacer(limit=2, window_s=300.0)
    kept = p.seed([1000.0, 1100.0, 500.0, 2000.0], now=1200.0)  # 500 is old, 2000 is future
    assert kept == 2 and p.used(1200.0) == 2
    assert p.delay(1200.0) == pytest.approx(100.0)  # 1000 + 300 - 1200


@pytest.mark.parametrize(("limit", "window"), [(0, 10.0), (-1, 10.0), (3, 0.0), (3, -5.0)])
def test_bad_parameters(limit: int, window: float) -> None:
    with pytest.raises(ValueError):
        Pacer(limit, window)
