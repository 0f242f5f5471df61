"""`s4top record`: the real command against the simulator over loopback; the file checked
with the standard library's sqlite3 against `/_sim/truth`."""

from __future__ import annotations

import json
import resource
import signal
import sqlite3
import stat
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DOMAIN
from tests.integration.cli_support import (
    NS,
    S4TOP,
    Admin,
    base_env,
    check_clean,
    configured_rate,
    key_of_wire,
    recent_frozen_sim,
    run,
    start,
)
from tui.sim import SimConfig, SimServer


def rows(db: Path, where: str = "1", params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out = []
        for r in conn.execute(
                "SELECT time_ns, status, method, client_ip, size, url, extra FROM logs "
                f"WHERE {where} ORDER BY id", params):
            extra = json.loads(r[6]) if r[6] else {}
            out.append((*r[:6], extra.get("referer"), extra.get("ua")))
        return out
    finally:
        conn.close()


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_record_is_the_truth_exactly_once(tmp_path: Path) -> None:
    with recent_frozen_sim(rate=20.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        begin = now - 300 * NS
        db = tmp_path / "incident.db"
        r = run(["record", "-o", str(db), "--start", str(begin), "--concurrency", "8"],
                base_env(server.base_url), timeout=60)
        assert r.rc == 0, r.err
        assert r.out == "" and r.err == ""  # not a terminal: nothing extra
        truth = admin.truth(begin, now)
        assert len(truth) > 2000  # 20/s over 5 min at the day's low (0.45x at 01:00 UTC)
        assert rows(db) == [key_of_wire(e) for e in truth]
        assert mode(db) == 0o600
        meta = dict(query(db, "SELECT key, value FROM meta"))
        assert json.loads(meta["domains"]) == [DOMAIN]
        assert int(meta["range_start_ns"]) == begin
        assert meta["api_base"] == server.base_url.rstrip("/")
        assert {"s4top_version", "created_at", "updated_at", "range_end_ns"} <= set(meta)
        (last, count, covered), = query(
            db, "SELECT last_time_ns, count_at_last, covered_ns FROM progress")
        assert last == truth[-1]["access_time"]
        assert count == sum(1 for e in truth if e["access_time"] == last)
        assert covered >= now
        metrics = {m for (m,) in query(db, "SELECT DISTINCT metric FROM series")}
        assert metrics == {"traffic", "traffic_origin", "request", "request_origin"}
        # every normalised field, and country/cache kept
        (n_country,), = query(db, "SELECT count(*) FROM logs WHERE country IS NOT NULL")
        assert n_country == len(truth)
        assert query(db, "PRAGMA user_version") == [(1,)]


def test_continue_after_a_stop_inside_a_group_of_equal_times(tmp_path: Path) -> None:
    with recent_frozen_sim(rate=20.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        begin = now - 240 * NS
        truth = admin.truth(begin, now)
        times = [e["access_time"] for e in truth]
        shared = [t for i, t in enumerate(times[1:], 1) if t == times[i - 1]]
        assert shared, "the simulator makes groups of equal timestamps"
        stop = shared[len(shared) // 2]
        db = tmp_path / "r.db"
        env = base_env(server.base_url)
        first = run(["record", "-o", str(db), "--start", str(begin), "--until", str(stop)], env)
        assert first.rc == 0, first.err
        assert rows(db) == [key_of_wire(e) for e in truth if e["access_time"] <= stop]
        again = run(["record", "-o", str(db)], env, timeout=60)  # continues to now
        assert again.rc == 0, again.err
        assert rows(db) == [key_of_wire(e) for e in truth]
        third = run(["record", "-o", str(db)], env)  # nothing new: nothing added
        assert third.rc == 0 and rows(db) == [key_of_wire(e) for e in truth]


def test_sigkill_during_follow_then_continue(tmp_path: Path) -> None:
    # 40 entries/s whatever the hour: the first wait needs 500 rows within 20 s
    cfg = SimConfig(seed=3, rate=configured_rate(40.0), domains=(DOMAIN,))
    with SimServer(cfg) as server:
        admin = Admin(server.base_url)
        db = tmp_path / "live.db"
        env = base_env(server.base_url)
        begin = admin.now_ns() - 20 * NS
        args = ["record", "-o", str(db), "--start", str(begin), "--follow"]
        with start(args, env, tmp_path / "run1") as rec:
            rec.wait_for(lambda _r: db.exists() and _count(db) > 500, 20, "rows in the file")
            wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
            assert wal.exists() and shm.exists()
            assert mode(db) == mode(wal) == mode(shm) == 0o600
            time.sleep(1.5)  # a few follow batches
            rec.proc.send_signal(signal.SIGKILL)
            rec.proc.wait(5)
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        before = _count(db)
        assert before > 500
        gap = admin.now_ns()  # a gap while nothing records, with entries in it to fill
        deadline = time.monotonic() + 20
        while len(admin.truth(gap, admin.now_ns())) < 20:
            assert time.monotonic() < deadline, "no entries in the gap"
            time.sleep(0.1)
        again = run(["record", "-o", str(db)], env, timeout=60)
        assert again.rc == 0, again.err
        (covered,), = query(db, "SELECT covered_ns FROM progress")
        truth = admin.truth(begin, covered)
        got = rows(db)
        assert len(got) > before
        assert got == [key_of_wire(e) for e in truth]  # nothing doubled, the gap filled


def _count(db: Path) -> int:
    try:
        return query(db, "SELECT count(*) FROM logs")[0][0]
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_ends_follow_cleanly(tmp_path: Path, sig: int) -> None:
    cfg = SimConfig(seed=4, rate=20.0, domains=(DOMAIN,))
    with SimServer(cfg) as server:
        db = tmp_path / "f.db"
        env = base_env(server.base_url)
        with start(["record", "-o", str(db), "--since", "10s", "--follow"], env,
                   tmp_path / "run") as rec:
            rec.wait_for(lambda _r: _count(db) > 100, 20, "rows in the file")
            res = rec.stop(sig)
        assert res.rc == 0, res.err
        assert not Path(f"{db}-wal").exists()  # closed cleanly: the WAL was folded in
        meta = dict(query(db, "SELECT key, value FROM meta"))
        (covered,), = query(db, "SELECT covered_ns FROM progress")
        assert int(meta["range_end_ns"]) >= covered
        assert query(db, "SELECT count(*) FROM series")[0][0] > 0


def test_one_line_errors(tmp_path: Path) -> None:
    env = base_env("http://127.0.0.1:9")
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    empty = tmp_path / "empty.db"
    empty.touch()
    cases = {
        str(tmp_path / "no" / "such" / "dir" / "r.db"): "cannot create",
        str(tmp_path): "directory",
        str(text): "not an s4top recording",
        str(other): "not an s4top recording",
        str(empty): "not an s4top recording",
    }
    for path, words in cases.items():
        r = run(["record", "-o", path, "--since", "1m"], env)
        assert r.rc == 2, (path, r.err)
        assert len(r.err.strip().splitlines()) == 1 and words in r.err, (path, r.err)
    assert text.read_text() == "not a database\n" * 100  # left as it was
    assert query(other, "SELECT name FROM sqlite_master") == [("t",)]
    r = run(["record", "-o", str(tmp_path / "x.db"), "--until", "yesterday-ish"], env)
    assert r.rc == 2 and "--until" in r.err and len(r.err.strip().splitlines()) == 1
    r = run(["record", "--since", "1m"], env)
    assert r.rc == 2 and "-o" in r.err


def test_disk_full_is_one_line_and_the_file_still_opens(tmp_path: Path) -> None:
    with recent_frozen_sim(rate=40.0) as server:
        admin = Admin(server.base_url)
        begin = admin.now_ns() - 300 * NS
        db = tmp_path / "full.db"
        limit = 600_000  # bytes: less than the range needs

        def small_files() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        proc = subprocess.run(
            [str(S4TOP), "record", "-o", str(db), "--start", str(begin)],
            env=base_env(server.base_url), capture_output=True, timeout=60,
            preexec_fn=small_files, start_new_session=True)
        check_clean(proc.stdout, proc.stderr)
        err = proc.stderr.decode()
        assert proc.returncode == 1, err
        assert len(err.strip().splitlines()) == 1 and "cannot write" in err, err
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        stored = _count(db)
        truth = admin.truth(begin)
        assert rows(db) == [key_of_wire(e) for e in truth[:stored]]  # a clean prefix
        again = run(["record", "-o", str(db)], base_env(server.base_url), timeout=60)
        assert again.rc == 0, again.err
        assert rows(db) == [key_of_wire(e) for e in truth]


def test_several_domains_each_exactly_once(tmp_path: Path) -> None:
    other = "img.example.com"
    cfg = SimConfig(seed=6, rate=15.0, start_ns=(time.time_ns() // NS - 120) * NS,
                    frozen=True, domains=(DOMAIN, other))
    with SimServer(cfg) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        begin = now - 90 * NS
        db = tmp_path / "two.db"
        r = run(["record", "-o", str(db), "--start", str(begin), "--domain", DOMAIN,
                 "--domain", other], base_env(server.base_url), timeout=60)
        assert r.rc == 0, r.err
        for d in (DOMAIN, other):
            truth = admin._call("GET", "/_sim/truth",
                                params={"domain": d, "start_ns": begin, "end_ns": now})["data"]
            assert len(truth) > 400  # 15/s over 90 s at the day's low
            assert rows(db, "domain = ?", (d,)) == [key_of_wire(e) for e in truth]
        meta = dict(query(db, "SELECT key, value FROM meta"))
        assert json.loads(meta["domains"]) == [DOMAIN, other]
        assert len(query(db, "SELECT * FROM progress")) == 2


def test_progress_line_on_a_terminal_only(tmp_path: Path) -> None:
    from tests.integration.cli.test_cli_logs_concurrency import _with_tty_stderr

    with recent_frozen_sim(rate=20.0) as server:
        begin = Admin(server.base_url).now_ns() - 120 * NS
        env = base_env(server.base_url)
        rc, out, err = _with_tty_stderr(["record", "-o", str(tmp_path / "a.db"), "--start",
                                         str(begin)], env)
        assert rc == 0 and out == b""
        n = _count(tmp_path / "a.db")
        assert f"{n:,} entries".encode() in err and b"ETA" in err and b"100%" in err, err
        rc, out, err = _with_tty_stderr(["record", "-o", str(tmp_path / "b.db"), "--start",
                                         str(begin), "-q"], env)
        assert rc == 0 and out == b"" and err == b""


def test_refreshes_of_the_history_made_in_the_range(tmp_path: Path) -> None:
    with recent_frozen_sim(rate=5.0) as server:
        env = base_env(server.base_url)
        begin = time.time_ns() - 60 * NS
        url = "https://cdn.example.com/img/products/7.jpg"
        sent = run(["refresh", "-y", url], env)
        assert sent.rc == 0, sent.err
        db = tmp_path / "r.db"
        r = run(["record", "-o", str(db), "--start", str(begin)], env, timeout=60)
        assert r.rc == 0, r.err
        got = query(db, "SELECT domain, kind, urls, ok, status FROM refreshes")
        assert got == [(DOMAIN, "url", json.dumps([url]), 1, 200)]
        (t,), = query(db, "SELECT time_ns FROM refreshes")
        assert begin <= t <= time.time_ns()
        assert run(["record", "-o", str(db)], env).rc == 0  # continued: not stored twice
        assert len(query(db, "SELECT * FROM refreshes")) == 1


def test_the_token_is_never_in_the_file_and_a_new_start_is_said_unused(tmp_path: Path) -> None:
    secret = "tok-REC-9d8c7b6a5f4e"
    with recent_frozen_sim(rate=5.0, token=secret) as server:
        env = base_env(server.base_url, BITIFUL_API_TOKEN=secret)
        db = tmp_path / "t.db"
        begin = Admin(server.base_url).now_ns() - 60 * NS
        assert run(["record", "-o", str(db), "--start", str(begin)], env).rc == 0
        again = run(["record", "-o", str(db), "--since", "5m"], env)
        assert again.rc == 0 and "not used" in again.err
        assert len(again.err.strip().splitlines()) == 1
        for p in tmp_path.glob("t.db*"):
            assert secret.encode() not in p.read_bytes()


def test_a_failing_series_is_said_once_and_those_before_it_are_kept(tmp_path: Path) -> None:
    """The four series are asked at once, beside the log slices; what is stored is what
    asking them one by one stored: those before the first failing one, in order, with one
    warning for it, and every log entry."""
    with recent_frozen_sim(rate=20.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        begin = now - 120 * NS
        admin.fault(path="request", status=503, count=10)
        db = tmp_path / "r.db"
        r = run(["record", "-o", str(db), "--start", str(begin)], base_env(server.base_url),
                timeout=60)
        assert r.rc == 0, r.err
        warnings = [line for line in r.err.splitlines() if "series of" in line]
        assert len(warnings) == 1 and "not recorded" in warnings[0], r.err
        metrics = {m for (m,) in query(db, "SELECT DISTINCT metric FROM series")}
        assert metrics == {"traffic", "traffic_origin"}
        assert rows(db) == [key_of_wire(e) for e in admin.truth(begin, now)]


def test_a_second_record_on_the_same_file_is_refused(tmp_path: Path) -> None:
    """Two writers on one file would both continue from the same mark and store every entry
    twice: the second is refused in one line and the file is left to the first."""
    cfg = SimConfig(seed=8, rate=20.0, domains=(DOMAIN,))
    with SimServer(cfg) as server:
        db = tmp_path / "busy.db"
        env = base_env(server.base_url)
        with start(["record", "-o", str(db), "--since", "10s", "--follow"], env,
                   tmp_path / "run") as rec:
            rec.wait_for(lambda _r: _count(db) > 100, 20, "rows in the file")
            second = run(["record", "-o", str(db)], env, timeout=30)
            res = rec.stop(signal.SIGINT)
        check_clean(second.out_bytes, second.err_bytes)
        assert second.rc == 2, second.err
        assert len(second.err.strip().splitlines()) == 1 and "another" in second.err, second.err
        assert res.rc == 0, res.err
        after = run(["record", "-o", str(db)], env, timeout=30)  # the first has ended: free
        assert after.rc == 0, after.err
        (covered,), = query(db, "SELECT covered_ns FROM progress")
        begin = int(dict(query(db, "SELECT key, value FROM meta"))["range_start_ns"])
        assert rows(db) == [key_of_wire(e) for e in Admin(server.base_url).truth(begin, covered)]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_a_range_ends_it_cleanly_and_it_continues(tmp_path: Path,
                                                                  sig: int) -> None:
    """Ctrl-C or SIGTERM while a range is read: what was read is committed, the file closed
    (no WAL left), exit 0 and no traceback; the next run stores the rest, each entry once."""
    with recent_frozen_sim(rate=200.0, back_s=900) as server:
        admin = Admin(server.base_url)
        begin = admin.now_ns() - 600 * NS
        db = tmp_path / "cut.db"
        env = base_env(server.base_url)
        with start(["record", "-o", str(db), "--start", str(begin), "--concurrency", "2"], env,
                   tmp_path / "run") as rec:
            rec.wait_for(lambda _r: _count(db) > 0, 30, "a first batch in the file")
            res = rec.stop(sig)
        assert res.rc == 0, res.err
        assert res.err == ""
        assert not Path(f"{db}-wal").exists()  # closed cleanly
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        truth = admin.truth(begin)
        stored = _count(db)
        assert 0 < stored < len(truth), "stopped before the end of the range"
        again = run(["record", "-o", str(db)], env, timeout=120)
        assert again.rc == 0, again.err
        assert rows(db) == [key_of_wire(e) for e in truth]
