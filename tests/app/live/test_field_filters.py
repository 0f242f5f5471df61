"""Field filters typed into `/`, with Pilot against the real client and the simulator."""

from __future__ import annotations

from tests.app.conftest import wait_until
from tests.app.live.test_dashboard_keys import loaded
from tui.core.models import LogEntry, StatusClass


def shown(app) -> list[LogEntry]:
    buf = app.state.buffer
    return [buf.view_entry(i) for i in range(buf.view_len)]


async def test_cache_and_country_filters_show_the_right_rows(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        everything = list(app.state.buffer)
        assert {e.cache for e in everything} >= {"HIT", "MISS"}  # the simulator's data has them
        misses = [e for e in everything if e.cache == "MISS"]
        await pilot.press("slash", *"cache:miss")
        assert shown(app) == misses and 0 < len(misses) < len(everything)
        assert not str(app.screen.query_one("#filter-error").render()).strip()
        await pilot.press("escape")
        jp = [e for e in everything if e.country == "JP"]
        await pilot.press("slash", *"cc:JP", "enter")
        assert shown(app) == jp and jp
        await pilot.press("escape")
        assert len(shown(app)) == len(everything)


async def test_terms_combine_with_a_class_key(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        everything = list(app.state.buffer)
        await pilot.press("slash", *"cache:MISS cc:CN", "enter", "4")
        want = [e for e in everything if e.cache == "MISS" and e.country == "CN"
                and e.status_class is StatusClass.S4XX]
        assert want and shown(app) == want
        # plain words match the cache status too (it gave 0 rows before)
        await pilot.press("0", "slash", "ctrl+u", *"MISS", "enter")
        assert shown(app) == [e for e in everything if e.cache == "MISS"]


async def test_a_bad_term_says_why_and_filters_nothing_out(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        everything = list(app.state.buffer)
        await pilot.press("slash", *"ip:10.0.0.0/33")
        err = str(app.screen.query_one("#filter-error").render())
        assert "bad CIDR" in err and "ip:10.0.0.0/33" in err
        assert len(shown(app)) == len(everything)
        await pilot.press(*" cc:US", "enter")
        assert shown(app) == [e for e in everything if e.country == "US"]
        await pilot.press("5")  # a class key over a filter with a bad term: no crash
        assert app.is_running
        assert all(e.country == "US" and e.status_class is StatusClass.S5XX for e in shown(app))


async def test_at_80_columns_a_long_error_leaves_room_for_what_is_typed(make_app) -> None:
    """The error beside the box took its whole width: at 80 columns the box kept 1 column,
    so the engineer could not see what they had typed."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("slash", *"cc:jp ip:1.2.3.4/99")
        err = app.screen.query_one("#filter-error")
        assert "bad CIDR" in str(err.render())
        assert app.screen.query_one("#filter-input").region.width >= 30
        assert err.region.width > 0 and err.region.right <= 80

async def test_the_status_line_says_a_bad_term_is_ignored(make_app) -> None:
    """With the filter box closed, 'filter: code:abc' over every row read as if it filtered."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("slash", *"code:abc", "enter")
        status = str(app.screen.query_one("#status").render())
        assert "filter: code:abc" in status and "bad term ignored" in status
        await pilot.press("escape", "slash", "ctrl+u", *"code:503", "enter")
        status = str(app.screen.query_one("#status").render())
        assert "filter: code:503" in status and "ignored" not in status


# -- q goes back from every sub-screen; it quits from the dashboard only ----------------------

async def _q_goes_back(make_app, *open_keys: str, screen_name: str) -> None:
    from tui.screens.dashboard import Dashboard

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        kept = len(app.state.buffer)
        await pilot.press(*open_keys)
        await pilot.pause()
        assert type(app.screen).__name__ == screen_name
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, Dashboard)
        assert len(app.state.buffer) >= kept  # nothing dropped


async def test_q_in_top_goes_back(make_app) -> None:
    await _q_goes_back(make_app, "n", screen_name="TopScreen")


async def test_q_in_detail_goes_back(make_app) -> None:
    await _q_goes_back(make_app, "enter", screen_name="DetailScreen")


async def test_q_in_history_goes_back(make_app) -> None:
    await _q_goes_back(make_app, "h", screen_name="HistoryScreen")


async def test_q_in_overview_goes_back(make_app) -> None:
    await _q_goes_back(make_app, "o", screen_name="OverviewScreen")


async def test_q_in_help_goes_back(make_app) -> None:
    await _q_goes_back(make_app, "question_mark", screen_name="HelpScreen")


async def test_q_in_refresh_is_a_letter_in_the_text_else_back(make_app) -> None:
    from textual.widgets import TextArea

    from tui.screens.dashboard import Dashboard
    from tui.screens.refresh import RefreshModal

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RefreshModal)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, RefreshModal)
        assert "q" in app.screen.query_one("#entries", TextArea).text
        await pilot.press("tab")  # focus leaves the text
        assert not isinstance(app.focused, TextArea)
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, Dashboard)


# -- top-N under the log pane's filters ----------------------------------------------------

async def test_top_n_counts_only_what_the_log_shows_and_says_so(make_app) -> None:
    from tui.screens.top import TopScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("5", "slash", *"cache:MISS", "enter", "n")
        await pilot.pause()
        top = app.screen
        assert isinstance(top, TopScreen)
        since = int((app.now() - top.window_s) * 1e9)
        want = [e for e in app.state.buffer if e.time_ns >= since
                and e.status_class is StatusClass.S5XX and e.cache == "MISS"]
        assert want and top.total == len(want) < len(list(app.state.buffer))
        assert sum(r.count for r in top.rows["status"]) == len(want)
        assert {r.key[0] for r in top.rows["status"]} == {"5"}
        assert [r.key for r in top.rows["cache"]] == ["MISS"]
        title = str(top.query_one("#top-title").render())
        assert "5XX" in title and "cache:MISS" in title and "requests" in title
        # a drill narrows the shown filter; Esc brings it back, and top-N again
        await pilot.press("enter")
        url = top.rows["url"][0].key
        assert all(e.url == url and e.cache == "MISS" and e.status_class is StatusClass.S5XX
                   for e in shown(app)) and shown(app)
        await pilot.press("escape")
        assert isinstance(app.screen, TopScreen)
        assert app.state.buffer.filter.text == "cache:MISS"


async def test_top_n_j_k_and_tagging_url_rows(make_app) -> None:
    from textual.widgets import DataTable

    from tui.screens.top import TopScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: loaded(app))
        await pilot.press("n")
        await pilot.pause()
        top = app.screen
        assert isinstance(top, TopScreen)
        table = top.query_one("#top-url", DataTable)
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        url = top.rows["url"][1].key
        await pilot.press("space")
        draft, _ = app.desk.batches.draft(app.state.domain)
        assert f"url {url}" in draft.splitlines()
        assert str(table.get_cell_at((1, 0))) == "+"  # the row is marked
        await pilot.press("space")  # again: removed
        assert url not in app.desk.batches.draft(app.state.domain)[0]
        await pilot.press("d")
        directory = url[: url.rfind("/") + 1]
        assert f"dir {directory}" in app.desk.batches.draft(app.state.domain)[0].splitlines()
        assert str(table.get_cell_at((1, 0))) == "D"
        await pilot.press("tab")  # the IP panel: not taggable, and it says so
        await pilot.press("space")
        await pilot.pause()
        assert any("only URL rows" in n.message for n in app._notifications)
