"""RecordingWriter: batches committed with their high-water mark, identical entries both
kept, a failed commit never moves the mark, credentials never stored."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from datetime import datetime
from pathlib import Path

import pytest

from tui.core.models import LogEntry, Metric, Series
from tui.recording.schema import RecordingError
from tui.recording.writer import DomainProgress, RecordingWriter, public_api_base

D = "cdn.example.com"
KEYS = {"time_ns": "access_time", "status": "code", "country": "country"}


def entry(t: int, url: str = "/a", **kw) -> LogEntry:
    kw.setdefault("source_keys", KEYS)
    return LogEntry(time_ns=t, status=200, method="GET", client_ip="203.0.113.9", size=10,
                    url=url, **kw)


def test_identical_entries_are_both_stored_and_the_mark_counts_them(tmp_path: Path) -> None:
    w = RecordingWriter.open(tmp_path / "r.db", batch_size=3)
    w.begin(D, 5)
    w.add(D, [entry(10), entry(20), entry(20), entry(20)])  # a batch of 3 commits at once
    conn = sqlite3.connect(tmp_path / "r.db")
    assert conn.execute("SELECT count(*) FROM logs").fetchone() == (4,)
    assert conn.execute("SELECT last_time_ns, count_at_last FROM progress").fetchone() == (20, 3)
    w.close()
    w2 = RecordingWriter.open(tmp_path / "r.db")
    assert w2.progress(D) == DomainProgress(D, 5, 20, 3, None)
    assert w2.progress(D).resume_at() == (20, 3)
    w2.close()



def test_a_selection_stores_what_is_kept_and_marks_what_was_read(tmp_path: Path) -> None:
    """`--codes`: the rows are the kept entries; the mark counts every delivered one, so a
    continued run skips exactly what the server sent before (tui/commands/record.py)."""
    w = RecordingWriter.open(tmp_path / "r.db")
    w.begin(D, 5)
    read = [entry(10, "/a"), entry(20, "/b"), entry(20, "/c"), entry(20, "/d")]
    w.add(D, [read[1]], read)
    w.add(D, [], [entry(30, "/e"), entry(30, "/f")])  # nothing kept: the mark still moves
    w.close()
    conn = sqlite3.connect(tmp_path / "r.db")
    assert conn.execute("SELECT url FROM logs").fetchall() == [("/b",)]
    conn.close()
    again = RecordingWriter.open(tmp_path / "r.db")
    assert again.progress(D).resume_at() == (30, 2)
    again.close()

def test_the_mark_is_committed_only_with_its_rows(tmp_path: Path) -> None:
    w = RecordingWriter.open(tmp_path / "r.db", batch_size=100)
    w.begin(D, 5)
    w.add(D, [entry(10), entry(11)])
    w._conn.close()  # the next write fails, as on a full disk
    w._conn = sqlite3.connect(tmp_path / "r.db", check_same_thread=False)
    w._conn.execute("PRAGMA query_only = ON")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        w.commit()
    w._conn.close()
    w._conn = sqlite3.connect(tmp_path / "r.db", check_same_thread=False)  # room again
    w.add(D, [entry(12)])
    w.close()  # nothing more is written after a failed commit
    again = RecordingWriter.open(tmp_path / "r.db")
    assert again.progress(D).resume_at() == (5, 0)
    again.close()


def test_fields_shapes_and_extras(tmp_path: Path) -> None:
    w = RecordingWriter.open(tmp_path / "r.db")
    w.begin(D, 0)
    w.add(D, [entry(1, country="CN", extra={"ua": "curl/8", "n": [1, 2]}),
              LogEntry(time_ns=2, status=502, url="/b")])  # no country, no cache, no shape
    w.close()
    conn = sqlite3.connect(tmp_path / "r.db")
    got = conn.execute("SELECT country, cache, extra, shape FROM logs ORDER BY id").fetchall()
    assert got[0][0] == "CN" and got[0][1] is None
    assert json.loads(got[0][2]) == {"ua": "curl/8", "n": [1, 2]}
    assert got[1] == (None, None, None, None)
    (keys,), = conn.execute("SELECT source_keys FROM shapes").fetchall()
    assert json.loads(keys) == KEYS
    assert stat.S_IMODE((tmp_path / "r.db").stat().st_mode) == 0o600


def test_series_refreshes_and_meta(tmp_path: Path) -> None:
    w = RecordingWriter.open(tmp_path / "r.db")
    w.begin(D, 0)
    s = Series(Metric.REQUEST, "hourly", [(3600, 5.0), (7200, 7.0)])
    w.write_series(D, [s])
    w.write_series(D, [Series(Metric.REQUEST, "hourly", [(7200, 9.0)])])  # partial, re-read
    history = [
        {"domain": D, "time_s": 10.0, "requests": [
            {"type": "url", "urls": ["https://cdn.example.com/a"], "status": 200, "ok": True,
             "message": "ok", "sent_s": 10.5},
            {"type": "url", "urls": ["https://cdn.example.com/b"], "status": None,
             "ok": False, "message": "not sent", "sent_s": None}]},
        {"domain": "other.example.com", "time_s": 11.0, "requests": [
            {"type": "url", "urls": ["x"], "status": 200, "ok": True, "sent_s": 11.0}]},
        {"domain": D, "time_s": 99.0, "requests": [
            {"type": "url", "urls": ["late"], "status": 200, "ok": True, "sent_s": 99.0}]},
    ]
    assert w.write_refreshes(history, [D], 0, 50 * 10**9) == 1
    assert w.write_refreshes(history, [D], 0, 50 * 10**9) == 0  # already stored
    w.write_meta([D], 0, 50, "9.9", "https://user:pa55@api.example.com:8443/v1?token=x")
    w.write_meta(["img.example.com"], 10, 80, "9.9", "https://api.example.com")
    meta = w.meta()
    w.close()
    assert json.loads(meta["domains"]) == [D, "img.example.com"]
    assert (meta["range_start_ns"], meta["range_end_ns"]) == ("0", "80")
    conn = sqlite3.connect(tmp_path / "r.db")
    assert conn.execute("SELECT time_s, value FROM series ORDER BY 1").fetchall() == [
        (3600, 5.0), (7200, 9.0)]
    assert conn.execute("SELECT time_ns, kind, urls, ok, status FROM refreshes").fetchall() == [
        (10_500_000_000, "url", '["https://cdn.example.com/a"]', 1, 200)]


def test_public_api_base_drops_credentials() -> None:
    assert public_api_base("https://u:secret@api.example.com:8443/v1?token=x#f") == \
        "https://api.example.com:8443/v1"
    assert public_api_base("http://[::1]:8080") == "http://[::1]:8080"
    assert "secret" not in public_api_base("https://secret@api.example.com")


def test_refuses_what_is_not_a_recording(tmp_path: Path) -> None:
    bad = tmp_path / "x.db"
    bad.write_bytes(b"hello")
    with pytest.raises(RecordingError, match="not an s4top recording"):
        RecordingWriter.open(bad)
    with pytest.raises(RecordingError, match="cannot create"):
        RecordingWriter.open(tmp_path / "missing" / "x.db")
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    with pytest.raises(RecordingError, match="not a regular file"):
        RecordingWriter.open(fifo)  # refused at once (SQLite would wait for a writer)


def test_one_shape_row_per_key_map_whether_shared_or_equal(tmp_path: Path) -> None:
    """The shape id is found by identity first (the parser shares one dict per shape); an
    equal dict of another page, or a changed one, still maps by its content."""
    w = RecordingWriter.open(tmp_path / "r.db")
    w.begin(D, 5)
    other = {"time_ns": "ts", "status": "code"}
    w.add(D, [entry(10), entry(11), entry(12, source_keys=dict(KEYS))])
    w.add(D, [entry(13, source_keys=other), entry(14, source_keys=dict(other))])
    w.close()
    conn = sqlite3.connect(tmp_path / "r.db")
    shapes = dict(conn.execute("SELECT id, source_keys FROM shapes").fetchall())
    assert sorted((json.loads(v) for v in shapes.values()), key=str) == sorted([KEYS, other], key=str)
    got = [json.loads(shapes[s]) for (s,) in conn.execute("SELECT shape FROM logs ORDER BY id")]
    assert got == [KEYS, KEYS, KEYS, other, other]
    conn.close()


def test_extras_are_the_json_text_json_dumps_writes() -> None:
    from tui.recording.fields import extra_json as _extra_json

    cases = [
        {"referer": "https://www.google.com/", "ua": "Mozilla/5.0 (X11) \u4e2d\u6587"},
        {"q": 'a "quoted" \\ back\\slash', "ctl": "\x00\x1b[2J\n\t\u2028", "s": "\ud800"},
        {"n": 3, "f": 1.5, "none": None, "list": [1, "x"], "nested": {"a": {"b": True}}},
        {"ua": "curl", "when": datetime(2026, 1, 1)},  # not JSON: default=str
        {"": ""},
    ]
    for extra in cases:
        assert _extra_json(extra) == json.dumps(extra, ensure_ascii=False, default=str)


def test_one_writer_at_a_time_per_file(tmp_path: Path) -> None:
    """A second writer would continue from the same mark and store it all twice."""
    w = RecordingWriter.open(tmp_path / "r.db")
    w.begin(D, 5)
    with pytest.raises(RecordingError, match="another"):
        RecordingWriter.open(tmp_path / "r.db")
    w.add(D, [entry(10)])
    w.close()
    again = RecordingWriter.open(tmp_path / "r.db")  # free once the first is closed
    assert again.progress(D).resume_at() == (10, 1)
    again.close()


def test_remembered_extras_are_never_those_of_an_equal_looking_map() -> None:
    """The flat string maps are remembered by their items: 1, 1.0 and True are equal keys
    in Python but not the same JSON, so only all-string maps may be remembered."""
    from tui.recording import fields

    cases = [{"a": "1"}, {"a": 1}, {"a": True}, {"a": 1.0}, {"a": "1"}, {"a": None},
             {"a": [1]}, {"a": "1", "b": "x"}, {"b": "x", "a": "1"}, {"a": "1"}]
    for extra in cases * 2:
        assert fields.extra_json(extra) == json.dumps(extra, ensure_ascii=False, default=str)
    for i in range(fields._EXTRAS_LIMIT + 10):  # past the bound: emptied, still right
        extra = {"ua": f"agent/{i}"}
        assert fields.extra_json(extra) == json.dumps(extra, ensure_ascii=False)
    assert len(fields._EXTRAS) <= fields._EXTRAS_LIMIT
    long = {"ua": "x" * 5000}
    assert fields.extra_json(long) == json.dumps(long) and tuple(long.items()) not in \
        fields._EXTRAS


def test_the_mark_over_pages_counts_the_run_of_equal_times_at_the_end(tmp_path: Path) -> None:
    w = RecordingWriter.open(tmp_path / "r.db")
    w.begin(D, 5)
    steps = [([10, 20, 20], (20, 2)), ([20, 20], (20, 4)), ([20, 30], (30, 1)),
             ([30], (30, 2)), ([40, 40, 40], (40, 3)), ([41, 40], (40, 1))]
    for times, want in steps:
        w.add(D, [entry(t) for t in times])
        assert w.progress(D).resume_at() == want, times
    w.close()


def test_a_batch_failing_beside_the_reading_stops_every_later_one(tmp_path: Path) -> None:
    """A failing batch is raised to the caller, and no batch after it (marks past rows that
    were not stored) is committed, not even by close()."""
    w = RecordingWriter.open(tmp_path / "r.db", batch_size=2)
    w.begin(D, 5)
    w.add(D, [entry(10), entry(11)])  # a full batch: committed beside what follows
    w.commit()
    bad = LogEntry(time_ns=13, status=None, url="/x")  # NOT NULL: this batch fails in SQLite
    with pytest.raises(sqlite3.IntegrityError):
        w.add(D, [entry(12), bad])
        for t in range(14, 40, 2):  # good batches after the failing one
            w.add(D, [entry(t), entry(t + 1)])
        w.commit()
    w.add(D, [entry(50), entry(51)])
    w.close()
    conn = sqlite3.connect(tmp_path / "r.db")
    assert conn.execute("SELECT time_ns FROM logs ORDER BY id").fetchall() == [(10,), (11,)]
    conn.close()
    again = RecordingWriter.open(tmp_path / "r.db")
    assert again.progress(D).resume_at() == (11, 1)
    again.close()


def test_what_is_queued_is_committed_by_close(tmp_path: Path) -> None:
    w = RecordingWriter.open(tmp_path / "r.db", batch_size=3)
    w.begin(D, 5)
    for t in range(10, 1010, 2):
        w.add(D, [entry(t), entry(t + 1)])
    assert w.stored + w.pending == 1000
    w.close()
    again = RecordingWriter.open(tmp_path / "r.db")
    assert again.progress(D).resume_at() == (1009, 1)
    assert again.stored == 0
    again.close()
    conn = sqlite3.connect(tmp_path / "r.db")
    assert [t for (t,) in conn.execute("SELECT time_ns FROM logs ORDER BY id")] == \
        list(range(10, 1010))
    conn.close()
