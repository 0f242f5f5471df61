"""The follow loop shared by `s4top logs` and the dashboard.

It owns no HTTP: it is given a `fetch(start_ns, limit)` coroutine and a `LogCursor`, so the
same loop runs against the real client, the simulator, or a test's plain function. A failed
fetch never moves the cursor: the loop backs off and asks for the SAME position again, so an
error loses nothing and doubles nothing. The sleep and the clock are injectable, so fault
tests run in milliseconds.

`delay_ns` holds the tail that far behind real time: the cursor is given a horizon of
`now - delay_ns` and entries newer than it are neither delivered nor passed, so they come again
with a later page. That covers log stores that index entries a little late (docs/api.md); the
default is 0 until real data say otherwise.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tui.core.backoff import backoff_delay
from tui.core.cursor import LogCursor
from tui.core.models import LogEntry

__all__ = ["FetchError", "LogTail", "TailState"]


class FetchError(Exception):
    """What a failed fetch raises for the tail to wait and try again (the API layer's errors
    derive from it, so this layer needs no import of that one).

    `retryable`: a retry alone may fix it (else the tail retries slowly, e.g. until a token is
    rotated); `retry_after`: seconds the server asked for (a 429's Retry-After), or None;
    `rate_limited`: the server refused for the client's rate (a 429), so every concurrent
    reader should slow down (tui/core/slices.py), not only the one that heard it.
    """

    retryable: bool = False
    retry_after: float | None = None
    rate_limited: bool = False

Fetch = Callable[[int, int], Awaitable[list[LogEntry]]]


def fetch_backoff(error: FetchError, failures: int, *, base_s: float, slow_base_s: float,
                  cap_s: float, retry_after_cap_s: float) -> float:
    """The wait after the `failures`-th consecutive failed page (the tail's and the slices'):
    a retryable error backs off from `base_s`, anything else (auth) from `slow_base_s`, and a
    server's Retry-After is honoured up to its cap."""
    return backoff_delay(
        failures,
        base_s=base_s if error.retryable else slow_base_s,
        cap_s=cap_s,
        max_doublings=30,
        retry_after=error.retry_after,
        retry_after_cap_s=retry_after_cap_s,
    )


@dataclass(frozen=True, slots=True)
class TailState:
    """A change the user should see: an error with its retry, recovery, or a warning.

    ok=False: `error` failed, the same position is asked again in `retry_in_s`; `failures`
    counts consecutive failures. ok=True after errors: recovered. `warning` (with ok=True):
    something was skipped, e.g. the cursor stepped past a crowded timestamp.
    """

    ok: bool
    error: FetchError | None = None
    retry_in_s: float | None = None
    failures: int = 0
    warning: str | None = None


class LogTail:
    """Fetch pages until the cursor is done (one-shot) or the task is cancelled (follow)."""

    def __init__(
        self,
        fetch: Fetch,
        cursor: LogCursor,
        *,
        poll_interval_s: float | Callable[[], float] = 2.0,
        delay_ns: int = 0,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        backoff_cap_s: float = 60.0,
        now_ns: Callable[[], int] = time.time_ns,
        backoff_base_s: float = 1.0,
        slow_backoff_base_s: float = 10.0,
        max_failures: int | None = None,
        max_retry_after_s: float = 900.0,
        wake: asyncio.Event | None = None,
        retry: asyncio.Event | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`slow_backoff_base_s` applies to errors a retry alone will not fix (auth, bad request,
        unexpected shape): the loop keeps trying slowly, so a rotated token heals the tail.
        `max_failures` (None = forever) re-raises after that many consecutive failures, for
        one-shot commands that should exit instead. A Retry-After longer than
        `max_retry_after_s` is cut to it, so a misconfigured proxy cannot freeze the tail.
        `wake` (set when the poll interval changed) ends a poll sleep once the new interval
        has passed since it began, so 60 s -> 2 s does not sleep out the old minute; `retry`
        (set by the user) ends a back-off wait at once. Without them `sleep` is used.
        """
        self.fetch = fetch
        self.cursor = cursor
        self.poll_interval_s = poll_interval_s
        self.delay_ns = delay_ns
        self._sleep = sleep
        self.backoff_cap_s = backoff_cap_s
        self._now_ns = now_ns
        self.backoff_base_s = backoff_base_s
        self.slow_backoff_base_s = slow_backoff_base_s
        self.max_failures = max_failures
        self.max_retry_after_s = max_retry_after_s
        self.failures = 0  # consecutive
        self.errors = 0  # total
        self.pages = 0
        self.delivered = 0
        self._stopping = False
        self.wake = wake
        self.retry = retry
        self._monotonic = monotonic

    def stop(self) -> None:
        """End `run` after the current step (cancelling the task works too)."""
        self._stopping = True

    def poll_interval(self) -> float:
        p = self.poll_interval_s
        return float(p() if callable(p) else p)

    def backoff_delay(self, error: FetchError, failures: int) -> float:
        """Seconds to wait before retrying after the `failures`-th consecutive error."""
        return fetch_backoff(error, failures, base_s=self.backoff_base_s,
                             slow_base_s=self.slow_backoff_base_s, cap_s=self.backoff_cap_s,
                             retry_after_cap_s=self.max_retry_after_s)

    async def _poll_wait(self) -> None:
        """Sleep one poll interval, re-reading it whenever `wake` is set."""
        if self.wake is None:
            await self._sleep(self.poll_interval())
            return
        began = self._monotonic()
        while True:
            self.wake.clear()
            left = self.poll_interval() - (self._monotonic() - began)
            if left <= 0 or not await woken(self.wake, left):
                return

    async def _backoff_wait(self, delay: float) -> None:
        """Wait out a back-off; `retry` cuts it short."""
        if self.retry is None:
            await self._sleep(delay)
            return
        self.retry.clear()
        await woken(self.retry, delay)

    async def run(
        self,
        on_batch: Callable[[list[LogEntry]], object],
        on_state: Callable[[TailState], None] | None = None,
    ) -> None:
        """Deliver new entries to `on_batch` (once each, in order) until done or cancelled.

        `on_batch` may be a plain function or return an awaitable (awaited before the next
        fetch, which gives a slow consumer back-pressure).
        """
        cursor = self.cursor
        while not self._stopping:
            start = cursor.request_start()
            try:
                page = await self.fetch(start, cursor.limit)
            except FetchError as e:
                self.failures += 1
                self.errors += 1
                if self.max_failures is not None and self.failures >= self.max_failures:
                    raise
                delay = self.backoff_delay(e, self.failures)
                if on_state is not None:
                    on_state(
                        TailState(ok=False, error=e, retry_in_s=delay, failures=self.failures)
                    )
                await self._backoff_wait(delay)
                continue
            if self.failures:
                self.failures = 0
                if on_state is not None:
                    on_state(TailState(ok=True))
            self.pages += 1
            horizon = self._now_ns() - self.delay_ns if self.delay_ns > 0 else None
            step = cursor.accept(page, horizon_ns=horizon)
            if step.stepped and on_state is not None:
                on_state(TailState(ok=True, warning=step.note))
            if step.entries:
                self.delivered += len(step.entries)
                result = on_batch(step.entries)
                if inspect.isawaitable(result):
                    await result
            if step.done or self._stopping:
                return
            if step.more:
                await asyncio.sleep(0)  # let the UI breathe while catching up
                continue
            await self._poll_wait()


async def woken(event: asyncio.Event, timeout: float) -> bool:
    """True when `event` was set within `timeout` seconds, False when the time ran out."""
    try:
        await asyncio.wait_for(event.wait(), timeout=timeout)
    except TimeoutError:
        return False
    return True
