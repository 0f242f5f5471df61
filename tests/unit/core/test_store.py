"""Drafts (atomic replace) and history (append-only JSON Lines) survive kills and torn writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.core.files import DraftStore, HistoryStore, atomic_write_text


def test_atomic_write_replaces_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "draft.json"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["draft.json"]


def test_atomic_write_failure_keeps_the_old_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "d" / "draft.json"
    atomic_write_text(target, "committed")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write_text(target, "half")
    monkeypatch.undo()
    assert target.read_text() == "committed"
    assert [p.name for p in target.parent.iterdir()] == ["draft.json"]  # the temp file is gone


def test_draft_store_round_trip_and_bad_files(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "draft.json")
    assert store.load() == {}
    store.save({"text": "https://cdn.example.com/中.png", "tagged": [["url", "x"]]})
    assert store.load()["text"] == "https://cdn.example.com/中.png"
    (tmp_path / "draft.json").write_bytes(b"\xff\xfe not json")
    assert store.load() == {}
    (tmp_path / "draft.json").write_text("[1, 2]")
    assert store.load() == {}


def test_history_appends_one_line_per_record_with_private_mode(tmp_path: Path) -> None:
    h = HistoryStore(tmp_path / "s4top" / "history.jsonl")
    assert h.read() == []
    for i in range(3):
        h.append({"n": i, "text": "line\nbreak \u2028 sep"})
    raw = h.path.read_bytes()
    assert raw.count(b"\n") == 3
    assert [r["n"] for r in h.read()] == [0, 1, 2]
    assert [r["n"] for r in h.read(limit=2)] == [1, 2]
    assert h.path.stat().st_mode & 0o077 == 0


def test_torn_last_line_is_skipped_and_not_glued_to_the_next(tmp_path: Path) -> None:
    h = HistoryStore(tmp_path / "history.jsonl")
    h.append({"n": 1})
    with open(h.path, "ab") as f:
        f.write(b'{"n": 2, "entries": ["https://cdn.exa')  # killed mid-write
    assert [r["n"] for r in h.read()] == [1]
    h.append({"n": 3})
    assert [r["n"] for r in h.read()] == [1, 3]
    lines = h.path.read_bytes().split(b"\n")
    assert lines[-2] == b'{"n":3}'


_WRITER = r"""
import sys, json
from pathlib import Path
from tui.core.files import DraftStore, HistoryStore
d = DraftStore(Path(sys.argv[1]))
h = HistoryStore(Path(sys.argv[2]))
big = "x" * 200_000
i = 0
while True:
    i += 1
    d.save({"i": i, "pad": big})
    h.append({"i": i, "pad": big[: 50_000]})
    print(i, flush=True)
"""


def test_sigkill_mid_write_leaves_parsable_files(tmp_path: Path) -> None:
    draft, hist = tmp_path / "w" / "draft.json", tmp_path / "w" / "history.jsonl"
    for round_no in range(4):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(draft), str(hist)], stdout=subprocess.PIPE)
        assert proc.stdout is not None
        proc.stdout.readline()  # at least one whole write happened
        time.sleep(0.01 + 0.013 * round_no)
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        data = json.loads(draft.read_text())  # never torn: always one committed state
        assert isinstance(data["i"], int) and len(data["pad"]) == 200_000
        records = HistoryStore(hist).read()
        assert records and all(len(r["pad"]) == 50_000 for r in records)
        leftovers = [p for p in draft.parent.iterdir() if p.name.endswith(".tmp")]
        for p in leftovers:  # a temp file may survive a kill; it never replaces the draft
            p.unlink()
