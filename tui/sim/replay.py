"""The simulator serving a recording (`s4top simulate --replay FILE.db`, `s4top --replay`).

The HTTP layer, the routes and their checks (token, limit, codes, the inclusive cursor) are
the simulator's own: only the store behind `logs`/`truth` and the series builder read the
file instead of generating. A recording's times are moved onto the simulator's clock by one
fixed offset (`GET /_sim/info` states it under `replay`): a client on the real clock asks
for "the last 5 minutes" and gets the recording's minutes. The clock runs at a chosen speed
(0 = paused) and stops at the recording's end, so a replay never runs into empty time.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..recording.reader import Recording
from .clock import SimClock
from .logs import NS
from .simulator import SimConfig, SimError, Simulator

_WIDTH_S = {"hourly": 3600, "daily": 86400, "monthly": 31 * 86400}


class ReplayClock(SimClock):
    """A clock at `speed` times real time (0 = paused), stopping at `limit_ns`."""

    def __init__(self, start_ns: int, speed: float = 1.0, limit_ns: int | None = None):
        super().__init__(start_ns, frozen=speed == 0)
        self.speed = float(speed)
        self.limit_ns = limit_ns

    def now_ns(self) -> int:
        with self._lock:
            now = self._base
            if not self.frozen and self.speed:
                now += int((time.monotonic_ns() - self._mono0) * self.speed)
        return now if self.limit_ns is None else min(now, self.limit_ns)

    def set_speed(self, speed: float) -> None:
        """Change speed from the present moment on (0 pauses)."""
        if not speed >= 0:
            raise ValueError("speed must be a number >= 0")
        now = self.now_ns()
        with self._lock:
            self._base = now
            self._mono0 = time.monotonic_ns()
            self.speed = float(speed)
            self.frozen = speed == 0


class _RecordedLogs:
    """What `Simulator.logs`/`truth` select from: the recording, times shifted."""

    def __init__(self, recording: Recording, offset_ns: int) -> None:
        self.recording = recording
        self.offset_ns = offset_ns

    def select(self, domain: str, lo_ns: int, hi_ns: int, *, digit: int | None = None,
               limit: int | None = None, forced_miss: Any = None) -> list[dict[str, Any]]:
        del forced_miss  # a recording is the past: refreshes made now change nothing in it
        off = self.offset_ns
        return self.recording.wire_window(domain, lo_ns - off, hi_ns - off, digit=digit,
                                          limit=limit, shift_ns=off)

    def inject(self, domain: str, entries: list[dict[str, Any]], now_ns: int) -> int:
        raise SimError(400, "a replay serves a recording: nothing can be injected")

    def set_outages(self, outages: Any) -> None:
        if outages:
            raise SimError(400, "a replay serves a recording: no outage can be added")


class _RecordedSeries:
    """What `Simulator.series` asks for: recorded buckets (or summed from the entries)."""

    def __init__(self, recording: Recording, offset_ns: int) -> None:
        self.recording = recording
        self.offset_s = offset_ns // NS
        self.exact_s = 0

    def series(self, domain: str, metric: str, start_s: int, end_s: int, period: str,
               now_ns: int) -> list[dict[str, int | float]]:
        off, width = self.offset_s, _WIDTH_S[period]
        hi = min(end_s, now_ns // NS) - off
        lo = start_s - off
        out: list[dict[str, int | float]] = []
        upto = now_ns - off * NS
        for t, v in self.recording.series(domain, metric, period, lo - width + 1, hi, upto):
            if t <= hi and t + width > lo:
                out.append({"time": t + off, "value": int(v) if float(v).is_integer() else v})
        return out


class ReplaySimulator(Simulator):
    """The simulator over a recording. `offset_ns` moves recorded times onto its clock;
    `at_ns` (a recorded time, default the start) is where the clock begins."""

    def __init__(self, recording: Recording, *, offset_ns: int = 0, at_ns: int | None = None,
                 speed: float = 1.0, config: SimConfig | None = None) -> None:
        span = recording.span()
        base = config or SimConfig()
        cfg = replace(base, domains=tuple(recording.domains()), rate=0.0, incidents=False,
                      start_ns=None, frozen=False, outages=())
        super().__init__(cfg)
        self.recording = recording
        self.offset_ns = int(offset_ns)
        self.span = span
        at = span.start_ns if at_ns is None else min(max(at_ns, span.start_ns), span.end_ns)
        self.clock = ReplayClock(at + self.offset_ns, speed, span.end_ns + self.offset_ns)
        self.store = _RecordedLogs(recording, self.offset_ns)  # type: ignore[assignment]
        self.builder = _RecordedSeries(recording, self.offset_ns)  # type: ignore[assignment]

    # -- the replay's clock, in recorded time ------------------------------------------

    def replay_now_ns(self) -> int:
        """The clock's present as a recorded time (the original, unshifted)."""
        return self.clock.now_ns() - self.offset_ns

    def jump(self, at_ns: int) -> int:
        """Move the clock to a recorded time (kept inside the recording); returns it."""
        at = min(max(int(at_ns), self.span.start_ns), self.span.end_ns)
        self.clock.set(at + self.offset_ns)
        return at

    @property
    def speed(self) -> float:
        return self.clock.speed

    def set_speed(self, speed: float) -> None:
        self.clock.set_speed(speed)

    def info_extra(self) -> dict[str, Any]:
        return {"replay": {
            "file": Path(self.recording.path).name, "offset_ns": self.offset_ns,
            "start_ns": self.span.start_ns, "end_ns": self.span.end_ns,
            "speed": self.clock.speed, "now_recorded_ns": self.replay_now_ns(),
        }}


def replay_from_args(path: str, at: str | None, speed: str, config: SimConfig | None = None,
                     *, offset_ns: int | None = None, utc: bool = False) -> ReplaySimulator:
    """`--replay FILE --at TIME --speed N` as a simulator; ValueError with one line."""
    from ..core.replaytime import parse_at, parse_speed
    from ..recording.schema import RecordingError

    try:
        rate = parse_speed(speed)
    except ValueError as exc:
        raise ValueError(f"--speed: {exc}") from None
    try:
        rec = Recording(Path(path).expanduser())
        span = rec.span()
    except RecordingError as exc:
        raise ValueError(str(exc)) from None
    try:
        at_ns = None if at is None else parse_at(at, span.start_ns, span.end_ns, utc)
    except ValueError as exc:
        rec.close()
        raise ValueError(f"--at: {exc}") from None
    at_ns = span.start_ns if at_ns is None else at_ns
    if offset_ns is None:
        offset_ns = time.time_ns() - at_ns
    return ReplaySimulator(rec, offset_ns=offset_ns, at_ns=at_ns, speed=rate, config=config)
