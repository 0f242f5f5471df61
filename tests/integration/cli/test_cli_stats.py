"""`s4top stats` against the simulator over loopback: table, JSON Lines, periods, partial bucket."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.integration.cli_support import DOMAIN, base_env, recent_frozen_sim, run, run_many
from tui.sim import SimServer

METRICS = {"traffic": "bytes", "traffic_origin": "bytes", "request": "requests", "request_origin": "requests"}


@contextmanager
def stats_sim() -> Iterator[SimServer]:
    """A frozen simulator a few seconds behind real time, in the same hour as real now (so
    the bucket the CLI calls unfinished is the one the simulator is filling)."""
    while time.time() % 3600 < 8:
        time.sleep(0.5)
    with recent_frozen_sim(rate=20.0, back_s=3) as server:
        yield server


def _sim_points(server: SimServer, metric: str, span_s: int, t0: float, t1: float, period: str) -> dict[int, float]:
    pts = server.sim.series(DOMAIN, metric, int(t0) - span_s - 1, int(t1) + 1, period)
    return {p["time"]: p["value"] for p in pts}


def test_stats_json_one_object_per_metric_with_points() -> None:
    with stats_sim() as server:
        t0 = time.time()
        r = run(["stats", "--since", "3h", "--json"], base_env(server.base_url))
        t1 = time.time()
        assert r.rc == 0, r.err
        objs = r.json_lines()
        assert [o["metric"] for o in objs] == list(METRICS)
        for o in objs:
            assert o["unit"] == METRICS[o["metric"]] and o["period"] == "hourly"
            pts = o["points"]
            assert 3 <= len(pts) <= 4 and all(len(p) == 2 for p in pts)
            want = _sim_points(server, o["metric"], 3 * 3600, t0, t1, "hourly")
            for t, v in pts:
                assert t % 3600 == 0 and v == want[t], (o["metric"], t)
            assert [t for t, _ in pts] == sorted(t for t in want if t >= pts[0][0])
            assert pts[0][0] > t0 - 3 * 3600 - 3600
            assert o["partial"] == pts[-1][0]  # the bucket still filling up
            assert all(isinstance(v, int) for _, v in pts)  # counts print as integers
        assert objs[0]["points"][-1][1] > 0


def test_stats_table_marks_the_partial_bucket() -> None:
    with stats_sim() as server:
        r = run(["stats", "--since", "3h"], base_env(server.base_url))
        assert r.rc == 0, r.err
        lines = r.out.splitlines()
        assert DOMAIN in lines[0] and "hourly" in lines[0] and "last 3h" in lines[0]
        header = lines[1]
        for label in ("edge traffic", "origin traffic", "edge requests", "origin requests"):
            assert label in header
        rows = lines[2:]
        assert 3 <= len(rows) <= 4
        assert rows[-1].endswith("(partial)")
        assert sum("(partial)" in row for row in rows) == 1
        assert all(" B" in row or "kB" in row or "MB" in row or "GB" in row for row in rows)
        # one metric only: two columns plus the mark
        one = run(["stats", "--since", "2h", "--metric", "request_origin"], base_env(server.base_url))
        assert one.rc == 0 and "origin requests" in one.out and "edge traffic" not in one.out


def test_stats_period_flag_and_auto_period() -> None:
    with stats_sim() as server:
        env = base_env(server.base_url)
        r = run(["stats", "--since", "2d", "--period", "daily", "--metric", "request", "--json"], env)
        assert r.rc == 0, r.err
        (obj,) = r.json_lines()
        assert obj["period"] == "daily" and obj["metric"] == "request"
        assert all(t % 86400 == 0 for t, _ in obj["points"]) and len(obj["points"]) in (2, 3)
        cases = (("2h", "hourly"), ("3d", "hourly"), ("10d", "daily"), ("200d", "monthly"))
        results = run_many([(["stats", "--since", since, "--metric", "traffic", "--json"], env) for since, _ in cases])
        for (since, period), r in zip(cases, results, strict=True):
            assert r.rc == 0, (since, r.err)
            assert r.json_lines()[0]["period"] == period, since
        table = run(["stats", "--since", "10d", "--metric", "traffic"], env)
        assert "daily" in table.out.splitlines()[0]


def test_stats_local_time_labels_in_a_half_hour_zone() -> None:
    with stats_sim() as server:
        r = run(["stats", "--since", "3h", "--metric", "request"], base_env(server.base_url, TZ="Asia/Kolkata"))
        assert r.rc == 0, r.err
        rows = r.out.splitlines()[2:]
        assert rows and all(row.split()[1].endswith(":30") for row in rows), rows
        utc = run(["stats", "--since", "3h", "--metric", "request", "--utc"], base_env(server.base_url, TZ="Asia/Kolkata"))
        assert all(row.split()[1].endswith(":00") for row in utc.out.splitlines()[2:])


def test_stats_usage_errors() -> None:
    env = base_env("http://127.0.0.1:9")
    cases = [["stats", "--since", "0s"], ["stats", "--since", "x"], ["stats", "--metric", "bogus"],
             ["stats", "--period", "weekly"]]
    for args, r in zip(cases, run_many([(a, env) for a in cases]), strict=True):
        assert r.rc == 2 and len(r.err.strip().splitlines()) == 1 and r.out == "", (args, r.err)
