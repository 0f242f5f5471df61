"""Snapshots of purge verification: the history with verdict counts, a submission's entries
and verdicts, and the dashboard's status line (and green chart mark) for a young refresh.
The history and the tracker's state are written first, at fixed times (no live clock)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import FIXED_NS
from tests.snapshots.conftest import loaded, settle
from tui.core.files import HistoryStore
from tui.core.models import LogEntry
from tui.refresh.verify import PurgeTracker
from tui.refresh.verify_store import VerifyStore
from tui.refresh.watch import submission_id

NS = 1_000_000_000
DOM = "cdn.example.com"
D = f"https://{DOM}"


def _record(time_s: float, entries: list[tuple[str, str]]) -> dict:
    kinds = sorted({k for k, _ in entries})
    return {
        "time": datetime.fromtimestamp(time_s, tz=UTC).isoformat(timespec="seconds"),
        "time_s": time_s, "domain": DOM, "type": kinds[0] if len(kinds) == 1 else "mixed",
        "entries": [u for _, u in entries],
        "requests": [{"type": k, "urls": [u for kk, u in entries if kk == k], "status": 200,
                      "message": "ok", "latency_s": 0.1, "ok": True, "unknown": False,
                      "attempts": 1, "sent_s": time_s} for k in kinds],
    }


def _e(t_s: float, url: str, status: int = 200, cache: str = "HIT") -> LogEntry:
    return LogEntry(time_ns=FIXED_NS + int(t_s * NS), status=status, url=url, size=20_000,
                    cache=cache)


def write_state() -> None:
    data = Path(os.environ["XDG_DATA_HOME"]) / "s4top"
    young_s, old_s = FIXED_NS / NS - 120, FIXED_NS / NS - 7200
    young = [("url", f"{D}/static/js/app.8f3c2a.js"), ("url", f"{D}/never-asked.png"),
             ("directory", f"{D}/img/products/")]
    old = [("url", f"{D}/data/prices.json")]
    history = HistoryStore(data / "history.jsonl")
    history.append(_record(old_s, old))
    history.append(_record(young_s, young))
    tracker = PurgeTracker()
    before = [_e(-200 + i, f"{D}/data/prices.json", 404) for i in range(40)]
    tracker.track(DOM, old, int(old_s * NS), submission_id(DOM, old_s),
                  before=[LogEntry(time_ns=e.time_ns - 7080 * NS, status=404, url=e.url,
                                   cache="HIT") for e in before])
    tracker.feed(DOM, [_e(-7100 + i, f"{D}/data/prices.json", 404) for i in range(6)])
    tracker.tick(FIXED_NS - 3000 * NS)
    app = f"{D}/static/js/app.8f3c2a.js"
    before = [_e(-300 + i, app, 502 if i % 3 == 0 else 200, "MISS") for i in range(60)]
    tracker.track(DOM, young, int(young_s * NS), submission_id(DOM, young_s), before=before)
    after = [_e(-119, app, cache="MISS"), _e(-110, app)] + [_e(-100 + i, app) for i in range(40)]
    after += [_e(-90 + i, f"{D}/img/products/{i}.jpg", cache="MISS" if i < 5 else "HIT")
              for i in range(7)]
    after.append(_e(-1, app, 503, "MISS"))
    tracker.feed(DOM, sorted(after, key=lambda e: e.time_ns))  # the log comes in time order
    tracker.tracks[-1].fed_ns = FIXED_NS  # the backlog was fed before the restart
    tracker.tick(FIXED_NS)
    VerifyStore(data / "verify.json").save(tracker)
    assert json.loads((data / "verify.json").read_text())["tracks"]


def test_dashboard_status_line_for_a_young_refresh(snap_compare, app_factory) -> None:
    write_state()
    app = app_factory()

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_history_with_verdicts(snap_compare, app_factory) -> None:
    write_state()
    app = app_factory()

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        await pilot.press("h")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_submission_entries_and_verdicts(snap_compare, app_factory) -> None:
    write_state()
    app = app_factory()

    async def run_before(pilot) -> None:
        await settle(pilot, lambda: loaded(app))
        await pilot.press("h", "enter")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
