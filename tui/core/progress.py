"""The figures of a long read's progress line: entries, entries/s, the time reached, ETA.

Pure (the caller gives the clock reading and the width); `tui/commands/progress.py` draws
it on stderr when stderr is a terminal (docs/ux.md, "Long commands").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tui.core.units import format_duration

__all__ = ["ProgressFigures", "progress_text"]

_BAR = 12


@dataclass(frozen=True, slots=True)
class ProgressFigures:
    """Where a read of `[start_ns, until_ns]` stands after `elapsed_s` seconds."""

    entries: int
    elapsed_s: float
    reached_ns: int
    start_ns: int
    until_ns: int

    @property
    def fraction(self) -> float:
        """How much of the range lies behind the time reached (0..1)."""
        span = self.until_ns - self.start_ns
        if span <= 0:
            return 1.0
        return min(1.0, max(0.0, (self.reached_ns - self.start_ns) / span))

    @property
    def rate(self) -> float:
        """Entries per second so far (0 before the first tenth of a second)."""
        return self.entries / self.elapsed_s if self.elapsed_s >= 0.1 else 0.0

    @property
    def eta_s(self) -> float | None:
        """Seconds still to go at the pace so far through the range; None: unknown yet."""
        f = self.fraction
        if f <= 0.0 or self.elapsed_s < 0.5:
            return None
        return self.elapsed_s * (1.0 - f) / f


def progress_text(p: ProgressFigures, *, utc: bool, width: int = 80) -> str:
    """One line, cut to `width` columns: `12,345 entries  4,120/s  at 14:02:11  ETA 42s`."""
    when = datetime.fromtimestamp(p.reached_ns / 1e9, tz=UTC if utc else None)
    at = when.strftime("%H:%M:%S") if p.until_ns - p.start_ns < 86400 * 10**9 \
        else when.strftime("%m-%d %H:%M:%S")
    eta = "ETA --" if p.eta_s is None else f"ETA {format_duration(round(p.eta_s))}"
    filled = int(round(p.fraction * _BAR))
    bar = "#" * filled + "-" * (_BAR - filled)
    text = (f"{p.entries:,} entries  {p.rate:,.0f}/s  at {at}  {eta}  "
            f"[{bar}] {p.fraction * 100:3.0f}%")
    return text[: max(0, width)]
