"""The recording reader: windows through the index, the wire shape rebuilt, series, meta."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import DOMAIN, FIXED_NS
from tests.replay_support import NS, record_sim, write_recording
from tui.api.parse import parse_logs
from tui.recording.reader import Recording
from tui.recording.schema import RecordingError
from tui.sim import SimConfig, Simulator


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(seed=3, rate=40.0, start_ns=FIXED_NS, frozen=True,
                               domains=(DOMAIN, "img.example.com")))


def test_window_is_the_truth_in_order_with_its_source_keys(tmp_path: Path, sim) -> None:
    lo, hi = FIXED_NS - 600 * NS, FIXED_NS - 60 * NS
    truth = record_sim(tmp_path / "r.db", sim, lo, hi)
    with Recording(tmp_path / "r.db") as rec:
        got = rec.window(DOMAIN, lo, hi)
        want = parse_logs({"data": truth[DOMAIN]}, "logs")
        assert len(got) == len(want) > 1000
        assert got == want  # every field, extras and source keys
        assert [e.raw_obj() for e in got[:50]] == [dict(r) for r in truth[DOMAIN][:50]]


def test_window_bounds_are_inclusive_and_limit_and_class_apply(tmp_path: Path, sim) -> None:
    lo, hi = FIXED_NS - 300 * NS, FIXED_NS
    truth = record_sim(tmp_path / "r.db", sim, lo, hi)[DOMAIN]
    t = truth[100]["access_time"]
    with Recording(tmp_path / "r.db") as rec:
        at_t = rec.window(DOMAIN, t, t)
        assert at_t and all(e.time_ns == t for e in at_t)
        assert len(at_t) == sum(1 for r in truth if r["access_time"] == t)
        assert len(rec.window(DOMAIN, lo, hi, limit=7)) == 7
        fives = rec.window(DOMAIN, lo, hi, digit=2)
        assert len(fives) == sum(1 for r in truth if 200 <= r["code"] < 300)
        assert rec.window("other.example.com", lo, hi) == []


def test_wire_window_is_the_wire_shifted(tmp_path: Path, sim) -> None:
    lo, hi = FIXED_NS - 120 * NS, FIXED_NS
    truth = record_sim(tmp_path / "r.db", sim, lo, hi)[DOMAIN]
    with Recording(tmp_path / "r.db") as rec:
        wire = rec.wire_window(DOMAIN, lo, hi, limit=20, shift_ns=5 * NS)
    assert wire == [{**r, "access_time": r["access_time"] + 5 * NS} for r in truth[:20]]


def test_other_wire_shapes_keep_their_keys_and_extras(tmp_path: Path) -> None:
    raws = [{"timestamp": FIXED_NS + i, "status": 200, "uri": f"/a{i}", "remote_addr": "1.2.3.4",
             "bytes": 10, "verb": "GET", "edge": "x"} for i in range(3)]
    write_recording(tmp_path / "r.db", {DOMAIN: raws})
    with Recording(tmp_path / "r.db") as rec:
        got = rec.window(DOMAIN, 0, FIXED_NS * 2)
        assert [e.raw_obj() for e in got] == raws
        assert rec.wire_window(DOMAIN, 0, FIXED_NS * 2) == raws
        assert got[0].extra == {"edge": "x"} and got[0].country == ""


def test_wire_rows_keep_the_field_order_and_leave_out_null_fields(tmp_path: Path) -> None:
    """The JSON the replay serves is the field-by-field build's: keys in field order, then
    the extras; a NULL country/cache has no key; two fields filed under one key: the last."""
    raws = [{"access_time": FIXED_NS, "code": 200, "method": "GET", "ip": "1.2.3.4", "size": 5,
             "path": "/a", "country": "NL", "cache": "HIT", "edge": "x"},
            {"timestamp": FIXED_NS + 1, "status": 404, "verb": "GET", "remote_addr": "5.6.7.8",
             "bytes": 0, "uri": "/b", "ua": "\x1b[31m"}]
    path = write_recording(tmp_path / "r.db", {DOMAIN: raws})
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO shapes (id, source_keys) VALUES (99, ?)",
                 (json.dumps({"time_ns": "t", "status": "t", "url": "u"}),))
    sql = ("INSERT INTO logs (domain, time_ns, status, method, client_ip, size, url, country, "
           "cache, extra, shape) VALUES (?, ?, ?, 'GET', '9.9.9.9', 1, ?, ?, ?, ?, ?)")
    conn.execute(sql, (DOMAIN, FIXED_NS + 2, 503, "/c", "DE", None, '{"code": "x"}', None))
    conn.execute(sql, (DOMAIN, FIXED_NS + 3, 302, "/d", None, None, None, 99))
    conn.commit()
    conn.close()
    shift = 7
    want = [{**raws[0], "access_time": FIXED_NS + shift},
            {**raws[1], "timestamp": FIXED_NS + 1 + shift},
            {"access_time": FIXED_NS + 2 + shift, "code": "x", "method": "GET",
             "ip": "9.9.9.9", "size": 1, "path": "/c", "country": "DE"},
            {"t": 302, "u": "/d"}]
    with Recording(path) as rec:
        got = rec.wire_window(DOMAIN, 0, FIXED_NS * 2, shift_ns=shift)
    assert json.dumps(got) == json.dumps(want)


def test_iter_entries_pages_through_equal_times(tmp_path: Path) -> None:
    raws = [{"access_time": FIXED_NS + i // 4, "code": 200, "path": f"/{i}", "ip": "1.1.1.1",
             "size": 1, "method": "GET"} for i in range(40)]
    write_recording(tmp_path / "r.db", {DOMAIN: raws})
    with Recording(tmp_path / "r.db") as rec:
        got = list(rec.iter_entries(DOMAIN, FIXED_NS, FIXED_NS + 100, batch=3))
    assert [e.url for e in got] == [f"/{i}" for i in range(40)]


def test_meta_domains_span_and_count(tmp_path: Path, sim) -> None:
    lo, hi = FIXED_NS - 60 * NS, FIXED_NS
    truth = record_sim(tmp_path / "r.db", sim, lo, hi)
    with Recording(tmp_path / "r.db") as rec:
        assert rec.domains() == [DOMAIN, "img.example.com"]
        assert rec.span().start_ns == lo and rec.span().end_ns == hi
        assert rec.count(DOMAIN) == len(truth[DOMAIN])
        assert json.loads(rec.meta()["domains"]) == [DOMAIN, "img.example.com"]


def test_series_recorded_else_summed_from_the_entries(tmp_path: Path) -> None:
    t0 = 1_795_168_800
    raws = [{"access_time": (t0 + i * 600) * NS, "code": 200, "path": "/x", "ip": "1.1.1.1",
             "size": 100, "method": "GET", "cache": "MISS" if i % 2 else "HIT"}
            for i in range(12)]  # two hours, six entries each
    write_recording(tmp_path / "r.db", {DOMAIN: raws},
                    series=[(DOMAIN, "request", "hourly", t0, 6.0),
                            (DOMAIN, "request", "hourly", t0 + 3600, 6.0)])
    with Recording(tmp_path / "r.db") as rec:
        assert rec.series(DOMAIN, "request", "hourly", t0, t0 + 3600) == [
            (t0, 6.0), (t0 + 3600, 6.0)]
        assert rec.series(DOMAIN, "request", "hourly", t0 + 7200, t0 + 9000) == []
        assert rec.series(DOMAIN, "traffic", "hourly", t0, t0 + 3600) == [
            (t0, 600.0), (t0 + 3600, 600.0)]
        assert rec.series(DOMAIN, "request_origin", "hourly", t0, t0 + 3600) == [
            (t0, 3.0), (t0 + 3600, 3.0)]
        # a replay's present cuts its bucket, as the live one is partial
        upto = (t0 + 3600 + 1200) * NS
        assert rec.series(DOMAIN, "traffic", "hourly", t0, t0 + 3600, upto) == [
            (t0, 600.0), (t0 + 3600, 300.0)]


def test_refreshes_are_listed(tmp_path: Path) -> None:
    write_recording(tmp_path / "r.db", {DOMAIN: []}, meta={"range_start_ns": "1",
                                                           "range_end_ns": "2"})
    conn = sqlite3.connect(tmp_path / "r.db")
    conn.execute("INSERT INTO refreshes (time_ns, domain, kind, urls, ok, status) VALUES "
                 "(?, ?, ?, ?, ?, ?)", (5, DOMAIN, "url", json.dumps(["https://x/a"]), 1, 200))
    conn.commit()
    conn.close()
    with Recording(tmp_path / "r.db") as rec:
        assert rec.refreshes() == [{"time_ns": 5, "domain": DOMAIN, "kind": "url",
                                    "urls": ["https://x/a"], "ok": True, "status": 200,
                                    "message": ""}]


def test_not_a_recording_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_text("hello, not sqlite" * 100)
    with pytest.raises(RecordingError, match="not an s4top recording"):
        Recording(bad)
    with pytest.raises(RecordingError, match="no recording at"):
        Recording(tmp_path / "missing.db")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(RecordingError, match="not an s4top recording"):
        Recording(empty)
