"""The zone a naive time string from the API is read in (the `api_timezone` setting).

The vendor is in China and its console shows times as naive Beijing-time text, so a time
string without a zone or offset is far more likely UTC+8 than UTC (docs/api.md). Strings
with a zone and Unix numbers never use this.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API_TIMEZONE = "Asia/Shanghai"
#: China has kept UTC+8 without daylight saving since 1991: a machine without the tz
#: database still reads the default zone right.
_FIXED = {"asia/shanghai": 8, "asia/chongqing": 8, "asia/harbin": 8, "prc": 8,
          "asia/hong_kong": 8, "asia/taipei": 8, "utc": 0, "z": 0, "gmt": 0}
_OFFSET_RE = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def parse_timezone(name: str) -> tzinfo:
    """A zone from an IANA name (`Asia/Shanghai`), `UTC`, or an offset (`+08:00`, `UTC+8`).

    Raises ValueError with a one-line reason for anything else.
    """
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        raise ValueError("expected a time zone such as Asia/Shanghai, UTC or +08:00")
    m = _OFFSET_RE.match(text)
    if m:
        sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        if hours > 14 or minutes >= 60:
            raise ValueError(f"offset {text!r} is out of range (-14:00 to +14:00)")
        delta = timedelta(hours=hours, minutes=minutes)
        return timezone(-delta if sign == "-" else delta)
    if text.lower() in ("utc", "z", "gmt"):
        return UTC
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        fixed = _FIXED.get(text.lower())
        if fixed is not None:
            return timezone(timedelta(hours=fixed), text)
    raise ValueError(
        f"unknown time zone {text[:60]!r}: expected a name such as Asia/Shanghai, UTC or +08:00"
    )


DEFAULT_ZONE: tzinfo = parse_timezone(DEFAULT_API_TIMEZONE)


def offset_label(seconds: int) -> str:
    """`+08:00` for 28800: how an offset found in the data is named to the user."""
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
