"""Reading a long range of the logs fast: time slices fetched concurrently, output in order.

Over a real link (30-200 ms a request) paging three days one request at a time takes many
minutes. `SlicedRead` cuts the range into consecutive time slices and pages several of them at
once, each with its own exactly-once `LogCursor` (tui/core/cursor.py) bounded by the next
slice's start: slice i holds the entries with `edge_i <= t < edge_i+1`, so entries sharing the
nanosecond of an edge all belong to the later slice and are delivered once. The output is the
slices' entries one slice after the other: the same entries in the same order as one
sequential read.

Memory does not grow with the range: at most `2 * slots` slices exist at a time (those
being fetched and those waiting for their turn), each buffering at most `buffered_pages`
pages; a slice whose buffer is full waits. At most `slots` requests are in flight: the
`concurrency`, or up to `max_concurrency` once the link turned out slow
(tui/core/slicepool.py). Slices are cut as the read goes, about `pages_per_slice` pages wide
by the density seen so far (tui/core/slicedensity.py), so a quiet night and a busy peak both
keep the pool busy. Before any page told the density the range is cut into `first_slices`
open slices of equal time, asked at once (over a slow link one round trip then brings that
many pages, not one); once a page tells it, each open slice is shortened to a slice of that
density past what it read, and the rest of it is left as a gap that the next slices are cut
from, in order, before the frontier. However wrong equal time was (a burst in one of them,
nothing in the others), each slice still holds exactly the entries of its own stretch.

Over a slow link a request slot must not idle while its page is parsed: given `parse`,
`fetch` returns the raw reply and only the request holds a slot; the page is parsed after
it, so while one slice parses its page another slice's request is out (a slice's own next
request needs that page's last entry). A reply that does not parse is a failed request.

A failed request is retried (never skipped): the slice backs off and asks for the same
position again. A rate limit (429, or any error with a Retry-After) holds the whole pool
through one shared `PoolPacer`, since the server's limit is for the client, not the slice.
`retry` (the user's "retry now") ends every back-off wait at once, the pool's hold included.
After `max_failures` consecutive failures of one slice (or at once, for an error a retry
alone will not fix, such as a bad token) the read raises that error, once everything before
that slice was delivered (as a sequential read would have failed there).
Pure: no HTTP here; `fetch(start_ns, limit)` is given, as for `LogTail` (tui/core/tail.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tui.core.cursor import MAX_LIMIT, LogCursor
from tui.core.models import LogEntry
from tui.core.slicedensity import MIN_SLICE_NS, Density, one_instant_at_a_trim
from tui.core.slicepool import SLOW_REQUEST_S, PoolPacer, RequestSlots, RetryCut
from tui.core.tail import Fetch, FetchError, TailState, fetch_backoff

__all__ = ["DEFAULT_CONCURRENCY", "SLOW_REQUEST_S", "PoolPacer", "SlicedRead"]

DEFAULT_CONCURRENCY = 4

Sleep = Callable[[float], Awaitable[object]]
#: turns what `fetch` returned into the page, outside the request slot (see the module text)
Parse = Callable[[Any], list[LogEntry]]


@dataclass(eq=False)
class _Slice:
    start: int
    end: int  # exclusive; the range's until + 1 for the last slice
    cursor: LogCursor
    queue: asyncio.Queue[object]
    density: Density  # what its pages teach (and what it was cut by)
    open: bool = False  # cut before any density was known: shortened once its pages tell
    finished: bool = False
    delivered: int = 0
    task: asyncio.Task[None] | None = field(default=None, repr=False)


@dataclass(eq=False)
class _Gap:
    """A stretch between two slices that nobody reads yet: `_plan` cuts slices off its front
    (it is left where an open slice was shortened)."""

    start: int
    end: int
    density: Density  # of the open slice it was left by


_END = object()


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


class SlicedRead:
    """Read `[start_ns, until_ns]` (both inclusive) once, through concurrent slices."""

    def __init__(
        self,
        fetch: Fetch,
        start_ns: int,
        until_ns: int,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        limit: int = MAX_LIMIT,
        skip_at_start: int = 0,
        edges: Sequence[int] | None = None,
        pacer: PoolPacer | None = None,
        sleep: Sleep = asyncio.sleep,
        max_failures: int | None = None,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
        slow_backoff_base_s: float | None = None,
        max_retry_after_s: float = 900.0,
        pages_per_slice: int = 4,
        buffered_pages: int = 4,
        min_slice_ns: int = MIN_SLICE_NS,
        parse: Parse | None = None,
        max_concurrency: int | None = None,
        slow_request_s: float = SLOW_REQUEST_S,
        retry: asyncio.Event | None = None,
        first_slices: int = 1,
    ) -> None:
        """`skip_at_start`: entries at exactly `start_ns` already delivered (a stored
        high-water mark, as `LogCursor.resume` takes it). `edges`: fixed slice boundaries
        instead of cutting by density (tests put them inside groups of equal timestamps).
        `slow_backoff_base_s`: the first wait after an error a retry alone will not fix
        (auth), as `LogTail` has it; default `backoff_base_s`. `parse`, `max_concurrency`,
        `retry`: see the module text. `first_slices`: slices of equal time cut before any
        density is known, asked at once (then shortened by the density, as one is)."""
        if concurrency < 1:
            raise ValueError("concurrency must be 1 or more")
        self._fetch = fetch
        self.start_ns = int(start_ns)
        self.until_ns = int(until_ns)
        self.concurrency = concurrency
        self.limit = limit
        self._skip = skip_at_start
        self._edges = (
            None if edges is None
            else deque(sorted({e for e in edges if self.start_ns < e <= self.until_ns}))
        )
        self.pacer = pacer or PoolPacer(sleep=sleep)
        self._sleep = sleep
        self.max_failures = max_failures
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.slow_backoff_base_s = (backoff_base_s if slow_backoff_base_s is None
                                    else slow_backoff_base_s)
        self.max_retry_after_s = max_retry_after_s
        self.buffered_pages = max(1, buffered_pages)
        self._density = Density(limit, max(1, pages_per_slice), max(1, min_slice_ns))
        self.first_slices = max(1, first_slices)
        self._parse = parse
        self._slots = RequestSlots(concurrency, max_concurrency, slow_request_s)
        self._cut = RetryCut(retry, self.pacer) if retry is not None else None
        self._active: deque[_Slice | _Gap] = deque()
        self._started = 0  # the slices in `_active` (not the gaps)
        self._frontier = self.start_ns
        self._on_state: Callable[[TailState], None] | None = None
        # figures for a progress line
        self.delivered = 0
        self.pages = 0
        self.errors = 0
        self.slices = 0
        self.reached_ns = self.start_ns
        self.position: tuple[int, int] = (self.start_ns, skip_at_start)
        self.began = time.monotonic()  # reset when `run` starts

    async def run(
        self,
        on_batch: Callable[[list[LogEntry]], object],
        on_state: Callable[[TailState], None] | None = None,
    ) -> None:
        """Deliver every entry of the range to `on_batch` once, in time order (an awaitable
        result is awaited: back-pressure). `on_state` hears of errors and warnings."""
        self._on_state = on_state
        self.began = time.monotonic()
        watcher = asyncio.ensure_future(self._cut.watch()) if self._cut else None
        self._plan()
        try:
            while self._active:
                head = self._active[0]
                assert isinstance(head, _Slice)  # `_plan` cuts a gap at the head at once
                item = await head.queue.get()
                if item is _END:
                    self._active.popleft()
                    self._started -= 1
                    self._plan()
                    continue
                if isinstance(item, _Failed):
                    raise item.error
                if isinstance(item, str):
                    self._tell(TailState(ok=True, warning=item))
                    continue
                assert isinstance(item, list)
                self._delivered(item)
                result = on_batch(item)
                if inspect.isawaitable(result):
                    await result
                self._plan()
            self.reached_ns = self.until_ns  # read completely
        finally:
            if watcher is not None:
                watcher.cancel()
            await self._stop_all()

    def _delivered(self, entries: list[LogEntry]) -> None:
        self.delivered += len(entries)
        last = entries[-1].time_ns
        t, k = self.position
        same = 0
        for e in reversed(entries):
            if e.time_ns != last:
                break
            same += 1
        self.position = (last, k + same if last == t and same == len(entries) else same)
        self.reached_ns = last

    def _tell(self, state: TailState) -> None:
        if self._on_state is not None:
            self._on_state(state)

    # ---------------------------------------------------------------- cutting slices

    def _plan(self) -> None:
        """Cut new slices while there is room (at most 2 x slots alive), in time order: off
        the gaps first (one at the head even without room: the reader waits for it), then
        at the frontier. Nothing past an open slice: the room is kept for its gap."""
        self._shorten_open()
        i = 0
        while i < len(self._active):
            gap, i = self._active[i], i + 1
            if isinstance(gap, _Slice):
                if gap.open and not gap.finished:
                    return
                continue
            if i > 1 and self._started >= 2 * self._slots.slots:
                return
            end = min(gap.end, gap.start + gap.density.width())
            self._active.insert(i - 1, self._new_slice(gap.start, end, gap.density))
            gap.start = end
            if gap.start >= gap.end:
                del self._active[i]
        while self._frontier <= self.until_ns and self._started < 2 * self._slots.slots:
            start = self._frontier
            if self._edges is not None:
                end = self._edges.popleft() if self._edges else self.until_ns + 1
            elif not self._density.known:
                if self._active:
                    return  # wait for the first pages to tell the density
                self._cut_first()
                return
            else:
                end = min(self.until_ns + 1, start + self._density.width())
            self._active.append(self._new_slice(start, end, self._density))
            self._frontier = end

    def _cut_first(self) -> None:
        """Before any density: `first_slices` open slices of equal time to the range's end,
        each learning the density of its own stretch (one alone: the read's)."""
        span = self.until_ns + 1 - self.start_ns
        n = max(1, min(self.first_slices, 2 * self._slots.slots,
                       span // self._density.min_slice_ns))
        for j in range(n):
            start, end = self.start_ns + span * j // n, self.start_ns + span * (j + 1) // n
            density = self._density if n == 1 else replace(self._density)
            self._active.append(self._new_slice(start, end, density, is_open=True))
        self._frontier = self.until_ns + 1

    def _new_slice(self, start: int, end: int, density: Density, is_open: bool = False
                   ) -> _Slice:
        if start == self.start_ns and self._skip:
            cursor = LogCursor.resume(start, self._skip, limit=self.limit, until_ns=end - 1)
        else:
            cursor = LogCursor(start, limit=self.limit, until_ns=end - 1)
        sl = _Slice(start, end, cursor, asyncio.Queue(maxsize=self.buffered_pages), density,
                    is_open)
        sl.task = asyncio.ensure_future(self._work(sl))
        self._started += 1
        self.slices += 1
        return sl

    def _shorten_open(self) -> None:
        """The first slices were cut before anything was known; once its pages told the
        density of its stretch, end each where a slice of that density ends (past what it
        read), and leave the rest of it as a gap for the next slices, cut by that density.
        One narrow enough by it stays open: a denser page later may still shorten it."""
        i = 0
        while i < len(self._active):
            sl, i = self._active[i], i + 1
            if not isinstance(sl, _Slice) or not sl.open or sl.finished or not sl.density.known:
                continue
            end = max(sl.cursor.position[0] + 1, sl.start + sl.density.width())
            if end >= sl.end:
                continue
            sl.open = False
            if sl.density is self._density and i == len(self._active):
                self._frontier = end  # the read's one first slice: the rest is the frontier's
            else:
                self._active.insert(i, _Gap(end, sl.end, sl.density))
            sl.end, sl.cursor.until_ns = end, end - 1

    # ---------------------------------------------------------------- one slice

    async def _work(self, sl: _Slice) -> None:
        """Page one slice; whatever ends it unexpectedly (a bug, an unmapped error) reaches
        the reader in order instead of leaving it waiting for this slice forever."""
        try:
            await self._page_slice(sl)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            await sl.queue.put(_Failed(e))

    async def _page_slice(self, sl: _Slice) -> None:
        cursor = sl.cursor
        failures = 0
        whole = False  # asked with the whole limit (tui/core/slicedensity.py one_instant_at_a_trim)
        while True:
            await self.pacer.wait(self._cut)
            cursor.limit = (self.limit if whole
                            else sl.density.trimmed_limit(sl.end - cursor.position[0]))
            try:
                page = await self._request(cursor)
            except FetchError as e:
                failures += 1
                self.errors += 1
                if self.max_failures is not None and (
                        failures >= self.max_failures or not e.retryable):
                    await sl.queue.put(_Failed(e))
                    return
                delay = self._backoff(e, failures)
                self._tell(TailState(ok=False, error=e, retry_in_s=delay, failures=failures))
                if e.rate_limited or e.retry_after is not None:
                    self.pacer.hold(delay)  # the whole pool waits, this slice with it
                    continue
                await self._backoff_wait(delay)
                continue
            if failures:
                failures = 0
                self._tell(TailState(ok=True))
            if one_instant_at_a_trim(page, cursor.limit, self.limit):
                whole = True  # ask again with the whole page (nothing was taken)
                continue
            whole = False
            self.pages += 1
            step = cursor.accept(page)
            sl.finished = step.done or not step.more
            sl.delivered += len(step.entries)
            done = sl.finished and sl.density.known
            sl.density.learn(page, len(page) >= cursor.limit, region_ns=sl.end - sl.start,
                                finished_ns=sl.end - sl.start if done else None,
                                finished_entries=sl.delivered)
            if step.stepped and step.note:
                await sl.queue.put(step.note)
            if step.entries:
                await sl.queue.put(step.entries)
            self._plan()
            if sl.finished:
                await sl.queue.put(_END)
                return
            await asyncio.sleep(0)

    async def _request(self, cursor: LogCursor) -> list[LogEntry]:
        """One page at the cursor: the request in a slot, the parsing (if apart) after it."""
        slots = self._slots.slots
        reply = await self._slots.run(lambda: self._fetch(cursor.request_start(), cursor.limit))
        if self._slots.slots != slots:
            self._plan()  # the pool grew: room for more slices
        if self._parse is None:
            return reply
        await asyncio.sleep(0)  # the slice given the slot sends its request first
        return self._parse(reply)

    @property
    def slots(self) -> int:
        """Requests allowed out at once now (`concurrency`, or more on a slow link)."""
        return self._slots.slots

    async def _backoff_wait(self, delay: float) -> None:
        """Wait out a back-off; the user's `retry` cuts it short."""
        await (self._sleep(delay) if self._cut is None else self._cut.wait(delay))

    def _backoff(self, error: FetchError, failures: int) -> float:
        return fetch_backoff(error, failures, base_s=self.backoff_base_s,
                             slow_base_s=self.slow_backoff_base_s, cap_s=self.backoff_cap_s,
                             retry_after_cap_s=self.max_retry_after_s)

    async def _stop_all(self) -> None:
        tasks = [t for sl in self._active if (t := getattr(sl, "task", None)) and not t.done()]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(BaseException):
                await t
        self._active.clear()
