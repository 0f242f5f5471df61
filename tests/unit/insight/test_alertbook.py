"""The alert list's file (alerts.jsonl) and the alert settings: kept across restarts,
bounded, a torn line skipped, a write failure never fatal; absolute thresholds configurable
from the file and the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

import tui.insight.alert_log as alertbook
from tui.config import ConfigError, load_settings
from tui.core.buffer import LogBuffer
from tui.insight.alert_log import AlertBook, restored_state
from tui.insight.alerts import AlertState
from tui.live.state import DomainState, alert_rules, alert_text, alerting_domains


def firing(kind: str = "5xx", since: int = 1000, peak: float = 0.25) -> AlertState:
    return AlertState(kind, active=True, value=peak, since_s=since, peak=peak,
                      evidence_s=since + 60)


def test_alerts_survive_a_restart_and_the_last_line_wins(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    book = AlertBook(path)
    a = firing()
    assert book.track("cdn.example.com", a)
    a.active, a.ended_s = False, 1300
    assert book.track("cdn.example.com", a)
    assert book.track("img.example.com", firing("origin", 2000, 61.5))
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"domain": "torn", "kind"')  # killed mid-write
    again = AlertBook(path)
    recs = again.records()
    assert [(r.domain, r.kind, r.state) for r in recs] == [
        ("img.example.com", "origin", "firing"), ("cdn.example.com", "5xx", "resolved")]
    assert recs[1].end_s == 1300 and recs[0].figure(recs[0].peak) == "61.5/s"
    assert again.unresolved("img.example.com")[0].start_s == 2000
    st = restored_state(again.unresolved("img.example.com")[0])
    assert st.active and st.status == "stale" and st.since_s == 2000


def test_the_file_stays_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alertbook, "KEEP", 5)
    monkeypatch.setattr(alertbook, "COMPACT_AT", 20)
    path = tmp_path / "alerts.jsonl"
    book = AlertBook(path)
    for i in range(60):
        book.track("d", firing(since=i * 100))
    assert len(path.read_text().splitlines()) <= 20
    assert [r.start_s for r in AlertBook(path).records()] == [5900, 5800, 5700, 5600, 5500]


def test_a_write_failure_is_reported_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    book = AlertBook(blocker / "alerts.jsonl")  # its folder is a file: every write fails
    assert book.track("d", firing()) is False and book.write_failed
    assert book.records()[0].state == "firing"  # still listed in memory


def test_absolute_settings_from_the_file_and_the_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("alert_5xx_absolute = 0.1\nalert_min_requests = 20\n")
    s = load_settings(config_path=cfg, env={"S4TOP_ALERT_ORIGIN_ABSOLUTE": "80"})
    rules = {r.kind: r for r in alert_rules(s)}
    assert rules["5xx"].absolute == 0.1 and rules["4xx"].absolute == 0.25
    assert rules["origin"].absolute == 80.0 and rules["5xx"].min_requests == 20
    assert s.origins["alert_origin_absolute"] == "env S4TOP_ALERT_ORIGIN_ABSOLUTE"
    assert s.origins["alert_5xx_absolute"].startswith("config file")
    with pytest.raises(ConfigError, match="alert_min_requests"):
        load_settings(config_path=cfg, env={"S4TOP_ALERT_MIN_REQUESTS": "many"})


def test_alert_text_and_alerting_domains() -> None:
    a, b = DomainState("a", LogBuffer(10)), DomainState("b", LogBuffer(10))
    st = firing()
    st.stale, st.checked_s = True, st.evidence_s + 42
    b.alerts["5xx"] = st
    assert alerting_domains([a, b]) == ["b"]
    assert alert_text(b) == "5XX 25.0% (baseline 0.0%) stale 42s" and alert_text(a) == ""


CHILD = """
import sys
import tui.insight.alert_log as log
from tui.insight.alerts import AlertState
log.COMPACT_AT = 7  # compact every few lines: the two writers race on it all the time
book = log.AlertBook(__import__("pathlib").Path(sys.argv[1]))
for i in range(60):
    a = AlertState("5xx", active=True, value=0.3, since_s=1000 + i, peak=0.3, evidence_s=1060 + i)
    assert book.track(sys.argv[2], a)
"""


def test_two_instances_sharing_the_file_lose_no_alert(tmp_path: Path) -> None:
    """Two dashboards on one account append to and compact the same file at once (two real
    processes): every alert of both is still there afterwards."""
    import subprocess
    import sys

    path = tmp_path / "alerts.jsonl"
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(path), d])
             for d in ("a.example.com", "b.example.com")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    recs = AlertBook(path).records()
    for d in ("a.example.com", "b.example.com"):
        assert sorted(r.start_s for r in recs if r.domain == d) == list(range(1000, 1060))
