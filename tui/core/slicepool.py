"""What the slices of one read share (tui/core/slices.py): the request slots, the pool's
rate-limit hold and the user's "retry now".

- `RequestSlots`: at most `concurrency` requests out at once. On a slow link the pool may
  grow: once the first `concurrency` requests all took `slow_request_s` or more (the
  quickest of them is the round trip), up to `max_concurrency` go out, so the wait per page
  is spread over more requests instead of being added to the parsing (Little's law: keeping
  the parsing busy over a link of round trip R takes about R / parse-time pages out). A
  request's time includes the wait for the event loop to read its reply, so a client busy
  at start-up may grow its pool on a fast link too; at a few times the concurrency that costs
  only the buffer of those slices (bounded as in tui/core/slices.py).
- `PoolPacer`: after a rate limit (429 or Retry-After) nobody asks before it has passed.
- `RetryCut`: each "retry now" ends every back-off wait and the pacer's hold at once; a
  fresh event per press, so a wait that begins later is not ended by an old press.
Pure: asyncio only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tui.core.tail import woken

__all__ = ["SLOW_REQUEST_S", "PoolPacer", "RequestSlots", "RetryCut", "woken"]

#: the round trip from which a link counts as slow (loopback: a few ms; a real link: 30-200)
SLOW_REQUEST_S = 0.04

Sleep = Callable[[float], Awaitable[object]]
T = TypeVar("T")


class RequestSlots:
    """The pool's request slots (see the module text)."""

    def __init__(self, concurrency: int, max_concurrency: int | None = None,
                 slow_request_s: float = SLOW_REQUEST_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.concurrency = concurrency
        self.max_concurrency = max(concurrency, max_concurrency or concurrency)
        self.slow_request_s = slow_request_s
        self.slots = concurrency  # allowed out at once now
        self._sem = asyncio.Semaphore(concurrency)
        self._timed: list[float] = []
        self._monotonic = monotonic

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        """`call()` in a slot; its time counts towards sizing the pool."""
        async with self._sem:
            began = self._monotonic()
            reply = await call()
            self._timed_request(self._monotonic() - began)
        return reply

    def _timed_request(self, seconds: float) -> None:
        if self.slots == self.max_concurrency or len(self._timed) >= self.concurrency:
            return
        self._timed.append(seconds)
        if len(self._timed) == self.concurrency and min(self._timed) >= self.slow_request_s:
            for _ in range(self.max_concurrency - self.slots):
                self._sem.release()
            self.slots = self.max_concurrency


class PoolPacer:
    """One hold shared by every slice: after a rate limit nobody asks before `resume`."""

    def __init__(self, *, sleep: Sleep = asyncio.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._sleep = sleep
        self._monotonic = monotonic
        self._resume = 0.0
        self.holds = 0

    def hold(self, seconds: float) -> None:
        """Nobody asks for `seconds` from now (a longer hold already set stays)."""
        self.holds += 1
        self._resume = max(self._resume, self._monotonic() + max(0.0, seconds))

    async def wait(self, cut: RetryCut | None = None) -> None:
        """Return once no hold is in force (or `cut` ended it)."""
        while (left := self._resume - self._monotonic()) > 0:
            if cut is None:
                await self._sleep(left)
            else:
                await woken(cut.event, left)

    def release(self) -> None:
        """End the hold now (the user asked to retry)."""
        self._resume = 0.0


class RetryCut:
    """The user's "retry now" for every slice: `watch` runs beside the read."""

    def __init__(self, retry: asyncio.Event, pacer: PoolPacer) -> None:
        self._retry = retry
        self._pacer = pacer
        self.event = asyncio.Event()  # set (then replaced) at each press
        self.presses = 0

    async def wait(self, delay: float) -> None:
        """Wait out a back-off of `delay` seconds, or until the next press."""
        await woken(self.event, delay)

    async def watch(self) -> Any:
        while True:
            await self._retry.wait()
            self._retry.clear()
            self.presses += 1
            self._pacer.release()
            event, self.event = self.event, asyncio.Event()
            event.set()
