"""Client-side pacing for refresh requests: stay under the vendor's limit (default 300 per
5 minutes) by waiting instead of being refused. Pure: the caller supplies the clock."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable


class Pacer:
    """Sliding-window limiter: at most `limit` sends in any `window_s` seconds."""

    def __init__(self, limit: int = 300, window_s: float = 300.0) -> None:
        if limit <= 0 or window_s <= 0:
            raise ValueError("limit and window must be positive")
        self.limit = limit
        self.window_s = window_s
        self._sent: deque[float] = deque()

    def _trim(self, now: float) -> None:
        while self._sent and self._sent[0] <= now - self.window_s:
            self._sent.popleft()

    def delay(self, now: float) -> float:
        """Seconds to wait before the next send may go out (0 when it may go now)."""
        self._trim(now)
        if len(self._sent) < self.limit:
            return 0.0
        return max(0.0, self._sent[0] + self.window_s - now)

    def record(self, now: float) -> None:
        self._sent.append(now)

    def seed(self, times: Iterable[float], now: float) -> int:
        """Remember sends made earlier (e.g. by another `s4top refresh`, from the history
        file), so the window spans processes. Returns how many fall inside the window."""
        kept = sorted(t for t in times if now - self.window_s < t <= now)
        merged = sorted([*self._sent, *kept])
        self._sent = deque(merged)
        return len(kept)

    def used(self, now: float) -> int:
        self._trim(now)
        return len(self._sent)
