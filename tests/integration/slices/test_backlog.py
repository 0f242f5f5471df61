"""The dashboard's start-up backlog (`tail_loop`) read through concurrent slices: the
buffer holds every entry of the backlog once, in order, faults or not, and the tail goes on
from where the slices stopped."""

from __future__ import annotations

import asyncio
import contextlib
import time

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


class TimedClient(S4Client):
    """The real client, noting how many log requests are out when each is sent and when the
    first reply came (what the pool did, not how long it took)."""

    def __init__(self, *args: object, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.out = 0
        self.out_at_send: list[int] = []
        self.sent_before_first_reply: int | None = None

    async def logs_reply(self, *args: object, **kw: object) -> object:  # type: ignore[override]
        self.out += 1
        self.out_at_send.append(self.out)
        try:
            return await super().logs_reply(*args, **kw)  # type: ignore[arg-type]
        finally:
            self.out -= 1
            if self.sent_before_first_reply is None:
                self.sent_before_first_reply = len(self.out_at_send)


def test_backlog_over_a_slow_link_asks_several_slices_at_once_then_grows_the_pool() -> None:
    """Every request 50 ms (a slow link): the first round asks `concurrency` slices at once
    (not one slice's first page alone), and the pool grows past twice the concurrency; the
    buffer still holds the backlog once, in order."""
    cfg = SimConfig(seed=9, rate=160.0, start_ns=FIXED_NS, frozen=True, domains=(DOMAIN,))
    with SimServer(cfg) as server:
        admin = Admin(server.base_url)
        admin.fault(path="logs", latency_s=0.05)
        st = DomainState(domain=DOMAIN, buffer=LogBuffer(100_000))

        async def go() -> TimedClient:
            async with TimedClient(server.base_url, DEMO_TOKEN,
                                   retry=RetryPolicy(attempts=1)) as client:
                task = asyncio.ensure_future(tail_loop(st, client, hooks_for(server, 4)))
                try:
                    for _ in range(1200):
                        if st.caught_up:
                            break
                        await asyncio.sleep(0.05)
                finally:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            return client

        client = asyncio.run(go())
        truth = admin.truth(st.tail_start_ns, st.covered_ns)
        assert len(truth) > 36_000  # enough pages for more than 8 slices at once
        assert [key_of_entry(e) for e in st.buffer][:len(truth)] == [
            key_of_wire(e) for e in truth]
        assert client.sent_before_first_reply == 4 and client.out_at_send[:4] == [1, 2, 3, 4]
        assert max(client.out_at_send) > 8


def test_a_rate_limit_in_the_first_round_is_not_ended_by_replies_sent_before_it() -> None:
    """Two of the first round's four requests refused (429, Retry-After 1): the others'
    replies, sent before the refusal came, do not end the rate-limited state; it ends with
    the first reply after the pool's hold (one second at least: load only lengthens it)."""
    cfg = SimConfig(seed=8, rate=60.0, start_ns=FIXED_NS, frozen=True, domains=(DOMAIN,))
    with SimServer(cfg) as server:
        Admin(server.base_url).fault(path="logs", status=429, retry_after=1, count=2)
        events: list[tuple[float, str]] = []
        hooks = hooks_for(server, 4)
        hooks.toast = lambda m: events.append((time.monotonic(), m))
        hooks.toast_error = lambda _d, _e: events.append((time.monotonic(), "error"))
        st = DomainState(domain=DOMAIN, buffer=LogBuffer(100_000))

        async def go() -> None:
            async with S4Client(server.base_url, DEMO_TOKEN,
                                retry=RetryPolicy(attempts=1)) as client:
                task = asyncio.ensure_future(tail_loop(st, client, hooks))
                try:
                    for _ in range(600):
                        if st.caught_up:
                            break
                        await asyncio.sleep(0.05)
                finally:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

        asyncio.run(go())
        errors = [t for t, m in events if m == "error"]
        recovered = [t for t, m in events if "recovered" in m]
        assert errors and recovered, events
        assert recovered[0] - errors[0] >= 0.9, events
        assert st.log_health.state == "ok"
