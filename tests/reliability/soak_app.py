"""The real dashboard, headless, in its own process, for the soak (`python -m
tests.reliability.soak_app CONFIG_JSON`).

It runs S4TopApp (real client, real pollers, real screen at 120x40, the Textual headless
driver) against the given API base and reports once a second, as one JSON line on stdout:
how many entries the log tail delivered, a running digest of their identities in delivery
order (so exactly-once can be checked against the simulator without keeping 600k entries),
its own RSS, and the health shown. Only the delivery is observed: `DomainState.ingest` is
wrapped and still does all its work.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from typing import Any


def entry_key(time_ns: int, status: int, method: str, ip: str, size: int, url: str, referer: Any, ua: Any) -> bytes:
    """The identity both sides hash: the parsed entry here, the wire truth in the test."""
    return f"{time_ns}\x1f{status}\x1f{method}\x1f{ip}\x1f{size}\x1f{url}\x1f{referer}\x1f{ua}\x1e".encode(
        "utf-8", "surrogatepass")


def rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def main(cfg: dict[str, Any]) -> int:
    from tui.app import S4TopApp
    from tui.config import load_settings
    from tui.context import build_context

    settings = load_settings(flags={"api_base": cfg["api_base"], "domain": cfg["domain"], **cfg["settings"]})
    app = S4TopApp(build_context(settings))
    st = app.states[0]
    digest = hashlib.blake2b(digest_size=16)
    seen = {"count": 0, "first": None, "last": None}
    ingest = st.ingest

    def observed(entries: list) -> None:
        update = digest.update
        for e in entries:
            x = e.extra
            update(entry_key(e.time_ns, e.status, e.method, e.client_ip, e.size, e.url, x.get("referer"), x.get("ua")))
        if entries:
            seen["count"] += len(entries)
            seen["first"] = seen["first"] or entries[0].time_ns
            seen["last"] = entries[-1].time_ns
        ingest(entries)

    st.ingest = observed  # type: ignore[method-assign]
    out = sys.stdout
    started = time.monotonic()
    async with app.run_test(headless=True, size=(120, 40)) as pilot:
        while time.monotonic() - started < cfg["seconds"]:
            await pilot.pause(1.0)
            h = st.log_health
            out.write(json.dumps({
                "t": round(time.monotonic() - started, 2), "count": seen["count"], "digest": digest.hexdigest(),
                "first": seen["first"], "last": seen["last"], "start": st.tail_start_ns, "rss_kb": rss_kb(),
                "health": h.state, "series": st.series_health.state, "buffered": len(st.buffer),
                "evicted": st.buffer.evicted, "running": app.is_running,
            }) + "\n")
            out.flush()
            if not app.is_running:
                return 1
        await pilot.press("q")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(json.loads(sys.argv[1]))))
