"""The simulator's clock: real time from a chosen start, or frozen for snapshots."""

from __future__ import annotations

import math
import threading
import time

NS = 1_000_000_000


class SimClock:
    """now = start + manual offset (+ real time elapsed, unless frozen)."""

    def __init__(self, start_ns: int | None = None, frozen: bool = False):
        self._lock = threading.Lock()
        self.frozen = frozen
        self._base = time.time_ns() if start_ns is None else int(start_ns)
        self._mono0 = time.monotonic_ns()

    def now_ns(self) -> int:
        with self._lock:
            if self.frozen:
                return self._base
            return self._base + (time.monotonic_ns() - self._mono0)

    def advance(self, seconds: float) -> int:
        """Move the clock forward (or back, if negative); returns the new now."""
        if isinstance(seconds, bool) or not math.isfinite(seconds):
            raise ValueError("advance_s must be a finite number")
        with self._lock:
            self._base += int(round(seconds * NS))
        return self.now_ns()

    def set(self, now_ns: int) -> int:
        """Jump to an absolute time; an unfrozen clock keeps running from there."""
        if isinstance(now_ns, bool) or not isinstance(now_ns, int) or now_ns < 0:
            raise ValueError("now_ns must be a non-negative integer")
        with self._lock:
            self._base = now_ns
            self._mono0 = time.monotonic_ns()
        return self.now_ns()
