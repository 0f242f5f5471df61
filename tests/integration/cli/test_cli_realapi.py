"""The real API, second round (issue 16), through the installed command."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.cli_support import Admin, base_env, recent_frozen_sim, run, write_config


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
