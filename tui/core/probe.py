"""What `s4top doctor` concludes from real responses (issue 16): clock skew, the apparent
zone of series times, the cursor's kind, the page size, late indexing. Pure: the command
(tui/commands/doctor_findings.py) makes the requests and hands over what came back."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tui.core.timezones import offset_label

NS = 1_000_000_000
SKEW_WARN_S = 30.0
HOUR = 3600


def clock_skew_s(date_header: str | None, sent_s: float, received_s: float) -> float | None:
    """Server clock minus local clock, from an HTTP `Date` header (whole seconds, so the
    server's time lies in [D, D+1)); None without a readable header."""
    if not date_header:
        return None
    try:
        server = parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError):
        return None
    if server.tzinfo is None:
        server = server.replace(tzinfo=UTC)
    return server.timestamp() + 0.5 - (sent_s + received_s) / 2


def skew_finding(skew_s: float | None) -> tuple[str, bool]:
    """(one line, is it a warning)."""
    if skew_s is None:
        return "clock: the server sent no Date header; skew unknown", False
    shown = f"{skew_s:+.0f}s"
    if abs(skew_s) > SKEW_WARN_S:
        return (f"clock: WARNING: the server's clock is {shown} from this machine's; --since "
                "and the live horizon use this machine's clock: fix the time here (NTP)",
                True)
    return f"clock: skew {shown} against the server's Date header (fine)", False


def zone_finding(newest_s: int | None, now_s: float, zone_offset_s: int, *,
                 text_times: bool, zone_name: str) -> tuple[str, bool]:
    """What the newest hourly bucket says about the zone of series times.

    `zone_offset_s` is the UTC offset `api_timezone` (named `zone_name`) has now; with
    `text_times` the series sent time text, which `api_timezone` reads.
    """
    if newest_s is None:
        return "series zone: no points in the last 24 hours; cannot tell", False
    current = int(now_s) // HOUR * HOUR
    offset = newest_s - current
    if offset == 0:
        return "series zone: the newest hourly bucket is the current hour (times look right)", False
    if offset == -HOUR:
        return ("series zone: the newest hourly bucket is the previous hour (the current one "
                "may not be out yet); times look right", False)
    if offset % HOUR or abs(offset) > 15 * HOUR:
        return (f"series zone: the newest hourly bucket is {offset / HOUR:+.2f} h from the "
                "current hour; cannot tell the zone", True)
    hours = f"{offset // HOUR:+d} h"
    if text_times:
        want = offset_label(zone_offset_s + offset)
        return (f"series zone: WARNING: series times are {hours} off when read in "
                f"api_timezone = {zone_name}; the server's times look like UTC{want}: set "
                f'api_timezone = "{want}"', True)
    return (f"series zone: WARNING: the series' Unix times are {hours} off; api_timezone "
            "cannot correct numbers: please report this with the output above", True)


def cursor_finding(asked_ns: int, times: Sequence[int]) -> str:
    """Whether `start_time` is inclusive, from a page asked from an entry's own time."""
    if not times:
        return ("cursor: exclusive (nothing came back from the last entry's own time); "
                "paging is right either way")
    if min(times) < asked_ns:
        return ("cursor: WARNING: entries older than start_time came back: the server seems "
                "to ignore start_time")
    if asked_ns in times:
        return "cursor: inclusive (the entry at start_time comes again); paging is right either way"
    return "cursor: exclusive; paging is right either way"


def page_finding(asked: int, got: int, more_after: bool) -> str:
    """The largest page the server returned, and whether it is a cap."""
    if got >= asked:
        return f"page size: {got} entries per page (asked for {asked}, the documented maximum)"
    if more_after:
        return (f"page size: WARNING: the server returns at most {got} entries per page (asked "
                f"for {asked}); paging still reads everything, in more requests")
    return (f"page size: {got} entries, every entry of the last hour; cannot tell a cap "
            f"below {asked}")


@dataclass
class Lateness:
    """Entries of one window as seen by successive reads: when each first appeared."""

    window_end_ns: int
    seen: Counter[Hashable] = field(default_factory=Counter)
    late: list[tuple[float, float]] = field(default_factory=list)  # (at least, at most) s
    total: int = 0
    _last_read_ns: int = 0

    def first_read(self, keys: Iterable[tuple[Hashable, int]], read_ns: int) -> None:
        """The first read of the window: (identity, access time ns) of each entry."""
        for key, _t in keys:
            self.seen[key] += 1
            self.total += 1
        self._last_read_ns = read_ns

    def reread(self, keys: Iterable[tuple[Hashable, int]], read_ns: int) -> None:
        """A later read of the same window: what is new arrived between the two reads."""
        now: Counter[Hashable] = Counter()
        times: dict[Hashable, int] = {}
        for key, t in keys:
            now[key] += 1
            times[key] = t
        for key, n in now.items():
            extra = n - self.seen[key]
            if extra > 0:
                t = times[key]
                lo = (self._last_read_ns - t) / NS
                hi = (read_ns - t) / NS
                self.late.extend([(max(0.0, lo), hi)] * extra)
                self.seen[key] = n
                self.total += extra
        self._last_read_ns = read_ns

    def finding(self, waited_s: float, window_s: float) -> str:
        if not self.late:
            return (f"lateness: none of {self.total} entries of the {window_s:g}s live edge "
                    f"arrived late within {waited_s:g}s; tail_delay = 0 is enough for now")
        worst_lo = max(lo for lo, _ in self.late)
        worst_hi = max(hi for _, hi in self.late)
        need = math.ceil(worst_hi)
        return (f"lateness: {len(self.late)} of {self.total} entries of the {window_s:g}s live "
                f"edge arrived late, up to {worst_lo:.0f}-{worst_hi:.0f}s after their access "
                f'time; tail_delay = "{need}s" would have caught them')


def hour_label(seconds: int) -> str:
    """A bucket start for the report (UTC)."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")
