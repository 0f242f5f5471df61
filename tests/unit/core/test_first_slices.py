"""SlicedRead's first slices (tui/core/slices.py `first_slices`): before any page told the
density the range is cut into slices of equal time, asked at once; once a page tells it, each
is shortened and the rest cut into slices of that density. Equal time is an estimate of the
density that can be badly wrong (everything in one of them, nothing in the others): every
entry still comes once, in order, as one sequential cursor reads them."""

from __future__ import annotations

import asyncio
import random

import pytest

from tests.unit.core.test_slices import Server, crowded_truth, entry, no_sleep, sequential
from tui.api.errors import NetworkError, RateLimited, ServerError
from tui.core.cursor import LogCursor
from tui.core.models import LogEntry
from tui.core.slicepool import PoolPacer
from tui.core.slices import SlicedRead

SPAN = 4_000_000  # the range read: [START, START + SPAN]
START = 1_000_000


class TracingServer(Server):
    """A `Server` that notes how many requests were out when each one was sent."""

    def __init__(self, entries: list[LogEntry], semantics: str = "inclusive") -> None:
        super().__init__(entries, semantics)
        self.out_at_send: list[int] = []

    async def fetch(self, start: int, limit: int) -> list[LogEntry]:
        self.out_at_send.append(self.in_flight + 1)
        return await super().fetch(start, limit)


def shaped(rng: random.Random, shape: str, n: int) -> list[LogEntry]:
    """`n` entries (many sharing a nanosecond) placed in the range by `shape`: where equal
    time is right (even) and where it is badly wrong."""
    quarter = SPAN // 4
    lo, hi = {
        "even": (0, SPAN),
        "first quarter": (0, quarter // 3),  # equal time too sparse: one slice holds all
        "last quarter": (3 * quarter, SPAN),
        "burst": (2 * quarter + 10, 2 * quarter + 5_000),  # one narrow burst, third slice
        "at the edges": (quarter - 1500, quarter + 1500),  # crowded on an edge of equal time
    }[shape]
    times = sorted(START + lo + (rng.randrange(hi - lo) if rng.random() < 0.7 else
                                 rng.randrange(max(1, (hi - lo) // 20)))
                   for _ in range(n))
    return [entry(t, i) for i, t in enumerate(times)]


def run(server: Server, **kw: object) -> tuple[list[LogEntry], SlicedRead]:
    got: list[LogEntry] = []
    reader = SlicedRead(server.fetch, START, START + SPAN, sleep=no_sleep, **kw)  # type: ignore[arg-type]
    asyncio.run(reader.run(got.extend))
    return got, reader


def test_the_first_slices_are_asked_at_once_at_equal_times() -> None:
    truth = shaped(random.Random(1), "even", 4000)
    server = TracingServer(truth)
    got, reader = run(server, concurrency=4, limit=100, first_slices=4, min_slice_ns=1)
    assert [e.size for e in got] == [e.size for e in truth]
    edges = [START + (SPAN + 1) * j // 4 for j in range(4)]  # the range is inclusive
    assert server.starts[:4] == [LogCursor(t).request_start() for t in edges]
    assert server.out_at_send[:4] == [1, 2, 3, 4]  # none waited for another's page
    assert reader.slices > 4  # the first ones were shortened and the rest cut by density


@pytest.mark.parametrize("shape", ["even", "first quarter", "last quarter", "burst",
                                   "at the edges"])
@pytest.mark.parametrize("concurrency", [1, 4, 16])
@pytest.mark.parametrize("semantics", ["inclusive", "exclusive"])
def test_every_entry_once_in_order_however_wrong_equal_time_was(
        shape: str, concurrency: int, semantics: str) -> None:
    rng = random.Random(hash((shape, concurrency, semantics)) & 0xFFFF)
    truth = shaped(rng, shape, 3000)
    limit = rng.choice([20, 50])
    want = sequential(truth, START, START + SPAN, limit)
    assert len(want) == len(truth)
    got, reader = run(Server(truth, semantics), concurrency=concurrency, limit=limit,
                      first_slices=concurrency, min_slice_ns=1)
    assert [e.size for e in got] == [e.size for e in want]
    assert reader.delivered == len(truth)


@pytest.mark.parametrize("shape", ["first quarter", "last quarter", "burst"])
def test_a_crowded_first_slice_is_cut_further_not_read_by_one_cursor(shape: str) -> None:
    """All the entries in one of the equal-time slices: once its page told the density the
    rest of it is cut into slices read at once (more than one request out after the first
    round), not paged by that one slice alone."""
    truth = shaped(random.Random(3), shape, 4000)
    server = TracingServer(truth)
    got, reader = run(server, concurrency=4, limit=50, first_slices=4, min_slice_ns=1)
    assert [e.size for e in got] == [e.size for e in truth]
    assert max(server.out_at_send[4:]) == 4
    assert reader.slices > 10


def test_faults_in_the_first_round_are_retried_never_skipped() -> None:
    rng = random.Random(7)
    truth = shaped(rng, "burst", 2500)
    server = Server(truth)
    for n in [1, 2, 3, 4, *rng.sample(range(5, 80), 12)]:
        server.faults[n] = rng.choice([
            ServerError("boom", endpoint="logs", status=502),
            NetworkError("reset", endpoint="logs", sent=True),
            RateLimited("slow down", endpoint="logs", retry_after=1),
        ])
    clock = [0.0]

    async def sleep(s: float) -> None:
        clock[0] += s
        await asyncio.sleep(0)

    got: list[LogEntry] = []
    reader = SlicedRead(server.fetch, START, START + SPAN, concurrency=4, limit=30,
                        sleep=sleep, pacer=PoolPacer(sleep=sleep, monotonic=lambda: clock[0]),
                        first_slices=4, min_slice_ns=1)
    asyncio.run(reader.run(got.extend))
    assert [e.size for e in got] == [e.size for e in truth]
    assert reader.errors == 16


def test_resume_crowded_first_instant_and_tiny_ranges() -> None:
    """A stored high-water mark at the start (`skip_at_start`), a range narrower than the
    first slices would be, an empty range: the same as one cursor."""
    truth = crowded_truth(random.Random(11), 800)
    t0 = truth[0].time_ns
    k = sum(1 for e in truth if e.time_ns == t0)
    got: list[LogEntry] = []
    reader = SlicedRead(Server(truth).fetch, t0, truth[-1].time_ns, concurrency=4, limit=25,
                        sleep=no_sleep, first_slices=4, min_slice_ns=1, skip_at_start=k - 1)
    asyncio.run(reader.run(got.extend))
    assert [e.size for e in got] == [e.size for e in truth[k - 1:]]
    for until in (t0, t0 + 2):  # one instant; narrower than four slices of min_slice_ns
        got = []
        reader = SlicedRead(Server(truth).fetch, t0, until, concurrency=4, limit=25,
                            sleep=no_sleep, first_slices=4, min_slice_ns=1)
        asyncio.run(reader.run(got.extend))
        assert [e.size for e in got] == [e.size for e in truth if e.time_ns <= until]
    got = []
    reader = SlicedRead(Server([]).fetch, START, START + SPAN, concurrency=4, limit=25,
                        sleep=no_sleep, first_slices=4)
    asyncio.run(reader.run(got.extend))
    assert got == [] and reader.slices == 4
