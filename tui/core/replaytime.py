"""A replay's clock words: the speeds `>`/`<` step through, and the times `--at`, `--until`
and the jump box take (`14:02`, an ISO time, `-10m` from the recording's end). Pure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from tui.core.units import parse_duration

NS = 1_000_000_000
#: what `>` and `<` step through (0 = paused)
SPEEDS = (0.0, 1.0, 10.0, 60.0)


def parse_speed(text: str) -> float:
    """`--speed N`: a number >= 0 (0 = paused); ValueError with a one-line reason."""
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"not a number: {str(text)[:40]!r} (e.g. 1, 10, 0 = paused)") from None
    if not 0 <= v <= 10_000:
        raise ValueError("must be between 0 (paused) and 10000")
    return v


def step_speed(speed: float, direction: int) -> float:
    """The next speed up (direction > 0) or down from `speed`, held at the ends."""
    if direction > 0:
        return next((s for s in SPEEDS if s > speed), max(speed, SPEEDS[-1]))
    return next((s for s in reversed(SPEEDS) if s < speed), SPEEDS[0])


def speed_label(speed: float) -> str:
    """`×10`, `×1.5`, or `paused`."""
    return "paused" if speed == 0 else f"×{speed:g}"


def _zone(utc: bool) -> tzinfo:
    return UTC if utc else datetime.now().astimezone().tzinfo or UTC


def format_replay_time(ns: int, utc: bool) -> str:
    """`2026-11-20 14:02:11`, in UTC or the local zone."""
    return datetime.fromtimestamp(ns / NS, _zone(utc)).strftime("%Y-%m-%d %H:%M:%S")


def parse_at(text: str, start_ns: int, end_ns: int, utc: bool = False) -> int:
    """A recorded time from `text`: `-10m` (before the recording's end), `HH:MM[:SS]` (that
    time of day within the recording, the last such when it spans days), or an ISO time
    (naive: the shown zone). Kept inside [start_ns, end_ns]. ValueError: one line."""
    s = text.strip()
    if not s:
        raise ValueError("give a time: 14:02, -10m (before the end) or 2026-11-20T14:02")
    if s.startswith("-"):
        try:
            back = parse_duration(s[1:])
        except ValueError as exc:
            raise ValueError(f"{s[:40]!r}: {exc}") from None
        return _inside(end_ns - back * NS, start_ns, end_ns)
    zone = _zone(utc)
    if len(s) <= 8 and ":" in s and s.replace(":", "").isdigit():
        return _inside(_time_of_day(s, start_ns, end_ns, zone), start_ns, end_ns)
    try:
        when = datetime.fromisoformat(s.replace(" ", "T", 1))
    except ValueError:
        raise ValueError(f"not a time: {s[:40]!r} (14:02, -10m or 2026-11-20T14:02)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return _inside(int(when.timestamp()) * NS + when.microsecond * 1000, start_ns, end_ns)


def _time_of_day(s: str, start_ns: int, end_ns: int, zone: tzinfo) -> int:
    parts = [int(p) for p in s.split(":")]
    if len(parts) not in (2, 3) or not (0 <= parts[0] < 24 and all(0 <= p < 60
                                                                    for p in parts[1:])):
        raise ValueError(f"not a time of day: {s!r} (HH:MM or HH:MM:SS)")
    h, m, sec = (parts + [0])[:3]
    first = datetime.fromtimestamp(start_ns / NS, zone).date()
    last = datetime.fromtimestamp(end_ns / NS, zone).date()
    found: list[int] = []
    day: date = first - timedelta(days=1)
    while day <= last + timedelta(days=1):
        t = datetime(day.year, day.month, day.day, h, m, sec, tzinfo=zone)
        found.append(int(t.timestamp()) * NS)
        day += timedelta(days=1)
    inside = [t for t in found if start_ns <= t <= end_ns]
    if inside:
        return inside[-1]
    return min(found, key=lambda t: min(abs(t - start_ns), abs(t - end_ns)))


def _inside(ns: int, start_ns: int, end_ns: int) -> int:
    return min(max(ns, start_ns), end_ns)
