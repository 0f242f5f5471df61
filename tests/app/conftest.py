"""Dashboard fixtures: the real app, the real client, the simulator on a loopback port."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import DOMAIN
from tui.config import load_settings
from tui.context import build_context


@pytest.fixture
def make_app(sim_server, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Build an S4TopApp against the frozen simulator; settings may be overridden."""
    from tui.app import S4TopApp
    from tui.sim import DEMO_TOKEN

    monkeypatch.setenv("BITIFUL_API_TOKEN", DEMO_TOKEN)

    def make(token: str | None = None, config_text: str | None = None, tmp_path=None, **flags: Any):
        if token is not None:
            monkeypatch.setenv("BITIFUL_API_TOKEN", token)
        config_path = None
        if config_text is not None:
            assert tmp_path is not None
            config_path = tmp_path / "config.toml"
            config_path.write_text(config_text, encoding="utf-8")
        settings = load_settings(
            flags={"api_base": sim_server.base_url, "domain": DOMAIN, "poll_interval": 0.2, **flags},
            config_path=config_path,
        )
        ctx = build_context(settings)
        return S4TopApp(ctx, clock_ns=sim_server.sim.now_ns)

    return make


async def wait_until(pilot, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until `predicate()` holds (real workers, real sockets), then until the
    dashboard has drawn a frame since (what arrived is on the screen)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            await next_frame(pilot)
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached in time")


async def next_frame(pilot, limit: float = 0.3) -> None:
    """Until the dashboard draws its next frame, and Textual paints it: ~1/max_fps while it
    is busy. At most `limit`, the fixed wait this replaces (idle, its frames come once a
    second: then this waits as long as before)."""
    import time

    count = _frame_counter(pilot.app)
    if count is None:
        await pilot.pause(limit)
        return
    seen, until = count[0], time.monotonic() + limit
    while count[0] == seen and time.monotonic() < until:
        await pilot.pause(0.02)
    await pilot.pause()  # the repaint that frame asked for


def _frame_counter(app) -> list[int] | None:
    """The number of frames the app's dashboard has drawn since this was first asked.

    Counted by wrapping the dashboard instance's `frame` (its frame timer calls `self.frame()`),
    which still does all its work: only the calls are observed."""
    from tui.screens.dashboard import Dashboard

    dash = next((s for s in app.screen_stack if isinstance(s, Dashboard)), None)
    if dash is None:
        return None
    count = getattr(dash, "_test_frames", None)
    if count is None:
        count = [0]
        draw = dash.frame

        def counted() -> None:
            draw()
            if not dash.hold_frames:
                count[0] += 1

        dash.frame = counted  # type: ignore[method-assign]
        dash._test_frames = count  # type: ignore[attr-defined]
    return count


def count_alert_checks(app) -> list[int]:
    """How many times the app's once-a-second alert check has run: wraps `app.alerts.check`
    before the app mounts (its timer takes the attribute then), still doing all its work."""
    count = [0]
    check = app.alerts.check

    def counted() -> None:
        check()
        count[0] += 1

    app.alerts.check = counted
    return count


async def next_alert_check(pilot, count: list[int], timeout: float = 5.0) -> None:
    """Until the alert check has run once more (with what the app holds now), and a frame has
    drawn its outcome: instead of a fixed pause past the check's second."""
    seen = count[0]
    await wait_until(pilot, lambda: count[0] > seen, timeout=timeout)
