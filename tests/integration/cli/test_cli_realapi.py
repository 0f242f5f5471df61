"""The real API, second round (issue 16), through the installed command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.cli_support import (
    NS,
    Admin,
    base_env,
    key_of_json,
    key_of_wire,
    recent_frozen_sim,
    run,
    write_config,
)
from tui.core.statuscodes import parse_codes


def test_config_shows_the_api_timezone_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    r = run(["config"], base_env("http://127.0.0.1:9"))
    assert r.rc == 0, r.err
    rows = {line.split()[0]: line for line in r.out.splitlines() if " = " in line}
    assert "= Asia/Shanghai" in rows["api_timezone"] and "[default]" in rows["api_timezone"]
    cfg = write_config(tmp_path / "c.toml", api_timezone="Mars/Base")
    r = run(["config"], base_env("http://127.0.0.1:9", S4TOP_CONFIG=str(cfg)))
    assert r.rc == 2 and len(r.err.strip().splitlines()) == 1
    assert "api_timezone" in r.err and "unknown time zone" in r.err


@pytest.mark.parametrize("shape", ["err200_code", "err200_msg", "err200_success"])
def test_a_refused_token_inside_http_200_exits_3_with_the_servers_text(shape: str) -> None:
    with recent_frozen_sim(rate=5.0, back_s=30) as server:
        Admin(server.base_url).fault(shape=shape)
        env = base_env(server.base_url, BITIFUL_API_TOKEN="wrong-token-value")
        r = run(["logs", "--since", "1m"], env)
        assert r.rc == 3, (r.rc, r.err)
        line = r.err.strip()
        assert len(line.splitlines()) == 1 and "authentication failed" in line
        assert "the server says: invalid or missing API token" in line
        assert "wrong-token-value" not in r.err + r.out


def test_a_refresh_refused_inside_http_200_exits_3() -> None:
    with recent_frozen_sim(rate=5.0, back_s=30) as server:
        Admin(server.base_url).fault(shape="err200_code")
        env = base_env(server.base_url, BITIFUL_API_TOKEN="wrong-token-value")
        r = run(["refresh", "https://cdn.example.com/a.png", "--yes"], env)
        assert r.rc == 3, (r.rc, r.out, r.err)
        assert "invalid or missing API token" in r.err


def test_an_error_status_with_an_empty_body_names_the_status_and_the_endpoint(
        tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.toml", retry_attempts=1)
    with recent_frozen_sim(rate=5.0, back_s=30) as server:
        admin = Admin(server.base_url)
        admin.fault(status=503, shape="empty_error", path="logs")
        env = base_env(server.base_url, S4TOP_CONFIG=str(cfg))
        r = run(["logs", "--since", "1m"], env)
        assert r.rc == 1 and len(r.err.strip().splitlines()) == 1, r.err
        assert "HTTP 503" in r.err and "/cdn/data/cdn.example.com/logs" in r.err
        assert "empty" in r.err
        admin.fault(shape="empty_error")  # a refused token, bare: still exit 3
        r = run(["logs", "--since", "1m"], dict(env, BITIFUL_API_TOKEN="wrong-token-value"))
        assert r.rc == 3 and "authentication failed (401)" in r.err, r.err


def _inject_statuses(admin: Admin, start: int) -> None:
    admin.inject([
        {"path": f"https://cdn.example.com/codes/{i}", "size": 10, "access_time": start + i * NS,
         "code": code, "method": "GET", "ip": "10.0.0.1"}
        for i, code in enumerate((404, 503, 403, 500, 404, 502, 503, 403), start=1)
    ])  # fmt: skip


@pytest.mark.parametrize("codes", ["404,503", "5XX,404", "5xx,404", "403"])
def test_logs_codes_take_exact_codes_from_a_server_that_refuses_them(codes: str) -> None:
    """The simulator answers `codes=404` with a 400, as a class-only server would: s4top
    asks for the narrowest class and filters the rest itself."""
    sel = parse_codes(codes)
    with recent_frozen_sim(rate=20.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        start = now - 30 * NS
        _inject_statuses(admin, start)
        want = [key_of_wire(e) for e in admin.truth(start, now) if sel.matches(int(e["code"]))]
        assert len(want) >= 2  # at least two injected for every selection, whatever the traffic
        r = run(["logs", "--json", "--codes", codes, "--start", str(start)],
                base_env(server.base_url))
        assert r.rc == 0, r.err
        assert [key_of_json(e) for e in r.json_lines()] == want


def test_top_takes_exact_codes_too() -> None:
    with recent_frozen_sim(rate=20.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        start = now - 30 * NS
        _inject_statuses(admin, start)
        truth = [int(e["code"]) for e in admin.truth(start, now)]
        r = run(["top", "--start", str(start), "--codes", "503,404", "--by", "status", "--json"],
                base_env(server.base_url))
        assert r.rc == 0, r.err
        got = {row["key"]: row["count"] for row in json.loads(r.out)}
        assert got == {str(c): truth.count(c) for c in (404, 503) if truth.count(c)}
        text = run(["top", "--start", str(start), "--codes", "5xx,404"], base_env(server.base_url))
        assert text.rc == 0 and "5XX,404" in text.out.splitlines()[0]


def test_a_bad_codes_value_is_one_line_exit_2() -> None:
    for cmd in ("logs", "top"):
        r = run([cmd, "--codes", "5XX,40x"], base_env("http://127.0.0.1:9"))
        assert r.rc == 2 and len(r.err.strip().splitlines()) == 1, r.err
        assert "'40X'" in r.err and "5XX,404" in r.err


def test_a_refresh_is_reported_as_done_when_the_history_cannot_be_written() -> None:
    import os

    history = Path(os.environ["XDG_DATA_HOME"]) / "s4top" / "history.jsonl"
    history.mkdir(parents=True)  # every append fails (EISDIR)
    with recent_frozen_sim(rate=5.0, back_s=30) as server:
        r = run(["refresh", "https://cdn.example.com/a.png", "--yes"], base_env(server.base_url))
        assert len(server.sim.refreshes) == 1
    assert r.rc == 0, r.err
    assert "done: 1 entry accepted" in r.out and "Traceback" not in r.err
    assert "history line could not be written" in r.err and "Is a directory" in r.err


def test_the_alt5_shape_reads_the_same_as_the_default_one() -> None:
    """Key names and value forms of other CDN APIs (tui/sim/variants.py alt5: host + bare uri,
    httpStatusCode, ns as text, float sizes, naive Beijing-time series) give the same
    normalised answers as the default shape, through the real command over loopback."""
    with recent_frozen_sim(rate=20.0, back_s=120) as server:
        admin = Admin(server.base_url)
        start = str(admin.now_ns() - 60 * NS)
        env = base_env(server.base_url)
        plain = run(["logs", "--json", "--start", start], env)
        stats = run(["stats", "--since", "6h", "--json"], env)
        admin.fault(shape="alt5")
        shaped = run(["logs", "--json", "--start", start], env)
        shaped_stats = run(["stats", "--since", "6h", "--json"], env)
    assert plain.rc == shaped.rc == stats.rc == shaped_stats.rc == 0, shaped.err
    a, b = plain.json_lines(), shaped.json_lines()
    assert len(a) > 100 and [key_of_json(e) for e in a] == [key_of_json(e) for e in b]
    assert all(e["extra"]["host"] == "cdn.example.com" and e["extra"]["uri"].startswith("/")
               for e in b)
    assert stats.out == shaped_stats.out
