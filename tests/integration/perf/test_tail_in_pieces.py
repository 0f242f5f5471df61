"""The dashboard's tail parses each page in pieces with turns of the event loop between
(tui/core/pieces.py): filter changes (what the class keys do) that land between two pieces
of a page lose nothing, double nothing and keep the order, in the buffer and in its view."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

from tests.conftest import DOMAIN, FIXED_NS
from tests.integration.cli_support import Admin, key_of_wire
from tests.integration.slices.test_backlog import hooks_for
from tests.integration.slices.test_slices_sim import key_of_entry
from tui.api.client import RawResponse, RetryPolicy, S4Client
from tui.core.buffer import LogBuffer
from tui.core.logfilter import LogFilter
from tui.core.models import LogEntry, StatusClass
from tui.live.pollers import tail_loop
from tui.live.state import DomainState
from tui.sim import DEMO_TOKEN, SimConfig, SimServer


class WatchedClient(S4Client):
    """The real client, noting in `events` each piece of a page as the tail takes it."""

    events: list[tuple[str, int]]

    def logs_reply_pieces(self, domain: str, raw: RawResponse,
                          size: int) -> Iterator[list[LogEntry]]:
        self.pages = getattr(self, "pages", 0) + 1
        page = self.pages
        for piece in super().logs_reply_pieces(domain, raw, size):
            self.events.append(("piece", page))
            yield piece


async def tail_with_filter_changes(server: SimServer, events: list[tuple[str, int]]
                                   ) -> DomainState:
    st = DomainState(domain=DOMAIN, buffer=LogBuffer(100_000))
    hooks = hooks_for(server, concurrency=1)  # every backlog page through the live tail
    hooks.piece_budget_s = 0.0  # a turn of the loop after every piece
    five = LogFilter().with_class_key(StatusClass.S5XX)

    async def keys() -> None:  # 5, 0, 5, 0 ... one press per turn of the loop
        while True:
            st.buffer.set_filter(five if st.buffer.filter != five else five.all_classes())
            events.append(("filter", 0))
            await asyncio.sleep(0)

    async with WatchedClient(server.base_url, DEMO_TOKEN, retry=RetryPolicy(attempts=1)) as c:
        c.events = events
        task = asyncio.ensure_future(tail_loop(st, c, hooks))
        presser = asyncio.ensure_future(keys())
        now = server.sim.now_ns()
        try:
            for _ in range(600):
                if st.caught_up and st.covered_ns >= now:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)  # a few more polls of the tail: nothing doubled
        finally:
            for t in (presser, task):
                t.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await t
    return st


def test_filter_changes_between_pieces_keep_every_entry_once_in_order() -> None:
    cfg = SimConfig(seed=4, rate=20.0, start_ns=FIXED_NS, frozen=True, domains=(DOMAIN,))
    with SimServer(cfg) as server:
        events: list[tuple[str, int]] = []
        st = asyncio.run(tail_with_filter_changes(server, events))
        truth = Admin(server.base_url).truth(st.tail_start_ns, server.sim.now_ns())
    assert len(truth) > 5000  # several full pages
    # the filter changed between two pieces of the same page, on every full page
    between = {events[i - 1][1] for i in range(1, len(events) - 1)
               if events[i][0] == "filter" and events[i - 1][0] == "piece"
               and events[i + 1] == events[i - 1]}
    assert len(between) >= len(truth) // 1000
    want = [key_of_wire(e) for e in truth]
    assert [key_of_entry(e) for e in st.buffer] == want
    # the view is the last filter over everything, in order
    shown = [key_of_entry(e) for e in st.buffer.matching()]
    if st.buffer.filter.classes:
        want = [k for k in want if 500 <= k[1] <= 599]
        assert want
    assert shown == want
