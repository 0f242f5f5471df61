"""`s4top refresh ... --watch` over loopback against a simulator on the real clock: the real
command sends the refresh, follows the log, and prints each entry's purge verdict."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.cli_support import base_env, configured_rate, run
from tui.sim import SimConfig, SimServer

D = "https://cdn.example.com"
TOP = f"{D}/static/js/app.8f3c2a.js"
PRICES = f"{D}/data/prices.json"  # the simulator's cached-error object (tui/sim/purge.py)


@pytest.fixture
def live() -> Iterator[SimServer]:
    # 200 entries/s whatever the hour: the verdicts count requests of one URL before and
    # after a refresh (a CI run at 0.5x of the day shape saw 5 after, where 6 were needed)
    with SimServer(SimConfig(seed=5, rate=configured_rate(200.0), incidents=False)) as srv:
        yield srv


def watch(srv: SimServer, *args: str, seconds: int = 6) -> list[dict]:
    r = run(["refresh", "--yes", "--watch", f"{seconds}s", "--json", *args],
            base_env(srv.base_url), timeout=seconds + 30)
    assert r.rc == 0, r.err
    assert "watching the log of cdn.example.com" in r.err
    return r.json_lines()


def test_a_requested_url_is_purged_and_refilled(live: SimServer) -> None:
    [row] = watch(live, TOP + "?v=1", f"{D}/never-asked.png")[:1]
    assert row["verdict"] == "purged" and row["url"] == TOP + "?v=1"
    assert row["refilled_ns"] > row["first_miss_ns"] > row["refreshed_ns"]
    assert row["requests"] > 5 and row["after"]["origin_bytes"] > 0


def test_nothing_requested_is_a_verdict_not_a_failure(live: SimServer) -> None:
    rows = watch(live, f"{D}/never-asked.png", f"dir {D}/nothing-here/", seconds=3)
    assert [(r["verdict"], r["type"]) for r in rows] == [("not_requested", "url"),
                                                         ("not_requested", "directory")]
    assert rows[1]["urls_seen"] == 0


def test_the_cached_error_objects_4xx_share_drops_after_its_refresh(live: SimServer) -> None:
    live.sim.set_purge({"cached_error": True})
    [row] = watch(live, PRICES, seconds=8)
    assert row["verdict"] == "purged"
    assert row["before"]["requests"] > 5 and row["before"]["share_4xx"] > 0.9
    # the cached 404 is gone; the object's ordinary traffic has its own few 4xx now and then
    assert row["after"]["requests"] > 5 and row["after"]["share_4xx"] < 0.1


def test_entries_without_cache_status_cannot_tell(live: SimServer) -> None:
    live.sim.set_purge({"no_cache_status": True})
    [row] = watch(live, TOP, seconds=4)
    assert row["verdict"] == "cannot_tell" and "no cache status" in row["reason"]
    assert row["requests"] > 5 and row["after"]["miss_share"] is None
    table = run(["refresh", "--yes", "--watch", "3s", TOP], base_env(live.base_url), timeout=40)
    assert table.rc == 0
    assert "cannot tell" in table.out and "note: cannot tell: the log entries carry no cache" \
        in table.out


def test_a_refresh_that_purges_nothing_gives_no_miss(live: SimServer) -> None:
    # accepted ("ok") but nothing purged: the cached 404 keeps answering HIT
    live.sim.set_purge({"cached_error": True, "no_purge": True})
    [row] = watch(live, PRICES, seconds=8)
    assert row["verdict"] == "no_miss" and row["words"] == "no MISS after 3 requests"
    assert row["after"]["share_4xx"] > 0.9
    assert live.sim.refreshes[-1]["applied"] is False


def test_watch_options_are_checked(live: SimServer) -> None:
    env = base_env(live.base_url)
    for args, word in ((["--json", TOP], "--json needs --watch"),
                       (["--watch", "0s", TOP], "longer than 0s"),
                       (["--watch", "soon", TOP], "not a duration"),
                       (["--watch", "2m", "--dry-run", TOP], "not with --dry-run")):
        r = run(["refresh", "--yes", *args], env)
        assert r.rc == 2 and word in r.err and len(r.err.strip().splitlines()) <= 2, r.err
    assert live.sim.refreshes == []
