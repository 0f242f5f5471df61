"""Exit codes 0/1/2/3 of the real command, and the token never showing anywhere: stdout,
stderr, the history file, or the argv any process shows to `ps`."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.integration.cli_support import (
    NS,
    Admin,
    base_env,
    children_argv,
    recent_frozen_sim,
    run,
    run_many,
    start,
    write_config,
)
from tests.integration.conftest_http import refused_port

SECRET = "s4tk-9f3a7c-SECRET-d1e2c3b4"


def test_auth_failure_exits_3_naming_what_to_check() -> None:
    with recent_frozen_sim(rate=5.0) as server:
        env = base_env(server.base_url, BITIFUL_API_TOKEN="not-the-right-token")
        no_token = base_env(server.base_url)
        no_token.pop("BITIFUL_API_TOKEN")
        wrong = [["logs", "--since", "15m"], ["stats", "--since", "2h"], ["doctor"],
                 ["refresh", "-y", "https://cdn.example.com/x.png"]]
        missing = [["logs"], ["stats"], ["doctor"], ["refresh", "-y", "https://cdn.example.com/x.png"]]
        results = run_many([(a, env) for a in wrong] + [(a, no_token) for a in missing])
        for args, r in zip(wrong, results[:4], strict=True):
            assert r.rc == 3, (args, r.rc, r.err)
            assert "BITIFUL_API_TOKEN" in r.err and "--token-file" in r.err, (args, r.err)
            assert "not-the-right-token" not in r.out + r.err
        for args, r in zip(missing, results[4:], strict=True):
            assert r.rc == 3 and len(r.err.strip().splitlines()) == 1, (args, r.err)
            assert "BITIFUL_API_TOKEN" in r.err and "--token-file" in r.err
        assert run(["config"], no_token).rc == 0  # nothing to authenticate
        refused = Admin(server.base_url).refreshes()  # the wrong token reached it, was refused
        assert [(x["status"], x["applied"]) for x in refused] == [(401, False)]


def test_dead_network_exits_1_after_announced_retries(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.toml", retry_base=0.05, retry_attempts=3, connect_timeout=1)
    env = base_env(f"http://127.0.0.1:{refused_port()}", S4TOP_CONFIG=str(cfg))
    for args in (["logs", "--since", "1m"], ["stats", "--since", "1h", "--metric", "request"]):
        t0 = time.monotonic()
        r = run(args, env)
        assert r.rc == 1, (args, r.err)
        assert time.monotonic() - t0 < 10
        lines = r.err.strip().splitlines()
        assert len(lines) == 3 and all("network error" in line for line in lines), lines
        assert sum("retrying in" in line for line in lines) == 2  # never silent
        assert "--api-base" in lines[-1]


def test_bad_domain_or_api_base_exits_2_before_any_request() -> None:
    # the API base is a closed port: a request would be a network error (exit 1), not 2
    env = base_env(f"http://127.0.0.1:{refused_port()}")
    forms = (lambda d: ["--domain", d, "logs"], lambda d: ["logs", "--domain", d], lambda d: ["stats", "--domain", d],
             lambda d: ["refresh", "-y", "--domain", d, "https://cdn.example.com/x"])
    bad = ("a/b", "https://cdn.example.com", "a..b", "cdn.example.com:8080", "a b", "x?y", "x#y", "")
    cases = [forms[i % len(forms)](domain) for i, domain in enumerate(bad)]
    cases += [["--demo", "--domain", "a/b", "logs"]]  # the built-in simulator is no exception
    bases = ["http://[::1", "ftp://api.example.com", "http://api.example.com:port", "https://a b.example.com"]
    jobs = [(a, env) for a in cases] + [(["logs", "--api-base", b], env) for b in bases]
    for (args, _), r in zip(jobs, run_many(jobs), strict=True):
        assert r.rc == 2, (args, r.err)
        assert len(r.err.strip().splitlines()) == 1, (args, r.err)
        assert ("API base" if "--api-base" in args else "domain") in r.err, (args, r.err)
    # a plain-http API base that is not loopback: allowed, with a warning (no request here)
    r = run(["config", "--api-base", "http://api.example.com"], env)
    assert r.rc == 0 and "plain http" in r.err


def test_a_token_is_never_taken_on_the_command_line() -> None:
    env = base_env("http://127.0.0.1:9")
    cases = [["logs", "--token", SECRET], ["--token=" + SECRET, "logs"], ["stats", "--api-token", SECRET],
             ["logs", "--bogus", SECRET]]
    for args, r in zip(cases, run_many([(a, env) for a in cases]), strict=True):
        assert r.rc == 2, args
        assert SECRET not in r.out + r.err, args
        assert len(r.err.strip().splitlines()) == 1


def test_token_file_readable_by_others_warns(tmp_path: Path) -> None:
    tok = tmp_path / "token"
    tok.write_text(SECRET)
    tok.chmod(0o644)
    env = base_env("http://127.0.0.1:9")
    env.pop("BITIFUL_API_TOKEN")
    r = run(["config", "--token-file", str(tok)], env)
    assert r.rc == 0
    assert f"token file {tok}" in r.err and f"chmod 600 {tok}" in r.err
    assert SECRET not in r.out + r.err
    tok.chmod(0o600)
    assert "chmod" not in run(["config", "--token-file", str(tok)], env).err


def test_the_token_never_leaks_from_any_command(tmp_path: Path) -> None:
    with recent_frozen_sim(rate=0.2, back_s=30, token=SECRET) as server:
        admin = Admin(server.base_url)
        tok = tmp_path / "token"
        tok.write_text(SECRET + "\n")
        tok.chmod(0o600)
        fast = write_config(tmp_path / "c.toml", retry_base=0.05, read_timeout=0.5, backoff_base=0.1,
                            backoff_cap=0.2, auth_backoff=0.2)
        by_env = base_env(server.base_url, BITIFUL_API_TOKEN=SECRET, S4TOP_CONFIG=str(fast))
        by_file = base_env(server.base_url, S4TOP_CONFIG=str(fast))
        by_file.pop("BITIFUL_API_TOKEN")
        file_flag = ["--token-file", str(tok)]
        outputs: list[str] = []
        codes: dict[str, int] = {}

        def go(name: str, args: list[str], env: dict[str, str], fault: dict | None = None) -> None:
            if fault:
                admin.fault(**fault)
            else:
                admin.clear()
            r = run(args, env)
            codes[name] = r.rc
            outputs.append(r.out + r.err)

        url = "https://cdn.example.com/x.png"
        healthy = {  # no fault: side by side
            "logs": (["logs", "--since", "1m"], by_env),
            "logs-json-file": (["logs", "--since", "1m", "--json", *file_flag], by_file),
            "stats": (["stats", "--since", "2h"], by_env),
            "refresh": (["refresh", "-y", url], by_env),
            "refresh-bad": (["refresh", "-y", "https://cdn.example.com/*"], by_env),
            "config": (["config", *file_flag], by_file),
        }
        for name, r in zip(healthy, run_many(list(healthy.values())), strict=True):
            codes[name] = r.rc
            outputs.append(r.out + r.err)
        go("logs-401", ["logs", "--since", "1m"], by_env, {"status": 401})
        go("logs-500", ["logs", "--since", "1m"], by_env, {"status": 500})
        go("logs-shape", ["logs", "--since", "1m", *file_flag], by_file, {"shape": "unknown"})
        go("stats-401", ["stats", "--since", "2h", *file_flag], by_file, {"status": 401})
        go("refresh-500", ["refresh", "-y", url, *file_flag], by_file, {"status": 500, "path": "refresh"})
        go("refresh-hang", ["refresh", "-y", url], by_env, {"hang": True, "path": "refresh"})
        go("refresh-401", ["refresh", "-y", url], by_env, {"status": 401, "path": "refresh"})
        # a body that echoes the token: doctor's raw excerpts must hide it
        admin.clear()
        admin.inject([{"path": "https://cdn.example.com/echo", "size": 1, "access_time": time.time_ns() - 296 * NS,
                       "code": 200, "method": "GET", "ip": "10.1.1.1", "ua": f"token={SECRET}"}])
        go("doctor", ["doctor", *file_flag], by_file)
        go("doctor-shape", ["doctor"], by_env, {"shape": "unknown"})
        go("doctor-401", ["doctor"], by_env, {"status": 401})
        admin.clear()
        assert codes == {
            "logs": 0, "logs-json-file": 0, "logs-401": 3, "logs-500": 1, "logs-shape": 1, "stats": 0,
            "stats-401": 3, "refresh": 0, "refresh-500": 1, "refresh-hang": 1, "refresh-401": 3,
            "refresh-bad": 2, "config": 0, "doctor": 0, "doctor-shape": 1, "doctor-401": 3,
        }
        assert any("***" in o for o in outputs)  # the echoed token was there, and masked
        # --follow through an auth failure, watched from outside while it runs
        admin.fault(status=401, path="logs")
        with start(["logs", "--follow", "--since", "5s", "--poll", "0.2", *file_flag], by_file, tmp_path / "f") as f:
            f.wait_err("authentication failed", timeout=8)
            argvs = children_argv()
            assert any(str(tok) in " ".join(a) for a in argvs)  # we do see the process...
            assert not [a for a in argvs if any(SECRET in w for w in a)]  # ...never the token
            admin.clear()
            f.wait_err("connection recovered", timeout=8)
            res = f.stop(signal.SIGINT)
        assert res.rc == 0
        outputs.append(res.out + res.err)
    for text in outputs:
        assert SECRET not in text
    hist = Path(os.environ["XDG_DATA_HOME"]) / "s4top" / "history.jsonl"
    assert hist.exists() and SECRET not in hist.read_text()
    assert len(hist.read_text().splitlines()) == 4  # ok, 500, hang, 401: one line per submission
