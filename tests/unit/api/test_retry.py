"""Back-off delays and Retry-After parsing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tui.api.client import RetryPolicy
from tui.api.retry import parse_retry_after


def test_defaults_match_the_contract() -> None:
    p = RetryPolicy()
    assert (p.attempts, p.base_s, p.cap_s, p.jitter) == (4, 0.5, 30.0, 0.2)


def test_delay_doubles_up_to_the_cap_without_jitter() -> None:
    p = RetryPolicy(base_s=0.5, cap_s=3.0, jitter=0.0)
    assert [p.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_jitter_stays_within_its_band_and_under_the_cap() -> None:
    p = RetryPolicy(base_s=1.0, cap_s=30.0, jitter=0.2)
    rng = random.Random(7)
    delays = [p.delay(2, rng=rng) for _ in range(500)]
    assert all(1.6 <= d <= 2.4 for d in delays)
    assert len({round(d, 6) for d in delays}) > 100  # it does vary
    assert all(RetryPolicy(base_s=1, cap_s=2, jitter=0.5).delay(9, rng=rng) <= 2 for _ in range(100))


def test_huge_retry_numbers_do_not_overflow() -> None:
    assert RetryPolicy(cap_s=30.0).delay(10_000) <= 30.0


@pytest.mark.parametrize(("retry_after", "expected"), [(0, 0.0), (2.5, 2.5), (3600, 30.0), (-4, 0.0)])
def test_retry_after_wins_and_is_capped(retry_after: float, expected: float) -> None:
    assert RetryPolicy(base_s=0.5, cap_s=30.0, jitter=0.2).delay(3, retry_after) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("5", 5.0), (" 0 ", 0.0), ("1.5", 1.5), ("-3", 0.0), (None, None), ("", None), ("soon", None),
    ("nan", None), ("inf", None),
])  # fmt: skip
def test_parse_retry_after_seconds(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date() -> None:
    now = datetime(2024, 8, 7, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    earlier = format_datetime(now - timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now=now.timestamp()) == pytest.approx(90.0)
    assert parse_retry_after(earlier, now=now.timestamp()) == 0.0
    assert parse_retry_after("Wed, 07 Aug 2024 12:01:30 GMT", now=now.timestamp()) == pytest.approx(90.0)
