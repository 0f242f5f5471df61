"""`s4top logs` one-shot: the real command against the simulator over loopback sockets."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from tests.integration.cli_support import (
    NS,
    S4TOP,
    Admin,
    base_env,
    check_clean,
    key_of_json,
    key_of_wire,
    raw_controls,
    recent_frozen_sim,
    run,
    run_many,
)


def test_oneshot_json_is_truth_exactly_once_in_order() -> None:
    with recent_frozen_sim(rate=20.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        start = now - 60 * NS
        truth = admin.truth(start, now)
        assert len(truth) > 400  # 20/s over a minute at the day's low (0.45x at 01:00 UTC)
        # --limit 100 forces a dozen pages, with equal timestamps across page boundaries
        r = run(["logs", "--json", "--start", str(start), "--limit", "100"], base_env(server.base_url))
        assert r.rc == 0, r.err
        got = [key_of_json(e) for e in r.json_lines()]
        assert got == [key_of_wire(e) for e in truth]
        assert len(set(got)) == len(got) or len(got) == len(truth)  # duplicates only as in truth
        assert r.err == ""
        plain = run(["logs", "--start", str(start)], base_env(server.base_url))
        assert plain.rc == 0 and len(plain.out.splitlines()) == len(truth)


def test_codes_5xx_only_server_errors() -> None:
    with recent_frozen_sim(rate=20.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        start = now - 30 * NS
        admin.inject([
            {"path": f"https://cdn.example.com/boom/{i}", "size": 10, "access_time": start + i * NS,
             "code": 500 + i % 4, "method": "GET", "ip": "10.0.0.1"}
            for i in range(1, 6)
        ])
        want = [key_of_wire(e) for e in admin.truth(start, now) if 500 <= int(e["code"]) <= 599]
        assert len(want) >= 5
        r = run(["logs", "--json", "--codes", "5xx", "--start", str(start)], base_env(server.base_url))
        assert r.rc == 0, r.err
        assert [key_of_json(e) for e in r.json_lines()] == want


def test_since_window_and_start_at_an_exact_timestamp() -> None:
    with recent_frozen_sim(rate=20.0, back_s=30) as server:
        admin = Admin(server.base_url)
        sim_now = admin.now_ns()
        t0 = time.time_ns()
        r = run(["logs", "--json", "--since", "90s"], base_env(server.base_url))
        t1 = time.time_ns()
        assert r.rc == 0, r.err
        lo, hi = t0 - 90 * NS, t1 - 90 * NS  # the command's start lies in between
        truth = admin.truth(lo - 5 * NS, sim_now)
        got = [key_of_json(e) for e in r.json_lines()]
        assert got, "expected entries"
        assert got[0][0] >= lo
        assert got == [key_of_wire(e) for e in truth if e["access_time"] >= got[0][0]]
        assert not [e for e in truth if hi <= e["access_time"] < got[0][0]]
        # --start at an entry's own time includes it (and every entry sharing that time)
        mid = truth[len(truth) // 2]["access_time"]
        r2 = run(["logs", "--json", "--start", str(mid)], base_env(server.base_url))
        assert [key_of_json(e) for e in r2.json_lines()] == [key_of_wire(e) for e in truth if e["access_time"] >= mid]


def test_usage_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    env = base_env("http://127.0.0.1:9")  # never contacted
    cases = [
        ["logs", "--since", "5x"],
        ["logs", "--since", "10"],
        ["logs", "--since", "-5m"],
        ["logs", "--since", ""],
        ["logs", "--since", "5m", "--start", "1"],
        ["logs", "--limit", "0"],
        ["logs", "--poll", "0", "--follow"],
        ["logs", "--codes", "6XX"],
        ["logs", "--start", str(time.time_ns() + 3600 * NS)],
    ]
    no_domain = dict(env)
    no_domain.pop("S4TOP_DOMAIN")
    jobs = [(args, env) for args in cases] + [(["logs"], no_domain)]
    results = run_many(jobs)
    assert "no CDN domain" in results[-1].err and "--domain" in results[-1].err
    for (args, _), r in zip(jobs, results, strict=True):
        assert r.rc == 2, (args, r.err)
        assert r.out == "", args
        assert len(r.err.strip().splitlines()) == 1, (args, r.err)
    assert "--since" in results[0].err and "5x" in results[0].err


def test_start_older_than_retention_is_clamped_with_a_warning() -> None:
    # The simulator's clock stands just after the 3-day boundary of the real clock (the
    # CLI's), so the read is short, and the simulator still serves the older entries that
    # the clamp must leave out.
    with recent_frozen_sim(rate=5.0, back_s=3 * 86400 - 90, incidents=False) as server:
        admin = Admin(server.base_url)
        t0 = time.time_ns()
        r = run(["logs", "--json", "--start", str(t0 - 4 * 86400 * NS)], base_env(server.base_url))
        t1 = time.time_ns()
        assert r.rc == 0, r.err
        warnings = [line for line in r.err.splitlines() if "warning" in line]
        assert len(warnings) == 1 and "3 days" in warnings[0], r.err
        got = [key_of_json(e) for e in r.json_lines()]
        truth = admin.truth(t0 - (3 * 86400 + 60) * NS)
        lo, hi = t0 - 3 * 86400 * NS, t1 - 3 * 86400 * NS  # the clamped start lies in between
        assert [e for e in truth if e["access_time"] < lo], "the simulator should hold older entries"
        assert got and got[0][0] >= lo
        assert got == [key_of_wire(e) for e in truth if e["access_time"] >= got[0][0]]
        assert not [e for e in truth if hi <= e["access_time"] < got[0][0]]


HOSTILE = [
    "\x1b[2J\x1b[31mred",
    "\x1b]0;pwned-title\x07",
    "\x1b]52;c;SGVsbG8=\x07",
    "\x1b]8;;http://evil.example/\x1b\\link\x1b]8;;\x1b\\",
    "bell\x07bs\x08cr\rlf\nnul\x00del\x7f",
    "c1\x85\x9b31m\x90",
    "bidi\u202eevil\u2066x\u2069",
    "zw\u200b\u200d\ufeff",
    "[bold]markup[/bold][link=http://x]y[/link][@click=app.quit]z",
    "ls\u2028ps\u2029",
    "lone\ud800surrogate",
]


def test_plain_output_never_carries_raw_controls() -> None:
    with recent_frozen_sim(rate=5.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        start = now - 20 * NS
        entries = []
        for i, bad in enumerate(HOSTILE):
            entries.append({
                "path": f"https://cdn.example.com/{bad}", "size": i, "access_time": start + (i + 1) * NS // 2,
                "code": 200, "method": bad[:12], "ip": bad, "country": bad, "cache": bad,
                "referer": bad, "ua": bad, bad: bad,
            })
        admin.inject(entries)
        env = base_env(server.base_url)
        r = run(["logs", "--start", str(start)], env)
        assert r.rc == 0, r.err
        assert raw_controls(r.out_bytes) == []
        assert raw_controls(r.err_bytes) == []
        text = r.out
        # still visible, in a safe form
        for piece in ("pwned-title", "]52;c;SGVsbG8=", "evil.example", "[bold]markup[/bold]", "surrogate", "red"):
            assert piece in text, piece
        assert "\u241b" in text  # ESC shown as a control picture
        # --json keeps the values exactly (escaped), so nothing is lost either
        j = run(["logs", "--json", "--start", str(start)], env)
        assert raw_controls(j.out_bytes) == []
        urls = {e["url"] for e in j.json_lines()}
        for bad in HOSTILE:
            assert f"https://cdn.example.com/{bad}" in urls


def test_output_closed_early_is_not_an_error() -> None:
    with recent_frozen_sim(rate=20.0) as server:
        env = base_env(server.base_url)
        proc = subprocess.Popen([str(S4TOP), "logs", "--since", "15m"], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # like `| head -1`
        err = proc.stderr.read()
        rc = proc.wait(20)
        assert first
        check_clean(b"", err)
        assert rc == 0 and err == b"", err


def test_unknown_shape_is_a_clear_error_exit_1() -> None:
    with recent_frozen_sim(rate=5.0) as server:
        Admin(server.base_url).fault(shape="unknown", path="logs")
        r = run(["logs", "--since", "15m"], base_env(server.base_url))
        assert r.rc == 1
        lines = r.err.strip().splitlines()
        assert len(lines) == 1 and "unexpected response" in lines[0] and "doctor" in lines[0], r.err
        assert json.dumps("result")[1:-1] in lines[0]  # the excerpt shows what came back
