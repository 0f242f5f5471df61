"""SimServer over real loopback sockets: endpoints, errors, faults, restart, shutdown."""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tui.sim import DEMO_TOKEN, SimConfig, SimServer
from tui.sim.cli import add_simulate_args, run_simulate

NS = 1_000_000_000
HOUR = 1716998400
NOW = HOUR + 1800
D = "cdn.example.com"
LOGS = f"/cdn/data/{D}/logs"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def server() -> Iterator[SimServer]:
    with SimServer(SimConfig(start_ns=NOW * NS, frozen=True)) as srv:
        yield srv


@pytest.fixture
def client(server: SimServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers={"Authorization": DEMO_TOKEN},
                      timeout=5.0) as c:
        yield c


def logs(c: httpx.Client, start_s: int = NOW - 60, **kw: object) -> httpx.Response:
    return c.get(LOGS, params={"start_time": start_s * NS, "limit": 50, **kw})


def faults(c: httpx.Client, rule: dict | None) -> None:
    r = c.delete("/_sim/faults") if rule is None else c.post("/_sim/faults", json=rule)
    assert r.status_code == 200, r.text


# -- endpoints -------------------------------------------------------------------------------


def test_logs_endpoint(client: httpx.Client, server: SimServer) -> None:
    r = logs(client)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["message"] == "ok" and len(body["data"]) == 50
    assert body["data"] == server.sim.logs(D, (NOW - 60) * NS, "ALL", 50)
    assert len(logs(client, codes="4XX").json()["data"]) > 0
    assert all(e["code"] // 100 == 4 for e in logs(client, codes="4XX").json()["data"])
    assert len(client.get(LOGS, params={"start_time": (NOW - 600) * NS}).json()["data"]) == 100


@pytest.mark.parametrize("metric", ["traffic", "traffic_origin", "request", "request_origin"])
def test_series_endpoints(client: httpx.Client, server: SimServer, metric: str) -> None:
    params = {"start_time": HOUR - 7200, "end_time": NOW, "period": "hourly"}
    r = client.get(f"/cdn/data/{D}/{metric}", params=params)
    assert r.status_code == 200
    data = r.json()["data"]
    assert [p["time"] for p in data] == [HOUR - 7200, HOUR - 3600, HOUR]
    assert data == server.sim.series(D, metric, HOUR - 7200, NOW, "hourly")


def test_refresh_endpoint_and_record(client: httpx.Client) -> None:
    body = {"type": "url", "url_list": ["https://cdn.example.com/img/logo.svg"]}
    r = client.post("/cdn/cache/refresh", json=body)
    assert r.status_code == 200 and r.json() == {"message": "ok"}
    r = client.post("/cdn/cache/refresh", json={"type": "url", "url_list": ["https://x/*"]})
    assert r.status_code == 400 and r.json()["code"] == 400 and "'*'" in r.json()["message"]
    recs = client.get("/_sim/refreshes").json()["data"]
    assert [(x["type"], x["status"], x["applied"]) for x in recs] == [
        ("url", 200, True), ("url", 400, False)]
    assert recs[0]["url_list"] == body["url_list"]


@pytest.mark.parametrize("params, word", [
    ({"start_time": "abc"}, "start_time"),
    ({}, "start_time"),
    ({"start_time": 1, "limit": 1001}, "limit"),
    ({"start_time": 1, "limit": 0}, "limit"),
    ({"start_time": 1, "codes": "6XX"}, "codes"),
])
def test_logs_400(client: httpx.Client, params: dict, word: str) -> None:
    r = client.get(LOGS, params=params)
    assert r.status_code == 400
    assert r.json()["code"] == 400 and word in r.json()["message"]


def test_series_400_401_404(client: httpx.Client, server: SimServer) -> None:
    r = client.get(f"/cdn/data/{D}/traffic", params={"start_time": 1, "end_time": 2})
    assert r.status_code == 400 and "period" in r.json()["message"]
    r = client.get(f"/cdn/data/{D}/traffic", params={"start_time": HOUR, "end_time": HOUR,
                                                     "period": "yearly"})
    assert r.status_code == 400 and r.json() == {"code": 400, "message": r.json()["message"]}
    r = client.get("/cdn/data/nope.example.com/traffic",
                   params={"start_time": HOUR, "end_time": HOUR, "period": "hourly"})
    assert r.status_code == 404 and r.json()["code"] == 404
    assert client.get("/cdn/data/x/unknown").status_code == 404
    assert client.get("/cdn/cache/refresh").status_code == 405
    for headers in ({}, {"Authorization": "wrong"}, {"Authorization": f"Bearer {DEMO_TOKEN}"}):
        r = httpx.get(server.base_url + LOGS, params={"start_time": 1}, headers=headers)
        assert r.status_code == 401 and r.json()["code"] == 401
        assert DEMO_TOKEN not in r.text


def test_unauthorized_refresh_is_recorded_not_applied(server: SimServer) -> None:
    r = httpx.post(server.base_url + "/cdn/cache/refresh", headers={"Authorization": "x"},
                   json={"type": "url", "url_list": ["https://cdn.example.com/a"]})
    assert r.status_code == 401
    assert [(x["status"], x["applied"]) for x in server.sim.refreshes] == [(401, False)]


def test_clock_truth_info_and_inject(client: httpx.Client, server: SimServer) -> None:
    before = client.get("/_sim/truth", params={"start_ns": (NOW - 5) * NS}).json()["data"]
    r = client.post("/_sim/clock", json={"advance_s": 2})
    assert r.json()["now_ns"] == (NOW + 2) * NS and r.json()["frozen"] is True
    after = client.get("/_sim/truth", params={"start_ns": (NOW - 5) * NS}).json()["data"]
    assert after[: len(before)] == before and len(after) > len(before)
    assert client.post("/_sim/clock", json={"now_ns": NOW * NS}).json()["now_ns"] == NOW * NS
    assert client.post("/_sim/clock", json={"advance_s": "x"}).status_code == 400
    info = client.get("/_sim/info").json()
    assert info["domains"] == [D] and info["incidents"]
    evil = {"path": "https://cdn.example.com/\x1b[2J", "code": 500, "access_time": NOW * NS}
    assert client.post("/_sim/inject", json={"entries": [evil]}).json() == {"injected": 1}
    assert evil in logs(client, NOW - 1, limit=1000).json()["data"]
    assert client.post("/_sim/inject", json={"entries": "x"}).status_code == 400


def test_the_controls_url_lists_every_control_it_serves(server: SimServer) -> None:
    """`s4top simulate` prints `/_sim/` as the controls URL: it answers with the list."""
    r = httpx.get(server.base_url + "/_sim/")
    assert r.status_code == 200, r.text
    controls = r.json()["controls"]
    assert {c["path"] for c in controls} >= {"/_sim/faults", "/_sim/clock", "/_sim/refreshes",
                                              "/_sim/truth", "/_sim/inject", "/_sim/info"}
    for c in controls:
        assert c["description"] and "\n" not in c["description"]
        # each listed method and path is really served (a bad body is a 400, not a 404/405)
        answer = httpx.request(c["method"], server.base_url + c["path"], content=b"{}",
                               params={"start_ns": NOW * NS})
        assert answer.status_code in (200, 400), (c, answer.text)
    unknown = httpx.get(server.base_url + "/_sim/nothing")
    assert unknown.status_code == 404 and "GET /_sim/" in unknown.json()["message"]


def test_admin_needs_no_token(server: SimServer) -> None:
    assert httpx.get(server.base_url + "/_sim/faults").json() == {"faults": []}
    assert httpx.get(server.base_url + "/_sim/nothing").status_code == 404


def test_frozen_clock_gives_identical_bytes() -> None:
    bodies = []
    for _ in range(2):
        with SimServer(SimConfig(start_ns=NOW * NS, frozen=True)) as srv:
            bodies.append(httpx.get(srv.base_url + LOGS, headers={"Authorization": DEMO_TOKEN},
                                    params={"start_time": (NOW - 30) * NS}).content)
    assert bodies[0] == bodies[1]


def test_replies_are_not_held_for_the_clients_ack(client: httpx.Client,
                                                   server: SimServer) -> None:
    """Headers and body leave in two writes; with Nagle's algorithm on, a short body waited
    for the client's delayed ACK of the headers (~40 ms a reply on a keep-alive connection),
    which no production server adds. Every connection the server holds has it off."""
    for _ in range(3):  # the same keep-alive connection
        assert logs(client, limit=1).status_code == 200
    conns = list(server._httpd.conns)  # noqa: SLF001 - the server's side of the connection
    assert conns
    for sock in conns:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


# -- faults ----------------------------------------------------------------------------------


def test_latency_then_healed(client: httpx.Client) -> None:
    faults(client, {"latency_s": 0.3, "path": "series"})
    t = time.monotonic()
    assert client.get(f"/cdn/data/{D}/request", params={
        "start_time": HOUR, "end_time": HOUR, "period": "hourly"}).status_code == 200
    assert time.monotonic() - t >= 0.3
    t = time.monotonic()  # other endpoints are not delayed
    assert logs(client).status_code == 200
    assert time.monotonic() - t < 0.25
    faults(client, {"latency_s": 0.3, "path": "logs", "count": 1})
    t = time.monotonic()
    assert logs(client).status_code == 200 and time.monotonic() - t >= 0.3
    t = time.monotonic()
    assert logs(client).status_code == 200 and time.monotonic() - t < 0.25


@pytest.mark.parametrize("status", [500, 502, 503])
def test_status_fault_with_count(client: httpx.Client, status: int) -> None:
    faults(client, {"status": status, "count": 2})
    for _ in range(2):
        r = logs(client)
        assert r.status_code == status and r.json()["code"] == status
    assert logs(client).status_code == 200
    assert client.get("/_sim/faults").json() == {"faults": []}


def test_429_with_retry_after_and_refresh_not_applied(client: httpx.Client, server: SimServer) -> None:
    faults(client, {"status": 429, "retry_after": 7, "path": "refresh"})
    r = client.post("/cdn/cache/refresh", json={"type": "url", "url_list": ["https://a.b/c"]})
    assert r.status_code == 429 and r.headers["retry-after"] == "7"
    assert logs(client).status_code == 200
    assert server.sim.refreshes[-1]["applied"] is False
    faults(client, {"status": 429})
    assert logs(client).headers["retry-after"] == "1"
    faults(client, None)
    assert logs(client).status_code == 200


def test_reset_fault(client: httpx.Client, server: SimServer) -> None:
    faults(client, {"reset": True, "path": "refresh"})
    with pytest.raises(httpx.TransportError):
        client.post("/cdn/cache/refresh", json={"type": "url", "url_list": ["https://a.b/c"]})
    assert server.sim.refreshes[-1]["applied"] is True  # processed, answer lost: "unknown"
    faults(client, None)
    assert logs(client).status_code == 200


def test_truncate_faults(client: httpx.Client) -> None:
    faults(client, {"truncate": True, "count": 1})
    with pytest.raises(httpx.RemoteProtocolError):
        logs(client)
    faults(client, {"truncate": "json", "count": 1})
    r = logs(client)
    assert r.status_code == 200 and int(r.headers["content-length"]) == len(r.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)
    assert logs(client).json()["message"] == "ok"


@pytest.mark.parametrize("shape, check", [
    ("alt1", lambda b: "status" in b["data"][0] and "client_ip" in b["data"][0]),
    ("alt2", lambda b: isinstance(b, list) and "remote_addr" in b[0]),
    ("alt3", lambda b: b["code"] == 0 and "clientip" in b["data"][0]),
    ("alt4", lambda b: isinstance(b, list) and "access_time" in b[0]),
    ("unknown", lambda b: "rows" in b["result"]),
])
def test_shape_fault(client: httpx.Client, shape: str, check) -> None:
    faults(client, {"shape": shape, "path": "logs"})
    assert check(logs(client).json())
    series = client.get(f"/cdn/data/{D}/traffic", params={"start_time": HOUR - 3600,
                                                          "end_time": HOUR, "period": "hourly"})
    assert series.json()["data"][0]["time"] == HOUR - 3600  # path-limited: series untouched
    faults(client, {"shape": shape, "path": "series"})
    body = client.get(f"/cdn/data/{D}/request", params={
        "start_time": HOUR, "end_time": HOUR, "period": "hourly"}).json()
    assert not (isinstance(body, dict) and isinstance(body.get("data"), list)
                and "value" in body["data"][0])  # not the default shape any more
    assert logs(client).json()["message"] == "ok"


def test_hang_times_out_client_and_heals_mid_request(client: httpx.Client,
                                                     server: SimServer) -> None:
    faults(client, {"hang": True, "path": "logs"})
    with pytest.raises(httpx.ReadTimeout):
        client.get(LOGS, params={"start_time": NOW * NS}, timeout=0.3)
    t = time.monotonic()  # other endpoints still answer while a request hangs
    assert client.get("/_sim/faults").status_code == 200
    assert client.get(f"/cdn/data/{D}/request", params={
        "start_time": HOUR, "end_time": HOUR, "period": "hourly"}).status_code == 200
    assert time.monotonic() - t < 2.0
    result: dict[str, httpx.Response] = {}
    hung = threading.Thread(target=lambda: result.update(r=logs(client)))
    hung.start()
    time.sleep(0.2)
    assert "r" not in result
    faults(client, None)  # healing answers the hung request
    hung.join(3)
    assert result["r"].status_code == 200


def test_hang_does_not_block_shutdown() -> None:
    srv = SimServer(SimConfig(start_ns=NOW * NS, frozen=True, faults=({"hang": True},)))
    srv.start()
    errors: list[Exception] = []

    def call() -> None:
        try:
            httpx.get(srv.base_url + LOGS, params={"start_time": 1}, timeout=10,
                      headers={"Authorization": DEMO_TOKEN})
        except httpx.TransportError as e:
            errors.append(e)

    threads = [threading.Thread(target=call) for _ in range(3)]
    for th in threads:
        th.start()
    time.sleep(0.3)
    t = time.monotonic()
    srv.stop()
    assert time.monotonic() - t < 2.0
    for th in threads:
        th.join(3)
        assert not th.is_alive()
    assert len(errors) == 3


def test_stop_and_restart_on_the_same_port() -> None:
    first = SimServer(SimConfig(start_ns=NOW * NS, frozen=True))
    first.start()
    port = first.port
    with httpx.Client(base_url=first.base_url, headers={"Authorization": DEMO_TOKEN}) as c:
        assert logs(c).status_code == 200  # leaves a keep-alive connection in the pool
        first.stop()
        with pytest.raises(httpx.TransportError):
            logs(c)
        second = SimServer(SimConfig(start_ns=NOW * NS, frozen=True, token="other-token"),
                           port=port)
        second.start()
        try:
            assert second.port == port
            assert logs(c).status_code == 401  # the new server answers, not the old one
        finally:
            second.stop()


# -- the CLI ---------------------------------------------------------------------------------


def test_simulate_cli_serves_until_sigint(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("file-token-xyz\n")
    code = ("import argparse, sys\n"
            "from tui.sim.cli import add_simulate_args, run_simulate\n"
            "p = argparse.ArgumentParser(); add_simulate_args(p)\n"
            "sys.exit(run_simulate(p.parse_args()))\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "--port", "0", "--frozen", "--start", str(NOW * NS),
         "--domain", "a.example.com", "--domain", "B.example.com",
         "--token-file", str(token_file)],
        cwd=ROOT, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "S4TOP_SIM_TOKEN": "env-token"})
    try:
        line = proc.stderr.readline()
        assert "serving http://127.0.0.1:" in line, line
        url = line.split("serving ", 1)[1].split()[0]
        assert "token from" in proc.stderr.readline()
        r = httpx.get(url + "/cdn/data/b.example.com/logs", params={"start_time": 1},
                      headers={"Authorization": "file-token-xyz"})
        assert r.status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(5) == 0
        rest = proc.stderr.read()
        assert "Traceback" not in rest and "file-token-xyz" not in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def test_simulate_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          server: SimServer) -> None:
    parser = argparse.ArgumentParser()
    add_simulate_args(parser)
    args = parser.parse_args(["--port", str(server.port)])  # already taken
    assert run_simulate(args) == 1
    assert "cannot listen" in capsys.readouterr().err
    args = parser.parse_args(["--token-file", str(tmp_path / "missing")])
    assert run_simulate(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read token file" in err
    args = parser.parse_args(["--domain", "bad/domain"])
    assert run_simulate(args) == 2 and "not a domain" in capsys.readouterr().err
