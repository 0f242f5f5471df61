"""One RSS measurement in a fresh process: `python -m benchmarks.memchild KIND ARGS_JSON`.

KIND "dashboard": the headless dashboard with its real pollers against the simulator until the
buffer is full and the backlog is in; "bare": a bare Textual app (header, text, footer),
headless the same way. Prints {"rss_kb": ..., ...} as one JSON line.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time

from .ptyrun import rss_kb


async def _dashboard(args: dict) -> dict:
    from tui.app import S4TopApp
    from tui.config import load_settings
    from tui.context import build_context

    settings = load_settings(flags={"api_base": args["base_url"], "domain": args["domain"],
                                    "backlog": args["backlog_s"]})
    now = args["now_ns"]
    app = S4TopApp(build_context(settings), clock_ns=lambda: now)
    async with app.run_test(size=(120, 40)) as pilot:
        st = app.states[0]
        deadline = time.monotonic() + 120
        while not (st.caught_up and len(st.buffer) >= args["want"]):
            if time.monotonic() > deadline:
                raise RuntimeError(f"buffer never filled ({len(st.buffer)})")
            await asyncio.sleep(0.01)
        await pilot.press("5")  # a filter in use, as during an incident
        await pilot.press("0")
        await pilot.pause(args.get("settle", 1.0))
        gc.collect()
        return {"rss_kb": rss_kb(), "buffered": len(st.buffer), "evicted": st.buffer.evicted}


async def _bare(args: dict) -> dict:
    from .minimal_app import MinimalApp

    app = MinimalApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(args.get("settle", 1.0))
        gc.collect()
        return {"rss_kb": rss_kb()}


def main() -> int:
    kind, args = sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    result = asyncio.run(_dashboard(args) if kind == "dashboard" else _bare(args))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
