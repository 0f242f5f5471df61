"""The exporter's pollers: the dashboard's own loops (tui/live/pollers.py) with a sink that
only counts (tui/exporter/counting.py) and a client that counts the calls
(tui/exporter/observe.py). Counting starts at the start cursor: the tail begins now, with no
backlog, so the counters hold exactly the entries from `start` on."""

from __future__ import annotations

import asyncio
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from tui.api.client import S4Client
from tui.api.errors import ApiError
from tui.core.sanitize import inert
from tui.exporter.counting import LogCounts
from tui.exporter.observe import DomainBook, ObservedClient
from tui.live.pollers import PollerHooks, series_loop, tail_loop
from tui.live.state import DomainState

#: the series are asked for over the last 3 hours, hourly: the last complete bucket is in it
SERIES_SPAN_S = 3 * 3600


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` (1 <= K <= N) -> (K, N); ValueError with the reason."""
    k, sep, n = text.strip().partition("/")
    if not sep or not k.strip().isdigit() or not n.strip().isdigit():
        raise ValueError(f"expected K/N such as 1/3, got {inert(text, 40)!r}")
    kk, nn = int(k), int(n)
    if not 1 <= kk <= nn:
        raise ValueError(f"K must be between 1 and N, got {kk}/{nn}")
    return kk, nn


def in_shard(domain: str, k: int, n: int) -> bool:
    """The domains of shard K of N: CRC-32 of the name modulo N is K-1 (stable across
    processes and machines, unlike Python's hash)."""
    return zlib.crc32(domain.encode("utf-8")) % n == k - 1


@dataclass
class PollSettings:
    """The poll loops' timing (the exporter_* and backoff settings of tui/config.py)."""

    poll_s: float = 10.0
    series_interval_s: float = 300.0
    tail_delay_s: float = 0.0
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 30.0
    auth_backoff_s: float = 10.0


def _stderr(line: str) -> None:
    print(f"s4top exporter: {inert(line, 500)}", file=sys.stderr, flush=True)


class Exporter:
    """Every domain's counters and books, and the loops that feed them."""

    def __init__(self, domains: list[str], client: S4Client, timing: PollSettings, *,
                 describe: Callable[[ApiError], str] = str,
                 clock_ns: Callable[[], int] = time.time_ns,
                 log: Callable[[str], None] = _stderr) -> None:
        self.counts = {d: LogCounts() for d in domains}
        self.books = {d: DomainBook() for d in domains}
        self.states = [DomainState.counting(d, self.counts[d].add) for d in domains]
        self.client = ObservedClient(client, self.books, clock=lambda: clock_ns() / 1e9)
        self.clock_ns = clock_ns
        self.hooks = PollerHooks(
            clock_ns=clock_ns,
            poll_s=lambda _st: timing.poll_s,
            chart_range=lambda: (SERIES_SPAN_S, "hourly"),
            describe=describe,
            # the loops call these on a change of state only: one line per change
            toast_error=lambda domain, exc: log(f"{domain}: {describe(exc)}"),
            toast=log,
            backlog_s=0.0,  # no backlog: counting starts at the start cursor
            tail_delay_s=timing.tail_delay_s,
            backoff_base_s=timing.backoff_base_s,
            backoff_cap_s=timing.backoff_cap_s,
            auth_backoff_s=timing.auth_backoff_s,
            series_interval_s=timing.series_interval_s,
            first_poll_delay_s=self._phase,
        )
        # Domain i polls at i/N of the interval: the polls of N domains started together
        # stayed together, every 10 s a burst of ~3N log pages (and 4N series requests at
        # the start and every 5 min), read and parsed at once. A scrape that landed in it
        # took 2-3 times its time (the p95 of the scrape latency, benchmarks/exporter.py),
        # and the vendor saw N domains' requests in the same second (its 429s).
        n = len(domains)
        self._phases = {d: i * timing.poll_s / n for i, d in enumerate(domains)}

    def _phase(self, st: DomainState) -> float:
        return self._phases.get(st.domain, 0.0)

    async def run(self) -> None:
        """Poll until cancelled; a loop that dies of a bug ends the others and re-raises."""
        tasks = []
        for st in self.states:
            # the pollers take any client with the S4Client read calls
            client: S4Client = self.client  # type: ignore[assignment]
            tasks.append(asyncio.create_task(tail_loop(st, client, self.hooks)))
            tasks.append(asyncio.create_task(series_loop(st, client, self.hooks)))
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for t in done:
                t.result()
        finally:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
