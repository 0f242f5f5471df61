"""The one back-off formula: capped exponential growth, optional jitter, and a server's
Retry-After either obeyed (replacing the computed wait) or used as a floor.

Pure, so the client's retries (tui/api/retry.py), the log tail (tui/core/tail.py) and the
chart loop (tui/live/pollers.py) share it and differ only in the parameters they pass.
"""

from __future__ import annotations

import math
import random
from typing import Literal

__all__ = ["backoff_delay"]

JitterKind = Literal["both", "down"]


def backoff_delay(
    attempt: int,
    *,
    base_s: float,
    cap_s: float,
    max_doublings: int = 60,
    jitter: float = 0.0,
    jitter_kind: JitterKind = "both",
    retry_after: float | None = None,
    retry_after_cap_s: float | None = None,
    retry_after_floor: bool = False,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before try number `attempt + 1` (`attempt` 1 waits `base_s`).

    The wait doubles per attempt (at most `max_doublings` times) and never exceeds `cap_s`.
    `jitter` spreads it by that fraction: "both" ways (so clients do not retry in step) or
    only "down" (so the cap is a promise). A `retry_after` (clamped to 0..`retry_after_cap_s`,
    which defaults to `cap_s`) replaces the computed wait, or with `retry_after_floor` only
    lengthens it. The random source is consulted only when the jitter is used.
    """
    cap = max(0.0, cap_s)
    if retry_after is not None and not retry_after_floor:
        limit = cap if retry_after_cap_s is None else retry_after_cap_s
        return _clamp_retry_after(retry_after, limit)
    exponent = min(max(attempt - 1, 0), max_doublings)
    wait = min(cap, max(0.0, base_s) * 2.0**exponent)
    spread = min(max(jitter, 0.0), 1.0)
    if spread:
        r = rng or random
        if jitter_kind == "both":
            factor = 1.0 + r.uniform(-spread, spread)
        else:
            factor = r.uniform(1.0 - spread, 1.0)
        wait = min(cap, max(0.0, wait * factor))
    if retry_after is not None:
        floor_cap = math.inf if retry_after_cap_s is None else retry_after_cap_s
        wait = max(wait, _clamp_retry_after(retry_after, floor_cap))
    return wait


def _clamp_retry_after(seconds: float, cap_s: float) -> float:
    return min(cap_s, max(0.0, float(seconds)))
