"""The `w` screen against a frozen simulator with a 5xx wave from one country: it explains the
alerting class over the alert's span, switches focus, drills into the log pane and back,
and tags URL and directory rows only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.app.conftest import wait_until
from tests.conftest import FIXED_NS
from tui.config import load_settings
from tui.context import build_context

NS = 10**9
DOMAIN = "cdn.example.com"
START_S = FIXED_NS // NS + 20 * 60  # 20 minutes past the hour: no scheduled incident


@pytest.fixture
def wave_sim() -> Iterator:
    from tui.sim import Incident, SimConfig, SimServer

    wave = Incident("5xx_wave", start_s=START_S - 150, length_s=3600, share=0.8)
    server = SimServer(SimConfig(seed=7, start_ns=START_S * NS, frozen=True, domains=(DOMAIN,),
                                 rate=30.0, incidents=False, known_incidents=(wave,)))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_app(wave_sim, monkeypatch, tmp_path):
    from tui.app import S4TopApp
    from tui.sim import DEMO_TOKEN

    monkeypatch.setenv("BITIFUL_API_TOKEN", DEMO_TOKEN)

    def make(**flags):
        cfg = tmp_path / "c.toml"
        cfg.write_text('backlog = "12m"\n')
        settings = load_settings(flags={"api_base": wave_sim.base_url, "domain": DOMAIN,
                                        "poll_interval": 0.2, **flags}, config_path=cfg)
        return S4TopApp(build_context(settings), clock_ns=wave_sim.sim.now_ns)

    return make


def alerting(app) -> bool:
    a = app.state.alerts.get("5xx")
    return app.state.caught_up and a is not None and a.active


async def go_to(pilot, screen, pred) -> None:
    """Move the cursor with j/k onto the first row whose finding satisfies `pred`."""
    want = next(i for i, f in enumerate(screen.rows) if f is not None and pred(f))
    while screen.cursor != want:
        await pilot.press("j" if screen.cursor < want else "k")


async def test_w_explains_the_alert_and_enter_filters_the_log(make_app) -> None:
    from tui.screens.explain import ExplainScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: alerting(app), timeout=20)
        await pilot.press("w")
        screen = app.screen
        assert isinstance(screen, ExplainScreen)
        ex = screen.explanation
        assert screen.focus_name == "5XX" and ex is not None and ex.selected > 50
        assert ex.dimensions[0].name == "country"
        assert ex.dimensions[0].findings[0].value == "US"
        assert "status" not in [d.name for d in ex.dimensions]
        since = app.state.alerts["5xx"].since_s
        assert screen.span_s == int(app.now() - since)
        assert "explain 5XX · alert span" in screen.title_text()
        # the first row under the first heading is the cursor's
        assert screen.rows[0] is None and screen._chosen() is ex.dimensions[0].findings[0]
        await pilot.press("enter")
        assert not isinstance(app.screen, ExplainScreen)
        buf = app.state.buffer
        assert buf.filter.text == "code:5xx cc:US"
        shown = [buf.view_entry(i) for i in range(buf.view_len)]
        assert shown and all(e.status // 100 == 5 and e.country == "US" for e in shown)
        await pilot.press("escape")
        assert isinstance(app.screen, ExplainScreen) and app.screen.focus_name == "5XX"
        assert app.state.buffer.filter.text == ""
        await pilot.press("q")
        assert not isinstance(app.screen, ExplainScreen)


async def test_focus_keys_and_tagging(make_app) -> None:
    from tui.screens.explain import ExplainScreen

    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: alerting(app), timeout=20)
        await pilot.press("w")
        screen = app.screen
        assert isinstance(screen, ExplainScreen)
        await pilot.press("m")
        assert screen.focus_name == "MISS" and "explain MISS · last 5m" in screen.title_text()
        assert "cache" not in [d.name for d in screen.explanation.dimensions]
        await pilot.press("a")
        assert screen.focus_name == "all" and screen.explanation.focus == "all"
        await pilot.press("4")
        assert screen.focus_name == "4XX"
        assert "status" not in [d.name for d in screen.explanation.dimensions]
        await pilot.press("5")
        assert screen.focus_name == "5XX" and "alert span" in screen.title_text()
        # a country row cannot be tagged
        await go_to(pilot, screen, lambda f: f.dimension == "country")
        await pilot.press("space")
        await pilot.pause()
        assert any("only URL and directory rows can be tagged" in n.message
                   for n in app._notifications)
        assert app.desk.pending_count(DOMAIN) == 0
        # a URL row is tagged as the log pane tags one; a directory row as a directory
        await go_to(pilot, screen, lambda f: f.dimension == "url")
        url = screen._chosen().value
        await pilot.press("space")
        assert app.desk.pending_count(DOMAIN) == 1
        assert app.desk.tag_of(type(app.state.buffer.view_entry(0))(0, url=url)) == "url"
        await go_to(pilot, screen, lambda f: f.dimension == "dir")
        await pilot.press("space")
        assert app.desk.pending_count(DOMAIN) == 2
        assert screen.query_one("#explain-rows").lines[screen.cursor].plain[0] == "D"


async def test_nothing_to_explain_says_so(make_app, wave_sim) -> None:
    from tui.screens.explain import ExplainScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up and len(app.state.buffer) > 0,
                         timeout=20)
        app.state.buffer.clear()
        await pilot.press("w")
        assert isinstance(app.screen, ExplainScreen)
        assert "nothing to explain" in app.screen.note_text()
        await pilot.press("enter", "space")  # no row: nothing happens, nothing breaks
        assert isinstance(app.screen, ExplainScreen)


async def test_the_alert_toast_names_the_top_finding(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: alerting(app), timeout=20)
        await pilot.pause(0.3)
        toasts = [n.message for n in app._notifications if "ALERT 5XX" in n.message]
        assert len(toasts) == 1, toasts
        assert toasts[0].startswith(f"{DOMAIN}: ALERT 5XX ")
        # the wave is US's: 99 % of the 5xx come from there
        assert toasts[0].endswith("%): US is 99 % of them; w explains"), toasts[0]


async def test_hostile_values_are_shown_inert(make_app, wave_sim) -> None:
    from tui.core.sanitize import is_inert
    from tui.screens.explain import ExplainScreen

    now = wave_sim.sim.now_ns()
    wave_sim.sim.inject(DOMAIN, [
        {"path": "https://cdn.example.com/\x1b]52;c;aGk=\x07\u202eevil.js", "code": 503,
         "size": 1, "method": "GET", "ip": "9.9.9.9", "country": "\x9b31mXX", "cache": "MISS",
         "ua": "curl\x1b[2J", "access_time": now - (i + 1) * 10**8} for i in range(60)])
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up and len(app.state.buffer) > 0,
                         timeout=20)
        await pilot.press("w")
        screen = app.screen
        assert isinstance(screen, ExplainScreen)
        values = [f.value for f in screen.rows if f is not None]
        assert any("evil.js" in v for v in values) and any("\x9b" in v for v in values)
        lines = [line.plain for line in screen.query_one("#explain-rows").lines]
        assert any("evil.js" in line for line in lines)
        assert all(is_inert(line) for line in lines)
        assert is_inert(str(screen.query_one("#explain-title").render()))
