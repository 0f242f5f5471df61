"""The purge modes over loopback: set with POST /_sim/purge or `s4top simulate` flags, named
in /_sim/info, and seen on the wire (no cache key at all in the no-cache-status mode)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import httpx
import pytest

from tui.sim import DEMO_TOKEN, SimConfig, SimServer
from tui.sim.cli import add_simulate_args

NS = 1_000_000_000
NOW = 1716998400 + 50 * 60
D = "cdn.example.com"


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with SimServer(SimConfig(start_ns=NOW * NS, frozen=True)) as srv, \
            httpx.Client(base_url=srv.base_url, headers={"Authorization": DEMO_TOKEN},
                         timeout=5.0) as c:
        yield c


def logs(client: httpx.Client) -> list[dict]:
    r = client.get(f"/cdn/data/{D}/logs", params={"start_time": (NOW - 60) * NS,
                                                   "limit": 1000})
    assert r.status_code == 200
    return r.json()["data"]


def test_modes_are_set_over_http_and_named_in_info(client: httpx.Client) -> None:
    info = client.get("/_sim/info").json()
    assert info["purge"] == [{"kind": "refresh_refill", "requests": 2}]
    assert all("cache" in e for e in logs(client))
    r = client.post("/_sim/purge", json={"no_cache_status": True, "no_purge": True,
                                         "cached_error": True})
    assert r.status_code == 200 and r.json()["purge"]["no_purge"] is True
    assert all("cache" not in e for e in logs(client))
    assert '"cache"' not in client.get(f"/cdn/data/{D}/logs",
                                       params={"start_time": (NOW - 9) * NS}).text
    kinds = [i["kind"] for i in client.get("/_sim/info").json()["purge"]]
    assert kinds == ["refresh_refill", "cached_error", "no_cache_status", "no_purge"]
    body = {"type": "url", "url_list": [f"https://{D}/index.html"]}
    assert client.post("/cdn/cache/refresh", json=body).json() == {"message": "ok"}
    rec = client.get("/_sim/refreshes").json()["data"][-1]
    assert rec["applied"] is False and rec["fault"] == "no_purge"
    bad = client.post("/_sim/purge", json={"refill": "many"})
    assert bad.status_code == 400 and "refill" in bad.json()["message"]
    assert client.get("/_sim/purge").json()["purge"]["cached_error"] is True
    assert any(c["path"] == "/_sim/purge" for c in client.get("/_sim/").json()["controls"])


def test_simulate_flags() -> None:
    parser = argparse.ArgumentParser()
    add_simulate_args(parser)
    args = parser.parse_args(["--refill", "1", "--cached-error", "--no-cache-status",
                              "--no-purge"])
    assert (args.refill, args.cached_error, args.no_cache_status, args.no_purge) == \
        (1, True, True, True)
    plain = parser.parse_args([])
    assert (plain.refill, plain.cached_error, plain.no_cache_status, plain.no_purge) == \
        (2, False, False, False)
