"""The simulator's incidents with a known cause over loopback (tui/sim/incidents.py): opt-in,
deterministic per seed, touching only what their cause touches, named in /_sim/info."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tui.sim import DEMO_TOKEN, Incident, SimConfig, SimServer, Simulator
from tui.sim.cli import add_simulate_args
from tui.sim.incidents import parse_spec

NS = 1_000_000_000
NOW = 1716998400 + 50 * 60  # minute 50: outside the scheduled incidents
D = "cdn.example.com"


@pytest.fixture
def server() -> Iterator[SimServer]:
    with SimServer(SimConfig(start_ns=NOW * NS, frozen=True, rate=30.0)) as srv:
        yield srv


@pytest.fixture
def client(server: SimServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": DEMO_TOKEN},
                      timeout=5.0) as c:
        yield c


def truth(client: httpx.Client, start_s: int) -> list[dict]:
    return client.get("/_sim/truth", params={"start_ns": start_s * NS}).json()["data"]


def changed(before: list[dict], after: list[dict]) -> list[tuple[dict, dict]]:
    assert len(before) == len(after)  # the same requests
    return [(b, a) for b, a in zip(before, after, strict=True) if b != a]


def test_4xx_flood_from_one_network(client: httpx.Client) -> None:
    before = truth(client, NOW - 300)
    r = client.post("/_sim/incident", json={"kind": "4xx_flood", "in_s": -120, "length_s": 600})
    assert r.status_code == 200
    after = truth(client, NOW - 300)
    diff = changed(before, after)
    assert diff and all(a["access_time"] >= (NOW - 120) * NS for _, a in diff)
    assert {a["code"] for _, a in diff} == {429}
    assert all(a["ip"].startswith("198.51.100.") for _, a in diff)
    assert all(a["path"] == b["path"] for b, a in diff)  # the URLs requested as usual
    in_window = [a for a in after if a["access_time"] >= (NOW - 120) * NS]
    assert len(diff) / len(in_window) == pytest.approx(0.3, abs=0.04)
    info = [i for i in client.get("/_sim/info").json()["incidents"]
            if i["kind"] == "4xx_flood"]
    assert info == [{"kind": "4xx_flood", "start_s": NOW - 120, "length_s": 600,
                     "domain": None, "share": 0.3, "target": "198.51.100.0/24",
                     "end_s": NOW + 480, "focus": "4XX", "dimension": "net",
                     "value": "198.51.100.0/24"}]
    assert client.delete("/_sim/incident").json() == {"incidents": []}
    assert truth(client, NOW - 300) == before


def test_5xx_wave_from_one_country(client: httpx.Client) -> None:
    before = truth(client, NOW - 300)
    client.post("/_sim/incident", json={"kind": "5xx_wave", "in_s": -60, "target": "JP",
                                        "share": 0.8, "domain": D})
    diff = changed(before, truth(client, NOW - 300))
    assert diff and {a["country"] for _, a in diff} == {"JP"}
    codes = {a["code"] for _, a in diff}
    assert all(500 <= c < 600 for c in codes) and len(codes) > 1
    jp = [b for b in before if b["country"] == "JP" and b["access_time"] >= (NOW - 60) * NS
          and b["code"] < 500]
    assert len(diff) / len(jp) == pytest.approx(0.8, abs=0.1)
    info = client.get("/_sim/incident").json()["incidents"]
    assert (info[0]["dimension"], info[0]["value"], info[0]["focus"]) == ("country", "JP", "5XX")


def test_miss_storm_under_one_directory(client: httpx.Client) -> None:
    before = truth(client, NOW - 300)
    client.post("/_sim/incident", json={"kind": "miss_storm", "in_s": -100})
    after = truth(client, NOW - 300)
    diff = changed(before, after)
    assert diff and all(b["cache"] == "HIT" and a["cache"] == "MISS" for b, a in diff)
    assert all(a["path"].startswith(f"https://{D}/video/intro/") for _, a in diff)
    assert all({**a, "cache": "HIT"} == b for b, a in diff)
    storm = [a for a in after if a["access_time"] >= (NOW - 100) * NS
             and a["path"].startswith(f"https://{D}/video/intro/") and 200 <= a["code"] < 400]
    assert storm and Counter(a["cache"] for a in storm) == {"MISS": len(storm)}


def test_bad_incidents_are_400s(client: httpx.Client) -> None:
    for body in ({"kind": "meteor"}, {"kind": "4xx_flood", "target": "10.0.0.0/8"},
                 {"kind": "miss_storm", "target": "video"}, {"kind": "5xx_wave", "share": 0},
                 {"kind": "5xx_wave", "colour": 1}, [1]):
        r = client.post("/_sim/incident", json=body)
        assert r.status_code == 400 and r.json()["message"], body
    assert client.post("/_sim/incident", json={"kind": "5xx_wave", "domain": "x.example"}
                       ).status_code == 404
    assert any(c["path"] == "/_sim/incident" for c in client.get("/_sim/").json()["controls"])


def test_deterministic_per_seed_and_opt_in() -> None:
    def world(seed: int, *incidents: Incident) -> list[dict]:
        sim = Simulator(SimConfig(seed=seed, start_ns=NOW * NS, frozen=True, rate=30.0,
                                  known_incidents=incidents))
        return sim.truth(D, (NOW - 200) * NS)

    inc = Incident("4xx_flood", start_s=NOW - 100)
    assert world(7, inc) == world(7, inc)
    assert world(7, inc) != world(8, inc)
    later = Incident("4xx_flood", start_s=NOW + 100)  # not under way yet: nothing changes
    assert world(7, later) == world(7)


def test_simulate_option() -> None:
    p = argparse.ArgumentParser()
    add_simulate_args(p)
    args = p.parse_args(["--incident=5xx_wave,-2m,20m", "--incident", "miss_storm"])
    assert args.incident == ["5xx_wave,-2m,20m", "miss_storm"]
    assert parse_spec("5xx_wave,-2m,20m", NOW) == Incident("5xx_wave", NOW - 120, 1200)
    assert parse_spec("miss_storm", NOW) == Incident("miss_storm", NOW, 600)
    with pytest.raises(ValueError, match="unknown incident kind"):
        parse_spec("flood", NOW)
