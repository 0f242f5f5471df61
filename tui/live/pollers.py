"""The long-lived poll loops of one domain: the log tail (with catch-up) and the series.

They only fetch and feed the `DomainState`; the screen draws at its own frame rate. A hidden
domain polls more slowly (the same request budget), and each domain has its own loops, so
one domain's errors never stall another's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.api.errors import ApiError, RateLimited
from tui.core.backoff import backoff_delay
from tui.core.cursor import LogCursor, clamp_start
from tui.core.models import LogEntry, Metric
from tui.core.pieces import PIECE, PIECE_BUDGET_S, joined
from tui.core.slices import DEFAULT_CONCURRENCY, SlicedRead
from tui.core.tail import LogTail, TailState
from tui.live.state import DomainState, Health

if TYPE_CHECKING:  # the client's module is imported when the client is built
    from tui.api.client import S4Client

SERIES_INTERVAL_S = 60.0
#: over a slow link the start-up backlog may read this many times `concurrency` slices at
#: once (tui/core/slices.py `max_concurrency`): the wait per page, not the parsing, bounds it.
#: At 80 ms a round trip and ~6 ms to parse and ingest a page, 8 requests out leave the
#: loop idle part of each round trip; 16 keep it busy (benchmarks/link.py)
BACKLOG_BOOST = 4


@dataclass
class PollerHooks:
    """What the loops need from the app, as plain callables (no Textual here)."""

    clock_ns: Callable[[], int]
    poll_s: Callable[[DomainState], float]
    chart_range: Callable[[], tuple[int, str]]  # (span seconds, period)
    describe: Callable[[ApiError], str]
    toast_error: Callable[[str, ApiError], None]
    toast: Callable[[str], None]
    backlog_s: float = 300.0
    tail_delay_s: float = 0.0
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 30.0
    auth_backoff_s: float = 10.0
    #: seconds between two polls of the four series (the exporter asks less often: an hourly
    #: bucket changes once an hour)
    series_interval_s: float = SERIES_INTERVAL_S
    series_wake: dict[str, asyncio.Event] = field(default_factory=dict)
    #: per domain: set when its poll interval changed (the tail re-reads it at once)
    tail_wake: dict[str, asyncio.Event] = field(default_factory=dict)
    #: per domain: set by the user's "retry now" (ends the tail's back-off wait)
    tail_retry: dict[str, asyncio.Event] = field(default_factory=dict)
    #: called after new log entries were ingested (the screen wakes its frame timer)
    entries_arrived: Callable[[DomainState], None] = lambda _st: None
    #: time slices read at once for the start-up backlog (setting concurrency; 1: none)
    concurrency: int = DEFAULT_CONCURRENCY
    #: the longest stretch of a live page's parsing between two turns of the event loop
    piece_budget_s: float = PIECE_BUDGET_S
    #: seconds from the loops' start to a domain's first poll (the exporter spreads its
    #: domains over a poll interval; the tail's start cursor is set before the wait)
    first_poll_delay_s: Callable[[DomainState], float] = lambda _st: 0.0

    @classmethod
    def from_settings(cls, settings: Any, **hooks: Any) -> PollerHooks:
        """The hooks with the tail's timing from the settings (tui/config.py)."""
        return cls(backlog_s=settings.backlog, tail_delay_s=settings.tail_delay,
                   backoff_base_s=settings.backoff_base, backoff_cap_s=settings.backoff_cap,
                   auth_backoff_s=settings.auth_backoff,
                   concurrency=settings.concurrency, **hooks)

    def now(self) -> float:
        return self.clock_ns() / 1e9

    def wake_series(self) -> None:
        for ev in self.series_wake.values():
            ev.set()

    def wake_tails(self) -> None:
        """The poll intervals changed: every sleeping tail re-reads its own."""
        for ev in self.tail_wake.values():
            ev.set()

    def retry_now(self, st: DomainState) -> int:
        """End the back-off of the domain's pollers that wait after an error; returns how
        many were woken (0: nothing was waiting to retry)."""
        woken = 0
        if in_backoff(st.log_health) and st.domain in self.tail_retry:
            self.tail_retry[st.domain].set()
            woken += 1
        if in_backoff(st.series_health) and st.domain in self.series_wake:
            self.series_wake[st.domain].set()
            woken += 1
        return woken


def in_backoff(h: Health) -> bool:
    """The poller failed and waits before its next try."""
    return h.state not in ("ok", "connecting") and h.retry_at is not None


async def tail_loop(st: DomainState, client: S4Client, hooks: PollerHooks) -> None:
    now = hooks.clock_ns()
    start, warning = clamp_start(now - int(hooks.backlog_s * 1e9), now)
    if warning:
        hooks.toast(warning)
    st.tail_start_ns = start  # the followed window begins here (what "exactly once" covers)
    if (delay := hooks.first_poll_delay_s(st)) > 0:
        await asyncio.sleep(delay)
    async def fetch(start_ns: int, limit: int) -> list[LogEntry]:
        asked_ns = hooks.clock_ns()
        st.log_health.in_flight_since = hooks.now()
        try:
            raw = await client.logs_reply(st.domain, start_ns, "ALL", limit)
        finally:
            st.log_health.in_flight_since = None
        # parsed in pieces: a key pressed meanwhile waits for one (tui/core/pieces.py)
        page = await joined(client.logs_reply_pieces(st.domain, raw, PIECE),
                            hooks.piece_budget_s)
        if len(page) < limit:
            # a short page: every entry up to when we asked (less the delay) is in. The
            # tail ingests this page before it next awaits, so an alert check never sees
            # the coverage without the entries.
            st.covered_ns = max(st.covered_ns, asked_ns - int(hooks.tail_delay_s * 1e9))
        if len(page) < limit and not st.caught_up:
            st.caught_up = True
            st.dirty = True
        if st.log_health.record_ok(hooks.now()):
            hooks.toast(f"{st.domain}: log tail recovered")
        return page

    def on_state(state: TailState) -> None:
        if state.ok or state.error is None:
            return
        if st.log_health.record_error(state.error, state.retry_in_s, hooks.now()):
            hooks.toast_error(st.domain, state.error)
        st.dirty = True

    def deliver(entries: list[LogEntry]) -> None:
        st.ingest(entries)
        if entries:
            hooks.entries_arrived(st)

    t, k = start, 0
    if hooks.concurrency > 1:
        t, k = await _catch_up(st, client, hooks, start, deliver, on_state)
    tail = LogTail(
        fetch,
        LogCursor.resume(t, k, limit=1000),
        poll_interval_s=lambda: hooks.poll_s(st),
        delay_ns=int(hooks.tail_delay_s * 1e9),
        now_ns=hooks.clock_ns,
        backoff_base_s=hooks.backoff_base_s,
        backoff_cap_s=hooks.backoff_cap_s,
        slow_backoff_base_s=hooks.auth_backoff_s,
        wake=hooks.tail_wake.setdefault(st.domain, asyncio.Event()),
        retry=hooks.tail_retry.setdefault(st.domain, asyncio.Event()),
    )
    await tail.run(deliver, on_state)


async def _catch_up(st: DomainState, client: S4Client, hooks: PollerHooks, start: int,
                    deliver: Callable[[list[LogEntry]], None],
                    on_state: Callable[[TailState], None]) -> tuple[int, int]:
    """Read the start-up backlog through concurrent slices (tui/core/slices.py), in order
    and each entry once, then hand the tail the position reached. Over a slow link the
    backlog comes in about one request time per `concurrency` pages, not one per page."""
    until = hooks.clock_ns() - int(hooks.tail_delay_s * 1e9)
    if until <= start:
        return start, 0
    in_flight = [0]
    # requests sent, and how many were sent when the last error came: a reply to one sent
    # before it (several slices are out at once) does not end the error state
    sent, sent_at_error = [0], [0]
    # the reply is parsed outside the request slot (tui/core/slices.py)

    async def fetch(start_ns: int, limit: int) -> Any:
        sent[0] += 1
        number = sent[0]
        in_flight[0] += 1
        st.log_health.in_flight_since = st.log_health.in_flight_since or hooks.now()
        try:
            raw = await client.logs_reply(st.domain, start_ns, "ALL", limit)
        finally:
            in_flight[0] -= 1
            if not in_flight[0]:
                st.log_health.in_flight_since = None
        return number, raw

    def read(reply: tuple[int, Any]) -> list[LogEntry]:
        number, raw = reply
        page = client.parse_logs_reply(st.domain, raw)
        if number > sent_at_error[0] and st.log_health.record_ok(hooks.now()):
            hooks.toast(f"{st.domain}: log tail recovered")
        return page

    def state_seen(state: TailState) -> None:
        if not state.ok and state.error is not None:
            sent_at_error[0] = sent[0]
        on_state(state)

    reader = SlicedRead(fetch, start, until, concurrency=hooks.concurrency,
                        backoff_base_s=hooks.backoff_base_s, backoff_cap_s=hooks.backoff_cap_s,
                        slow_backoff_base_s=hooks.auth_backoff_s,
                        parse=read,
                        max_concurrency=hooks.concurrency * BACKLOG_BOOST,
                        # the first pages of `concurrency` slices at once: over a slow link
                        # the first round trip brings that many pages, not one
                        first_slices=hooks.concurrency,
                        retry=hooks.tail_retry.setdefault(st.domain, asyncio.Event()))
    await reader.run(deliver, state_seen)
    st.covered_ns = max(st.covered_ns, until)  # every entry up to `until` is in
    if not st.caught_up:  # the backlog is in (what a short page tells the plain tail)
        st.caught_up = True
        st.dirty = True
        hooks.entries_arrived(st)
    return reader.position


def series_retry_delay(
    failures: int, base_s: float, cap_s: float, retry_after: float | None = None
) -> float:
    """Seconds before the charts try again after `failures` consecutive errors: the same
    settings as the log tail (twice its base, as four calls make one poll), jittered down
    only, so the cap holds and a healed API is asked again within it. A server's Retry-After
    only lengthens the wait (and is not capped: the server asked for it)."""
    return backoff_delay(
        failures + 1,
        base_s=2.0 * base_s,
        cap_s=min(SERIES_INTERVAL_S, cap_s),
        max_doublings=5,
        jitter=0.2,
        jitter_kind="down",
        retry_after=retry_after,
        retry_after_floor=True,
    )


async def series_loop(st: DomainState, client: S4Client, hooks: PollerHooks) -> None:
    wake = hooks.series_wake.setdefault(st.domain, asyncio.Event())
    failures = 0
    if (delay := hooks.first_poll_delay_s(st)) > 0:
        await asyncio.sleep(delay)
    while True:
        span, period = hooks.chart_range()
        now = int(hooks.now())
        wait = hooks.series_interval_s
        wake.clear()  # before the fetch: a range change during it must wake the next one
        try:
            got = {m: await client.series(st.domain, m, now - span, now, period) for m in Metric}
            if hooks.chart_range() != (span, period):
                continue  # the range changed meanwhile: this answer is for the old one
            st.set_series(got)
            if st.series_health.record_ok(hooks.now()) and failures:
                hooks.toast(f"{st.domain}: charts recovered")
            failures = 0
        except ApiError as exc:
            failures += 1
            asked = exc.retry_after if isinstance(exc, RateLimited) else None
            wait = series_retry_delay(failures, hooks.backoff_base_s, hooks.backoff_cap_s, asked)
            st.series_error = hooks.describe(exc)
            if st.series_health.record_error(exc, wait, hooks.now()):
                hooks.toast_error(st.domain, exc)
            st.dirty = True
        try:
            await asyncio.wait_for(wake.wait(), timeout=wait)
        except TimeoutError:
            pass
