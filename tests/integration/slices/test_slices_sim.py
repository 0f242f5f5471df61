"""Concurrent slices over the real client and the simulator's HTTP layer: every entry of
the range exactly once, in order, against `/_sim/truth`, with slice edges inside groups of
equal timestamps and faults (429, 5xx, connection reset) hitting some slices."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import pytest

from tests.conftest import DOMAIN, FIXED_NS
from tests.integration.cli_support import Admin, key_of_wire
from tui.api.client import RetryPolicy, S4Client
from tui.core.models import LogEntry
from tui.core.slices import SlicedRead
from tui.sim import DEMO_TOKEN, SimConfig, SimServer

NS = 1_000_000_000


def key_of_entry(e: LogEntry) -> tuple[Any, ...]:
    return (e.time_ns, e.status, e.method, e.client_ip, e.size, e.url,
            e.extra.get("referer"), e.extra.get("ua"))


@pytest.fixture(scope="module")
def server():
    cfg = SimConfig(seed=5, rate=20.0, start_ns=FIXED_NS, frozen=True, domains=(DOMAIN,))
    with SimServer(cfg) as srv:
        yield srv


def crowded_edges(truth: list[dict[str, Any]], n: int, seed: int) -> list[int]:
    counts = Counter(e["access_time"] for e in truth)
    crowded = sorted(t for t, c in counts.items() if c > 1)
    assert len(crowded) >= n, "the simulator should make groups of equal timestamps"
    return random.Random(seed).sample(crowded, n)


async def read_all(base: str, start: int, until: int, concurrency: int,
                   edges: list[int] | None, apart: bool = False, max_failures: int | None = 20
                   ) -> tuple[list[LogEntry], SlicedRead]:
    async with S4Client(base, DEMO_TOKEN, retry=RetryPolicy(attempts=1)) as client:
        async def fetch(start_ns: int, limit: int) -> Any:
            if apart:  # the reply alone; parsed after its request slot is given back
                return await client.logs_reply(DOMAIN, start_ns, "ALL", limit)
            return await client.logs_page(DOMAIN, start_ns, "ALL", limit)

        reader = SlicedRead(fetch, start, until, concurrency=concurrency, limit=200,
                            edges=edges, backoff_base_s=0.01, backoff_cap_s=0.05,
                            max_failures=max_failures,
                            parse=(lambda raw: client.parse_logs_reply(DOMAIN, raw))
                            if apart else None)
        got: list[LogEntry] = []
        await reader.run(got.extend)
        return got, reader


@pytest.mark.parametrize("concurrency", [1, 4, 16])
def test_exactly_once_with_faults_in_some_slices(server: SimServer, concurrency: int) -> None:
    admin = Admin(server.base_url)
    now = admin.now_ns()
    start, until = now - 300 * NS, now - 1
    truth = admin.truth(start, until)
    assert len(truth) > 4000
    edges = crowded_edges(truth, 24, concurrency)
    # rules combine on one request (the first status wins): 429, then 503 twice, then resets
    admin.fault(path="logs", status=429, retry_after=1, count=1)
    admin.fault(add=True, path="logs", status=503, count=3)
    admin.fault(add=True, path="logs", reset=True, count=5)
    try:
        got, reader = asyncio.run(read_all(server.base_url, start, until, concurrency, edges))
    finally:
        admin.clear()
    assert [key_of_entry(e) for e in got] == [key_of_wire(e) for e in truth]
    assert reader.errors == 5  # every faulty answer was met and retried
    assert reader.pacer.holds >= 1  # the 429 held the pool


@pytest.mark.parametrize("concurrency", [1, 4, 16])
def test_pages_parsed_apart_exactly_once_with_faults(server: SimServer, concurrency: int
                                                     ) -> None:
    """The reply parsed outside its request slot (as `logs`, `record` and the dashboard's
    backlog read): a 429 with Retry-After, 503s, resets, and replies cut inside their JSON,
    which fail when parsed, after the slot went to another slice's request (retried, as the
    dashboard's backlog retries everything: a one-shot read gives up on them at once, as it
    did when the page was parsed inside the request)."""
    admin = Admin(server.base_url)
    now = admin.now_ns()
    start, until = now - 300 * NS, now - 1
    truth = admin.truth(start, until)
    edges = crowded_edges(truth, 24, 100 + concurrency)
    # rules combine on one request, a status first, then a reset: requests 1 (429) and 2
    # (503), 3-4 reset, 5-7 cut inside the JSON
    admin.fault(path="logs", status=429, retry_after=1, count=1)
    admin.fault(add=True, path="logs", status=503, count=2)
    admin.fault(add=True, path="logs", reset=True, count=4)
    admin.fault(add=True, path="logs", truncate="json", count=7)
    try:
        got, reader = asyncio.run(read_all(server.base_url, start, until, concurrency, edges,
                                           apart=True, max_failures=None))
    finally:
        admin.clear()
    assert [key_of_entry(e) for e in got] == [key_of_wire(e) for e in truth]
    assert reader.errors == 7  # every faulty answer was met and retried
    assert reader.pacer.holds >= 1


def test_cut_by_density_without_edges(server: SimServer) -> None:
    admin = Admin(server.base_url)
    now = admin.now_ns()
    start, until = now - 600 * NS, now
    truth = admin.truth(start, until)
    got, reader = asyncio.run(read_all(server.base_url, start, until, 4, None))
    assert [key_of_entry(e) for e in got] == [key_of_wire(e) for e in truth]
    assert reader.slices > 4
