"""What broke and where: spike alerts on status-class shares and the origin rate, top-N over
the buffered window, and the cache offload ratio from the series. Pure functions over the
monitor's data, so the dashboard, the overview and `s4top top` compute the same things."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tui.core.fieldfilter import regex_literal
from tui.core.models import LogEntry, Series

# The spike alert rules live in tui/insight/alerts.py; these names stay importable from here.
from tui.insight.alerts import DEFAULT_RULES, AlertRule, AlertState, evaluate  # noqa: F401

# ---- top-N -------------------------------------------------------------------------------

TOP_KEYS = ("url", "ip", "status", "country", "cache")


@dataclass(slots=True)
class TopRow:
    key: str
    count: int
    bytes: int

    def to_json(self) -> dict[str, object]:
        return {"key": self.key, "count": self.count, "bytes": self.bytes}


def key_of(e: LogEntry, by: str) -> str:
    if by == "url":
        return e.url
    if by == "ip":
        return e.client_ip
    if by == "status":
        return str(e.status) if e.status else "-"
    if by == "country":
        return e.country or "-"
    if by == "cache":
        return e.cache or "-"
    raise ValueError(f"unknown top-N key {by!r}: expected one of {', '.join(TOP_KEYS)}")


def top_n(entries: Iterable[LogEntry], by: str, since_ns: int = 0, n: int = 10,
          order: str = "count") -> list[TopRow]:
    """The `n` most frequent (or most bytes) values of `by` among entries at/after since_ns."""
    counts: dict[str, list[int]] = {}
    for e in entries:
        if e.time_ns < since_ns:
            continue
        k = key_of(e, by)
        row = counts.get(k)
        if row is None:
            counts[k] = [1, e.size]
        else:
            row[0] += 1
            row[1] += e.size
    rows = [TopRow(k, c, b) for k, (c, b) in counts.items()]
    if order == "bytes":
        rows.sort(key=lambda r: (-r.bytes, -r.count, r.key))
    else:
        rows.sort(key=lambda r: (-r.count, -r.bytes, r.key))
    return rows[:n]


def drill_filter(by: str, key: str) -> str:
    """A filter text selecting exactly the entries whose `by` is `key` (a top-N row).

    Field terms where one is exact (tui/core/fieldfilter.py); a client "IP" that is no
    address falls back to a regex over the search text ('status method ip ...',
    tui.core.logfilter.haystack).
    """
    import ipaddress

    if by == "status":
        return f"code:{key if key.isdigit() else 0}"
    if by == "country":
        return f"cc:{key}" if key and not any(c.isspace() for c in key) else "cc:-"
    if by == "cache":
        return f"cache:{key}" if key and not any(c.isspace() for c in key) else "cache:-"
    if by == "url":
        return f"url:/^{regex_literal(key)}$/"
    if by == "ip":
        try:
            ipaddress.ip_address(key)
        except ValueError:
            return f"/^[^ ]* [^ ]* {regex_literal(key.lower())} /" if key else "/^[^ ]* [^ ]*  /"
        return f"ip:{key}"
    raise ValueError(by)


# ---- offload -----------------------------------------------------------------------------


def offload_series(edge: Series | None, origin: Series | None) -> list[tuple[int, float | None]]:
    """Per bucket: 1 - origin/edge (None where the edge had nothing)."""
    if edge is None or origin is None:
        return []
    o = dict(origin.points)
    out: list[tuple[int, float | None]] = []
    for t, v in edge.points:
        out.append((t, (1.0 - o.get(t, 0.0) / v) if v > 0 else None))
    return out


def current_offload(edge: Series | None, origin: Series | None) -> float | None:
    """Over the whole range shown (a single bucket is too noisy, the partial one too young)."""
    if edge is None or origin is None:
        return None
    e = sum(v for _, v in edge.points)
    o = sum(v for _, v in origin.points)
    return 1.0 - o / e if e > 0 else None
