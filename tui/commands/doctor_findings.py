"""What `s4top doctor` learns about the real API from its answers (issue 16): the clock
skew, the apparent zone of series times, the cursor's kind, the largest page, and with
`--lateness` the log store's indexing delay. The conclusions are drawn in tui/core/probe.py.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from tui.api.client import S4Client
from tui.api.errors import ApiError
from tui.api.parse import parse_series
from tui.api.wire import RawResponse
from tui.commands.logs import read_window
from tui.core import probe
from tui.core.models import LogEntry, Metric
from tui.core.timezones import parse_timezone

NS = 1_000_000_000
LATENESS_WINDOW_S = 30
_PLUS_1H = timezone(timedelta(hours=1))


@dataclass(slots=True)
class Timed:
    """A raw answer with the wall-clock times it was asked and received."""

    kind: str
    raw: RawResponse
    sent_s: float
    received_s: float


def series_lines(timed: list[Timed], zone_name: str, now_s: float) -> list[tuple[str, bool]]:
    """The clock skew (first Date header) and the zone of the request-count series."""
    out: list[tuple[str, bool]] = []
    first = timed[0] if timed else None
    skew = None
    if first is not None:
        skew = probe.clock_skew_s(first.raw.headers.get("date"), first.sent_s, first.received_s)
    out.append(probe.skew_finding(skew))
    answer = next((t for t in timed if t.kind == Metric.REQUEST.value and t.raw.status == 200),
                  None)
    if answer is None:
        out.append(("series zone: the request series did not answer; cannot tell", False))
        return out
    zone = parse_timezone(zone_name)
    try:
        obj = json.loads(answer.raw.body)
        ours = parse_series(obj, Metric.REQUEST, "hourly", "series", tz=zone).points
        # times that move with the zone they are read in are text without a zone
        as_utc = parse_series(obj, Metric.REQUEST, "hourly", "series", tz=UTC).points
        as_plus1 = parse_series(obj, Metric.REQUEST, "hourly", "series", tz=_PLUS_1H).points
    except (ValueError, RecursionError, ApiError):
        out.append(("series zone: the series could not be read; cannot tell", False))
        return out
    newest = ours[-1][0] if ours else None
    offset = datetime.fromtimestamp(now_s, zone).utcoffset()
    offset_s = int(offset.total_seconds()) if offset is not None else 0
    out.append(probe.zone_finding(newest, now_s, offset_s, text_times=as_plus1 != as_utc,
                                  zone_name=zone_name))
    return out


async def paging_lines(client: S4Client, domain: str) -> list[str]:
    """The cursor's kind and the largest page, from three small reads."""
    now_ns = time.time_ns()
    out: list[str] = []
    recent = await client.logs_page(domain, now_ns - 300 * NS, "ALL", 5)
    if not recent:
        out.append("cursor: no entries in the last 5 minutes; cannot tell inclusive or exclusive")
    else:
        asked = recent[-1].time_ns
        again = await client.logs_page(domain, asked, "ALL", 5)
        out.append(probe.cursor_finding(asked, [e.time_ns for e in again]))
    big = await client.logs_page(domain, now_ns - 3600 * NS, "ALL", 1000)
    more = False
    if big and len(big) < 1000:
        after = await client.logs_page(domain, big[-1].time_ns + 1, "ALL", 1000)
        more = any(e.time_ns <= now_ns for e in after)
    out.append(probe.page_finding(1000, len(big), more))
    return out


def _keys(entries: list[LogEntry]) -> list[tuple[tuple[object, ...], int]]:
    return [((e.time_ns, e.status, e.method, e.client_ip, e.size, e.url), e.time_ns)
            for e in entries]


async def lateness_line(client: S4Client, domain: str, wait_s: float) -> str:
    """Read the live edge, re-read the same window until `wait_s` has passed, and say how
    many entries arrived late and how late."""
    end = time.time_ns()
    start = end - LATENESS_WINDOW_S * NS
    step = max(1.0, wait_s / 20)

    async def read() -> list[LogEntry]:
        got: list[LogEntry] = []
        await read_window(client, domain, start, end, "ALL", 1000, got.extend)
        return got

    seen = probe.Lateness(window_end_ns=end)
    seen.first_read(_keys(await read()), time.time_ns())
    deadline = time.monotonic() + wait_s
    while (left := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(step, left))
        seen.reread(_keys(await read()), time.time_ns())
    return seen.finding(wait_s, LATENESS_WINDOW_S)
