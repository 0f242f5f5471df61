"""`s4top logs`, `top` and `stats` with `--replay FILE.db`: offline (no API, no token), the
same output as the same command over the live simulator for that range, and `--since`
counted back from the recording's end. The real installed command in a subprocess."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import DOMAIN, FIXED_NS
from tests.integration.cli_support import NS, base_env, recent_frozen_sim, run
from tests.replay_support import record_sim

END = FIXED_NS + 1800 * NS  # the recording: 10:00-10:30 UTC, 2026-11-20


def offline_env(tmp_path: Path) -> dict[str, str]:
    """No token, and an API base where nothing listens: a replay needs neither."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("BITIFUL_API_TOKEN", "S4TOP_DOMAIN", "S4TOP_CONFIG")}
    env.update(S4TOP_API_BASE="http://127.0.0.1:9", TZ="UTC", PYTHONUNBUFFERED="1",
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    return env


@pytest.fixture(scope="module")
def incident(tmp_path_factory: pytest.TempPathFactory):
    from tui.sim import SimConfig, Simulator

    sim = Simulator(SimConfig(seed=12, rate=25.0, start_ns=END, frozen=True, domains=(DOMAIN,)))
    path = tmp_path_factory.mktemp("rec") / "incident.db"
    return path, record_sim(path, sim, FIXED_NS, END)[DOMAIN]


def test_logs_since_counts_back_from_the_end_offline(incident, tmp_path: Path) -> None:
    path, truth = incident
    r = run(["logs", "--replay", str(path), "--since", "10m", "--json"], offline_env(tmp_path))
    assert r.rc == 0, r.err
    got = [(e["time_ns"], e["url"]) for e in r.json_lines()]
    want = [(e["access_time"], e["path"]) for e in truth if e["access_time"] >= END - 600 * NS]
    assert got == want and len(got) > 10_000
    text = run(["logs", "--replay", str(path), "--since", "1m", "--utc"], offline_env(tmp_path))
    # the original times, not shifted ones
    assert text.rc == 0 and text.out.splitlines()[-1].startswith("2026-11-20 10:29:59")


def test_logs_and_top_equal_the_live_commands_for_that_range(tmp_path: Path) -> None:
    with recent_frozen_sim(rate=20.0, seed=5) as server:
        now = server.sim.now_ns()
        start = now - 300 * NS
        path = tmp_path / "live.db"
        record_sim(path, server.sim, now - 900 * NS, now)
        live_env, off = base_env(server.base_url), offline_env(tmp_path)
        for args in (["logs", "--start", str(start), "--json"],
                     ["logs", "--start", str(start), "--codes", "4XX"],
                     ["top", "--start", str(start), "--by", "ip", "--json"],
                     ["top", "--start", str(start), "--by", "url", "-n", "5"]):
            live = run(args, live_env)
            replayed = run([*args, "--replay", str(path), "--domain", DOMAIN], off)
            assert live.rc == replayed.rc == 0, (args, replayed.err)
            assert replayed.out_bytes == live.out_bytes, args
            assert len(live.out_bytes) > 100


def test_until_is_where_a_command_reads_to(incident, tmp_path: Path) -> None:
    path, truth = incident
    r = run(["logs", "--replay", str(path), "--until", "10:10", "--since", "1m", "--json"],
            offline_env(tmp_path))
    assert r.rc == 0, r.err
    until = FIXED_NS + 600 * NS
    assert [e["time_ns"] for e in r.json_lines()] == [
        e["access_time"] for e in truth if until - 60 * NS <= e["access_time"] <= until]


def test_stats_over_a_recording(incident, tmp_path: Path) -> None:
    path, truth = incident
    r = run(["stats", "--replay", str(path), "--since", "1h", "--json"], offline_env(tmp_path))
    assert r.rc == 0, r.err
    series = {o["metric"]: o["points"] for o in r.json_lines()}
    # no series in this file: summed from the entries, the hour up to the recording's end
    assert series["request"] == [[FIXED_NS // NS, len(truth)]]
    assert series["traffic"] == [[FIXED_NS // NS, sum(e["size"] for e in truth)]]


def test_replay_usage_errors_are_one_line(incident, tmp_path: Path) -> None:
    path, _ = incident
    env = offline_env(tmp_path)
    for args, words in (
        (["logs", "--replay", str(path), "--follow"], "--follow: a recording gets no new"),
        (["refresh", "--replay", str(path), "https://cdn.example.com/a"],
         "replay: refresh is disabled"),
        (["logs", "--at", "10:00"], "--at needs --replay"),
        (["logs", "--replay", str(path), "--domain", "other.example.com"],
         "other.example.com is not in the recording"),
        (["logs", "--replay", str(tmp_path / "none.db")], "no recording at"),
        (["logs", "--replay", str(path), "--until", "noon"], "--at: not a time"),
        (["--replay", str(path), "--demo"], "--demo and --replay: choose one"),
    ):
        r = run(args, env)
        assert r.rc == 2, (args, r.err)
        assert r.err.count("\n") == 1 and words in r.err, (args, r.err)


def test_explain_since_counts_back_from_the_end(incident, tmp_path: Path) -> None:
    """`explain --replay` takes its present from the recording (ctx.now_ns), not the wall
    clock: the last 5 minutes of the file, the same rows as computed from the truth."""
    import json

    from tui.api.parse import parse_logs
    from tui.core.units import format_count
    from tui.insight.explain import columns_of_entries, explain

    path, truth = incident
    start = END - 300 * NS
    window = [e for e in truth if start <= e["access_time"] <= END]
    ex = explain(columns_of_entries(parse_logs({"data": window}, "logs")), "MISS", start, END)
    want = [f.to_json() for f in ex.rows(5)]
    assert want and ex.selected > 100
    r = run(["explain", "--replay", str(path), "--since", "5m", "--focus", "MISS", "--json"],
            offline_env(tmp_path))
    assert r.rc == 0, r.err
    assert json.loads(r.out) == want
    text = run(["explain", "--replay", str(path), "--since", "5m", "--focus", "MISS"],
               offline_env(tmp_path))
    assert text.rc == 0, text.err
    assert f"MISS, last 5m: {format_count(ex.selected)} requests" in text.out.splitlines()[0]
