"""Several domains (switching, overview, independent pollers) and spike alerts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.app.conftest import count_alert_checks, next_alert_check, next_frame, wait_until
from tests.conftest import FIXED_NS
from tui.config import load_settings
from tui.context import build_context
from tui.screens.overview import OverviewScreen
from tui.widgets.logview import LogView
from tui.widgets.sparkcell import SparkCell

DOMAINS = ("cdn.example.com", "img.example.com", "static.example.net")


@pytest.fixture
def multi_sim() -> Iterator:
    from tui.sim import SimConfig, SimServer

    # 10:41:30 UTC: inside the simulator's hourly 5xx burst (minutes 40-42)
    server = SimServer(SimConfig(seed=7, start_ns=FIXED_NS + 41 * 60 * 10**9 + 30 * 10**9, frozen=True,
                                 domains=DOMAINS, rate=30.0))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_multi(multi_sim, monkeypatch, tmp_path):
    from tui.app import S4TopApp
    from tui.sim import DEMO_TOKEN

    monkeypatch.setenv("BITIFUL_API_TOKEN", DEMO_TOKEN)

    def make(**flags):
        cfg = tmp_path / "c.toml"
        cfg.write_text('domains = ["img.example.com", "static.example.net"]\nbacklog = "12m"\n')
        settings = load_settings(flags={"api_base": multi_sim.base_url, "domain": DOMAINS[0], "poll_interval": 0.2, **flags},
                                 config_path=cfg)
        app = S4TopApp(build_context(settings), clock_ns=multi_sim.sim.now_ns)
        app.alert_checks = count_alert_checks(app)
        return app

    return make


def all_loaded(app) -> bool:
    return all(st.caught_up and len(st.buffer) > 0 and st.series for st in app.states)


async def test_switch_domains_keeps_each_tail(make_multi) -> None:
    app = make_multi()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: all_loaded(app), timeout=20)
        assert [st.domain for st in app.states] == list(DOMAINS)
        lv = app.screen.query_one(LogView)
        assert {e.url.split("/")[2] for e in (lv.buffer.view_entry(i) for i in range(lv.buffer.view_len))} == {DOMAINS[0]}
        await pilot.press("right_square_bracket")
        await pilot.pause(0.3)
        assert app.state.domain == DOMAINS[1] and lv.buffer is app.states[1].buffer
        status = str(app.screen.query_one("#status").render())
        assert DOMAINS[1] in status and "[2/3]" in status
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.state.domain == DOMAINS[2]
        # the buffer budget is shared
        assert sum(st.buffer.capacity for st in app.states) <= app.ctx.settings.buffer_size


async def test_one_domains_errors_do_not_stall_another(make_multi, multi_sim) -> None:
    multi_sim.sim.faults.set({"status": 503, "path": "/cdn/data/img.example.com/"})
    app = make_multi()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.states[1].log_health.state in ("degraded", "offline"), timeout=20)
        await wait_until(pilot, lambda: app.states[0].caught_up and app.states[2].caught_up, timeout=20)
        assert app.states[0].log_health.state == "ok" and app.states[2].log_health.state == "ok"
        n0 = len(app.states[0].buffer)
        multi_sim.sim.advance(5)
        await wait_until(pilot, lambda: len(app.states[0].buffer) > n0)
        multi_sim.sim.faults.clear()
        await wait_until(pilot, lambda: app.states[1].log_health.state == "ok", timeout=30)


async def test_overview_lists_every_domain_and_switches(make_multi) -> None:
    app = make_multi()
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: all_loaded(app), timeout=20)
        await pilot.press("o")
        assert isinstance(app.screen, OverviewScreen)
        table = app.screen.query_one("#overview-table")
        assert table.row_count == 3
        cells = [str(c) for c in table.get_row_at(0)]
        assert cells[0] == DOMAINS[0] and cells[4].endswith("%") and cells[5].endswith("%")
        await pilot.press("down", "down", "enter")
        assert app.state.domain == DOMAINS[2]


async def test_5xx_burst_raises_an_alert_in_the_header(make_multi) -> None:
    app = make_multi()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: all_loaded(app), timeout=20)
        await wait_until(pilot, lambda: app.states[0].alerts.get("5xx") is not None and app.states[0].alerts["5xx"].active,
                         timeout=10)
        status = str(app.screen.query_one("#status").render())
        assert "ALERT 5XX" in status
        assert any("ALERT 5XX" in n.message for n in app._notifications)


async def test_top_n_panels_drill_in_and_back(make_multi) -> None:
    from tui.screens.top import TopScreen

    app = make_multi()
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_until(pilot, lambda: all_loaded(app), timeout=20)
        await pilot.press("n")
        assert isinstance(app.screen, TopScreen)
        top = app.screen
        codes = top.rows["status"]
        assert codes and codes[0].count >= codes[-1].count
        # the burst path leads the URL panel by count during the 5xx burst
        await pilot.press("tab", "tab")  # url -> ip -> status
        assert app.screen.focused.id == "top-status"
        target = next(r for r in codes if r.key.startswith("5"))
        row = codes.index(target)
        for _ in range(row):
            await pilot.press("down")
        await pilot.press("enter")
        assert not isinstance(app.screen, TopScreen)
        buf = app.state.buffer
        assert buf.view_len >= target.count  # the panel counts the window, the filter the buffer
        assert {str(buf.view_entry(i).status) for i in range(buf.view_len)} == {target.key}
        status = str(app.screen.query_one("#status").render())
        assert f"status = {target.key}" in status
        await pilot.press("escape")
        assert isinstance(app.screen, TopScreen)
        assert app.state.buffer.filter.text == ""
        top = app.screen
        await pilot.press("b")
        assert top.order == "bytes"
        urls = top.rows["url"]
        assert [r.bytes for r in urls] == sorted((r.bytes for r in urls), reverse=True)
        await pilot.press("escape")
        assert not isinstance(app.screen, TopScreen)


async def test_at_80_columns_the_alert_leads_the_header_and_others_have_a_badge(make_multi) -> None:
    app = make_multi()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: all_loaded(app), timeout=20)
        await wait_until(pilot, lambda: all(st.alerts.get("5xx") is not None
                                            and st.alerts["5xx"].active for st in app.states),
                         timeout=10)
        await next_alert_check(pilot, app.alert_checks)
        lines = str(app.screen.query_one("#status").render()).splitlines()
        first = lines[0]
        # the alert text comes first and is whole (what went wrong, at what share)
        assert first.startswith(" ALERT 5XX "), first
        assert "(baseline" in first.split(" ALERT ")[1][:60], first
        # every other domain alerts too: a badge says so, in words
        await pilot.press("right_square_bracket")
        await next_frame(pilot)
        lines = str(app.screen.query_one("#status").render()).splitlines()
        assert lines[0].startswith(" ALERT 5XX ")
        assert lines[1].startswith(" !2 other domains "), lines  # whole, at the left edge
        # the 5XX figure over its threshold is marked by a glyph, not colour alone
        label = app.screen.query_one("#rate-5XX", SparkCell).label.plain
        assert label.startswith("▲5XX ") and label.endswith("%"), label


async def test_the_domain_switched_to_polls_at_once(make_multi, multi_sim) -> None:
    """A hidden domain sleeps 5x longer; shown, it must not sleep that out first."""
    app = make_multi(poll_interval=2.0)  # hidden domains: every 10 s
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: all_loaded(app), timeout=20)
        # the simulator counts the second domain's log requests (a rule without effects)
        multi_sim.sim.faults.set({"path": f"/cdn/data/{DOMAINS[1]}/logs", "count": 1000})

        def asked() -> int:
            rules = multi_sim.sim.faults.snapshot()
            return 1000 - int(rules[0]["count"]) if rules else 1000

        await pilot.press("right_square_bracket")
        assert app.state.domain == DOMAINS[1]
        await wait_until(pilot, lambda: asked() >= 1, timeout=4.0)


def test_overview_row_leads_with_the_alert_and_marks_the_5xx_share() -> None:
    """`o` showed `health ok` beside `5XX 31.5 %`: the alert state comes first in the health
    cell, and a 5XX share over the absolute threshold carries a mark, not only a colour."""
    from tui.core.buffer import LogBuffer
    from tui.core.models import LogEntry
    from tui.insight.alerts import AlertState
    from tui.live.state import DomainState
    from tui.screens.overview import overview_row

    st = DomainState(domain="cdn.example.com", buffer=LogBuffer(1000))
    t0 = 1_795_168_800
    st.ingest([LogEntry(time_ns=(t0 + i // 10) * 10**9, status=503 if i % 3 == 0 else 200)
               for i in range(600)])
    st.log_health.state = st.series_health.state = "ok"
    quiet = overview_row(st, t0 + 60, threshold_5xx=0.5)
    assert quiet[1].plain == "ok" and not quiet[4].plain.startswith("▲")
    st.alerts["5xx"] = AlertState("5xx", active=True, value=0.33)
    row = overview_row(st, t0 + 60, threshold_5xx=0.05)
    assert row[1].plain.startswith("ALERT") and "ok" in row[1].plain
    assert row[4].plain.startswith("▲") and "33" in row[4].plain
    st.alerts["5xx"].stale = True
    assert overview_row(st, t0 + 60)[1].plain.startswith("ALERT (stale)")
