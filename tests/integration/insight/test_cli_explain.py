"""`s4top explain` over loopback against the simulator's incidents with a known cause: the
named cause first in its dimension, and its dimension first or second."""

from __future__ import annotations

import json

import pytest

from tests.integration.cli_support import DOMAIN, base_env, recent_frozen_sim, run
from tui.api.parse import parse_logs
from tui.insight.explain import columns_of_entries, explain
from tui.sim import Incident, SimConfig, Simulator

NS = 1_000_000_000


def cause(info: dict) -> tuple[str, str]:
    value = info["value"]
    return info["dimension"], f"https://{DOMAIN}{value}" if info["dimension"] == "dir" else value


@pytest.mark.parametrize("kind", ["4xx_flood", "5xx_wave", "miss_storm"])
def test_each_incident_is_explained(kind: str) -> None:
    with recent_frozen_sim(rate=30.0, seed=11, back_s=2, incidents=False) as server:
        now_s = server.sim.now_ns() // NS
        server.sim.add_incident(Incident(kind, start_s=now_s - 200, length_s=900))
        (info,) = [i for i in server.sim.incidents(now_s - 60, now_s) if i["kind"] == kind]
        dimension, value = cause(info)
        r = run(["explain", "--since", "3m", "--focus", info["focus"], "--json"],
                base_env(server.base_url))
        assert r.rc == 0, r.err
        rows = json.loads(r.out)
        order = list(dict.fromkeys(row["dimension"] for row in rows))
        assert dimension in order[:2], order
        mine = [row for row in rows if row["dimension"] == dimension]
        assert mine[0]["value"] == value
        assert mine[0]["selection_share"] > 0.5 and mine[0]["delta"] > 0.4
        assert [m["delta"] for m in mine] == sorted((m["delta"] for m in mine), reverse=True)
        assert len({m["score"] for m in mine}) == 1
        assert all(len([m for m in rows if m["dimension"] == d]) <= 5 for d in order)
        assert info["focus"] != "5XX" or "status" not in order


def test_the_scheduled_5xx_burst_names_its_path() -> None:
    hour = 1_716_998_400
    sim = Simulator(SimConfig(seed=7, rate=30.0, start_ns=(hour + 42 * 60) * NS, frozen=True))
    now = sim.now_ns()
    (burst,) = [i for i in sim.incidents(hour, hour + 3600) if i["kind"] == "5xx_burst"]
    entries = parse_logs({"data": sim.truth(DOMAIN, now - 120 * NS, now)}, "logs")
    ex = explain(columns_of_entries(entries), "5XX", now - 120 * NS, now)
    assert ex.dimensions[0].name in ("url", "dir")
    url = [d for d in ex.dimensions if d.name == "url"][0]
    assert url.findings[0].value == f"https://{DOMAIN}{burst['path']}"


def test_focus_all_finds_a_flooding_network_and_the_table_reads() -> None:
    with recent_frozen_sim(rate=30.0, seed=11, back_s=2, incidents=False) as server:
        now_s = server.sim.now_ns() // NS
        server.sim.add_incident(Incident("4xx_flood", start_s=now_s - 100, length_s=900))
        env = base_env(server.base_url)
        r = run(["explain", "--since", "2m", "--focus", "all", "--baseline", "5m", "--json",
                 "--by", "net,country,url"], env)
        assert r.rc == 0, r.err
        rows = json.loads(r.out)
        assert rows[0]["dimension"] == "net" and rows[0]["value"] == "198.51.100.0/24"
        assert rows[0]["ratio"] is None and rows[0]["baseline_share"] == 0
        assert {row["dimension"] for row in rows} <= {"net", "country", "url"}
        r = run(["explain", "--since", "2m", "--focus", "4xx", "--top", "2"], env)
        assert r.rc == 0, r.err
        lines = r.out.splitlines()
        assert lines[0].startswith(f"{DOMAIN}  explain 4XX, last 2m:")
        assert "client network  (divergence" in r.out
        row = [ln for ln in lines if ln.startswith("198.51.100.0/24")][0]
        assert "%" in row and "pp" in row and ("×" in row or "new" in row)


def test_usage_errors_are_one_line() -> None:
    with recent_frozen_sim(rate=5.0, seed=11, back_s=2, incidents=False) as server:
        env = base_env(server.base_url)
        for args, word in ((["--by", "url,colour"], "--by"), (["--since", "soon"], "--since"),
                           (["--focus", "6XX"], "--focus"), (["--top", "0"], "--top"),
                           (["--focus", "all", "--baseline", "x"], "--baseline")):
            r = run(["explain", *args], env)
            assert r.rc == 2 and word in r.err and "Traceback" not in r.err, (args, r.err)
        r = run(["explain", "--focus", "5XX", "--since", "1m"], env)
        assert r.rc == 0 and "explain 5XX" in r.out


def test_hostile_values_print_inert() -> None:
    from tests.integration.cli_support import Admin, raw_controls

    hostile = {"path": "https://cdn.example.com/\x1b]52;c;aGk=\x07\u202eevil.js",
               "country": "\x9b31mXX", "ua": "curl\x1b[2J", "ip": "\x1b[31m1.2.3.4"}
    with recent_frozen_sim(rate=5.0, seed=11, back_s=2, incidents=False) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        admin.inject([{**hostile, "code": 503, "size": 1, "method": "GET", "cache": "MISS",
                       "access_time": now - (i + 1) * 10**8} for i in range(30)])
        r = run(["explain", "--since", "2m"], base_env(server.base_url))
        assert r.rc == 0, r.err
        assert raw_controls(r.out_bytes) == []
        assert "evil.js" in r.out and "curl" in r.out
        r = run(["explain", "--since", "2m", "--json"], base_env(server.base_url))
        assert r.rc == 0 and raw_controls(r.out_bytes) == []
        assert any(row["value"] == hostile["ua"] for row in json.loads(r.out))
