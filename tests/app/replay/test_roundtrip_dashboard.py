"""Record -> replay, round trip in the dashboard: `s4top record` writes a file from a frozen
simulator; the dashboard replaying it, paused at the simulator's moment, holds and shows what
the live dashboard on that simulator held and showed (the buffer, the counters, the status
line's counts, the visible rows, a class filter). Real app, real client, real command."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.app.conftest import wait_until
from tests.conftest import DOMAIN
from tests.integration.cli_support import NS, base_env, configured_rate, recent_frozen_sim, run


def _status(app: Any) -> list[str]:
    return app._dashboard.query_one("StatusLine").render().plain.splitlines()


def _rows(app: Any) -> list[str]:
    lv = app._dashboard.log_view
    return ["".join(seg.text for seg in lv.render_line(y)).rstrip()
            for y in range(lv.size.height)]


async def _seen(app: Any, pilot: Any) -> dict[str, Any]:
    """What the data model holds and the screen says, once the backlog is in."""
    await wait_until(pilot, lambda: app.state.caught_up, timeout=20)
    await pilot.pause(0.3)
    st = app.state
    now_s = app.clock_ns() // NS
    seen = {
        "clock": app.clock_ns(),
        "buffer": [(e.time_ns, e.status, e.url, e.client_ip, e.size) for e in st.buffer],
        "received": st.received, "newest": st.newest_ns,
        "totals": st.rates.totals(now_s - 300, now_s + 1),
        "counts": _status(app)[1].split("  FOLLOW")[0],
        "rows": _rows(app),
    }
    await pilot.press("4")  # 4XX only (always some: 5XX depends on the hour's incidents)
    await pilot.pause(0.3)
    seen["4xx"] = (_status(app)[1].split("  FOLLOW")[0], _rows(app))
    return seen


async def test_the_replay_shows_what_the_live_dashboard_showed(tmp_path: Path,
                                                              monkeypatch) -> None:
    from tui.app import S4TopApp
    from tui.config import load_settings
    from tui.context import ReplayOptions, build_context
    from tui.sim import DEMO_TOKEN

    flags = {"poll_interval": 0.2, "utc": True}
    # 20 entries/s whatever the hour (the clock stands 600 s back): at the day's low the
    # dashboard's 300 s backlog held ~2700, under the guard of more than 3000 below
    with recent_frozen_sim(rate=configured_rate(20.0, time.time() - 600), seed=21) as server:
        moment = server.sim.now_ns()
        db = tmp_path / "incident.db"
        rec = run(["record", "-o", str(db), "--start", str(moment - 600 * NS)],
                  base_env(server.base_url), timeout=60)
        assert rec.rc == 0, rec.err
        monkeypatch.setenv("BITIFUL_API_TOKEN", DEMO_TOKEN)
        ctx = build_context(load_settings(flags={"api_base": server.base_url,
                                                 "domain": DOMAIN, **flags}))
        live = S4TopApp(ctx, clock_ns=server.sim.now_ns)
        async with live.run_test(size=(140, 40)) as pilot:
            was = await _seen(live, pilot)
    at = datetime.fromtimestamp(moment // NS, tz=UTC).isoformat()
    rctx = build_context(load_settings(flags=flags),
                         replay=ReplayOptions(str(db), at=at, speed="0"))
    try:
        app = S4TopApp(rctx)
        async with app.run_test(size=(140, 40)) as pilot:
            now = await _seen(app, pilot)
    finally:
        rctx.close()
    assert was["clock"] == moment and len(was["buffer"]) > 3000
    assert sum(1 for r in was["4xx"][1] if r) > 10  # rows on screen to compare

    assert now == was
