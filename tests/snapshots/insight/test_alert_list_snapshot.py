"""Snapshot of the alert list (`!`): alerts of several domains read back from alerts.jsonl,
firing, stale and resolved (fixed records: nothing in it depends on the clock)."""

from __future__ import annotations

import json

from tests.conftest import FIXED_NS
from tests.snapshots.conftest import loaded, settle
from tui.config import data_dir

T = FIXED_NS // 10**9


def write_alerts() -> None:
    recs = [
        # other domains (not monitored in this session): shown as they were left
        {"domain": "img.example.com", "kind": "5xx", "start_s": T + 45 * 60, "peak": 0.253,
         "value": 0.248, "end_s": 0, "state": "firing"},
        {"domain": "static.example.net", "kind": "origin", "start_s": T + 15 * 60, "peak": 61.4,
         "value": 58.0, "end_s": 0, "state": "stale"},
        {"domain": "cdn.example.com", "kind": "4xx", "start_s": T - 3600, "peak": 0.31,
         "value": 0.02, "end_s": T - 3000, "state": "resolved"},
        {"domain": "cdn.example.com", "kind": "5xx", "start_s": T - 7200, "peak": 0.081,
         "value": 0.01, "end_s": T - 7000, "state": "resolved"},
    ]
    path = data_dir() / "alerts.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")


def test_alert_list(snap_compare, app_factory) -> None:
    write_alerts()
    app = app_factory()

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        app.clear_notifications()
        await pilot.press("exclamation_mark")
        await pilot.pause(0.5)

    assert snap_compare(app, terminal_size=(110, 16), run_before=run_before)
