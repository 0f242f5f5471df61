"""Behaviours of a real server that `s4top doctor` learns to see (issue 16), off by default.

`SimConfig(quirks=Quirks(...))` (or `srv.sim.config.quirks = ...` while running):

date_skew_s         the HTTP `Date` header is this far ahead of real time (negative:
                    behind), as a server with a wrong clock sends it
series_text_offset_h
                    series times are sent as naive text (`2024-03-22 12:00:00`) in the
                    zone UTC+this many hours (default shape only), as a console in local
                    time would; None: Unix seconds
page_cap            logs pages hold at most this many entries, whatever `limit` says
late_s, late_share  late indexing: that share of the entries (chosen by access time, so
                    every query agrees) becomes visible only `late_s` seconds after its
                    access time; a page already read never gets them back
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any

NS = 1_000_000_000


@dataclass
class Quirks:
    date_skew_s: float = 0.0
    series_text_offset_h: float | None = None
    late_s: float = 0.0
    late_share: float = 1.0
    page_cap: int | None = None

    def __post_init__(self) -> None:
        if self.late_s < 0 or not 0.0 <= self.late_share <= 1.0:
            raise ValueError("late_s must be >= 0 and late_share between 0 and 1")

    def http_date(self) -> str:
        """The `Date` header value."""
        return formatdate(time.time() + self.date_skew_s, usegmt=True)

    def is_late(self, access_ns: int) -> bool:
        """Whether this entry is one of the late share (a stable choice by its time)."""
        return (access_ns // 1000 * 2654435761) % 1000 < self.late_share * 1000

    def visible(self, entries: Sequence[dict[str, Any]], now_ns: int) -> Sequence[dict[str, Any]]:
        """The entries of a page that the log store has indexed by `now_ns`."""
        if self.page_cap is not None:
            entries = entries[: self.page_cap]
        if self.late_s <= 0:
            return entries
        edge = now_ns - int(self.late_s * NS)
        out = []
        for e in entries:
            t = e.get("access_time")
            if isinstance(t, int) and t > edge and self.is_late(t):
                continue
            out.append(e)
        return out

    def series_points(self, points: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Series points as the server sends them (times as local naive text, if set)."""
        if self.series_text_offset_h is None:
            return points
        shift = int(self.series_text_offset_h * 3600)
        return [dict(p, time=_naive(p["time"] + shift)) for p in points]


def _naive(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")
