"""The files in deploy/: promtool checks the rules, runs their unit tests and checks the
example config; every Grafana query is valid PromQL; the systemd unit takes the token from a
file, never from its command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.integration.exporter.support import ROOT, require_tool

DEPLOY = ROOT / "deploy"


def promtool(*args: str, cwd: Path = DEPLOY / "prometheus") -> subprocess.CompletedProcess:
    return subprocess.run([require_tool("promtool"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def dashboard_queries(rate_interval: str = "1m", domain: str = ".+") -> list[str]:
    """Every query of the Grafana dashboard with its variables substituted."""
    dash = json.loads((DEPLOY / "grafana" / "s4top.json").read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dash["panels"] for t in p["targets"]]
    exprs += [v["definition"] for v in dash["templating"]["list"] if v["type"] == "query"]
    return [e.replace("$__rate_interval", rate_interval).replace("$domain", domain)
            for e in exprs]


def test_the_alert_rules_are_valid() -> None:
    r = promtool("check", "rules", "alerts.yml")
    assert r.returncode == 0 and "SUCCESS: 8 rules found" in r.stdout, r.stdout + r.stderr


def test_every_alert_has_its_unit_tests_and_they_pass() -> None:
    r = promtool("test", "rules", "alerts_test.yml")
    assert r.returncode == 0 and "SUCCESS" in r.stdout, r.stdout + r.stderr
    rules = (DEPLOY / "prometheus" / "alerts.yml").read_text()
    tests = (DEPLOY / "prometheus" / "alerts_test.yml").read_text()
    names = [line.split(":", 1)[1].strip() for line in rules.splitlines()
             if line.strip().startswith("- alert:")]
    assert len(names) == 8
    for name in names:  # fires (exp_alerts listed) and stays quiet (an empty list) somewhere
        assert f"alertname: {name}\n    exp_alerts: []" in tests, name
        assert f"alertname: {name}\n    exp_alerts:\n" in tests, name
    for needle in ("keep_firing_for", "for:", "summary:", "description:"):
        assert rules.count(needle) >= 8, needle


def test_the_example_prometheus_config_is_valid() -> None:
    r = promtool("check", "config", "prometheus.yml")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "job_name: s4top" in (DEPLOY / "prometheus" / "prometheus.yml").read_text()


def test_every_grafana_query_is_valid_promql(tmp_path: Path) -> None:
    queries = dashboard_queries()
    assert len(queries) >= 10
    rules = "groups:\n  - name: grafana\n    rules:\n" + "".join(
        f"      - record: q{i}\n        expr: {json.dumps(q)}\n"
        for i, q in enumerate(q for q in queries if not q.startswith("label_values")))
    (tmp_path / "q.yml").write_text(rules)
    r = promtool("check", "rules", "q.yml", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    dash = json.loads((DEPLOY / "grafana" / "s4top.json").read_text())
    assert {v["name"] for v in dash["templating"]["list"]} == {"datasource", "domain"}
    assert all('cdn_domain=~"$domain"' in t["expr"]
               for p in dash["panels"] for t in p["targets"])


def test_the_systemd_unit_reads_the_token_from_a_credential_file() -> None:
    unit = (DEPLOY / "systemd" / "s4top-exporter.service").read_text()
    assert "LoadCredential=bitiful-token:/etc/s4top/token" in unit
    exec_line = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    assert "exporter --token-file ${CREDENTIALS_DIRECTORY}/bitiful-token" in exec_line
    assert "BITIFUL_API_TOKEN=" not in unit


def test_systemd_accepts_the_unit(tmp_path: Path) -> None:
    """`systemd-analyze verify` (where systemd is installed, as on Debian) reads every key of
    the unit without a complaint; the unit's s4top is pointed at this environment's."""
    import shutil
    import sys

    analyze = shutil.which("systemd-analyze")
    unit = (DEPLOY / "systemd" / "s4top-exporter.service").read_text()
    assert "ExecStart=/usr/local/bin/s4top exporter" in unit
    if analyze is None:  # not a systemd machine: the text checks above still hold
        return
    exe = Path(sys.executable).parent / "s4top"
    copy = tmp_path / "s4top-exporter.service"
    copy.write_text(unit.replace("/usr/local/bin/s4top", str(exe)))
    r = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(), r
