"""`simulate --replay`: the simulator's HTTP layer serves a recording to the real client,
times moved by the offset `/_sim/info` states, the paging semantics of the live API intact."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import pytest

from tests.conftest import DOMAIN, FIXED_NS
from tests.replay_support import NS, record_sim, write_recording
from tui.api.client import S4Client
from tui.api.errors import AuthError
from tui.api.parse import parse_logs
from tui.commands.logs import read_window
from tui.sim import DEMO_TOKEN, SimConfig, SimServer, Simulator
from tui.sim.replay import replay_from_args

OFFSET = 86_400 * NS + 12_345


def _page_all(base: str, domain: str, lo: int, hi: int, limit: int, codes: str = "ALL"):
    async def go():
        got = []
        async with S4Client(base, lambda: DEMO_TOKEN) as client:
            await read_window(client, domain, lo, hi, codes, limit, got.extend)
        return got
    return asyncio.run(go())


@pytest.fixture
def recorded(tmp_path: Path):
    sim = Simulator(SimConfig(seed=5, rate=30.0, start_ns=FIXED_NS, frozen=True,
                              domains=(DOMAIN,)))
    lo, hi = FIXED_NS - 900 * NS, FIXED_NS
    truth = record_sim(tmp_path / "r.db", sim, lo, hi)[DOMAIN]
    return tmp_path / "r.db", truth, lo, hi


def test_paging_a_served_recording_gives_every_entry_once_shifted(recorded) -> None:
    path, truth, lo, hi = recorded
    sim = replay_from_args(str(path), "-0s", "0", offset_ns=OFFSET)  # paused at the end
    with SimServer(sim=sim) as srv:
        info = json.load(urllib.request.urlopen(f"{srv.base_url}/_sim/info"))
        assert info["replay"]["offset_ns"] == OFFSET
        assert info["now_ns"] == hi + OFFSET
        got = _page_all(srv.base_url, DOMAIN, lo + OFFSET, hi + OFFSET, limit=211)
    want = parse_logs({"data": truth}, "logs")
    for e in want:
        e.time_ns += OFFSET
    assert len(got) == len(want) > 20_000
    assert got == want


def test_equal_times_across_page_edges_are_delivered_once(tmp_path: Path) -> None:
    raws = [{"access_time": FIXED_NS + (i // 9) * 1000, "code": 200 + (i % 2) * 300,
             "path": f"/p{i}", "ip": "10.0.0.1", "size": i, "method": "GET"} for i in range(180)]
    write_recording(tmp_path / "r.db", {DOMAIN: raws})
    sim = replay_from_args(str(tmp_path / "r.db"), "-0s", "0", offset_ns=OFFSET)
    with SimServer(sim=sim) as srv:
        for limit in (10, 17, 1000):  # a page holds a group of 9
            got = _page_all(srv.base_url, DOMAIN, FIXED_NS + OFFSET, FIXED_NS + OFFSET + NS,
                            limit)
            assert [e.url for e in got] == [r["path"] for r in raws], limit
        fives = _page_all(srv.base_url, DOMAIN, FIXED_NS + OFFSET, FIXED_NS + OFFSET + NS, 7,
                          codes="5XX")
        assert [e.url for e in fives] == [r["path"] for r in raws if r["code"] == 500]


def test_the_api_checks_hold_on_a_replay(recorded) -> None:
    path, _truth, lo, _hi = recorded
    sim = replay_from_args(str(path), None, "0", offset_ns=OFFSET)

    async def go(base: str) -> None:
        async with S4Client(base, lambda: "wrong") as bad:
            with pytest.raises(AuthError):
                await bad.logs_page(DOMAIN, lo + OFFSET, "ALL", 10)
    with SimServer(sim=sim) as srv:
        asyncio.run(go(srv.base_url))
        r = httpx.get(f"{srv.base_url}/cdn/data/{DOMAIN}/logs",
                      params={"start_time": lo + OFFSET, "limit": 1001},
                      headers={"Authorization": DEMO_TOKEN})
        assert r.status_code == 400
        r = httpx.get(f"{srv.base_url}/cdn/data/other.example.com/logs",
                      params={"start_time": lo + OFFSET}, headers={"Authorization": DEMO_TOKEN})
        assert r.status_code == 404
        r = httpx.post(f"{srv.base_url}/_sim/inject", json={"entries": [{"a": 1}]})
        assert r.status_code == 400 and "replay" in r.json()["message"]


def test_the_clock_runs_at_speed_and_serves_nothing_past_it(recorded) -> None:
    path, truth, lo, _hi = recorded
    sim = replay_from_args(str(path), None, "60", offset_ns=OFFSET)  # from the start, 60x
    with SimServer(sim=sim) as srv:
        time.sleep(0.5)
        now = sim.now_ns()
        assert lo + OFFSET + 25 * NS <= now <= lo + OFFSET + 60 * NS
        got = _page_all(srv.base_url, DOMAIN, lo + OFFSET, now, 1000)
    served = [e.time_ns - OFFSET for e in got]
    assert served and max(served) <= now - OFFSET
    assert served == [r["access_time"] for r in truth if r["access_time"] <= max(served)]


def test_series_served_from_the_file_shifted(tmp_path: Path) -> None:
    t0 = FIXED_NS // NS  # 10:00 UTC
    raws = [{"access_time": (t0 + 60 * i) * NS, "code": 200, "path": "/x", "ip": "1.1.1.1",
             "size": 10, "method": "GET"} for i in range(120)]
    write_recording(tmp_path / "r.db", {DOMAIN: raws},
                    series=[(DOMAIN, "request", "hourly", t0, 60.0),
                            (DOMAIN, "request", "hourly", t0 + 3600, 60.0)])
    sim = replay_from_args(str(tmp_path / "r.db"), "-0s", "0", offset_ns=3600 * NS)

    async def go(base: str):
        async with S4Client(base, lambda: DEMO_TOKEN) as client:
            return await client.series(DOMAIN, "request", t0, t0 + 3 * 3600, "hourly")
    with SimServer(sim=sim) as srv:
        s = asyncio.run(go(srv.base_url))
    assert s.points == [(t0 + 3600, 60.0), (t0 + 7200, 60.0)]


def test_simulate_replay_command_serves_the_file(recorded, tmp_path: Path) -> None:
    path, truth, lo, hi = recorded
    exe = Path(sys.executable).with_name("s4top")
    proc = subprocess.Popen([str(exe), "simulate", "--replay", str(path), "--port", "0",
                             "--at", "-0s", "--speed", "0"],
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        base = line.split("serving ", 1)[1].split()[0]
        info = json.load(urllib.request.urlopen(f"{base}/_sim/info"))
        off = info["replay"]["offset_ns"]
        assert abs(info["now_ns"] - time.time_ns()) < 60 * NS  # the real clock, more or less
        got = _page_all(base, DOMAIN, hi + off - 60 * NS, hi + off, 1000)
        assert [e.time_ns - off for e in got] == [r["access_time"] for r in truth
                                                  if r["access_time"] >= hi - 60 * NS]
    finally:
        proc.terminate()
        proc.wait(10)


def test_simulate_replay_of_a_bad_file_is_one_line(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("s4top")
    bad = tmp_path / "x.db"
    bad.write_text("nope" * 500)
    r = subprocess.run([str(exe), "simulate", "--replay", str(bad), "--port", "0"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "not an s4top recording" in r.stderr
    r = subprocess.run([str(exe), "simulate", "--replay", str(bad), "--speed", "fast"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and r.stderr.startswith("s4top simulate: --speed: not a number")
