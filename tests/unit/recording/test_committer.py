"""The commit process of `s4top record` (tui/recording/committer.py): the same file as
committing in the reader, a failed batch raised in the reader with nothing after it stored,
a reader killed mid-read leaving a file that continues cleanly, and the lock held by the child
until its last batch is in. Real processes and real files throughout."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.unit.recording.test_writer import D, entry
from tui.core.models import LogEntry
from tui.recording.schema import RecordingError
from tui.recording.writer import RecordingWriter

ROOT = Path(__file__).resolve().parents[3]


def _write(path: Path, apart: bool, pages: list[list[LogEntry]], batch: int = 7) -> int:
    w = RecordingWriter.open(path, batch_size=batch, apart=apart)
    w.begin(D, 5)
    for page in pages:
        w.add(D, page)
    w.covered(D, 10_000)
    w.close()
    return w.stored


def _dump(path: Path) -> tuple[list[tuple], list[tuple], list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return (conn.execute("SELECT * FROM logs ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM shapes ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM progress").fetchall())
    finally:
        conn.close()


def _pages() -> list[list[LogEntry]]:
    pages, t = [], 10
    for n in range(40):
        page = []
        for i in range(1 + n % 5):
            page.append(entry(t, url=f"/p{n}/{i}", extra={"ua": "\ud800" if n == 17 else "x"}))
            t += i % 2  # runs of equal times across pages
        pages.append(page)
    return pages


def test_the_file_is_the_one_the_reader_would_write(tmp_path: Path) -> None:
    """Rows, shapes and marks equal, byte for byte in the values, a row that needs rewriting
    (a lone surrogate) included; `stored` counts what the child committed."""
    here = _write(tmp_path / "here.db", False, _pages())
    apart = _write(tmp_path / "apart.db", True, _pages())
    assert here == apart == sum(len(p) for p in _pages())
    assert _dump(tmp_path / "apart.db") == _dump(tmp_path / "here.db")


def test_a_failed_batch_raises_in_the_reader_and_nothing_after_it_is_stored(
        tmp_path: Path) -> None:
    w = RecordingWriter.open(tmp_path / "r.db", batch_size=2, apart=True)
    w.begin(D, 5)
    w.add(D, [entry(10), entry(11)])
    w.meta()  # settled: that batch is in
    bad = LogEntry(time_ns=13, status=None, url="/x")  # NOT NULL: this batch fails in SQLite
    with pytest.raises(sqlite3.IntegrityError):
        w.add(D, [entry(12), bad])
        for t in range(14, 40, 2):  # batches after the failing one: the error comes back
            w.add(D, [entry(t), entry(t + 1)])
        w.close()
    w.close()
    assert [r[2] for r in _dump(tmp_path / "r.db")[0]] == [10, 11]
    again = RecordingWriter.open(tmp_path / "r.db")
    assert again.progress(D).resume_at() == (11, 1)
    again.close()


_KILLED = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from tests.unit.recording.test_writer import D, entry
    from tui.recording.writer import RecordingWriter
    w = RecordingWriter.open(Path(sys.argv[1]), batch_size=50, apart=True)
    w.begin(D, 5)
    for t in range(10, 5010, 2):
        w.add(D, [entry(t), entry(t + 1)])
    print(w._committer._proc.pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # mid-read: batches still in the pipe
""")


def test_a_killed_reader_leaves_a_clean_prefix_and_its_lock_until_the_child_is_done(
        tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    proc = subprocess.run([sys.executable, "-c", _KILLED, str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    child = int(proc.stdout.strip())
    deadline = time.monotonic() + 30
    while _alive(child):  # it stores what came whole, then ends at the end of its input
        assert time.monotonic() < deadline, "the commit process did not end"
        time.sleep(0.02)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    times = [t for (t,) in conn.execute("SELECT time_ns FROM logs ORDER BY id")]
    conn.close()
    assert times == list(range(10, 10 + len(times))) and len(times) >= 100  # whole batches
    again = RecordingWriter.open(db)
    assert again.progress(D).resume_at() == (times[-1], 1)  # the mark went with its rows
    again.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie of the killed reader's child is reaped by init; count it as gone
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ", 1)[1][0] != "Z"


def test_the_child_holds_the_lock_and_ignores_ctrl_c(tmp_path: Path) -> None:
    w = RecordingWriter.open(tmp_path / "r.db", batch_size=2, apart=True)
    w.begin(D, 5)
    child = w._committer._proc.pid
    w.add(D, [entry(10), entry(11)])
    w.meta()  # the child is up (a terminal's Ctrl-C never reaches it: its own session)
    os.kill(child, signal.SIGINT)  # sent to it anyway: the reader decides when to stop
    w.add(D, [entry(12), entry(13)])
    w.meta()
    assert _alive(child) and w.stored == 4
    with pytest.raises(RecordingError, match="another s4top record"):
        RecordingWriter.open(tmp_path / "r.db")
    w.close()
    RecordingWriter.open(tmp_path / "r.db").close()  # free once both are done
