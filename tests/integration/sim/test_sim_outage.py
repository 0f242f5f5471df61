"""The simulator's sustained outage over loopback: opt-in, named in /_sim/info, 25 % 503s on
one path for as long as asked, and able to begin before the client looks."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import httpx
import pytest

from tui.sim import DEMO_TOKEN, Outage, SimConfig, SimServer
from tui.sim.cli import add_simulate_args
from tui.sim.outage import OUTAGE_PATH, parse_spec

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


def share_5xx(entries: list[dict], lo: int, hi: int) -> float:
    w = [e for e in entries if lo <= e["access_time"] // NS < hi]
    return sum(e["code"] >= 500 for e in w) / len(w)


def test_outage_is_opt_in_lasts_and_is_named_in_info(client: httpx.Client) -> None:
    start = (NOW - 300) * NS
    before = client.get("/_sim/truth", params={"start_ns": start}).json()["data"]
    info = client.get("/_sim/info").json()
    assert not [i for i in info["incidents"] if i["kind"] == "outage"]
    # begun 4 minutes ago (a dashboard opened now meets it under way), for 9 minutes
    r = client.post("/_sim/outage", json={"in_s": -240, "length_s": 540, "domain": D})
    assert r.status_code == 200 and r.json()["outages"][0]["start_s"] == NOW - 240
    after = client.get("/_sim/truth", params={"start_ns": start}).json()["data"]
    assert len(after) == len(before)  # the same requests, a quarter of them failing
    assert share_5xx(after, NOW - 240, NOW) == pytest.approx(0.25, abs=0.03)
    assert share_5xx(after, NOW - 300, NOW - 240) < 0.01
    assert {e["path"] for e in after if e["code"] == 503} == {f"https://{D}{OUTAGE_PATH}"}
    outages = [i for i in client.get("/_sim/info").json()["incidents"] if i["kind"] == "outage"]
    assert outages == [{"kind": "outage", "start_s": NOW - 240, "length_s": 540, "domain": D,
                        "share": 0.25, "end_s": NOW + 300, "path": OUTAGE_PATH, "status": 503}]
    assert client.post("/_sim/outage", json={"share": 2}).status_code == 400
    assert client.post("/_sim/outage", json={"domain": "nope.example"}).status_code == 404
    assert client.delete("/_sim/outage").json() == {"outages": []}
    assert client.get("/_sim/truth", params={"start_ns": start}).json()["data"] == before


def test_outage_from_the_config_and_the_command_line() -> None:
    sim_cfg = SimConfig(start_ns=NOW * NS, frozen=True, outages=(Outage(NOW - 60, 120),))
    with SimServer(sim_cfg) as srv:
        got = srv.sim.truth(D, (NOW - 60) * NS)
        assert share_5xx(got, NOW - 60, NOW) == pytest.approx(0.25, abs=0.05)
    parser = argparse.ArgumentParser()
    add_simulate_args(parser)
    args = parser.parse_args(["--outage=-5m,30m"])
    assert parse_spec(args.outage[0], NOW) == Outage(NOW - 300, 1800)
    with pytest.raises(ValueError, match="OFFSET,LENGTH"):
        parse_spec("5m", NOW)


def test_an_outage_on_a_catalog_path_keeps_its_good_requests(client: httpx.Client) -> None:
    """A third field names the failing path: its 503s join the path's own good requests, so
    a refresh of that URL can be seen to purge (tests/e2e/workflow/test_alert_to_proof_e2e.py)."""
    path = "/data/catalog.json"
    assert parse_spec("-5m,30m," + path, NOW).path == path
    r = client.post("/_sim/outage", json={"in_s": -240, "length_s": 540, "path": path})
    assert r.status_code == 200 and r.json()["outages"][0]["path"] == path
    got = client.get("/_sim/truth", params={"start_ns": (NOW - 240) * NS}).json()["data"]
    on_path = [e for e in got if e["path"] == f"https://{D}{path}"]
    assert share_5xx(got, NOW - 240, NOW) == pytest.approx(0.25, abs=0.03)
    assert any(e["code"] == 200 for e in on_path) and any(e["code"] == 503 for e in on_path)
    assert not [e for e in got if e["path"].endswith(OUTAGE_PATH)]
    assert client.post("/_sim/outage", json={"path": "no slash"}).status_code == 400
    with pytest.raises(ValueError, match="path"):
        parse_spec("-5m,30m,data", NOW)
