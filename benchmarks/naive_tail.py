"""The baseline of the bytes scenario: a naive live tail that writes every poll to Textual's
`Log` widget. `python -m benchmarks.naive_tail BASE_URL DOMAIN BACKLOG_S POLL_S`.

It pages the same API with the same client and cursor as s4top, formats each entry as one
plain (inert) line, and calls `Log.write_lines` once per poll that brought entries: the
straightforward way to build a tail, with no frame-rate cap and no view model.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from textual.app import App, ComposeResult
from textual.widgets import Log

from tui.api.client import RetryPolicy, S4Client
from tui.api.errors import ApiError
from tui.core.cursor import LogCursor
from tui.core.logfmt import format_line


class NaiveTail(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, base_url: str, domain: str, backlog_s: float, poll_s: float) -> None:
        super().__init__()
        self.base_url, self.domain = base_url, domain
        self.backlog_s, self.poll_s = backlog_s, poll_s

    def compose(self) -> ComposeResult:
        yield Log()

    def on_mount(self) -> None:
        self.run_worker(self.tail(), exclusive=True)

    async def tail(self) -> None:
        log = self.query_one(Log)
        token = os.environ.get("BITIFUL_API_TOKEN", "")
        cursor = LogCursor(time.time_ns() - int(self.backlog_s * 1e9))
        async with S4Client(self.base_url, token, retry=RetryPolicy(attempts=1)) as client:
            while True:
                try:
                    page = await client.logs_page(self.domain, cursor.request_start(), "ALL", 1000)
                except ApiError:
                    await asyncio.sleep(self.poll_s)
                    continue
                step = cursor.accept(page)
                if step.entries:
                    log.write_lines([format_line(e, True) for e in step.entries])
                if not step.more:
                    await asyncio.sleep(self.poll_s)


if __name__ == "__main__":
    base, domain, backlog, poll = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    NaiveTail(base, domain, backlog, poll).run()
