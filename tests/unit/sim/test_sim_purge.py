"""The simulator's refresh effect (refill) and its opt-in purge modes, without sockets."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from tui.sim import SimConfig, Simulator
from tui.sim.purge import CACHED_ERROR_PATH

NS = 1_000_000_000
HOUR = 1716998400  # 2024-05-29 16:00:00 UTC, hour-aligned
D = "cdn.example.com"
TOP = f"https://{D}/static/js/app.8f3c2a.js"
PRICES = f"https://{D}{CACHED_ERROR_PATH}"


def make(**kw: Any) -> Simulator:
    return Simulator(SimConfig(start_ns=(HOUR + 30 * 60) * NS, frozen=True, **kw))


def ok(e: dict) -> bool:
    return 200 <= e["code"] < 400


def by_url(entries: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for e in entries:
        out[e["path"].split("?", 1)[0]].append(e)
    return out


def test_a_refreshed_url_misses_on_its_first_requests_then_hits_again() -> None:
    plain, refreshed = make(), make()
    t0 = refreshed.now_ns()
    assert refreshed.refresh({"type": "url", "url_list": [TOP + "?v=3"]})[0] == 200
    for s in (plain, refreshed):
        s.advance(120)
    got = [e for e in refreshed.truth(D, t0) if e["path"] == TOP and ok(e)]
    base = [e for e in plain.truth(D, t0) if e["path"] == TOP and ok(e)]
    assert len(got) == len(base) > 10
    assert [e["cache"] for e in got[:2]] == ["MISS", "MISS"]
    assert got[2:] == base[2:] and sum(e["cache"] == "HIT" for e in got[2:]) > 5
    before = (t0 - 60 * NS, t0 - 1)
    assert refreshed.truth(D, *before) == plain.truth(D, *before)
    others = [e for e in refreshed.truth(D, t0) if e["path"] != TOP]
    assert others == [e for e in plain.truth(D, t0) if e["path"] != TOP]


def test_every_url_under_a_refreshed_directory_refills_on_its_own() -> None:
    plain, refreshed = make(refresh_refill=3), make(refresh_refill=3)
    t0 = refreshed.now_ns()
    directory = f"https://{D}/img/products/"
    assert refreshed.refresh({"type": "directory", "url_list": [directory]})[0] == 200
    for s in (plain, refreshed):
        s.advance(200)
    got = by_url(e for e in refreshed.truth(D, t0) if e["path"].startswith(directory) and ok(e))
    base = by_url(e for e in plain.truth(D, t0) if e["path"].startswith(directory) and ok(e))
    assert len(got) > 20
    for url, entries in got.items():
        assert [e["cache"] for e in entries[:3]] == ["MISS"] * len(entries[:3]), url
        assert entries[3:] == base[url][3:]


def test_the_refill_is_the_same_for_every_query_pattern() -> None:
    sim = make()
    t0 = sim.now_ns()
    sim.refresh({"type": "directory", "url_list": [f"https://{D}/"]})
    sim.advance(30)
    whole = sim.truth(D, t0)
    paged: list[dict] = []
    start = t0
    while True:  # pages of 7, asked from the last time seen (inclusive), duplicates skipped
        page = sim.logs(D, start, "ALL", 7)
        fresh = [e for e in page if e not in paged[-7:]]
        if not fresh:
            break
        paged += fresh
        start = page[-1]["access_time"]
    assert paged == whole
    assert sim.logs(D, t0, "2XX", 1000) == [e for e in whole if e["code"] // 100 == 2]


def test_the_older_model_still_misses_for_the_whole_window() -> None:
    sim = make(refresh_refill=0)
    t0 = sim.now_ns()
    sim.refresh({"type": "url", "url_list": [TOP]})
    sim.advance(120)
    assert {e["cache"] for e in sim.truth(D, t0) if e["path"] == TOP and ok(e)} == {"MISS"}


def test_origin_series_count_the_refill_misses() -> None:
    plain, refreshed = make(), make()
    refreshed.refresh({"type": "directory", "url_list": [f"https://{D}/"]})
    for s in (plain, refreshed):
        s.advance(60)
    origin = [s.series(D, "request_origin", HOUR, HOUR, "hourly")[0]["value"]
              for s in (plain, refreshed)]
    misses = [sum(e["cache"] == "MISS" for e in s.truth(D, HOUR * NS)) for s in (plain, refreshed)]
    assert origin == misses and origin[1] > origin[0]


def test_the_cached_error_object_answers_404_hit_until_refreshed() -> None:
    sim = make(cached_error=True)
    plain = make()
    t0 = sim.now_ns()
    early = [e for e in sim.truth(D, t0 - 300 * NS) if e["path"] == PRICES]
    assert len(early) > 20 and {(e["code"], e["cache"]) for e in early if e["code"] < 500} \
        == {(404, "HIT")}
    assert {e["code"] for e in plain.truth(D, t0 - 300 * NS) if e["path"] == PRICES} >= {200}
    sim.refresh({"type": "url", "url_list": [PRICES]})
    sim.advance(120)
    plain.advance(120)
    after = [(e["code"], e["cache"]) for e in sim.truth(D, t0) if e["path"] == PRICES
             and e["code"] < 500]
    assert after[0] == (200, "MISS") and set(after[1:]) == {(200, "HIT")} and len(after) > 10
    info = sim.purge_info()
    assert {"kind": "cached_error", "domain": D, "path": CACHED_ERROR_PATH, "status": 404,
            "refreshed_ns": t0} in info
    others = [e for e in sim.truth(D, t0 - 300 * NS) if e["path"] != PRICES]
    assert others == [e for e in plain.truth(D, t0 - 300 * NS) if e["path"] != PRICES]


def test_no_cache_status_leaves_the_key_out() -> None:
    sim = make(no_cache_status=True)
    page = sim.logs(D, sim.now_ns() - 60 * NS, "ALL", 1000)
    assert page and all("cache" not in e and "code" in e for e in page)
    assert all("cache" not in e for e in sim.truth(D, sim.now_ns() - 10 * NS))
    assert make().logs(D, sim.now_ns() - 60 * NS, "ALL", 1000) == \
        [{**e, "cache": e2["cache"]} for e, e2 in
         zip(page, make().logs(D, sim.now_ns() - 60 * NS, "ALL", 1000), strict=True)]


def test_no_purge_accepts_a_refresh_and_purges_nothing() -> None:
    plain, sim = make(), make(no_purge=True)
    t0 = sim.now_ns()
    assert sim.refresh({"type": "url", "url_list": [TOP]}) == (200, {"message": "ok"})
    rec = sim.refreshes[-1]
    assert rec["status"] == 200 and rec["applied"] is False and rec["fault"] == "no_purge"
    for s in (plain, sim):
        s.advance(60)
    assert sim.truth(D, t0) == plain.truth(D, t0)
    assert {"kind": "no_purge"} in sim.purge_info()


def test_modes_change_while_running_and_refuse_bad_values() -> None:
    sim = make()
    assert sim.set_purge({"no_purge": True, "refill": 1})["no_purge"] is True
    assert sim.purge.refill == 1
    for bad, word in (({"refill": -1}, "refill"), ({"no_purge": "yes"}, "no_purge"),
                      ({"nope": 1}, "unknown"), ([], "object")):
        with pytest.raises(ValueError, match=word):
            sim.set_purge(bad)
    assert sim.purge.to_json() == {"refill": 1, "cached_error": False,
                                   "no_cache_status": False, "no_purge": True}
