"""Human units: sizes and rates as the vendor bills them (decimal), durations as users type them.

Every number shown on screen or printed goes through here, so a size reads the same in the
header, a chart axis and `s4top stats`. Three significant digits everywhere: enough to compare,
short enough for a narrow terminal.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "format_bits_per_s",
    "format_bytes",
    "format_count",
    "format_duration",
    "format_rate",
    "format_setting_duration",
    "parse_duration",
]

_BYTE_UNITS = ("B", "kB", "MB", "GB", "TB")
_BIT_UNITS = ("bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s")
_COUNT_SUFFIXES = ("", "k", "M", "G", "T")


def _three_digits(v: float) -> str:
    """`v` (0 <= v < 999.5) with three significant digits."""
    if v < 9.995:
        return f"{v:.2f}"
    if v < 99.95:
        return f"{v:.1f}"
    return f"{v:.0f}"


def _scaled(value: float, units: tuple[str, ...], *, sep: str, int_base: bool) -> str:
    """Scale by 1000 until the number fits three digits; `int_base`: no decimals in the base
    unit."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value}{sep}{units[0]}"
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    i = 0
    while v >= 999.5 and i < len(units) - 1:
        v /= 1000.0
        i += 1
    if i == 0 and (int_base or v == 0):
        text = f"{v:.0f}"
    elif v >= 999.5:  # beyond the largest unit: no more scaling, just the number
        text = f"{v:.0f}"
    else:
        text = _three_digits(v)
    return f"{sign}{text}{sep}{units[i]}"


def format_bytes(n: float) -> str:
    """Bytes in decimal units: 512 B, 1.23 kB, 45.6 MB, 7.89 GB, 1.00 TB."""
    return _scaled(n, _BYTE_UNITS, sep=" ", int_base=True)


def format_bits_per_s(bytes_per_s: float) -> str:
    """Bandwidth from bytes/s, shown in bits/s as networks are: 12.3 Mbit/s."""
    return _scaled(bytes_per_s * 8, _BIT_UNITS, sep=" ", int_base=True)


def format_count(n: float) -> str:
    """A count, compact: 999, 1.23k, 45.6k, 789k, 1.23M."""
    return _scaled(n, _COUNT_SUFFIXES, sep="", int_base=True)


def format_rate(per_s: float, unit: str = "req/s") -> str:
    """A rate: 0.25 req/s, 12.3 req/s, 1.23k req/s."""
    return f"{_scaled(per_s, _COUNT_SUFFIXES, sep='', int_base=False)} {unit}"


_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([a-z]+)")
_DURATION_FULL = re.compile(r"(?:\d+(?:\.\d+)?[a-z]+)+")
_EXAMPLES = "e.g. 90s, 15m, 2h, 3d or 1h30m"


def parse_duration(text: str) -> int:
    """'90s' | '15m' | '2h' | '3d' (or compounds like '1h30m') -> whole seconds.

    A bare number is refused rather than guessed: '300' could mean seconds or minutes.
    """
    raw = str(text).strip().lower()
    if not raw:
        raise ValueError(f"empty duration; use a number with a unit, {_EXAMPLES}")
    if raw.startswith("-"):
        raise ValueError(f"duration {text!r} must not be negative")
    compact = raw.replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", compact):
        raise ValueError(f"duration {text!r} needs a unit: s, m, h or d (e.g. {compact}s)")
    if not _DURATION_FULL.fullmatch(compact):
        raise ValueError(f"cannot read duration {text!r}; {_EXAMPLES}")
    total = 0.0
    for number, unit in _DURATION_PART.findall(compact):
        if unit not in _UNIT_SECONDS:
            raise ValueError(
                f"unknown unit {unit!r} in duration {text!r}; use s, m, h or d ({_EXAMPLES})"
            )
        total += float(number) * _UNIT_SECONDS[unit]
    return int(round(total))


def format_duration(seconds: float) -> str:
    """45s, 2m 05s, 1h 02m, 3d 04h (two units at most); under 10 s keeps a tenth: 1.5s."""
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds < 10 and seconds != int(seconds):
        return f"{seconds:.1f}s"
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600:02d}h"


def format_setting_duration(seconds: float) -> str:
    """A duration setting as it is written in the config file: 300 -> '5m', 90 -> '90s',
    7200 -> '2h', 0.5 -> '0.5s'. The largest unit that divides it evenly, so the text reads
    back (parse_duration) as the same number of seconds."""
    if seconds != int(seconds):
        return f"{seconds:g}s"
    s = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if s and s % size == 0:
            return f"{s // size}{unit}"
    return f"{s}s"
