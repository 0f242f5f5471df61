"""The simulator's model without sockets: determinism, paging, series, refresh, incidents."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest

from tui.sim import DEMO_TOKEN, FaultSet, SimConfig, SimError, Simulator
from tui.sim.logs import quantum_ns
from tui.sim.variants import apply_shape

NS = 1_000_000_000
HOUR = 1716998400  # 2024-05-29 16:00:00 UTC, hour-aligned
D = "cdn.example.com"


def make(minutes: float = 30, **kw: Any) -> Simulator:
    return Simulator(SimConfig(start_ns=(HOUR + int(minutes * 60)) * NS, frozen=True, **kw))


def page_all(sim: Simulator, start_ns: int, limit: int, codes: str = "ALL") -> list[dict]:
    """Page the logs exactly once, per docs/api.md (ask from T-1, skip k at T)."""
    out: list[dict] = []
    req, last_t, k = start_ns, None, 0
    for _ in range(100_000):
        page = sim.logs(D, req, codes, limit)
        new, seen = [], 0
        for e in page:
            t = e["access_time"]
            if last_t is not None and t < last_t:
                continue
            if t == last_t and seen < k:
                seen += 1
                continue
            new.append(e)
        out.extend(new)
        if new:
            t = new[-1]["access_time"]
            at_t = sum(1 for e in new if e["access_time"] == t)
            k = k + at_t if t == last_t else at_t
            last_t = t
        if len(page) < limit:
            return out
        assert new, "a full page held one timestamp"
        req = last_t - 1
    raise AssertionError("paging did not end")


# -- determinism and paging ------------------------------------------------------------------


def test_same_seed_same_entries_any_query_pattern() -> None:
    a, b = make(), make(cache_entries=1000)  # b evicts constantly: regenerated, same result
    start = (HOUR + 1500) * NS
    assert a.logs(D, start, "ALL", 1000) == b.logs(D, start, "ALL", 1000)
    whole = a.truth(D, start)
    assert whole == b.truth(D, start)
    mid = whole[len(whole) // 2]["access_time"]
    assert b.truth(D, mid) == [e for e in whole if e["access_time"] >= mid]
    assert make(seed=8).logs(D, start, "ALL", 50) != a.logs(D, start, "ALL", 50)


def test_inclusive_cursor_oldest_first_and_limit() -> None:
    sim = make()
    page = sim.logs(D, (HOUR + 1700) * NS, "ALL", 200)
    assert len(page) == 200
    times = [e["access_time"] for e in page]
    assert times == sorted(times) and times[0] >= (HOUR + 1700) * NS
    t = page[57]["access_time"]
    again = sim.logs(D, t, "ALL", 5)
    assert again[0]["access_time"] == t  # the boundary entry comes again
    assert again[0] == next(e for e in page if e["access_time"] == t)
    assert len(sim.logs(D, (HOUR + 1700) * NS, "ALL", 1)) == 1
    assert len(sim.logs(D, (HOUR + 1500) * NS, "ALL", 1000)) == 1000


@pytest.mark.parametrize("limit", [0, -1, 1001])
def test_limit_out_of_range_is_400(limit: int) -> None:
    with pytest.raises(SimError) as err:
        make().logs(D, HOUR * NS, "ALL", limit)
    assert err.value.status == 400 and "limit" in err.value.message


@pytest.mark.parametrize("codes", ["2XX", "3XX", "4XX", "5XX"])
def test_codes_filter(codes: str) -> None:
    sim = make(minutes=45)  # includes the 5xx burst
    start = (HOUR + 38 * 60) * NS
    got = page_all(sim, start, 500, codes)
    want = [e for e in sim.truth(D, start) if str(e["code"])[0] == codes[0]]
    assert got == want and got


def test_bad_codes_and_unknown_domain() -> None:
    sim = make()
    with pytest.raises(SimError) as err:
        sim.logs(D, HOUR * NS, "2xx", 10)
    assert err.value.status == 400
    with pytest.raises(SimError) as err:
        sim.logs("other.example.com", HOUR * NS, "ALL", 10)
    assert err.value.status == 404


def test_truth_equals_concatenated_pages_with_ties() -> None:
    sim = make(rate=3000.0)  # ms timestamps: many ties, some across page boundaries
    start = (HOUR + 1796) * NS
    truth = sim.truth(D, start)
    assert len(truth) > 10_000
    for limit in (1000, 97):
        assert page_all(sim, start, limit) == truth
    low = make()
    assert page_all(low, (HOUR + 1500) * NS, 37) == low.truth(D, (HOUR + 1500) * NS)


def test_equal_timestamps_occur_and_quantum() -> None:
    low = make().truth(D, (HOUR + 1740) * NS)
    pairs = sum(1 for a, b in zip(low, low[1:], strict=False) if a["access_time"] == b["access_time"])
    assert pairs > 0
    assert all(e["access_time"] % quantum_ns(20.0) == 0 for e in low)
    high = make(rate=3000.0).truth(D, (HOUR + 1799) * NS)
    assert all(e["access_time"] % 1_000_000 == 0 for e in high)
    per_t = Counter(e["access_time"] for e in high)
    assert max(per_t.values()) >= 3


def test_retention_and_nothing_after_now() -> None:
    sim = make(retention_s=600)
    now = sim.now_ns()
    page = sim.logs(D, 0, "ALL", 100)
    assert page[0]["access_time"] >= now - 600 * NS
    assert page[0]["access_time"] < now - 598 * NS
    assert all(e["access_time"] <= now for e in sim.truth(D, now - 5 * NS))
    before = sim.truth(D, now - 5 * NS)
    sim.advance(3)
    after = sim.truth(D, now - 5 * NS)
    assert after[: len(before)] == before and len(after) > len(before)
    assert sim.logs(D, sim.now_ns() + 1, "ALL", 10) == []


def test_default_retention_is_three_days() -> None:
    sim = make()
    first = sim.logs(D, sim.now_ns() - 4 * 86400 * NS, "ALL", 1)[0]
    assert sim.now_ns() - 3 * 86400 * NS <= first["access_time"] < sim.now_ns() - 3 * 86400 * NS + 10 * NS


def test_entries_look_real() -> None:
    entries = make().truth(D, (HOUR + 1200) * NS)
    e = entries[0]
    assert set(e) == {"path", "size", "access_time", "code", "method", "ip", "country",
                      "referer", "ua", "cache"}
    assert all(x["path"].startswith(f"https://{D}/") for x in entries)
    codes = Counter(x["code"] for x in entries)
    top = {c for c, _ in codes.most_common(3)}
    assert top == {200, 206, 304}
    assert codes[404] > 0 and codes[403] > 0
    assert sum(n for c, n in codes.items() if c >= 500) < len(entries) * 0.01
    assert {x["cache"] for x in entries} == {"HIT", "MISS"}
    assert len({x["ip"] for x in entries}) > 50
    assert Counter(x["country"] for x in entries).most_common(1)[0][0] == "CN"
    paths = Counter(x["path"].split("?")[0] for x in entries)
    assert paths.most_common(1)[0][1] > 20 * min(paths.values())  # Zipf-like


# -- series ----------------------------------------------------------------------------------


def test_series_current_hour_is_exact() -> None:
    sim = make()
    entries = sim.truth(D, HOUR * NS)
    got = {m: sim.series(D, m, HOUR, HOUR + 1800, "hourly")
           for m in ("request", "traffic", "request_origin", "traffic_origin")}
    assert all(len(v) == 1 and v[0]["time"] == HOUR for v in got.values())
    misses = [e for e in entries if e["cache"] == "MISS"]
    assert got["request"][0]["value"] == len(entries)
    assert got["traffic"][0]["value"] == sum(e["size"] for e in entries)
    assert got["request_origin"][0]["value"] == len(misses)
    assert got["traffic_origin"][0]["value"] == sum(e["size"] for e in misses)


def test_series_older_hours_follow_the_logs() -> None:
    sim = make()
    h = HOUR - 2 * 3600  # outside the exact window: the model's expectation
    entries = sim.truth(D, h * NS, (h + 3600) * NS - 1)
    req = sim.series(D, "request", h, h, "hourly")[0]["value"]
    traffic = sim.series(D, "traffic", h, h, "hourly")[0]["value"]
    origin = sim.series(D, "request_origin", h, h, "hourly")[0]["value"]
    assert req == pytest.approx(len(entries), rel=0.02)
    assert traffic == pytest.approx(sum(e["size"] for e in entries), rel=0.06)
    assert origin == pytest.approx(sum(e["cache"] == "MISS" for e in entries), rel=0.05)


def test_the_exact_window_is_a_minute_at_least_unless_asked_shorter() -> None:
    """A high rate's entry budget never cuts the exact window under a minute; a window asked
    for outright is kept, and the seconds inside it still match the logs exactly."""
    assert make(rate=5000.0).exact_window_s == 60
    assert make(rate=5.0).exact_window_s == 3600
    sim = make(rate=5000.0, exact_series_s=10)
    assert sim.exact_window_s == 10
    now = HOUR + 1800
    entries = sim.truth(D, (now - 9) * NS)
    exact = sim.builder.sums(D, now - 9, now + 1, now * NS)
    assert exact[0] == len(entries) and exact[1] == sum(e["size"] for e in entries)


def test_series_day_shape_partial_bucket_and_periods() -> None:
    sim = make()
    day = sim.series(D, "request", HOUR - 23 * 3600, HOUR + 1800, "hourly")
    assert len(day) == 24 and day[-1]["time"] == HOUR
    full = [p["value"] for p in day[:-1]]
    assert max(full) > 2.5 * min(full)
    assert day[-1]["value"] < 0.7 * day[-2]["value"]  # partial, not a drop to zero
    assert day[-1]["value"] > 0
    daily = sim.series(D, "request", HOUR - 3 * 86400, HOUR, "daily")
    assert len(daily) == 4 and all(p["time"] % 86400 == 0 for p in daily)
    monthly = sim.series(D, "traffic", HOUR - 40 * 86400, HOUR, "monthly")
    assert [p["time"] for p in monthly] == [1714521600 - 30 * 86400, 1714521600]  # Apr, May
    assert len(sim.series(D, "request", HOUR + 7200, HOUR + 9000, "hourly")) == 0


@pytest.mark.parametrize("args, word", [
    ((HOUR, HOUR + 10, "weekly"), "period"),
    ((HOUR, HOUR - 10, "hourly"), "end_time"),
    ((HOUR * 1000, HOUR * 1000, "hourly"), "seconds"),
    ((0, HOUR, "hourly"), "too long"),
])
def test_series_bad_parameters(args: tuple, word: str) -> None:
    with pytest.raises(SimError) as err:
        make().series(D, "request", *args)
    assert err.value.status == 400 and word in err.value.message


# -- refresh ---------------------------------------------------------------------------------


@pytest.mark.parametrize("body, word", [
    (b"not json", "JSON"),
    ([], "object"),
    ({"type": "file", "url_list": ["https://cdn.example.com/a"]}, "type"),
    ({"type": "url"}, "url_list"),
    ({"type": "url", "url_list": []}, "empty"),
    ({"type": "url", "url_list": [f"https://cdn.example.com/{i}" for i in range(21)]}, "20"),
    ({"type": "url", "url_list": [3]}, "string"),
    ({"type": "url", "url_list": ["https://cdn.example.com/*.png"]}, "'*'"),
    ({"type": "url", "url_list": ["ftp://cdn.example.com/a"]}, "http"),
    ({"type": "url", "url_list": ["/a.png"]}, "http"),
    ({"type": "url", "url_list": ["https://cdn.example.com/a b.png"]}, "encoded"),
    ({"type": "url", "url_list": ["https://cdn.example.com/100%.png"]}, "encoded"),
    ({"type": "directory", "url_list": ["https://cdn.example.com/img"]}, "'/'"),
])
def test_refresh_validation(body: Any, word: str) -> None:
    sim = make()
    status, obj = sim.refresh(body)
    assert status == 400 and obj["code"] == 400 and word in obj["message"]
    rec = sim.refreshes[-1]
    assert rec["status"] == 400 and rec["applied"] is False


def test_refresh_ok_is_recorded_as_received() -> None:
    sim = make()
    urls = ["https://cdn.example.com/img/%E6%B4%BB%E5%8A%A8/banner.jpg", "http://cdn.example.com/x"]
    assert sim.refresh({"type": "url", "url_list": urls, "extra": 1}) == (200, {"message": "ok"})
    assert sim.refresh(b'{"type": "directory", "url_list": ["https://cdn.example.com/img/"]}')[0] == 200
    recs = sim.refreshes
    assert [r["type"] for r in recs] == ["url", "directory"]
    assert recs[0]["url_list"] == urls and recs[0]["time_ns"] == sim.now_ns()
    assert recs[0]["status"] == 200 and recs[0]["applied"] is True


def test_refresh_makes_later_requests_miss_for_a_while() -> None:
    """The older refresh model (refresh_refill=0): every request misses for 300 s."""
    top = "https://cdn.example.com/static/js/app.8f3c2a.js"
    plain, refreshed = make(refresh_refill=0), make(refresh_refill=0)
    t0 = refreshed.now_ns()
    assert refreshed.refresh({"type": "url", "url_list": [top]})[0] == 200
    assert refreshed.refresh({"type": "directory", "url_list": ["https://cdn.example.com/fonts/"]})[0] == 200
    for s in (plain, refreshed):
        s.advance(400)

    def cache_of(sim: Simulator, path: str, lo: int, hi: int) -> Counter:
        return Counter(e["cache"] for e in sim.truth(D, lo, hi)
                       if e["path"].startswith(path) and e["code"] < 400)

    window = (t0, t0 + 300 * NS - 1)
    assert cache_of(refreshed, top, *window) == Counter({"MISS": sum(cache_of(plain, top, *window).values())})
    assert cache_of(plain, top, *window)["HIT"] > 0
    assert set(cache_of(refreshed, "https://cdn.example.com/fonts/", *window)) == {"MISS"}
    assert cache_of(refreshed, top, t0 + 300 * NS, t0 + 400 * NS)["HIT"] > 0  # healed
    assert cache_of(refreshed, top, t0 - 60 * NS, t0 - 1) == cache_of(plain, top, t0 - 60 * NS, t0 - 1)
    origin = [s.series(D, "request_origin", HOUR, HOUR, "hourly")[0]["value"] for s in (plain, refreshed)]
    assert origin[1] > origin[0]


# -- incidents -------------------------------------------------------------------------------


def test_incidents_5xx_burst_and_origin_storm() -> None:
    sim = make(minutes=50)
    inc = sim.incidents(HOUR, HOUR + 3600)
    assert [i["kind"] for i in inc] == ["origin_storm", "5xx_burst"]
    burst = next(i for i in inc if i["kind"] == "5xx_burst")
    during = sim.truth(D, burst["start_s"] * NS, burst["end_s"] * NS - 1)
    bad = [e for e in during if e["code"] >= 500]
    assert len(bad) > 0.2 * len(during)
    assert Counter(e["path"] for e in bad).most_common(1)[0][0].endswith(burst["path"])
    calm = sim.truth(D, (HOUR + 30 * 60) * NS, (HOUR + 33 * 60) * NS)
    assert sum(e["code"] >= 500 for e in calm) < 0.01 * len(calm)

    storm = next(i for i in inc if i["kind"] == "origin_storm")
    prod = f"https://{D}{storm['path']}"

    def products(lo_s: int, hi_s: int) -> Counter:
        return Counter(e["cache"] for e in sim.truth(D, lo_s * NS, hi_s * NS - 1)
                       if e["path"].startswith(prod) and e["code"] < 400)

    assert set(products(storm["start_s"], storm["end_s"])) == {"MISS"}
    before = products(storm["start_s"] - 300, storm["start_s"])
    assert before["HIT"] > 5 * before["MISS"]
    quiet = make(minutes=50, incidents=False)
    assert quiet.incidents(HOUR, HOUR + 3600) == []
    q = quiet.truth(D, burst["start_s"] * NS, burst["end_s"] * NS - 1)
    assert sum(e["code"] >= 500 for e in q) < 0.01 * len(q)


# -- injected entries, faults, shapes --------------------------------------------------------


def test_injected_entries_are_merged_raw() -> None:
    sim = make()
    t = sim.now_ns() - 2 * NS
    hostile = {"path": "https://cdn.example.com/\x1b]52;c;aGk=\x07", "access_time": t,
               "code": 404, "weird": ["\u202e"]}
    assert sim.inject(D, [hostile, {"note": "no time"}]) == 2
    got = sim.truth(D, t)
    assert got[0]["access_time"] <= t
    assert hostile in got and {"note": "no time", "access_time": sim.now_ns()} in got
    assert hostile in sim.logs(D, t, "4XX", 1000)
    assert hostile not in sim.logs(D, t, "2XX", 1000)


def test_fault_set_counts_paths_and_validation() -> None:
    fs = FaultSet([{"status": 503, "count": 2, "path": "logs"}])
    assert fs.take("traffic", "/cdn/data/d/traffic") is None
    assert fs.take("logs", "/cdn/data/d/logs").status == 503
    assert fs.take("logs", "/cdn/data/d/logs").status == 503
    assert fs.take("logs", "/cdn/data/d/logs") is None
    fs.set({"latency_s": 0.1, "path": "series"})
    fs.set({"add": True, "shape": "alt2"})
    fx = fs.take("request", "/cdn/data/d/request")
    assert fx.latency_s == 0.1 and fx.shape == "alt2"
    assert fs.take(None, "/favicon.ico") is None
    for bad in ({"status": 200}, {"nope": 1}, {"count": 0}, {"shape": "alt99"},
                {"latency_s": "1"}, {"path": "stats"}, {"truncate": "half"}):
        with pytest.raises(ValueError):
            fs.set(bad)


def test_shapes_rename_and_reenvelope() -> None:
    sim = make()
    body = {"data": sim.logs(D, (HOUR + 1700) * NS, "ALL", 2), "message": "ok"}
    alt1 = apply_shape("logs", body, "alt1")
    assert {"status", "client_ip", "timestamp", "url"} <= set(alt1["data"][0])
    alt2 = apply_shape("logs", body, "alt2")
    assert isinstance(alt2, list) and {"http_code", "remote_addr", "time"} <= set(alt2[0])
    assert isinstance(apply_shape("logs", body, "alt3")["data"][0]["hit"], bool)
    series = {"data": sim.series(D, "traffic", HOUR - 3600, HOUR, "hourly")}
    assert apply_shape("series", series, "alt1")["data"] == {
        str(p["time"]): p["value"] for p in series["data"]}
    assert apply_shape("series", series, "alt2")["timestamps"] == [HOUR - 3600, HOUR]
    assert apply_shape("series", series, "alt3")[0] == [HOUR - 3600, series["data"][0]["value"]]
    assert apply_shape("series", series, "alt4", "traffic")["data"][0]["timestamp"] == (HOUR - 3600) * 1000


def test_token_check_and_repr_hide_the_token() -> None:
    sim = Simulator(SimConfig(token="sekrit-token-123", start_ns=HOUR * NS, frozen=True))
    assert sim.check_token("sekrit-token-123")
    assert not sim.check_token(DEMO_TOKEN) and not sim.check_token(None)
    assert not sim.check_token("Bearer sekrit-token-123")
    assert "sekrit" not in repr(sim) and "sekrit" not in repr(sim.config)


def test_unfrozen_clock_runs_from_start_and_can_be_advanced() -> None:
    sim = Simulator(SimConfig(start_ns=HOUR * NS))
    a = sim.now_ns()
    assert HOUR * NS <= a < (HOUR + 5) * NS
    sim.advance(60)
    b = sim.now_ns()
    assert b - a >= 60 * NS
    sim.set_now((HOUR + 7200) * NS)
    assert sim.now_ns() >= (HOUR + 7200) * NS
    real = Simulator(SimConfig())
    assert abs(real.now_ns() - time.time_ns()) < 5 * NS


def test_logs_page_body_is_the_json_of_the_page_with_injected_entries_and_misses() -> None:
    """The server joins kept per-entry JSON for a logs page: byte for byte what json.dumps
    of the reply says, with hostile injected entries, forced misses, and a page read twice."""
    import json

    from tui.sim.server import _body

    sim = make()
    now = sim.now_ns()
    sim.inject("cdn.example.com", [
        {"access_time": now - 5 * 10**9, "path": "/x\u202e\x1b[2J\ud800", "code": 500, "n": [1, None]},
        {"access_time": now - 5 * 10**9, "weird": {"k": "\x00"}},
    ])
    assert sim.refresh({"type": "directory", "url_list": ["https://cdn.example.com/"]})[0] == 200
    for _ in range(2):  # cold, then from the kept JSON
        page = sim.logs("cdn.example.com", now - 6 * 10**9, "ALL", 1000)
        obj = {"data": page, "message": "ok"}
        assert _body(obj) == json.dumps(obj, separators=(",", ":")).encode()
        assert any(e.get("cache") == "MISS" for e in page) and any("weird" in e for e in page)
    assert _body({"data": [], "message": "ok"}) == b'{"data":[],"message":"ok"}'
