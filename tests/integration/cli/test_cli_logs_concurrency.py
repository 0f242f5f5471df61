"""`s4top logs --concurrency N`: the same bytes as one slice at a time; a progress line on
stderr only when stderr is a terminal, and `-q` silences it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.integration.cli_support import (
    NS,
    S4TOP,
    Admin,
    base_env,
    check_clean,
    key_of_json,
    key_of_wire,
    recent_frozen_sim,
    run,
    run_many,
    write_config,
)


def test_output_bytes_identical_whatever_the_concurrency() -> None:
    with recent_frozen_sim(rate=30.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        start = now - 300 * NS
        env = base_env(server.base_url)
        jobs = []
        for fmt in (["--json"], []):
            for n in ("1", "4", "16"):
                jobs.append((["logs", *fmt, "--start", str(start), "--limit", "100",
                              "--concurrency", n], env))
        results = run_many(jobs)
        for r in results:
            assert r.rc == 0 and r.err == "", r.err
        json1, json4, json16, plain1, plain4, plain16 = (r.out_bytes for r in results)
        assert json1 == json4 == json16
        assert plain1 == plain4 == plain16
        truth = admin.truth(start, now)
        assert len(truth) > 3000  # 30/s over 5 min at the day's low (0.45x at 01:00 UTC)
        assert [key_of_json(e) for e in results[0].json_lines()] == [key_of_wire(e) for e in truth]


def test_identical_with_faults_and_the_setting(tmp_path: Path) -> None:
    with recent_frozen_sim(rate=30.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        start = now - 200 * NS
        env = base_env(server.base_url)
        one = run(["logs", "--json", "--start", str(start), "--limit", "100",
                   "--concurrency", "1"], env)
        admin.fault(path="logs", status=502, count=2)
        admin.fault(add=True, path="logs", reset=True, count=3)
        cfg = write_config(tmp_path / "c.toml", concurrency=8, retry_base=0.05)
        cfg_env = {**env, "S4TOP_CONFIG": str(cfg)}
        many = run(["logs", "--json", "--start", str(start), "--limit", "100"], cfg_env)
        assert many.rc == 0, many.err
        assert many.out_bytes == one.out_bytes
        assert many.err.count("retrying in") == 3  # each retry announced, none skipped


def test_concurrency_out_of_range_is_a_usage_error() -> None:
    env = base_env("http://127.0.0.1:9")
    for bad in ("0", "65", "-3"):
        r = run(["logs", "--concurrency", bad], env)
        assert r.rc == 2 and len(r.err.strip().splitlines()) == 1, r.err
        assert "--concurrency" in r.err


def _with_tty_stderr(args: list[str], env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run with stderr on a pseudo-terminal and stdout on a pipe (`logs ... > file`)."""
    master, slave = os.openpty()
    proc = subprocess.Popen([str(S4TOP), *args], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, start_new_session=True)
    os.close(slave)
    out = proc.stdout.read() if proc.stdout else b""
    proc.wait(30)
    err = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    return proc.returncode, out, bytes(err)


def test_progress_line_only_on_a_terminal_and_q_silences_it() -> None:
    with recent_frozen_sim(rate=30.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        start = now - 120 * NS
        env = base_env(server.base_url)
        args = ["logs", "--json", "--start", str(start), "--limit", "200"]
        rc, out, err = _with_tty_stderr(args, env)
        check_clean(out, err)
        assert rc == 0
        n = len(out.splitlines())
        # every entry of the range, and pages enough for a progress line to move: the
        # simulator's day shape makes 1600-5600 of them, by the hour (0.45x at 01:00 UTC)
        assert n == len(admin.truth(start, now)) and n > 1000
        assert f"{n:,} entries".encode() in err and b"/s" in err and b"ETA" in err, err
        assert b"100%" in err
        assert b"{" not in err  # no data on stderr
        rc, out_q, err_q = _with_tty_stderr([*args, "-q"], env)
        assert rc == 0 and out_q == out and err_q == b""
        plain = run(args, env)  # stderr a pipe: nothing extra
        assert plain.out_bytes == out and plain.err == ""


def test_follow_catches_up_through_the_slices_then_follows(tmp_path: Path) -> None:
    import json

    from tests.integration.cli_support import start

    with recent_frozen_sim(rate=30.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        begin = now - 200 * NS
        past = admin.truth(begin, now)
        args = ["logs", "--follow", "--json", "--start", str(begin), "--limit", "100",
                "--concurrency", "8", "--poll", "0.2"]
        with start(args, base_env(server.base_url), tmp_path / "run") as r:
            r.wait_for(lambda x: x.out_bytes.count(b"\n") >= len(past), 30, "the past")
            server.sim.advance(5)
            later = admin.truth(begin, admin.now_ns())
            assert len(later) > len(past)
            r.wait_for(lambda x: x.out_bytes.count(b"\n") >= len(later), 30, "new entries")
            res = r.stop()
        got = [key_of_json(json.loads(line)) for line in res.out.splitlines()]
        assert got == [key_of_wire(e) for e in later]
