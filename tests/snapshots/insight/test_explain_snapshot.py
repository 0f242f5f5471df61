"""Snapshot of the `w` screen on a frozen simulator during a 5xx wave from one country."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import FIXED_NS
from tests.snapshots.conftest import loaded, settle
from tui.config import load_settings
from tui.context import build_context

NS = 10**9
DOMAIN = "cdn.example.com"
START_S = FIXED_NS // NS + 20 * 60  # no scheduled incident then


@pytest.fixture
def wave_app(monkeypatch, tmp_path) -> Iterator:
    from tui.app import S4TopApp
    from tui.sim import DEMO_TOKEN, Incident, SimConfig, SimServer

    wave = Incident("5xx_wave", start_s=START_S - 150, length_s=3600, share=0.8)
    server = SimServer(SimConfig(seed=7, start_ns=START_S * NS, frozen=True, domains=(DOMAIN,),
                                 rate=30.0, incidents=False, known_incidents=(wave,)))
    server.start()
    monkeypatch.setenv("BITIFUL_API_TOKEN", DEMO_TOKEN)
    cfg = tmp_path / "c.toml"
    cfg.write_text('backlog = "12m"\n')
    settings = load_settings(flags={"api_base": server.base_url, "domain": DOMAIN,
                                    "poll_interval": 0.2}, config_path=cfg)
    try:
        yield S4TopApp(build_context(settings), clock_ns=server.sim.now_ns)
    finally:
        server.stop()


def test_explain_screen(snap_compare, wave_app) -> None:
    app = wave_app

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        await settle(pilot, lambda: app.state.alerts.get("5xx") is not None
                     and app.state.alerts["5xx"].active)
        app.clear_notifications()
        await pilot.press("w")
        await pilot.pause(0.5)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
