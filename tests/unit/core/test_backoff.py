"""The one back-off formula (tui/core/backoff.py) with each caller's parameters."""

from __future__ import annotations

import random

from tui.core.backoff import backoff_delay


def test_doubles_from_the_base_up_to_the_cap() -> None:
    waits = [backoff_delay(n, base_s=1.0, cap_s=10.0) for n in range(1, 7)]
    assert waits == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_doublings_stop_at_the_limit() -> None:
    assert backoff_delay(50, base_s=1.0, cap_s=1e9, max_doublings=5) == 32.0


def test_retry_after_replaces_the_wait_and_is_capped() -> None:
    assert backoff_delay(1, base_s=1.0, cap_s=30.0, retry_after=12.0) == 12.0
    assert backoff_delay(1, base_s=1.0, cap_s=30.0, retry_after=1e6) == 30.0
    assert backoff_delay(1, base_s=1.0, cap_s=30.0, retry_after=1e6, retry_after_cap_s=900) == 900
    assert backoff_delay(1, base_s=1.0, cap_s=30.0, retry_after=-5.0) == 0.0


def test_retry_after_as_a_floor_only_lengthens() -> None:
    assert backoff_delay(1, base_s=4.0, cap_s=30.0, retry_after=1.0, retry_after_floor=True) == 4.0
    assert backoff_delay(1, base_s=4.0, cap_s=30.0, retry_after=99.0, retry_after_floor=True) == 99.0


def test_jitter_both_ways_and_down_only() -> None:
    rng = random.Random(7)
    both = [backoff_delay(2, base_s=1.0, cap_s=30.0, jitter=0.5, rng=rng) for _ in range(300)]
    assert min(both) < 2.0 < max(both) and all(1.0 <= w <= 3.0 for w in both)
    down = [backoff_delay(9, base_s=1.0, cap_s=8.0, jitter=0.2, jitter_kind="down", rng=rng)
            for _ in range(300)]
    assert all(0.8 * 8.0 <= w <= 8.0 for w in down) and min(down) < 8.0


def test_no_jitter_never_draws_from_the_random_source() -> None:
    class NoDraw(random.Random):
        def uniform(self, a: float, b: float) -> float:
            raise AssertionError("drawn")

    assert backoff_delay(3, base_s=1.0, cap_s=30.0, rng=NoDraw()) == 4.0
