"""Paging the logs endpoint exactly once, whatever the server's cursor semantics.

Entries carry no id, several share one `access_time`, and `start_time` may be inclusive or
exclusive (docs/api.md, "Paging the logs exactly once"). The cursor remembers the last delivered
timestamp `T` and how many entries `k` it delivered at exactly `T`. It asks again from `T - 1`,
drops what is older than `T`, skips the first `k` at `T` (the server's order inside one
timestamp is stable) and delivers the rest. That works for both kinds of server.

Two refinements keep it from looping:

* An entry at exactly the requested start proves the server is inclusive. From then on the
  cursor asks from `T` itself: otherwise a page could fill up with old entries at `T - 1`
  followed by already-delivered ones at `T` and never move.
* A full page that holds one timestamp cannot be paged inside: the cursor steps to `T + 1`
  and says so (`stepped`), as the API offers no way to see the rest of that instant.

A one-shot read sets `until_ns` (the moment the command started): entries after it are not
delivered, and `done` turns True once a page passes it or comes back not full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tui.core.models import LogEntry
from tui.core.units import format_duration

__all__ = ["MAX_LIMIT", "RETENTION_S", "CursorStep", "LogCursor", "clamp_start"]

#: The vendor's largest `limit` for one logs page.
MAX_LIMIT = 1000
#: The vendor keeps logs for three days.
RETENTION_S = 3 * 86400


@dataclass(slots=True)
class CursorStep:
    """What one page came to.

    entries: new entries, each delivered exactly once, oldest first.
    more:    the page was full and moved the cursor: fetch again at once.
    done:    a one-shot read reached `until_ns`; stop.
    stepped: a full page held one timestamp; the cursor jumped past it (warn the user).
    note:    a sentence for the user when `stepped`.
    """

    entries: list[LogEntry]
    more: bool
    done: bool
    stepped: bool
    note: str | None = None


class LogCursor:
    """The paging position in one domain's log stream."""

    __slots__ = ("_inclusive", "_k", "_t", "delivered", "limit", "pages", "steps", "until_ns")

    def __init__(self, start_ns: int, limit: int = MAX_LIMIT, until_ns: int | None = None) -> None:
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        self.limit = limit
        self.until_ns = until_ns
        # Everything older than _t is behind us; _k entries at exactly _t were delivered.
        self._t = int(start_ns)
        self._k = 0
        self._inclusive = False  # learned: the server returned an entry at the requested start
        self.delivered = 0
        self.pages = 0
        self.steps = 0

    @classmethod
    def resume(cls, t_ns: int, count_at_t: int, limit: int = MAX_LIMIT,
               until_ns: int | None = None) -> LogCursor:
        """A cursor that already delivered `count_at_t` entries at exactly `t_ns` and all
        before it: a stored high-water mark (`position`) read back, e.g. by `s4top record`
        continuing a recording."""
        if count_at_t < 0:
            raise ValueError(f"count_at_t must be zero or more, got {count_at_t}")
        cursor = cls(t_ns, limit=limit, until_ns=until_ns)
        cursor._k = int(count_at_t)
        return cursor

    @property
    def position(self) -> tuple[int, int]:
        """(T, k): the last timestamp reached and how many entries were delivered at it."""
        return self._t, self._k

    @property
    def inclusive(self) -> bool:
        """True once the server showed that `start_time` is inclusive."""
        return self._inclusive

    def request_start(self) -> int:
        """The `start_time` for the next request."""
        start = self._t if self._inclusive else self._t - 1
        return max(0, start)

    def accept(self, page: Sequence[LogEntry], horizon_ns: int | None = None) -> CursorStep:
        """Take the page fetched from `request_start()`; return what is new.

        `horizon_ns` (optional) holds the cursor back: entries newer than it are neither
        delivered nor passed; they come again with the next page. `LogTail` uses it for its
        `delay_ns` setting (log stores that index late).
        """
        requested = self.request_start()
        self.pages += 1
        limit = self.limit
        full = len(page) >= limit
        if any(page[i].time_ns > page[i + 1].time_ns for i in range(len(page) - 1)):
            page = sorted(page, key=_time_of)  # stable: keeps the order inside a timestamp
        t0, k0 = self._t, self._k
        until = self.until_ns
        cap = until
        if horizon_ns is not None:
            cap = horizon_ns if cap is None else min(cap, horizon_ns)
        held_by_horizon = horizon_ns is not None and (until is None or horizon_ns < until)

        scan = _scan(page, requested, t0, k0, cap, held_by_horizon)
        new, held, passed_until = scan.new, scan.held, scan.passed_until
        if new:
            self._advance(new, t0, scan.at_t0)
            self.delivered += len(new)
        if scan.saw_requested:
            self._inclusive = True

        note = None
        if full and page and not held and not passed_until:
            note = self._step_past_instant(page, t0)
        stepped = note is not None

        progress = bool(new) or stepped or self.request_start() != requested
        more = full and progress and not held and not passed_until
        done = False
        if until is not None:
            done = passed_until or self._t > until or (not more and not held)
            if done:
                more = False
        return CursorStep(entries=new, more=more, done=done, stepped=stepped, note=note)


    def _advance(self, new: list[LogEntry], t0: int, at_t0: int) -> None:
        """Move past the entries just delivered: to the newest one's time, counting how many
        of that instant were seen (the next page starts at it again)."""
        last = new[-1].time_ns
        if last == t0:
            self._k = at_t0
            return
        n = 0
        for e in reversed(new):
            if e.time_ns != last:
                break
            n += 1
        self._t, self._k = last, n

    def _step_past_instant(self, page: Sequence[LogEntry], t0: int) -> str | None:
        """A full page of one instant: the server cannot show what lies past `limit` entries
        of it, so step past it and say so (the note); None when the page is not like that."""
        first_t, last_t = page[0].time_ns, page[-1].time_ns
        if first_t != last_t or last_t < t0:
            return None
        self._t, self._k = last_t + 1, 0
        self.steps += 1
        return (
            f"{self.limit} or more log entries share one timestamp ({last_t} ns); the cursor "
            "stepped past it, so some entries of that instant may be missing"
        )


@dataclass(slots=True)
class _Scan:
    """What one pass over a page found (see `_scan`)."""

    new: list[LogEntry]
    at_t0: int  # entries at the cursor's instant, those delivered before included
    saw_requested: bool  # the server included the requested start_time (it is inclusive)
    passed_until: bool  # an entry past `until_ns`: the window is read
    held: bool  # an entry past the horizon: it comes again with the next page


def _scan(page: Sequence[LogEntry], requested: int, t0: int, k0: int, cap: int | None,
          held_by_horizon: bool) -> _Scan:
    """The entries of a sorted page that are new past (t0, k0) and not past `cap`."""
    new: list[LogEntry] = []
    at_t0 = 0
    saw_requested = passed_until = held = False
    for e in page:
        t = e.time_ns
        if t < t0:
            if t == requested:
                saw_requested = True
            continue
        if cap is not None and t > cap:
            if held_by_horizon:
                held = True
            else:
                passed_until = True
            break
        if t == t0:
            at_t0 += 1
            if at_t0 <= k0:
                continue
        new.append(e)
    return _Scan(new, at_t0, saw_requested, passed_until, held)


def _time_of(e: LogEntry) -> int:
    return e.time_ns


def _iso(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _span(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day" if days == 1 else f"{days} days"
    return format_duration(seconds)


def _unit_hint(start_ns: int) -> str:
    """A hint when a start looks like seconds/ms/us instead of nanoseconds."""
    if 0 < start_ns < 10**11:
        return " (start times are Unix nanoseconds; this one looks like seconds)"
    if 10**11 <= start_ns < 10**14:
        return " (start times are Unix nanoseconds; this one looks like milliseconds)"
    if 10**14 <= start_ns < 10**17:
        return " (start times are Unix nanoseconds; this one looks like microseconds)"
    return ""


def clamp_start(
    start_ns: int, now_ns: int, retention_s: int = RETENTION_S
) -> tuple[int, str | None]:
    """Keep a start inside the log retention (and not in the future); say why it moved."""
    oldest = now_ns - retention_s * 1_000_000_000
    if start_ns < oldest:
        return oldest, (
            f"logs are kept for {_span(retention_s)} only; reading from "
            f"{_iso(oldest)} instead of the requested start{_unit_hint(start_ns)}"
        )
    if start_ns > now_ns:
        return now_ns, f"start {_iso(start_ns)} is in the future; reading from now"
    return start_ns, None
