"""The charts at short ranges come from the log's per-minute counters (issue #10)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.conftest import wait_until
from tui.live.state import RANGES
from tui.widgets.charts import SeriesPlot


def _loaded(app) -> bool:
    st = app.state
    return st.caught_up and bool(st.series) and st.log_health.state == "ok"


async def _to_range(pilot, app, label: str) -> None:
    while RANGES[app.range_index][0] != label:
        await pilot.press("t")
    await wait_until(pilot, lambda: _loaded(app))


async def test_1h_charts_per_minute_from_the_log(make_app) -> None:
    app = make_app(backlog="1h", utc=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _loaded(app), timeout=60)
        await _to_range(pilot, app, "1h")
        plot = app.screen.query_one("#plot-requests", SeriesPlot)
        d = plot.data
        assert d is not None and d.mode == "log" and d.per == "min"
        assert 58 <= len(d.log) <= 60  # about one point per minute of the hour
        st = app.state
        assert d.log_since_s == -(-st.tail_start_ns // 60_000_000_000) * 60
        assert d.log[-1][0] < st.newest_ns // 10**9 // 60 * 60  # not the partial minute
        # the counts are the log's own: every entry of those minutes, counted once
        first, end = d.log[0][0], d.log[-1][0] + 60
        assert sum(v for _, v in d.log) == st.minute_rates.totals(first, end)["requests"] > 0
        traffic = app.screen.query_one("#plot-traffic", SeriesPlot).data
        assert traffic is not None and traffic.unit == "bytes" and len(traffic.log) == len(d.log)
        text = plot.render().plain
        since = datetime.fromtimestamp(d.log_since_s, tz=UTC).strftime("%H:%M")
        assert "requests · 1h · per min" in text and f"since {since}" in text


async def test_24h_charts_the_hourly_series(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _loaded(app))
        assert RANGES[app.range_index][0] == "24h"
        plot = app.screen.query_one("#plot-requests", SeriesPlot)
        d = plot.data
        assert d is not None and d.mode == "series" and d.resolution == "hourly"
        assert "requests · 24h · hourly" in plot.render().plain
        await _to_range(pilot, app, "6h")
        d = plot.data
        assert d is not None and d.mode == "log" and d.range_label == "6h"
        assert d.resolution == "per minute (log) + hourly (API)" and d.hourly


async def test_quick_range_changes_chart_the_last_range_chosen(make_app) -> None:
    """Keys in a row: a series fetched for a range left meanwhile must not be shown under
    the new range's label (it was, until the next poll a minute later)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _loaded(app))
        for presses in (3, 1, 2, 2, 3, 4, 1, 3):
            await pilot.press(*["t"] * presses)
            await wait_until(pilot, lambda: _loaded(app))
            label, span, period = RANGES[app.range_index]
            assert {s.period for s in app.state.series.values()} == {period}, label
            edge = next(iter(app.state.series.values()))
            step = 3600 if period == "hourly" else 86400
            assert len(edge.points) <= span // step + 1, label


async def test_at_100_columns_title_and_legend_still_show(make_app) -> None:
    """plotext silently drops a title or label too wide for its canvas."""
    app = make_app(backlog="2h")
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_until(pilot, lambda: _loaded(app), timeout=60)
        await _to_range(pilot, app, "6h")
        for sel, unit in (("#plot-traffic", "B/min"), ("#plot-requests", "req/min")):
            lines = app.screen.query_one(sel, SeriesPlot).render().plain.splitlines()
            assert "6h" in lines[0] and unit in lines[0] and "API" in lines[0], lines[0]
            assert "log since" in lines[-1] and "hourly" in lines[-1], lines[-1]
            # the legend is under the x axis, not over the plot area
            assert not any("log since" in line for line in lines[1:-1])


async def test_at_120_columns_the_1h_legend_names_the_refresh_marks(make_app) -> None:
    """A refresh made from s4top is a magenta line on the chart; at 120 columns the legend
    used to drop its '| refresh' for the sake of 'x origin', leaving the line unexplained."""
    app = make_app(utc=True)  # 5m of log: API hours fill the rest
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _loaded(app), timeout=60)
        await _to_range(pilot, app, "1h")
        for sel in ("#plot-traffic", "#plot-requests"):
            plot = app.screen.query_one(sel, SeriesPlot)
            d = plot.data
            assert d is not None and d.mode == "log" and d.origin and d.hourly
            plot.set_data(d, (*plot.version, "marked"), plot.utc, plot.error,
                          marks=(d.end_s - 600.0,))
            lines = plot.render().plain.splitlines()
            assert "| refresh" in lines[-1] and "log" in lines[-1], lines[-1]


async def test_a_drawn_chart_takes_the_new_theme(make_app) -> None:
    """The charts load plotext at their first drawing (after the first frame); a theme
    chosen later still reaches the drawn chart (plotext's colours come from the theme)."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: _loaded(app))
        plot = app.screen.query_one("#plot-requests", SeriesPlot)

        def colours() -> set:
            return {span.style.bgcolor for span in plot.render().spans
                    if not isinstance(span.style, str)}

        before = colours()
        assert before and "requests · 24h" in plot.render().plain
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause(0.2)
        after = colours()
        assert after and after != before
        assert "requests · 24h" in plot.render().plain
