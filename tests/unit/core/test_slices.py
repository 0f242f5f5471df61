"""SlicedRead: concurrent time slices deliver the same entries, in the same order, as one
sequential cursor; slice edges inside groups of equal timestamps; errors retried, never
skipped; a 429 holds the whole pool; memory bounded by the pool, not by the range."""

from __future__ import annotations

import asyncio
import math
import random
from bisect import bisect_left, bisect_right

import pytest

from tui.api.errors import AuthError, NetworkError, RateLimited, ServerError
from tui.core.cursor import LogCursor
from tui.core.models import LogEntry
from tui.core.slices import PoolPacer, SlicedRead


def entry(t: int, n: int) -> LogEntry:
    return LogEntry(time_ns=t, status=200, url=f"/e{n}", size=n)


def crowded_truth(rng: random.Random, n: int) -> list[LogEntry]:
    """Entries with many groups sharing one nanosecond (as the simulator makes them)."""
    times: list[int] = []
    t = 10_000
    while len(times) < n:
        t += rng.choice([1, 7, 50, 300, 5_000])
        times.extend([t] * rng.choice([1, 1, 1, 2, 3, 6]))
    return [entry(x, i) for i, x in enumerate(times[:n])]


class Server:
    """The logs endpoint over a fixed list: `start_time` inclusive or exclusive, with faults
    served to chosen requests; it counts what is in flight at once."""

    def __init__(self, entries: list[LogEntry], semantics: str = "inclusive") -> None:
        self.entries = entries
        self.times = [e.time_ns for e in entries]
        self.semantics = semantics
        self.faults: dict[int, Exception] = {}  # request number -> error raised
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.starts: list[int] = []

    async def fetch(self, start: int, limit: int) -> list[LogEntry]:
        self.calls += 1
        n = self.calls
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            if n in self.faults:
                raise self.faults[n]
            self.starts.append(start)
            find = bisect_left if self.semantics == "inclusive" else bisect_right
            i = find(self.times, start)
            return self.entries[i:i + limit]
        finally:
            self.in_flight -= 1


async def no_sleep(_s: float) -> None:
    await asyncio.sleep(0)


def sequential(entries: list[LogEntry], start: int, until: int, limit: int) -> list[LogEntry]:
    """What one cursor reads (the reference the slices must equal)."""
    server = Server(entries)
    cursor = LogCursor(start, limit=limit, until_ns=until)
    out: list[LogEntry] = []

    async def go() -> None:
        while True:
            step = cursor.accept(await server.fetch(cursor.request_start(), limit))
            out.extend(step.entries)
            if step.done or not step.more:
                return

    asyncio.run(go())
    return out


def read(server: Server, start: int, until: int, **kw: object) -> tuple[list[LogEntry], SlicedRead]:
    got: list[LogEntry] = []
    reader = SlicedRead(server.fetch, start, until, sleep=no_sleep, **kw)  # type: ignore[arg-type]
    asyncio.run(reader.run(got.extend))
    return got, reader


def edges_inside_groups(entries: list[LogEntry], rng: random.Random, n: int) -> list[int]:
    """Slice edges at the nanosecond of groups of equal timestamps (and next to them)."""
    counts: dict[int, int] = {}
    for e in entries:
        counts[e.time_ns] = counts.get(e.time_ns, 0) + 1
    crowded = [t for t, c in counts.items() if c > 1]
    picks = rng.sample(crowded, min(n, len(crowded)))
    return sorted({*picks, *(t + 1 for t in picks[: n // 3])})


@pytest.mark.parametrize("concurrency", [1, 4, 16])
@pytest.mark.parametrize("semantics", ["inclusive", "exclusive"])
@pytest.mark.parametrize("seed", range(6))
def test_edges_inside_equal_timestamps_exactly_once_in_order(
        concurrency: int, semantics: str, seed: int) -> None:
    rng = random.Random(seed)
    truth = crowded_truth(rng, 1500)
    limit = rng.choice([7, 20, 100])
    start, until = truth[3].time_ns, truth[-5].time_ns
    want = sequential(truth, start, until, limit)
    assert want == [e for e in truth if start <= e.time_ns <= until]
    edges = edges_inside_groups(truth, rng, 40)
    got, reader = read(Server(truth, semantics), start, until,
                       concurrency=concurrency, limit=limit, edges=edges)
    assert [e.size for e in got] == [e.size for e in want]
    assert reader.slices > 30


@pytest.mark.parametrize("concurrency", [1, 4, 16])
@pytest.mark.parametrize("seed", range(4))
def test_slices_cut_by_density_equal_sequential(concurrency: int, seed: int) -> None:
    rng = random.Random(100 + seed)
    truth = crowded_truth(rng, 3000)
    start, until = truth[0].time_ns - 5, truth[-1].time_ns + 5
    got, reader = read(Server(truth), start, until, concurrency=concurrency, limit=50,
                       min_slice_ns=1)
    assert [e.size for e in got] == [e.size for e in truth]
    assert reader.slices >= 5  # the range was cut, not read as one slice
    assert reader.delivered == len(truth)


def test_at_most_concurrency_requests_in_flight() -> None:
    truth = crowded_truth(random.Random(3), 4000)
    for concurrency in (1, 3, 8):
        server = Server(truth)
        got, _ = read(server, truth[0].time_ns, truth[-1].time_ns,
                      concurrency=concurrency, limit=25, min_slice_ns=1)
        assert len(got) == len(truth)
        assert server.max_in_flight == concurrency


def test_memory_bounded_by_the_pool_not_the_range() -> None:
    """A consumer that never catches up: what is buffered stays under 2 x concurrency
    slices of `buffered_pages` pages, whatever the range holds."""
    truth = crowded_truth(random.Random(4), 20_000)
    server = Server(truth)
    reader = SlicedRead(server.fetch, truth[0].time_ns, truth[-1].time_ns, concurrency=4,
                        limit=20, sleep=no_sleep, buffered_pages=2, min_slice_ns=1)
    most = [0]

    async def slow(batch: list[LogEntry]) -> None:
        for _ in range(5):
            await asyncio.sleep(0)
        buffered = sum(sl.queue.qsize() for sl in reader._active)
        most[0] = max(most[0], buffered)

    asyncio.run(reader.run(slow))
    assert reader.delivered == len(truth)
    assert 0 < most[0] <= 2 * 4 * (2 + 1)  # pages, and a warning or end mark per slice


def test_resume_skips_what_was_stored_at_the_start() -> None:
    truth = [entry(t, i) for i, t in enumerate([10, 20, 20, 20, 30, 40, 40, 50])]
    got, _ = read(Server(truth), 20, 50, concurrency=4, limit=4, skip_at_start=2,
                  edges=[30, 40])
    assert [e.size for e in got] == [3, 4, 5, 6, 7]


def test_position_is_the_high_water_mark() -> None:
    truth = [entry(t, i) for i, t in enumerate([10, 20, 20, 20, 30, 40, 40, 40])]
    got, reader = read(Server(truth), 10, 40, concurrency=2, limit=4, edges=[20, 40])
    assert len(got) == 8
    assert reader.position == (40, 3)


@pytest.mark.parametrize("concurrency", [1, 4, 16])
def test_failed_requests_are_retried_never_skipped(concurrency: int) -> None:
    rng = random.Random(9)
    truth = crowded_truth(rng, 2000)
    server = Server(truth)
    for n in rng.sample(range(1, 120), 30):
        server.faults[n] = rng.choice([
            ServerError("boom", endpoint="logs", status=502),
            NetworkError("reset", endpoint="logs", sent=True),
            RateLimited("slow down", endpoint="logs", retry_after=1),
        ])
    states = []
    clock = [0.0]

    async def sleep(s: float) -> None:
        clock[0] += s
        await asyncio.sleep(0)

    reader = SlicedRead(server.fetch, truth[0].time_ns, truth[-1].time_ns,
                        concurrency=concurrency, limit=30, sleep=sleep,
                        pacer=PoolPacer(sleep=sleep, monotonic=lambda: clock[0]),
                        edges=edges_inside_groups(truth, rng, 25))
    got: list[LogEntry] = []
    asyncio.run(reader.run(got.extend, states.append))
    assert [e.size for e in got] == [e.size for e in truth]
    assert reader.errors == 30
    assert sum(1 for s in states if not s.ok) == 30


def test_a_failure_past_max_failures_raises_after_everything_before_it() -> None:
    truth = [entry(t, i) for i, t in enumerate(range(100, 200))]
    server = Server(truth)

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        if start >= 149:
            raise ServerError("down", endpoint="logs", status=503)
        return await server.fetch(start, limit)

    got: list[LogEntry] = []
    reader = SlicedRead(fetch, 100, 199, concurrency=4, limit=10, sleep=no_sleep,
                        edges=[130, 150, 170], max_failures=3)
    with pytest.raises(ServerError):
        asyncio.run(reader.run(got.extend))
    assert [e.time_ns for e in got] == list(range(100, 150))


def test_rate_limit_holds_the_whole_pool() -> None:
    """After one slice hears a 429 with Retry-After 5, no slice asks for 5 seconds."""
    clock = [0.0]
    asked: list[float] = []

    async def sleep(s: float) -> None:
        clock[0] += s
        await asyncio.sleep(0)

    truth = [entry(t, i) for i, t in enumerate(range(1000, 1400))]
    server = Server(truth)
    server.faults[3] = RateLimited("slow down", endpoint="logs", retry_after=5)

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        asked.append(clock[0])
        return await server.fetch(start, limit)

    pacer = PoolPacer(sleep=sleep, monotonic=lambda: clock[0])
    reader = SlicedRead(fetch, 1000, 1399, concurrency=4, limit=10, sleep=sleep, pacer=pacer,
                        edges=range(1000, 1400, 50))
    got: list[LogEntry] = []
    asyncio.run(reader.run(got.extend))
    assert len(got) == 400
    assert pacer.holds == 1
    # the requests already on their way when the 429 came are the only ones before t=5
    assert sum(1 for t in asked if t < 5.0) <= 4
    assert max(asked) >= 5.0


def test_an_empty_range_and_a_range_of_one_instant() -> None:
    truth = [entry(50, i) for i in range(5)]
    got, _ = read(Server(truth), 60, 90, concurrency=4, limit=10)
    assert got == []
    got, _ = read(Server(truth), 50, 50, concurrency=4, limit=10)
    assert [e.size for e in got] == [0, 1, 2, 3, 4]


def test_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError):
        SlicedRead(Server([]).fetch, 0, 10, concurrency=0)


def test_errors_a_retry_will_not_fix_wait_longer_or_end_a_one_shot_read() -> None:
    truth = [entry(t, i) for i, t in enumerate(range(100, 130))]
    server = Server(truth)
    server.faults[1] = AuthError("bad token", endpoint="logs", status=401)
    waits: list[float] = []

    async def sleep(s: float) -> None:
        waits.append(s)
        await asyncio.sleep(0)

    reader = SlicedRead(server.fetch, 100, 129, limit=10, sleep=sleep, backoff_base_s=1.0,
                        slow_backoff_base_s=10.0)
    got: list[LogEntry] = []
    asyncio.run(reader.run(got.extend))
    assert len(got) == 30 and waits == [10.0]
    server = Server(truth)
    server.faults[1] = AuthError("bad token", endpoint="logs", status=401)
    one_shot = SlicedRead(server.fetch, 100, 129, limit=10, sleep=sleep, max_failures=4)
    with pytest.raises(AuthError):
        asyncio.run(one_shot.run(got.extend))
    assert server.calls == 1  # not retried


def test_an_unexpected_error_in_a_slice_reaches_the_reader() -> None:
    """Not a FetchError (a bug, an unmapped exception): raised in order, never a hang."""
    truth = [entry(t, i) for i, t in enumerate(range(100, 200))]
    server = Server(truth)

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        if start >= 159:
            raise KeyError("boom")
        return await server.fetch(start, limit)

    got: list[LogEntry] = []
    reader = SlicedRead(fetch, 100, 199, concurrency=4, limit=10, sleep=no_sleep,
                        edges=[130, 160, 180])
    with pytest.raises(KeyError):
        asyncio.run(asyncio.wait_for(reader.run(got.extend), 10))
    assert [e.time_ns for e in got] == list(range(100, 160))


class CountingServer(Server):
    """Also counts the entries it returned (what the client had to parse)."""

    def __init__(self, entries: list[LogEntry]) -> None:
        super().__init__(entries)
        self.returned = 0
        self.limits: list[int] = []

    async def fetch(self, start: int, limit: int) -> list[LogEntry]:
        page = await super().fetch(start, limit)
        self.returned += len(page)
        self.limits.append(limit)
        return page


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_slices_last_page_asks_about_what_is_left(concurrency: int) -> None:
    """A whole last page would mostly read entries of the next slice (parsed twice)."""
    rng, t, times = random.Random(5), 10_000, []
    while len(times) < 60_000:  # a rate that swings by +-50 %, as traffic does
        t += int(rng.expovariate((1.0 + 0.5 * math.sin(len(times) / 7000)) / 3000)) + 1
        times.append(t)
    truth = [entry(x, i) for i, x in enumerate(times)]
    server = CountingServer(truth)
    got, reader = read(server, truth[0].time_ns, truth[-1].time_ns,
                       concurrency=concurrency, limit=1000)
    assert [e.size for e in got] == [e.size for e in truth]
    assert reader.slices >= 10
    # whole last pages returned ~10-13 % more than was delivered (trimmed: 3-5 %)
    assert server.returned <= 1.07 * len(truth), server.returned / len(truth)
    assert min(server.limits) < 1000  # pages were trimmed


def test_a_trimmed_page_full_of_one_instant_is_asked_again_whole() -> None:
    """An instant of 400 entries just before a slice's end: a trimmed page holds only part of
    it; the cursor must not step past the instant as it does for a whole page of one."""
    uniform = [1_000 * i for i in range(1, 5_001)]
    group_t = 2_500_500
    times = sorted([*uniform, *([group_t] * 400)])
    truth = [entry(t, i) for i, t in enumerate(times)]
    warnings: list[str] = []
    server = CountingServer(truth)
    reader = SlicedRead(server.fetch, truth[0].time_ns, truth[-1].time_ns, sleep=no_sleep,
                        concurrency=2, limit=1000, edges=[group_t + 100])
    got: list[LogEntry] = []
    asyncio.run(reader.run(got.extend, lambda s: warnings.append(s.warning or "")))
    assert [e.size for e in got] == [e.size for e in truth]
    assert not any(w for w in warnings), warnings  # no "stepped past an instant" note
    assert any(lim < 1000 for lim in server.limits)
