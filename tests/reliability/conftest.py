"""Fixtures of the reliability suites: the real app over the real client against a simulator
on a loopback port, with any settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import DOMAIN, FIXED_NS
from tui.config import load_settings
from tui.context import build_context
from tui.sim import DEMO_TOKEN, SimConfig, SimServer


@pytest.fixture
def quiet_sim() -> Iterator[SimServer]:
    """A frozen simulator of a quiet domain: the 5-minute backlog is one short page."""
    server = SimServer(SimConfig(seed=5, rate=0.2, start_ns=FIXED_NS, frozen=True, domains=(DOMAIN,), incidents=False))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app_for(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """`app_for(server, **settings)`: an S4TopApp on the simulator's clock."""
    from tui.app import S4TopApp

    monkeypatch.setenv("BITIFUL_API_TOKEN", DEMO_TOKEN)

    def make(server: SimServer, **flags: Any) -> Any:
        settings = load_settings(flags={"api_base": server.base_url, "domain": DOMAIN, "poll_interval": 0.2, **flags})
        return S4TopApp(build_context(settings), clock_ns=server.sim.now_ns)

    return make
