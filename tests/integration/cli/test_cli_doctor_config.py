"""`s4top doctor` and `s4top config`, and shared options before or after the subcommand."""

from __future__ import annotations

import re
from pathlib import Path

from tests.integration.cli_support import NS, Admin, base_env, recent_frozen_sim, run, write_config

ENDPOINTS = ("traffic", "traffic_origin", "request", "request_origin", "logs")


def _sections(out: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines():
        m = re.match(r"== (\w+): ", line)
        if m:
            current = m.group(1)
            found[current] = [line]
        elif current and line.strip():
            found[current].append(line)
    return found


def test_doctor_reports_each_endpoint() -> None:
    with recent_frozen_sim(rate=20.0, back_s=30) as server:
        r = run(["doctor"], base_env(server.base_url))
        assert r.rc == 0, r.err
        sec = _sections(r.out)
        assert list(sec) == list(ENDPOINTS)
        for name, lines in sec.items():
            head = lines[0]
            assert re.search(r"HTTP 200 +\d+ ms +\d+ bytes +recognised: yes \(\d+ (points|entries)\)", head), head
            assert any(line.strip().startswith('{"data":') for line in lines[1:]), (name, lines)


def test_doctor_says_not_recognised_for_an_unknown_shape() -> None:
    with recent_frozen_sim(rate=20.0, back_s=30) as server:
        admin = Admin(server.base_url)
        admin.fault(shape="unknown")
        r = run(["doctor"], base_env(server.base_url))
        assert r.rc == 1
        sec = _sections(r.out)
        assert list(sec) == list(ENDPOINTS)
        for lines in sec.values():
            assert "HTTP 200" in lines[0] and "recognised: no" in lines[0], lines[0]
            assert any('{"result":' in line for line in lines[1:])  # the raw body, to report
        admin.fault(status=503, path="logs")
        r = run(["doctor"], base_env(server.base_url))
        assert r.rc == 1 and "HTTP 503" in _sections(r.out)["logs"][0]
        admin.fault(status=401)
        r = run(["doctor"], base_env(server.base_url))
        assert r.rc == 3 and "HTTP 401" in r.out


def test_doctor_on_a_dead_network_exits_1() -> None:
    from tests.integration.conftest_http import refused_port

    r = run(["doctor"], base_env(f"http://127.0.0.1:{refused_port()}"))
    assert r.rc == 1 and r.out.count("FAILED") == len(ENDPOINTS)


def test_config_shows_values_and_their_origins(tmp_path: Path) -> None:
    cfg = write_config(tmp_path / "c.toml", poll_interval=0.5, domain="cfg.example.com")
    env = base_env("http://127.0.0.1:9", S4TOP_CONFIG=str(cfg))
    r = run(["config"], env)
    assert r.rc == 0, r.err
    assert f"config file: {cfg} (found)" in r.out
    assert "history" in r.out and "token:       env BITIFUL_API_TOKEN (value hidden)" in r.out
    rows = {line.split()[0]: line for line in r.out.splitlines() if " = " in line}
    assert "[env S4TOP_API_BASE]" in rows["api_base"] and "http://127.0.0.1:9" in rows["api_base"]
    assert "[env S4TOP_DOMAIN]" in rows["domain"]  # env beats the file
    assert "0.5" in rows["poll_interval"] and f"[config file {cfg}]" in rows["poll_interval"]
    assert "[default]" in rows["read_timeout"]
    # a flag beats the environment, before or after the subcommand
    for args in (["--domain", "flag.example.com", "config"], ["config", "--domain", "flag.example.com"]):
        r = run(args, env)
        assert r.rc == 0
        rows = {line.split()[0]: line for line in r.out.splitlines() if " = " in line}
        assert "flag.example.com" in rows["domain"] and "[command line]" in rows["domain"], args


def test_config_errors_are_one_line_naming_the_problem(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("domain = \n[[\n")
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('read_timeout = "soon"\n')
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('colour = "red"\nread_timeout = 3\n')
    env = base_env("http://127.0.0.1:9")
    r = run(["--config", str(broken), "config"], env)
    assert r.rc == 2 and r.out == "" and len(r.err.strip().splitlines()) == 1
    assert str(broken) in r.err and "TOML" in r.err
    r = run(["logs", "--config", str(wrong)], env)
    assert r.rc == 2 and len(r.err.strip().splitlines()) == 1 and "read_timeout" in r.err
    r = run(["config", "--config", str(tmp_path / "missing.toml")], env)
    assert r.rc == 2 and "does not exist" in r.err
    r = run(["config", "--config", str(unknown)], env)
    assert r.rc == 0 and "unknown setting 'colour'" in r.err
    r = run(["config"], base_env("http://127.0.0.1:9", S4TOP_READONLY="maybe"))
    assert r.rc == 2 and "S4TOP_READONLY" in r.err and "readonly" in r.err


def test_shared_options_before_and_after_the_subcommand(tmp_path: Path) -> None:
    with recent_frozen_sim(rate=20.0, back_s=30) as server:
        env = base_env("http://127.0.0.1:9")  # wrong base and domain in the environment
        env["S4TOP_DOMAIN"] = "other.example.com"
        token = tmp_path / "tok"
        token.write_text(env.pop("BITIFUL_API_TOKEN"))
        token.chmod(0o600)
        shared = ["--api-base", server.base_url, "--domain", "cdn.example.com", "--token-file", str(token)]
        since = ["--start", str(Admin(server.base_url).now_ns() - 20 * NS)]
        before = run([*shared, "logs", *since, "--json"], env)
        after = run(["logs", *since, "--json", *shared], env)
        mixed = run(["--api-base", server.base_url, "logs", *since, "--json", "--domain", "cdn.example.com",
                     "--token-file", str(token)], env)
        assert before.rc == after.rc == mixed.rc == 0, (before.err, after.err, mixed.err)
        assert before.json_lines() and before.out == after.out == mixed.out


def test_config_prints_durations_as_durations(tmp_path: Path) -> None:
    """`backlog = 5m` as the README and the config file say, not `300.0` seconds."""
    cfg = write_config(tmp_path / "c.toml", top_window="90s", alert_baseline="2h")
    r = run(["config"], base_env("http://127.0.0.1:9", S4TOP_CONFIG=str(cfg)))
    assert r.rc == 0, r.err
    rows = {line.split()[0]: line.split("  [")[0] for line in r.out.splitlines() if " = " in line}
    assert rows["backlog"].endswith("= 5m")
    assert rows["top_window"].endswith("= 90s") and rows["alert_baseline"].endswith("= 2h")
    assert rows["tail_delay"].endswith("= 0s") and rows["retry_base"].endswith("= 0.5s")
    assert rows["alert_window"].endswith("= 1m") and rows["refresh_window"].endswith("= 5m")
    assert rows["buffer_size"].endswith("= 100000")  # counts stay numbers


def test_config_warns_about_keymap_conflicts_on_stderr(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[keymap]\n"dashboard.class_5xx" = "q"\n"dashboard.follow" = "F"\n')
    r = run(["config"], base_env("http://127.0.0.1:9", S4TOP_CONFIG=str(cfg)))
    assert r.rc == 0, r.err
    assert r.err.strip() == 's4top: keymap: "q" for dashboard.class_5xx is already app.quit\'s key'
    assert "keymap" in r.out and "keymap:" not in r.out  # warnings stay off stdout
