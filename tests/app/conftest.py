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
    """Let the app run until `predicate()` holds (real workers, real sockets)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            await pilot.pause(0.3)  # let at least one frame draw what arrived
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached in time")
