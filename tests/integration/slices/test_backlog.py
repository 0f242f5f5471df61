"""The dashboard's start-up backlog (`tail_loop`) read through concurrent slices: the
buffer holds every entry of the backlog once, in order, faults or not, and the tail goes on
from where the slices stopped."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from tests.conftest import DOMAIN, FIXED_NS
from tests.integration.cli_support import Admin, key_of_wire
from tests.integration.slices.test_slices_sim import key_of_entry
from tui.api.client import RetryPolicy, S4Client
from tui.core.buffer import LogBuffer
from tui.live.pollers import PollerHooks, tail_loop
from tui.live.state import DomainState
from tui.sim import DEMO_TOKEN, SimConfig, SimServer


def hooks_for(server: SimServer, concurrency: int) -> PollerHooks:
    return PollerHooks(
        clock_ns=server.sim.now_ns, poll_s=lambda _st: 0.05,
        chart_range=lambda: (3600, "hourly"), describe=str,
        toast_error=lambda _d, _e: None, toast=lambda _m: None,
        backlog_s=300.0, backoff_base_s=0.01, backoff_cap_s=0.05, concurrency=concurrency)


async def backlog(server: SimServer, concurrency: int) -> DomainState:
    st = DomainState(domain=DOMAIN, buffer=LogBuffer(100_000))
    async with S4Client(server.base_url, DEMO_TOKEN, retry=RetryPolicy(attempts=1)) as client:
        task = asyncio.ensure_future(tail_loop(st, client, hooks_for(server, concurrency)))
        now = server.sim.now_ns()
        try:
            for _ in range(600):
                if st.caught_up and st.covered_ns >= now:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)  # a few more polls of the tail: nothing doubled
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return st


@pytest.mark.parametrize("concurrency", [1, 4, 16])
def test_backlog_exactly_once_with_faults(concurrency: int) -> None:
    cfg = SimConfig(seed=8, rate=20.0, start_ns=FIXED_NS, frozen=True, domains=(DOMAIN,))
    with SimServer(cfg) as server:
        admin = Admin(server.base_url)
        admin.fault(path="logs", status=503, count=2)
        admin.fault(add=True, path="logs", reset=True, count=3)
        st = asyncio.run(backlog(server, concurrency))
        now = admin.now_ns()
        truth = admin.truth(st.tail_start_ns, now)
        assert len(truth) > 5000
        assert [key_of_entry(e) for e in st.buffer] == [key_of_wire(e) for e in truth]
        assert st.caught_up and st.covered_ns >= now
