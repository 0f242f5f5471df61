"""`s4top top` against the simulator over loopback with a known seed."""

from __future__ import annotations

import json

from tests.integration.cli_support import DOMAIN, base_env, recent_frozen_sim, run
from tui.core.models import LogEntry
from tui.insight.top import top_n


def truth_entries(server, start_ns: int) -> list[LogEntry]:
    return [LogEntry(time_ns=d["access_time"], status=d["code"], client_ip=d["ip"], size=d["size"],
                     url=d["path"], country=d["country"])
            for d in server.sim.truth(DOMAIN, start_ns, server.sim.now_ns())]


def test_top_json_matches_the_simulators_truth() -> None:
    with recent_frozen_sim(rate=30.0, seed=21, back_s=2) as server:
        start = server.sim.now_ns() - 300 * 10**9
        truth = truth_entries(server, start)
        for by in ("url", "ip", "status", "country"):
            r = run(["top", "--start", str(start), "--by", by, "-n", "5", "--json"], base_env(server.base_url))
            assert r.rc == 0, r.err
            got = json.loads(r.out)
            expect = [row.to_json() for row in top_n(truth, by, n=5)]
            assert got == expect, by
            assert [g["count"] for g in got] == sorted((g["count"] for g in got), reverse=True)


def test_top_table_and_usage_errors() -> None:
    with recent_frozen_sim(rate=30.0, seed=21, back_s=2) as server:
        r = run(["top", "--by", "status"], base_env(server.base_url))
        assert r.rc == 0 and "STATUS" in r.out and "200" in r.out and "%" in r.out
        r = run(["top", "--since", "soon"], base_env(server.base_url))
        assert r.rc == 2 and "--since" in r.err and "Traceback" not in r.err


def test_top_codes_and_by_cache_match_the_truth() -> None:
    with recent_frozen_sim(rate=30.0, seed=21, back_s=2) as server:
        start = server.sim.now_ns() - 300 * 10**9
        # 5xx of both cache statuses in the range whatever the hour: outside the simulator's
        # bursts its background 5xx are ~4 in 300 s at the day's low, and none now and then
        server.sim.inject(DOMAIN, [
            {"access_time": start + (10 + i) * 10**9, "code": 503 if i % 2 else 500,
             "method": "GET", "ip": "192.0.2.7", "size": 100 + i,
             "path": f"https://{DOMAIN}/api/x{i % 3}", "cache": "MISS" if i % 3 else "HIT"}
            for i in range(6)])
        rows = server.sim.truth(DOMAIN, start, server.sim.now_ns())
        fives = [LogEntry(time_ns=d["access_time"], status=d["code"], size=d["size"],
                          url=d["path"], cache=d["cache"]) for d in rows if 500 <= d["code"] < 600]
        assert fives and {e.cache for e in fives} <= {"HIT", "MISS"}
        r = run(["top", "--start", str(start), "--codes", "5XX", "--by", "cache", "--json"],
                base_env(server.base_url))
        assert r.rc == 0, r.err
        got = json.loads(r.out)
        assert got == [row.to_json() for row in top_n(fives, "cache")]
        assert sum(g["count"] for g in got) == len(fives) < len(rows)
        r = run(["top", "--start", str(start), "--codes", "5xx", "--by", "status"],
                base_env(server.base_url))
        assert r.rc == 0 and "5XX" in r.out.splitlines()[0]
        assert all(line.split()[0].startswith("5") for line in r.out.splitlines()[2:])


def test_logs_and_top_take_the_same_codes() -> None:
    with recent_frozen_sim(rate=30.0, seed=21, back_s=2) as server:
        env = base_env(server.base_url)
        errors = []
        for cmd in ("logs", "top"):
            r = run([cmd, "--codes", "6XX"], env)
            assert r.rc == 2 and "Traceback" not in r.err
            errors.append(r.err.split(":", 2)[-1].strip())
            assert run([cmd, "--codes", "4xx", "--since", "1m"], env).rc == 0
        assert errors[0] == errors[1] and "2XX" in errors[0]
