"""The real API, second round (issue 16), through the installed command."""

from __future__ import annotations

from pathlib import Path

from tests.integration.cli_support import base_env, run, write_config


def test_config_shows_the_api_timezone_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    r = run(["config"], base_env("http://127.0.0.1:9"))
    assert r.rc == 0, r.err
    rows = {line.split()[0]: line for line in r.out.splitlines() if " = " in line}
    assert "= Asia/Shanghai" in rows["api_timezone"] and "[default]" in rows["api_timezone"]
    cfg = write_config(tmp_path / "c.toml", api_timezone="Mars/Base")
    r = run(["config"], base_env("http://127.0.0.1:9", S4TOP_CONFIG=str(cfg)))
    assert r.rc == 2 and len(r.err.strip().splitlines()) == 1
    assert "api_timezone" in r.err and "unknown time zone" in r.err
