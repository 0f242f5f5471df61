"""The exporter's domains poll spread over the interval, not all at once: domain i's first
log and series requests come i/N of an interval after the start, while counting starts for
every domain at the exporter's start (the real client over loopback against the simulator).
And a log page of no known shape is counted as `unexpected_shape`, the request once."""

from __future__ import annotations

import asyncio
import time

from tui.api.client import RetryPolicy, S4Client
from tui.exporter.runner import Exporter, PollSettings
from tui.sim import DEMO_TOKEN, SimConfig, SimServer

DOMAINS = ("cdn.example.com", "img.example.com", "static.example.net", "assets.example.org")
POLL_S = 1.2


async def _first_requests(base_url: str) -> tuple[dict[str, float], dict[str, float],
                                                  dict[str, int], float]:
    """When each domain's first logs and traffic request ended (seconds after the start),
    and where each tail's counting began."""
    client = S4Client(base_url, DEMO_TOKEN, retry=RetryPolicy(attempts=1))
    ex = Exporter(list(DOMAINS), client, PollSettings(poll_s=POLL_S, series_interval_s=60.0),
                  log=lambda _line: None)
    t0 = time.monotonic()
    t0_ns = time.time_ns()
    task = asyncio.create_task(ex.run())
    logs: dict[str, float] = {}
    series: dict[str, float] = {}
    try:
        while (len(logs) < len(DOMAINS) or len(series) < len(DOMAINS)) and (
                time.monotonic() - t0 < 3 * POLL_S):
            for d in DOMAINS:
                eps = ex.books[d].endpoints
                if d not in logs and eps["logs"].requests:
                    logs[d] = time.monotonic() - t0
                if d not in series and eps["traffic"].requests:
                    series[d] = time.monotonic() - t0
            await asyncio.sleep(0.01)
        starts = {st.domain: st.tail_start_ns for st in ex.states}
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.aclose()
    return logs, series, starts, t0_ns


def test_domains_poll_spread_over_the_interval_counting_from_the_start() -> None:
    sim = SimServer(SimConfig(seed=2, rate=20.0, domains=DOMAINS, exact_series_s=10))
    sim.start()
    try:
        logs, series, starts, t0_ns = asyncio.run(_first_requests(sim.base_url))
    finally:
        sim.stop()
    assert set(logs) == set(DOMAINS) and set(series) == set(DOMAINS), (logs, series)
    step = POLL_S / len(DOMAINS)
    for i, d in enumerate(DOMAINS):
        # each first request ends a little after its phase (a loopback round trip), never
        # before it, and well before the next domain's
        assert i * step <= logs[d] < i * step + 0.6 * step, (d, logs)
        assert i * step <= series[d] < i * step + 0.6 * step, (d, series)
        # the start cursor is set before the wait: every domain counts from the start
        assert starts[d] is not None and abs(starts[d] - t0_ns) < 0.1e9, (d, starts[d] - t0_ns)


async def _count_a_bad_page(base_url: str) -> list[tuple[int, dict[str, int], bool | None]]:
    """The logs book when the first error is counted, and when a page is read after it."""
    client = S4Client(base_url, DEMO_TOKEN, retry=RetryPolicy(attempts=1))
    ex = Exporter([DOMAINS[0]], client, PollSettings(poll_s=0.3, backoff_base_s=0.15,
                                                 auth_backoff_s=0.15),
                  log=lambda _line: None)
    task = asyncio.create_task(ex.run())
    book = ex.books[DOMAINS[0]].endpoints["logs"]
    seen: list[tuple[int, dict[str, int], bool | None]] = []
    try:
        deadline = time.monotonic() + 10
        # the loop is the exporter's: looked at on every turn of it, so no request ends
        # unseen (on loopback the tail's next one can follow the recovered one within 1 ms)
        while time.monotonic() < deadline and len(seen) < 2:
            if (not seen and book.errors) or (seen and book.up):
                seen.append((book.requests, dict(book.errors), book.up))
            await asyncio.sleep(0)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await client.aclose()
    return seen


def test_a_page_of_no_known_shape_counts_once_as_unexpected_shape() -> None:
    sim = SimServer(SimConfig(seed=2, rate=20.0, domains=DOMAINS[:1], exact_series_s=10))
    sim.start()
    try:
        sim.sim.faults.set({"path": "logs", "truncate": "json", "count": 1})
        seen = asyncio.run(_count_a_bad_page(sim.base_url))
    finally:
        sim.stop()
    # the first page did not parse: one request, counted once, as unexpected_shape, down
    assert seen[0] == (1, {"unexpected_shape": 1}, False), seen
    # the next one was read: two requests in all, the error count unchanged, up again
    assert seen[1] == (2, {"unexpected_shape": 1}, True), seen
