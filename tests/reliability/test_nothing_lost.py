"""Nothing is lost: the refresh draft and the history survive SIGKILL at any moment, and a
refresh whose outcome is unknown is recorded as unknown and offered for retry in the TUI.

The kill loop uses the app's own writers (BatchBook for drafts, HistoryStore for the history,
atomic_write_text for ui.json) in a child process that reports each commit on stdout; it is
killed at a random moment, many times over, and every time the files must parse and hold the
last committed state (or the one being committed when the kill came, never a torn mix).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from tui.core.files import HistoryStore

_WRITER = r"""
import json, sys
from pathlib import Path
from tui.refresh.drafts import BatchBook
from tui.refresh.plan import RefreshKind
from tui.core.files import HistoryStore, atomic_write_text

folder, first = Path(sys.argv[1]), int(sys.argv[2])
book = BatchBook(folder / "drafts")
history = HistoryStore(folder / "history.jsonl")
pad = "https://cdn.example.com/" + "p" * 120 + "/"
i = first
while True:
    # a draft of a few hundred lines (a big paste), different every time
    text = "\n".join(f"{pad}{i}/{n}.png" for n in range(400 + i % 7))
    book.save("cdn.example.com", text, RefreshKind.URL if i % 2 else RefreshKind.DIRECTORY)
    print("d", i, flush=True)
    history.append({"i": i, "entries": [f"{pad}{i}/{n}.png" for n in range(40)]})
    print("h", i, flush=True)
    atomic_write_text(folder / "ui.json", json.dumps({"theme": f"theme-{i}", "pad": "x" * 5000}))
    print("u", i, flush=True)
    i += 1
"""

KILLS = 30


def _lines_for(i: int) -> int:
    return 400 + i % 7


def test_sigkill_at_any_moment_keeps_the_last_committed_state(tmp_path: Path) -> None:
    rng = random.Random(7)
    folder = tmp_path / "s4top"
    committed = {"d": 0, "u": 0}
    history: list[int] = []  # the i of every record the writer reported as appended
    mid_write_kills = 0
    for round_no in range(KILLS):
        first = max(committed["d"], committed["u"], history[-1] if history else 0) + 1
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(folder), str(first)],
                                stdout=subprocess.PIPE, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        assert proc.stdout is not None
        first_line = proc.stdout.readline()  # the writer is running (one draft committed)
        time.sleep(rng.uniform(0.0, 0.03))
        proc.send_signal(signal.SIGKILL)
        out = proc.stdout.read()  # (not communicate(): it would skip what readline buffered)
        proc.wait(10)
        writing = first  # the i the writer was working on when it died
        for line in (first_line + out).decode().split("\n")[:-1]:  # a torn last report is no report
            kind, i = line.split()
            writing = int(i)
            if kind == "h":
                history.append(int(i))
            else:
                committed[kind] = int(i)

        # the draft: valid JSON, the last committed text or the one that was being written
        # (each instance writes its own file, tui/refresh/instances.py; the reader below took the last)
        [draft_path] = (folder / "drafts" / "cdn.example.com").glob("*.json")
        data = json.loads(draft_path.read_text(encoding="utf-8"))
        i = int(data["text"].split("\n")[0].split("/")[-2])
        assert i in (committed["d"], committed["d"] + 1), (round_no, i, committed)
        assert len(data["text"].split("\n")) == _lines_for(i)  # whole, never a torn mix
        assert data["kind"] == ("url" if i % 2 else "directory")
        mid_write_kills += i != committed["d"]
        # the history: every reported record, in order, once; at most the one being written
        records = HistoryStore(folder / "history.jsonl").read()
        got = [r["i"] for r in records]
        assert got == history or (got[:-1] == history and got[-1] in (writing, writing + 1)), \
            (round_no, got[-3:], history[-3:], writing)
        assert all(len(r["entries"]) == 40 for r in records)
        # ui.json: valid, last committed or the next
        if not (folder / "ui.json").exists():  # killed in the first round before writing it
            assert committed["u"] == 0, committed
            u = 0
        else:
            ui = json.loads((folder / "ui.json").read_text())
            u = int(ui["theme"].split("-")[1])
        assert u in (committed["u"], committed["u"] + 1, writing, writing + 1), (u, committed, writing)
        # what the app would read back on its next start
        from tui.refresh.drafts import BatchBook

        # (the killed writer's draft is adopted whole, then this reader empties it and exits)
        reader = BatchBook(folder / "drafts")
        text, kind = reader.draft("cdn.example.com")
        assert text == data["text"] and str(kind) == data["kind"]
        assert not draft_path.exists()
        reader.save("cdn.example.com", "", kind)
        reader.close()
        # a kill may leave a temp file beside the draft: it never replaces it
        for tmp in (folder / "drafts").rglob(".*.tmp"):
            tmp.unlink()
        # what is on disk is the state the next writer continues from
        history = got
        committed["d"], committed["u"] = i, u
    committed["h"] = len(history)
    assert committed["h"] >= KILLS  # it did write between the kills
    assert history == sorted(set(history))
    print(f"\nSIGKILL rounds: {KILLS}; history records kept: {committed['h']}; kills that caught a draft mid-write: {mid_write_kills}")


# ---------------------------------------------------------------------------- unknown outcome

D = "https://cdn.example.com"


def _history() -> list[dict]:
    path = Path(os.environ["XDG_DATA_HOME"]) / "s4top" / "history.jsonl"
    return HistoryStore(path).read()


async def test_refresh_with_unknown_outcome_is_recorded_and_offered_for_retry(app_for, quiet_sim) -> None:
    """The server takes the request and never answers: the client times out after sending.
    The modal says "unknown", the history says unknown (not ok), the entry stays in the batch,
    R retries it, and the history screen shows it."""
    from tests.app.conftest import wait_until
    from tui.screens.history import HistoryScreen
    from tui.screens.refresh import RefreshModal

    sim = quiet_sim.sim
    sim.faults.set({"hang": True, "path": "refresh"})
    app = app_for(quiet_sim, read_timeout=0.5, retry_base=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.state.caught_up)
        await pilot.press("r")
        await pilot.pause(0.1)
        modal = app.screen
        assert isinstance(modal, RefreshModal)
        modal.query_one("#entries").insert(f"{D}/maybe.png")
        await pilot.pause(0.1)
        await pilot.press("ctrl+s", "y")
        await wait_until(pilot, lambda: app.desk.refresh_job is not None and not app.desk.refresh_job.running, timeout=15)
        job = app.desk.refresh_job
        assert [r.phase for r in job.requests] == ["unknown"] and not job.ok
        assert job.failed() == [0]  # offered for retry
        summary = str(modal.query_one("#send-summary").render())
        assert "unknown (sent, no answer)" in summary and "R retries" in summary, summary
        assert not any("accepted" in n.message and "ok" in n.message for n in app._notifications)
        [rec] = _history()
        assert rec["requests"][0]["unknown"] is True and rec["requests"][0]["ok"] is False
        assert "outcome unknown" in rec["requests"][0]["message"]
        assert "maybe.png" in app.desk.batches.draft("cdn.example.com")[0]  # not dropped
        # the server did receive it: the outcome really was unknown to the client
        assert [r["url_list"] for r in sim.refreshes] == [[f"{D}/maybe.png"]]
        # R retries it, and this time the answer comes
        sim.faults.clear()
        await pilot.press("R")
        await wait_until(pilot, lambda: not app.desk.refresh_job.running and app.desk.refresh_job.ok, timeout=15)
        assert app.desk.batches.draft("cdn.example.com")[0] == ""
        assert len(_history()) == 2 and _history()[-1]["requests"][0]["ok"] is True
        # the history screen marks the first submission as unknown
        await pilot.press("escape", "h")
        assert isinstance(app.screen, HistoryScreen)
        rows = app.screen.query_one("DataTable")
        cells = [str(c) for c in rows.get_row_at(1)]
        assert any("unknown" in c for c in cells), cells
