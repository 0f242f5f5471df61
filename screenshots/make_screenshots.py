"""Make the README's SVG screenshots from the built-in simulator (frozen clock, fixed seed).

    .venv/bin/python screenshots/make_screenshots.py [NAME ...]   (default: all of them)

Deterministic: the same code gives the same pictures. The clock is set three minutes after
the simulator's hourly 5xx burst, so the 5XX view has something to show.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED_NS = 1_795_171_380 * 1_000_000_000  # 2026-11-20 10:43:00 UTC
DOMAIN = "cdn.example.com"


async def shoot(name: str, keys: list[str], size: tuple[int, int] = (120, 40)) -> Path:
    from tui.app import S4TopApp
    from tui.config import load_settings
    from tui.context import build_context
    from tui.sim import DEMO_TOKEN, SimConfig, SimServer

    server = SimServer(SimConfig(seed=7, start_ns=FIXED_NS, frozen=True, domains=(DOMAIN,)))
    base = server.start()
    try:
        os.environ["BITIFUL_API_TOKEN"] = DEMO_TOKEN
        settings = load_settings(flags={"api_base": base, "domain": DOMAIN, "poll_interval": 0.5}, env={})
        app = S4TopApp(build_context(settings), clock_ns=server.sim.now_ns)
        async with app.run_test(size=size) as pilot:
            deadline = time.monotonic() + 20
            while not (app.state.caught_up and len(app.state.buffer) and app.state.series):
                if time.monotonic() > deadline:
                    raise SystemExit(f"{name}: the dashboard did not load")
                await pilot.pause(0.05)
            await pilot.pause(0.5)
            if name == "explain":  # w explains the alerting class: wait for the 5XX alert
                while not (app.state.alerts.get("5xx") and app.state.alerts["5xx"].active):
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{name}: the 5XX alert did not fire")
                    await pilot.pause(0.05)
                app.clear_notifications()
            for k in keys:
                await pilot.press(k)
            if name == "verdict":
                await _after_the_refresh(name, app, server, pilot, deadline + 40)
            await pilot.pause(0.5)
            out = HERE / f"{name}.svg"
            app.save_screenshot(filename=out.name, path=str(HERE))
            return out
    finally:
        server.stop()


async def _after_the_refresh(name, app, server, pilot, deadline: float) -> None:
    """The refresh was sent at the frozen clock: move the clock a minute on, let the log
    tail bring the requests since, and wait for the tracker's verdict in the status line."""
    await pilot.pause(0.5)
    for _ in range(12):
        server.sim.advance(5)
        await pilot.pause(0.3)
    tracker = app.purges.tracker
    while not any(tracker.counts(t).get("purged") for t in tracker.tracks):
        if time.monotonic() > deadline:
            raise SystemExit(f"{name}: no purged verdict")
        await pilot.pause(0.1)
    app.clear_notifications()


async def main(names: list[str]) -> None:
    shots = [
        ("dashboard", []),
        ("filter-5xx", ["5"]),
        ("detail", ["5", "enter"]),
        ("help", ["question_mark"]),
        ("refresh", ["5", "space", "k", "d", "r"]),
        ("dashboard-80x24", [], (80, 24)),
        ("explain", ["w"]),
        ("verdict", ["5", "space", "r", "ctrl+s", "y", "escape"]),
    ]
    for name, keys, *size in shots:
        if names and name not in names:
            continue
        path = await shoot(name, keys, *size)
        print(f"wrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    os.environ.setdefault("TZ", "UTC")
    time.tzset()
    with tempfile.TemporaryDirectory() as tmp:  # keep the user's theme and drafts out of it
        os.environ["XDG_DATA_HOME"] = tmp
        os.environ["XDG_CONFIG_HOME"] = tmp
        sys.path.insert(0, str(HERE.parent))
        asyncio.run(main(sys.argv[1:]))
