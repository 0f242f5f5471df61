"""SlicedRead's pool (tui/core/slicepool.py): a page parsed outside its request slot, a pool
that grows on a slow link, and the user's "retry now" ending every back-off of the slices
(the rate limit's hold included). The same exactly-once proof as tests/unit/core/test_slices.py:
the slices deliver what one sequential cursor reads."""

from __future__ import annotations

import asyncio
import random

import pytest

from tests.unit.core.test_slices import Server, crowded_truth, edges_inside_groups, no_sleep
from tui.api.errors import NetworkError, RateLimited, ServerError, UnexpectedResponse
from tui.core.models import LogEntry
from tui.core.slicepool import RequestSlots
from tui.core.slices import SlicedRead


class Reply:
    """A raw reply, read by `parse` after the slot is given back."""

    def __init__(self, page: list[LogEntry], broken: bool = False) -> None:
        self.page = page
        self.broken = broken


class RawServer(Server):
    """`fetch` answers a `Reply`; chosen replies do not parse; it counts the requests out and
    the parses done while every slot is taken by another request."""

    def __init__(self, entries: list[LogEntry]) -> None:
        super().__init__(entries)
        self.broken: set[int] = set()  # reply number -> does not parse
        self.parsed_beside_full = 0
        self.slots = 0

    async def fetch_raw(self, start: int, limit: int) -> Reply:
        n = self.calls + 1  # the number `fetch` gives this request
        page = await self.fetch(start, limit)
        return Reply(page, n in self.broken)

    def parse(self, reply: Reply) -> list[LogEntry]:
        if self.in_flight == self.slots:
            self.parsed_beside_full += 1
        if reply.broken:
            raise UnexpectedResponse("truncated JSON", endpoint="logs")
        return reply.page


@pytest.mark.parametrize("concurrency", [1, 4, 16])
def test_a_page_parsed_outside_its_slot_exactly_once_with_faults(concurrency: int) -> None:
    """429 with Retry-After, 503, a reset, and replies that fail to parse after their slot
    went to another slice's request: every entry once, in order, nothing skipped."""
    rng = random.Random(40 + concurrency)
    truth = crowded_truth(rng, 3000)
    server = RawServer(truth)
    server.slots = concurrency
    for n in rng.sample(range(2, 60), 16):
        server.faults[n] = rng.choice([
            ServerError("unavailable", endpoint="logs", status=503),
            NetworkError("reset", endpoint="logs", sent=True),
            RateLimited("slow down", endpoint="logs", retry_after=1),
        ])
    server.broken = set(rng.sample(sorted(set(range(2, 60)) - set(server.faults)), 8))
    clock = [0.0]

    async def sleep(s: float) -> None:
        clock[0] += s
        await asyncio.sleep(0)

    from tui.core.slicepool import PoolPacer

    reader = SlicedRead(server.fetch_raw, truth[0].time_ns, truth[-1].time_ns,
                        concurrency=concurrency, limit=40, sleep=sleep, parse=server.parse,
                        pacer=PoolPacer(sleep=sleep, monotonic=lambda: clock[0]),
                        edges=edges_inside_groups(truth, rng, 30))
    got: list[LogEntry] = []
    asyncio.run(reader.run(got.extend))
    assert [e.size for e in got] == [e.size for e in truth]
    assert server.calls > 60  # every fault and every broken reply was met
    assert reader.errors == 16 + 8
    assert server.max_in_flight == concurrency
    if concurrency == 4:  # a slot went to another request while a page was parsed (with
        # 16 slots for ~31 slices no slice need wait for one)
        assert server.parsed_beside_full > 0


def test_without_parse_apart_no_page_is_parsed_beside_a_full_pool() -> None:
    """The contrast of the test above: parsing inside `fetch` holds the slot."""
    truth = crowded_truth(random.Random(2), 2000)
    server = RawServer(truth)
    server.slots = 4

    async def fetch(start: int, limit: int) -> list[LogEntry]:
        return server.parse(await server.fetch_raw(start, limit))

    reader = SlicedRead(fetch, truth[0].time_ns, truth[-1].time_ns, concurrency=4, limit=40,
                        sleep=no_sleep, min_slice_ns=1)
    got: list[LogEntry] = []
    asyncio.run(reader.run(got.extend))
    assert len(got) == len(truth) and server.parsed_beside_full == 0


@pytest.mark.parametrize(("slow_s", "slots"), [(0.0, 12), (3600.0, 3)])
def test_the_pool_grows_only_on_a_slow_link(slow_s: float, slots: int) -> None:
    """Every request as slow as `slow_request_s` (0: any): up to `max_concurrency` go out;
    none that slow (an hour): the pool stays at `concurrency`. Same entries either way."""
    truth = crowded_truth(random.Random(8), 6000)
    server = Server(truth)
    reader = SlicedRead(server.fetch, truth[0].time_ns, truth[-1].time_ns, concurrency=3,
                        limit=25, sleep=no_sleep, min_slice_ns=1, max_concurrency=12,
                        slow_request_s=slow_s)
    got: list[LogEntry] = []
    asyncio.run(reader.run(got.extend))
    assert [e.size for e in got] == [e.size for e in truth]
    assert reader.slots == slots
    if slots == 3:
        assert server.max_in_flight == 3
    else:
        assert 3 < server.max_in_flight <= 12


def test_request_slots_decide_on_the_quickest_of_the_first_requests() -> None:
    clock = [0.0]
    times = iter([0.5, 0.01, 0.5, 0.5, 0.5])

    async def call() -> None:
        clock[0] += next(times)

    slots = RequestSlots(2, 8, slow_request_s=0.1, monotonic=lambda: clock[0])

    async def go() -> None:
        await slots.run(call)
        await slots.run(call)  # one quick request: the link is not slow
        await slots.run(call)

    asyncio.run(go())
    assert slots.slots == 2


async def _read_with_retry(fault: Exception, backoff_s: float) -> tuple[SlicedRead, int]:
    truth = [LogEntry(time_ns=t, status=200, url=f"/e{t}", size=t) for t in range(100, 500)]
    server = Server(truth)
    for n in (3, 4, 5):
        server.faults[n] = fault
    retry = asyncio.Event()
    reader = SlicedRead(server.fetch, 100, 499, concurrency=4, limit=20,
                        edges=range(100, 500, 50), backoff_base_s=backoff_s,
                        backoff_cap_s=backoff_s, retry=retry)
    got: list[LogEntry] = []
    task = asyncio.ensure_future(reader.run(got.extend))
    while reader.errors < 3:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert not task.done()  # every failed slice waits out its back-off (an hour)
    retry.set()
    await asyncio.wait_for(task, timeout=30)  # a guard against a hang, not a measurement
    return reader, len(got)


def test_retry_now_ends_the_slices_back_off() -> None:
    reader, n = asyncio.run(_read_with_retry(ServerError("down", endpoint="logs", status=503),
                                             3600.0))
    assert n == 400 and reader.errors == 3


def test_retry_now_ends_the_pools_rate_limit_hold() -> None:
    reader, n = asyncio.run(_read_with_retry(
        RateLimited("slow down", endpoint="logs", retry_after=3600), 0.01))
    assert n == 400 and reader.pacer.holds >= 1
