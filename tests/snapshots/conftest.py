"""Snapshot fixtures: the app on the frozen simulator, and a way to wait for a state."""

from __future__ import annotations

import time

import pytest

from tests.conftest import DOMAIN
from tui.config import load_settings
from tui.context import build_context


@pytest.fixture
def app_factory(sim_server, monkeypatch):
    from tui.app import S4TopApp
    from tui.sim import DEMO_TOKEN

    def make(token: str = DEMO_TOKEN):
        monkeypatch.setenv("BITIFUL_API_TOKEN", token)
        settings = load_settings(flags={"api_base": sim_server.base_url, "domain": DOMAIN, "poll_interval": 0.2})
        return S4TopApp(build_context(settings), clock_ns=sim_server.sim.now_ns)

    return make


async def settle(pilot, predicate, timeout: float = 30.0) -> None:
    """Wait until `predicate` holds (a wait, not a timing check: a loaded machine running the
    suite in parallel once needed more than 10 s to load the 12-minute backlog of the wave)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("the app did not reach the state to snapshot")
        await pilot.pause(0.05)
    await pilot.pause(0.4)


def loaded(app) -> bool:
    st = app.state
    return st.caught_up and len(st.buffer) > 0 and bool(st.series) and st.log_health.state == "ok"


@pytest.fixture
def app_at(monkeypatch, tmp_path):
    """An app on its own frozen simulator at a chosen moment, with one or more domains."""
    from tui.app import S4TopApp
    from tui.sim import DEMO_TOKEN, SimConfig, SimServer

    servers = []

    def make(start_ns: int, domains: tuple[str, ...] = (DOMAIN,)):
        server = SimServer(SimConfig(seed=7, start_ns=start_ns, frozen=True, domains=domains))
        server.start()
        servers.append(server)
        monkeypatch.setenv("BITIFUL_API_TOKEN", DEMO_TOKEN)
        cfg = tmp_path / f"c{len(servers)}.toml"
        cfg.write_text(f"domains = {list(domains[1:])!r}\n".replace("'", '"'))
        settings = load_settings(flags={"api_base": server.base_url, "domain": domains[0], "poll_interval": 0.2},
                                 config_path=cfg)
        return S4TopApp(build_context(settings), clock_ns=server.sim.now_ns)

    yield make
    for s in servers:
        s.stop()
