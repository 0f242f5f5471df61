"""LogTail: errors back off and retry the same position; nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
import random
from bisect import bisect_left, bisect_right
from collections import Counter

import pytest

from tui.api.errors import (
    ApiError,
    ApiTimeout,
    AuthError,
    BadRequest,
    NetworkError,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from tui.core.cursor import LogCursor
from tui.core.models import LogEntry
from tui.core.tail import LogTail, TailState


def entry(t: int, n: int) -> LogEntry:
    return LogEntry(time_ns=t, status=200, url=f"/e{n}", size=n)


def ids(entries: list[LogEntry]) -> list[int]:
    return [e.size for e in entries]


def page_of(entries: list[LogEntry], start: int, limit: int, semantics: str) -> list[LogEntry]:
    times = [e.time_ns for e in entries]
    i = (bisect_left if semantics == "inclusive" else bisect_right)(times, start)
    return entries[i : i + limit]


def make_error(rng: random.Random) -> ApiError:
    return rng.choice(
        [
            lambda: ServerError("boom", endpoint="logs", status=502),
            lambda: NetworkError("reset", endpoint="logs", sent=True),
            lambda: ApiTimeout("slow", endpoint="logs", sent=True),
            lambda: RateLimited("slow down", endpoint="logs", retry_after=7),
            lambda: RateLimited("slow down", endpoint="logs"),
            lambda: AuthError("bad token", endpoint="logs", status=401),
            lambda: UnexpectedResponse("odd body", endpoint="logs", excerpt="<html>"),
            lambda: BadRequest("nope", endpoint="logs", status=400),
        ]
    )()


class World:
    """A growing log stream behind a flaky endpoint, and a clock that moves when slept on."""

    def __init__(self, seed: int, semantics: str) -> None:
        self.rng = random.Random(seed)
        self.semantics = semantics
        self.limit = self.rng.randint(1, 10)
        n = self.rng.randrange(1, 200)
        times = sorted(1000 + self.rng.randrange(self.rng.choice([3, 30, 300])) for _ in range(n))
        self.final = [entry(t, i) for i, t in enumerate(times)]
        self.visible: list[LogEntry] = []
        self.pos = 0
        self.calls = 0
        self.failures: list[tuple[int, ApiError]] = []
        self.sleeps: list[float] = []
        self.tail: LogTail | None = None
        self.delivered: list[LogEntry] = []
        self.states: list[TailState] = []
        seen: Counter[int] = Counter()
        self.expected = []
        for e in self.final:  # what the API can show: the first `limit` of each timestamp
            seen[e.time_ns] += 1
            if seen[e.time_ns] <= self.limit:
                self.expected.append(e)

    async def fetch(self, start: int, limit: int) -> list[LogEntry]:
        self.calls += 1
        if self.rng.random() < 0.35:
            err = make_error(self.rng)
            self.failures.append((self.calls, err))
            raise err
        return page_of(self.visible, start, limit, self.semantics)

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        n = self.rng.randint(0, 3 * self.limit)
        self.visible.extend(self.final[self.pos : self.pos + n])
        self.pos += n
        done = self.pos >= len(self.final) and len(self.delivered) >= len(self.expected)
        if done or len(self.sleeps) > 5000:
            assert self.tail is not None
            self.tail.stop()


@pytest.mark.parametrize("semantics", ["inclusive", "exclusive"])
@pytest.mark.parametrize("seed", range(60))
async def test_flaky_endpoint_still_delivers_exactly_once(semantics: str, seed: int) -> None:
    w = World(seed, semantics)
    tail = LogTail(w.fetch, LogCursor(1000, limit=w.limit), sleep=w.sleep, poll_interval_s=2.0)
    w.tail = tail
    await tail.run(w.delivered.extend, w.states.append)
    assert ids(w.delivered) == ids(w.expected)
    # Every failure was reported with its retry delay, and the delay was slept.
    errors = [s for s in w.states if not s.ok]
    assert [s.error for s in errors] == [e for _, e in w.failures]
    for s in errors:
        assert s.retry_in_s is not None and s.retry_in_s in w.sleeps
        if isinstance(s.error, RateLimited) and s.error.retry_after is not None:
            assert s.retry_in_s == 7
    assert tail.errors == len(w.failures)


async def test_retry_after_is_honoured_and_recovery_reported() -> None:
    truth = [entry(t, t) for t in range(10, 20)]
    script: list[ApiError | None] = [
        RateLimited("429", endpoint="logs", retry_after=7),
        RateLimited("429", endpoint="logs", retry_after=0.5),
        None,
    ]
    sleeps: list[float] = []
    got: list[LogEntry] = []
    states: list[TailState] = []
    tail: LogTail

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        err = script.pop(0) if script else None
        if err:
            raise err
        return page_of(truth, start, limit, "inclusive")

    async def sleep(d: float) -> None:
        sleeps.append(d)
        if len(sleeps) >= 3:
            tail.stop()

    tail = LogTail(fetch, LogCursor(10, limit=100), sleep=sleep, poll_interval_s=3.0)
    await tail.run(got.extend, states.append)
    assert sleeps == [7, 0.5, 3.0]
    assert [s.ok for s in states] == [False, False, True]
    assert states[0].retry_in_s == 7 and states[0].failures == 1
    assert states[1].failures == 2
    assert ids(got) == list(range(10, 20))


async def test_backoff_is_exponential_capped_and_resets_after_success() -> None:
    script: list[ApiError | None] = [ServerError("x", status=503) for _ in range(6)]
    script += [None, ServerError("x", status=503), None]  # None: a successful (empty) page
    script += [AuthError("token", status=401) for _ in range(4)]
    sleeps: list[float] = []
    states: list[TailState] = []
    tail: LogTail

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        err = script.pop(0) if script else None
        if err is not None:
            raise err
        return []

    async def sleep(d: float) -> None:
        sleeps.append(d)
        if not script:
            tail.stop()

    tail = LogTail(
        fetch, LogCursor(0), sleep=sleep, backoff_cap_s=5.0, slow_backoff_base_s=2.0,
        poll_interval_s=0.25,
    )
    await tail.run(lambda batch: None, states.append)
    assert sleeps[:6] == [1.0, 2.0, 4.0, 5.0, 5.0, 5.0]  # doubling, capped
    assert sleeps[6:9] == [0.25, 1.0, 0.25]  # success resets: the next error starts again
    assert sleeps[9:] == [2.0, 4.0, 5.0, 5.0]  # auth: its own (slow) base, same cap
    assert [s.ok for s in states].count(True) == 2


async def test_auth_error_backs_off_slowly_from_the_first_failure() -> None:
    tail = LogTail(lambda s, n: None, LogCursor(0), backoff_cap_s=60.0)  # type: ignore[arg-type]
    assert tail.backoff_delay(AuthError("bad", status=403), 1) == 10.0
    assert tail.backoff_delay(AuthError("bad", status=403), 3) == 40.0
    assert tail.backoff_delay(AuthError("bad", status=403), 9) == 60.0
    assert tail.backoff_delay(ServerError("x"), 1) == 1.0
    assert tail.backoff_delay(RateLimited("x", retry_after=10**6), 1) == 900.0


async def test_max_failures_reraises() -> None:
    async def fetch(start: int, limit: int) -> list[LogEntry]:
        raise NetworkError("down")

    async def sleep(d: float) -> None:
        return None

    tail = LogTail(fetch, LogCursor(0), sleep=sleep, max_failures=3)
    with pytest.raises(NetworkError):
        await tail.run(lambda b: None)
    assert tail.errors == 3


async def test_bugs_are_not_swallowed() -> None:
    async def fetch(start: int, limit: int) -> list[LogEntry]:
        raise KeyError("a bug, not an API error")

    tail = LogTail(fetch, LogCursor(0))
    with pytest.raises(KeyError):
        await tail.run(lambda b: None)


async def test_one_shot_ends_by_itself_without_sleeping() -> None:
    truth = [entry(t, t) for t in range(100, 130)]
    sleeps: list[float] = []

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        return page_of(truth, start, limit, "exclusive")

    async def sleep(d: float) -> None:
        sleeps.append(d)

    got: list[LogEntry] = []
    tail = LogTail(fetch, LogCursor(100, limit=10, until_ns=119), sleep=sleep)
    await asyncio.wait_for(tail.run(got.extend), timeout=5)
    assert ids(got) == list(range(100, 120))
    assert sleeps == []


async def test_cancellation_mid_fetch_loses_and_doubles_nothing() -> None:
    truth = [entry(t // 2, t) for t in range(40)]
    gate = asyncio.Event()
    calls = 0

    async def hanging_fetch(start: int, limit: int) -> list[LogEntry]:
        nonlocal calls
        calls += 1
        if calls == 3:
            await gate.wait()  # never set: the task is cancelled here
        return page_of(truth, start, limit, "inclusive")

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        return page_of(truth, start, limit, "inclusive")

    async def instant(d: float) -> None:
        await asyncio.sleep(0)

    cursor = LogCursor(0, limit=5)
    got: list[LogEntry] = []
    task = asyncio.create_task(LogTail(hanging_fetch, cursor, sleep=instant).run(got.extend))
    for _ in range(100):
        if calls >= 3:
            break
        await asyncio.sleep(0)
    assert calls == 3
    before = cursor.position
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cursor.position == before  # the cancelled page never touched the cursor
    second = LogTail(fetch, cursor, sleep=instant)
    rest: list[LogEntry] = []

    def collect(batch: list[LogEntry]) -> None:
        rest.extend(batch)
        if len(got) + len(rest) >= len(truth):
            second.stop()

    await asyncio.wait_for(second.run(collect), timeout=5)
    assert ids(got + rest) == list(range(40))


async def test_delay_holds_the_tail_behind_real_time() -> None:
    truth = [entry(t, t) for t in range(100, 200)]
    clock = [150]
    seen_at: list[tuple[int, list[int]]] = []
    tail: LogTail

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        return page_of([e for e in truth if e.time_ns <= clock[0]], start, limit, "inclusive")

    async def sleep(d: float) -> None:
        clock[0] += 25
        if clock[0] > 260:
            tail.stop()

    def on_batch(batch: list[LogEntry]) -> None:
        seen_at.append((clock[0], ids(batch)))

    tail = LogTail(fetch, LogCursor(100), sleep=sleep, delay_ns=20, now_ns=lambda: clock[0])
    await tail.run(on_batch)
    for now, batch in seen_at:
        assert max(batch) <= now - 20
    assert [i for _, b in seen_at for i in b] == list(range(100, 200))


async def test_poll_interval_callable_and_async_on_batch() -> None:
    truth = [entry(1, 1)]
    sleeps: list[float] = []
    got: list[int] = []
    interval = iter([0.5, 4.0, 9.0])
    tail: LogTail

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        return page_of(truth, start, limit, "exclusive")

    async def sleep(d: float) -> None:
        sleeps.append(d)
        truth.append(entry(1 + len(sleeps), 1 + len(sleeps)))
        if len(sleeps) == 3:
            tail.stop()

    async def on_batch(batch: list[LogEntry]) -> None:
        await asyncio.sleep(0)
        got.extend(ids(batch))

    tail = LogTail(fetch, LogCursor(1), sleep=sleep, poll_interval_s=lambda: next(interval))
    await tail.run(on_batch)
    assert sleeps == [0.5, 4.0, 9.0]
    assert got == [1, 2, 3]


async def test_stepping_is_reported_as_a_warning() -> None:
    truth = [entry(5, i) for i in range(12)] + [entry(6, 12)]
    states: list[TailState] = []
    got: list[LogEntry] = []

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        return page_of(truth, start, limit, "exclusive")

    tail = LogTail(fetch, LogCursor(5, limit=5, until_ns=6))
    await asyncio.wait_for(tail.run(got.extend, states.append), timeout=5)
    assert ids(got) == [0, 1, 2, 3, 4, 12]
    assert len(states) == 1 and states[0].ok and states[0].warning


async def _turns(n: int = 20) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


async def test_a_shorter_interval_wakes_the_poll_sleep() -> None:
    """60 s -> 2 s: the sleep re-reads the interval when woken, instead of sleeping the old one
    out (the clock is the test's: no real time passes)."""
    interval = [3600.0]
    clock = [0.0]
    fetches: list[int] = []
    wake = asyncio.Event()

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        fetches.append(start)
        return []

    tail = LogTail(fetch, LogCursor(1), poll_interval_s=lambda: interval[0], wake=wake,
                   monotonic=lambda: clock[0])
    task = asyncio.create_task(tail.run(lambda _b: None))
    await _turns()
    assert len(fetches) == 1
    interval[0], clock[0] = 7200.0, 10.0
    wake.set()  # slower: it keeps sleeping
    await _turns()
    assert len(fetches) == 1
    interval[0] = 2.0  # 10 s have passed since the sleep began: poll now
    wake.set()
    await asyncio.wait_for(_until(lambda: len(fetches) == 2), timeout=5)
    task.cancel()


async def test_retry_ends_a_back_off_at_once() -> None:
    retry = asyncio.Event()
    calls: list[int] = []

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        calls.append(start)
        if len(calls) == 1:
            raise ServerError("boom", endpoint="logs", status=503)
        return []

    tail = LogTail(fetch, LogCursor(1), backoff_base_s=3600.0, backoff_cap_s=3600.0, retry=retry,
                   poll_interval_s=3600.0, wake=asyncio.Event())
    task = asyncio.create_task(tail.run(lambda _b: None))
    await _turns()
    assert len(calls) == 1  # waiting out an hour's back-off
    retry.set()
    await asyncio.wait_for(_until(lambda: len(calls) == 2), timeout=5)
    assert calls[0] == calls[1]  # the same position again
    task.cancel()


async def _until(predicate) -> None:
    while not predicate():
        await asyncio.sleep(0)
