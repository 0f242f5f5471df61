"""How long to wait before trying again.

Capped exponential back-off with jitter (so many clients do not retry in step), except that a
server's Retry-After wins when it sends one; both are capped so a hostile or confused server
cannot park the client for hours. The formula is the shared one in tui/core/backoff.py.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from datetime import UTC

from tui.core.backoff import backoff_delay


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
        return backoff_delay(
            retry_number,
            base_s=self.base_s,
            cap_s=self.cap_s,
            jitter=self.jitter,
            retry_after=retry_after,
            rng=rng,
        )


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
    from email.utils import parsedate_to_datetime  # here: only a dated Retry-After (3 ms)

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
