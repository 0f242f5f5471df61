"""Record -> replay, round trip: `s4top record` writes the file from a frozen simulator, then
`top`, `explain` and `logs` over that file (`--replay`, offline) print exactly what the same
commands print over the live simulator for the same range. The real installed command."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import DOMAIN
from tests.integration.cli_support import NS, Admin, base_env, recent_frozen_sim, run
from tests.integration.replay.test_commands_replay import offline_env


def test_top_explain_and_logs_over_the_file_equal_the_live_commands(tmp_path: Path) -> None:
    with recent_frozen_sim(rate=20.0, seed=8) as server:
        live_env = base_env(server.base_url)
        now = Admin(server.base_url).now_ns()
        db = tmp_path / "incident.db"
        rec = run(["record", "-o", str(db), "--start", str(now - 900 * NS)], live_env,
                  timeout=60)
        assert rec.rc == 0, rec.err
        start = str(now - 300 * NS)
        cases = (
            ["top", "--start", start, "--by", "url", "--json"],
            ["top", "--start", start, "--by", "ip", "-n", "20"],
            ["top", "--start", start, "--by", "status", "--codes", "4XX,503", "--json"],
            ["explain", "--start", start, "--focus", "4XX", "--json"],
            ["explain", "--start", start, "--focus", "MISS", "--json", "--top", "10"],
            ["explain", "--start", start, "--focus", "all", "--baseline", "5m", "--json"],
            ["explain", "--start", start, "--focus", "4XX"],
            ["logs", "--start", start, "--json", "--codes", "404,5XX"],
        )
        off = offline_env(tmp_path)
        for args in cases:
            live = run(args, live_env)
            replayed = run([*args, "--replay", str(db), "--domain", DOMAIN], off)
            assert live.rc == replayed.rc == 0, (args, live.err, replayed.err)
            assert replayed.out_bytes == live.out_bytes, args
            assert len(live.out_bytes) > 40, args  # not two empty answers
