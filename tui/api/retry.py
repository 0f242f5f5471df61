"""How long to wait before trying again.

Capped exponential back-off with jitter (so many clients do not retry in step), except that a
server's Retry-After wins when it sends one; both are capped so a hostile or confused server
cannot park the client for hours.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime


@dataclass(slots=True)
class RetryPolicy:
    """`attempts` counts every try (4 = the first plus 3 retries)."""

    attempts: int = 4
    base_s: float = 0.5
    cap_s: float = 30.0
    jitter: float = 0.2

    def delay(
        self, retry_number: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        """Seconds to sleep before retry number `retry_number` (1 for the first retry)."""
        cap = max(0.0, self.cap_s)
        if retry_after is not None:
            return min(cap, max(0.0, retry_after))
        exponent = min(max(retry_number - 1, 0), 60)  # 2**60 * base is past any cap
        base = min(cap, max(0.0, self.base_s) * 2.0**exponent)
        jitter = min(max(self.jitter, 0.0), 1.0)
        factor = 1.0 + (rng or random).uniform(-jitter, jitter) if jitter else 1.0
        return min(cap, max(0.0, base * factor))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None if absent or bad."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
