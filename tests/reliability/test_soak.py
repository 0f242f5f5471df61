"""A bounded soak in the default run: the real dashboard (headless, its own process)
follows ~5k entries/s for about two minutes with a fault every 20 s. It never crashes, every
entry of the followed window arrives exactly once and in order, and its RSS stays flat
(within 5 %) after warm-up. The 30-minute version: `python -m benchmarks.soak --minutes 30`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.soak import run_soak

SECONDS = 115.0


@pytest.mark.slow
def test_soak_5k_per_second_with_faults(tmp_path: Path) -> None:
    res = run_soak(SECONDS, per_s=5000, fault_every=20.0, fault_len=3.0, warmup_s=45.0, workdir=tmp_path / "soak",
                   log=print)
    print("\nsoak:", res.summary())
    assert not res.crashed, res.crashed
    assert res.exit_code == 0
    assert len(res.faults) >= 4, res.faults
    assert max(res.recoveries_s) < 30, dict(zip(res.faults, res.recoveries_s, strict=True))
    assert res.per_s >= 4000, f"only {res.per_s:.0f} entries/s followed"
    assert res.entries >= 0.8 * 5000 * SECONDS * 0.8, res.entries
    assert res.exactly_once, res.mismatch
    assert abs(res.rss_drift) <= 0.05, f"RSS drift {res.rss_drift:+.2%}"
    assert res.rss_peak_over_base <= 0.05, f"RSS peak {res.rss_peak_over_base:+.2%} over its post-warm-up level"
