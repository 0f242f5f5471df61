"""The progress line's figures: rate, fraction of the range, ETA, the cut to the width."""

from __future__ import annotations

from tui.core.progress import ProgressFigures, progress_text

NS = 1_000_000_000
T0 = 1_795_168_800 * NS  # 2026-11-20 10:00:00 UTC


def test_halfway_after_ten_seconds() -> None:
    p = ProgressFigures(entries=20_000, elapsed_s=10.0, reached_ns=T0 + 1800 * NS,
                        start_ns=T0, until_ns=T0 + 3600 * NS)
    assert p.fraction == 0.5 and p.rate == 2000 and p.eta_s == 10.0
    text = progress_text(p, utc=True)
    assert text == "20,000 entries  2,000/s  at 10:30:00  ETA 10s  [######------]  50%"


def test_unknown_eta_at_the_start_and_dates_on_long_ranges() -> None:
    p = ProgressFigures(entries=0, elapsed_s=0.05, reached_ns=T0, start_ns=T0,
                        until_ns=T0 + 3 * 86400 * NS)
    assert p.rate == 0 and p.eta_s is None
    assert "ETA --" in progress_text(p, utc=True)
    assert "at 11-20 10:00:00" in progress_text(p, utc=True)


def test_cut_to_the_width_and_an_empty_range() -> None:
    p = ProgressFigures(entries=5, elapsed_s=1.0, reached_ns=T0, start_ns=T0, until_ns=T0)
    assert p.fraction == 1.0
    assert len(progress_text(p, utc=True, width=20)) == 20
