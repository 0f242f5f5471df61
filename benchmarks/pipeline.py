"""Scenario 2, pipeline: parse -> normalise -> filter -> buffer, in entries/s, with the UI
running.

The pages are recorded first: the real `LogCursor` pages the simulator (in this process,
before timing) and each page is kept as the exact bytes the server sends. Then the headless
dashboard runs (its frame timer drawing, no pollers) while the real `LogTail` replays them:
`decode_json` + `parse_logs` (what the client does with a body), the cursor, and the domain
state's `ingest` (buffer with a status-class and a text filter set, live rates). Between pages
the tail yields to the UI as it does when catching up. The baseline is `json.loads` alone
over the same bytes.
"""

from __future__ import annotations

import asyncio
import json
import time

from tui.api.parse import parse_logs
from tui.api.wire import decode_json
from tui.core.cursor import LogCursor
from tui.core.logfilter import LogFilter
from tui.core.models import LogEntry, StatusClass
from tui.core.tail import LogTail
from tui.sim import SimConfig, Simulator

from .env import DOMAIN
from .harness import Figure, Options, figure
from .harness import failed as failed_figures

NAME = "pipeline"
NS = 1_000_000_000
ENDPOINT = f"GET /cdn/data/{DOMAIN}/logs"
FIGURE = "pipeline: parse -> normalise -> filter -> buffer, UI running"
TARGET = ">= 30,000 entries/s"


def record_pages(n: int, rate: float = 5000.0) -> tuple[int, int, list[tuple[int, bytes]]]:
    """(start_ns, now_ns, [(start_time asked, body bytes)]) for about n entries, as served."""
    now = time.time_ns() // 1_000_000 * 1_000_000
    sim = Simulator(SimConfig(rate=rate, incidents=False, frozen=True, start_ns=now, seed=3,
                              domains=(DOMAIN,), cache_entries=max(200_000, 2 * n)))
    rows = sim.truth(DOMAIN, now - int(n / (rate * 0.4) + 2) * NS, now)
    start = rows[-n]["access_time"]
    cursor = LogCursor(start, limit=1000, until_ns=now)
    pages: list[tuple[int, bytes]] = []
    while True:
        asked = cursor.request_start()
        body = json.dumps({"data": sim.logs(DOMAIN, asked, "ALL", 1000), "message": "ok"},
                          separators=(",", ":")).encode()
        pages.append((asked, body))
        step = cursor.accept(parse_logs(json.loads(body), ENDPOINT))
        if step.done or not step.more:
            return start, now, pages


def run(opts: Options) -> list[Figure]:
    n = int(opts.pick(100_000, 3_000))
    opts.log(f"pipeline: recording {n} entries of pages")
    start, now, pages = record_pages(n)
    entries = sum(len(json.loads(b)["data"]) for _, b in pages)
    loads_rate = _json_loads_rate(pages, entries)
    opts.log("pipeline: replaying through the dashboard")
    runs = [asyncio.run(_with_ui(start, now, pages)) for _ in range(int(opts.pick(3, 1)))]
    best = max(runs, key=lambda r: r[0])
    rate, delivered, frames = best
    return [figure(NAME, FIGURE, rate, "entries/s", loads_rate, "json.loads alone", TARGET,
                   lambda v, b: v >= 30_000,
                   note=f"best of {len(runs)}: {delivered} entries in {len(pages)} pages, "
                        f"{frames} frames drawn meanwhile; filter 5XX+4XX and text 'jpg'")]


def _json_loads_rate(pages: list[tuple[int, bytes]], entries: int) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _asked, body in pages:
            json.loads(body)
        best = min(best, time.perf_counter() - t0)
    return entries / best


async def _with_ui(start: int, now: int, pages: list[tuple[int, bytes]]) -> tuple[float, int, int]:
    from tui.app import S4TopApp
    from tui.config import load_settings
    from tui.context import build_context

    settings = load_settings(flags={"api_base": "http://127.0.0.1:9", "domain": DOMAIN})
    app = S4TopApp(build_context(settings), start_pollers=False, clock_ns=lambda: now)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        st = app.states[0]
        st.buffer.set_filter(
            LogFilter(frozenset({StatusClass.S5XX, StatusClass.S4XX})).with_text("jpg"))
        frames = _FrameCounter(app)
        it = iter(pages)

        async def fetch(start_ns: int, limit: int) -> list[LogEntry]:
            asked, body = next(it)
            assert asked == start_ns, "the replay must follow the recorded cursor"
            return parse_logs(decode_json(body, ENDPOINT, ()), ENDPOINT)

        tail = LogTail(fetch, LogCursor(start, limit=1000, until_ns=now), now_ns=lambda: now)
        t0 = time.perf_counter()
        await tail.run(st.ingest)
        dt = time.perf_counter() - t0
        await pilot.pause()
        return tail.delivered / dt, tail.delivered, frames.count


class _FrameCounter:
    """Counts repaints of the log pane while the replay runs (proof the UI kept drawing)."""

    def __init__(self, app: object) -> None:
        self.count = 0
        lv = app.screen.log_view  # type: ignore[attr-defined]
        original = lv.render_line

        def counted(y: int):  # noqa: ANN202 - a Strip
            if y == 0:
                self.count += 1
            return original(y)

        lv.render_line = counted


def failed(error: str) -> list[Figure]:
    return failed_figures(NAME, [(FIGURE, "entries/s", TARGET)], error)
