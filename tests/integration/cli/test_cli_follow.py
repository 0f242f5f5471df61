"""`s4top logs --follow` over real sockets while the simulator breaks and heals: every entry
exactly once, state lines on stderr, Ctrl-C/SIGTERM exit 0."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from tests.integration.cli_support import (
    NS,
    Admin,
    base_env,
    children_argv,
    key_of_json,
    key_of_wire,
    start,
    write_config,
)
from tui.sim import DEMO_TOKEN, SimServer

FAST = {
    "read_timeout": 0.5,
    "connect_timeout": 0.5,
    "backoff_base": 0.1,
    "backoff_cap": 0.4,
    "auth_backoff": 0.3,
}


def _delivered(out: bytes) -> list[tuple]:
    lines = [line for line in out.decode().splitlines() if line.strip()]
    return [key_of_json(json.loads(line)) for line in lines]  # stdout holds entries only


def _assert_exactly_once(got: list[tuple], truth: list[dict]) -> None:
    """`got` is truth from the start up to the last entry delivered (entries that share the
    last timestamp may be cut by the interrupt: they must then be the ones missing)."""
    want = [key_of_wire(e) for e in truth]
    assert got, "nothing was delivered"
    assert got == want[: len(got)], "lost, doubled or reordered entries"
    last = got[-1][0]
    assert all(k[0] == last for k in want[len(got):] if k[0] <= last)


def test_follow_survives_every_fault(live_sim_server: SimServer, tmp_path: Path) -> None:
    server = live_sim_server
    admin = Admin(server.base_url)
    cfg = write_config(tmp_path / "c.toml", **FAST)
    env = base_env(server.base_url, S4TOP_CONFIG=str(cfg))
    begin = admin.now_ns() - 2 * NS
    faults = [
        ("503", {"status": 503}),
        ("rate limited", {"status": 429, "retry_after": 1}),
        ("connection broke", {"reset": True}),
        ("unexpected response", {"truncate": "json"}),
        ("connection broke", {"truncate": True}),
        ("timed out", {"latency_s": 1.0}),
        ("timed out", {"hang": True}),
        ("authentication failed (401)", {"status": 401}),
        ("unexpected response", {"shape": "unknown"}),
    ]
    with start(["logs", "--follow", "--json", "--start", str(begin), "--poll", "0.2"], env, tmp_path / "run") as run:
        run.wait_for(lambda r: r.out_bytes.count(b"\n") > 50, 10, "the first entries")
        for n, (needle, rule) in enumerate(faults, start=1):
            errors_before = run.err.count("retrying in")
            admin.fault(path="logs", **rule)
            run.wait_for(lambda r, k=errors_before: r.err.count("retrying in") > k, 8, f"a state line for {rule}")
            assert needle in run.err.splitlines()[-1], (rule, run.err.splitlines()[-1])
            time.sleep(0.1)  # it keeps retrying against the fault
            admin.clear()
            run.wait_err("connection recovered", count=n, timeout=8)
        # the server goes away and comes back on the same port
        port = server.port
        server.stop()
        run.wait_for(lambda r: "network error" in r.err.splitlines()[-1], 8, "the network error")
        again = SimServer(sim=server.sim, port=port)
        again.start()
        try:
            run.wait_err("connection recovered", count=len(faults) + 1, timeout=8)
            time.sleep(0.5)
            result = run.stop(signal.SIGINT)
            end = admin.now_ns()
            truth = admin.truth(begin, end)
        finally:
            again.stop()
    assert result.rc == 0, result.err
    err_lines = result.err.strip().splitlines()
    assert all(line.startswith("s4top: ") for line in err_lines), err_lines
    assert "BITIFUL_API_TOKEN" in result.err  # the 401 line says what to check
    _assert_exactly_once(_delivered(result.out_bytes), truth)


def test_follow_picks_up_a_rotated_token_file(live_sim_server: SimServer, tmp_path: Path) -> None:
    server = live_sim_server
    admin = Admin(server.base_url)
    token_file = tmp_path / "token"
    token_file.write_text("expired-token-0000\n")
    token_file.chmod(0o600)
    cfg = write_config(tmp_path / "c.toml", **FAST)
    env = base_env(server.base_url, S4TOP_CONFIG=str(cfg))
    env.pop("BITIFUL_API_TOKEN")
    begin = admin.now_ns() - 1 * NS
    args = ["logs", "--follow", "--json", "--start", str(begin), "--poll", "0.2", "--token-file", str(token_file)]
    with start(args, env, tmp_path / "run") as run:
        run.wait_err("authentication failed (401)", timeout=8)
        assert "--token-file" in run.err and str(token_file) in run.err
        # no process shows a token in its argv while this runs
        assert not [a for a in children_argv() if any("expired-token" in w or DEMO_TOKEN in w for w in a)]
        token_file.write_text(DEMO_TOKEN + "\n")
        run.wait_err("connection recovered", timeout=8)
        run.wait_for(lambda r: r.out_bytes.count(b"\n") > 20, 8, "entries after the rotation")
        token_file.unlink()  # mid-run: the file goes away, then comes back
        run.wait_err("could not read the token", timeout=8)
        assert "No such file" in run.err and str(token_file) in run.err
        token_file.write_text(DEMO_TOKEN)
        run.wait_err("connection recovered", count=2, timeout=8)
        result = run.stop(signal.SIGTERM)
        truth = admin.truth(begin, admin.now_ns())
    assert result.rc == 0, result.err
    _assert_exactly_once(_delivered(result.out_bytes), truth)


def test_follow_plain_interrupt_exits_0_quietly(live_sim_server: SimServer, tmp_path: Path) -> None:
    env = base_env(live_sim_server.base_url)
    with start(["logs", "--follow", "--since", "2s", "--poll", "0.2"], env, tmp_path / "run") as run:
        run.wait_for(lambda r: r.out_bytes.count(b"\n") > 10, 8, "entries")
        assert run.proc.pid in {p for p in _pids()}
        result = run.stop(signal.SIGINT)
    assert result.rc == 0
    assert result.err == "", result.err  # no error, no KeyboardInterrupt noise
    assert result.out.endswith("\n")  # the last line is whole


def _pids() -> set[int]:
    return {int(p) for p in os.listdir("/proc") if p.isdigit()}
