"""`s4top record --codes` and `s4top explain --codes` over loopback: the file holds only the
selected entries, each once, the selection is in the metadata and holds for a continued run,
and explain compares within the selected entries."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.integration.cli_support import (
    NS,
    Admin,
    base_env,
    configured_rate,
    key_of_wire,
    recent_frozen_sim,
    run,
)
from tests.integration.recording.test_record import _count, query, rows


def _selected(truth: list[dict], exact: set[int], classes: set[int] = frozenset()) -> list:
    return [key_of_wire(e) for e in truth if e["code"] in exact or e["code"] // 100 in classes]


def test_record_keeps_the_selection_each_once(tmp_path: Path) -> None:
    # 20 entries/s whatever the hour (the simulator's clock stands 600 s back): at night the
    # day shape left exactly 50 selected entries, under the guard below
    rate = configured_rate(20.0, time.time() - 600)
    with recent_frozen_sim(rate=rate, seed=14) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        begin = now - 300 * NS
        db = tmp_path / "sel.db"
        r = run(["record", "-o", str(db), "--start", str(begin), "--codes", "5xx,404"],
                base_env(server.base_url), timeout=60)
        assert r.rc == 0, r.err
        truth = admin.truth(begin, now)
        want = _selected(truth, {404}, {5})
        assert 50 < len(want) < len(truth) // 2
        assert rows(db) == want
        meta = dict(query(db, "SELECT key, value FROM meta"))
        assert meta["codes"] == "5XX,404"
        (last, count), = query(db, "SELECT last_time_ns, count_at_last FROM progress")
        assert last == truth[-1]["access_time"]  # the mark is the reading's, kept or not
        assert count == sum(1 for e in truth if e["access_time"] == last)


def test_a_continued_run_uses_the_stored_selection_inside_a_group(tmp_path: Path) -> None:
    """Stopped inside a group of equal times where kept and dropped entries alternate: the
    next run skips what was read (not what was kept), so nothing is stored twice."""
    with recent_frozen_sim(rate=20.0, seed=15) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        begin = now - 200 * NS
        t = now - 100 * NS + 123_456_789
        admin.inject([{"access_time": t, "code": code, "method": "GET", "ip": "192.0.2.9",
                       "size": 10 + i, "path": f"https://cdn.example.com/g/{i}"}
                      for i, code in enumerate((404, 200, 503, 200, 404, 304))])
        db = tmp_path / "cont.db"
        env = base_env(server.base_url)
        first = run(["record", "-o", str(db), "--start", str(begin), "--until", str(t),
                     "--codes", "404,503"], env, timeout=60)
        assert first.rc == 0, first.err
        truth = admin.truth(begin, now)
        assert rows(db) == _selected([e for e in truth if e["access_time"] <= t], {404, 503})
        again = run(["record", "-o", str(db)], env, timeout=60)  # no --codes: the file's
        assert again.rc == 0, again.err
        assert rows(db) == _selected(truth, {404, 503})
        assert dict(query(db, "SELECT key, value FROM meta"))["codes"] == "404,503"
        same = run(["record", "-o", str(db), "--codes", "503,404"], env)  # the same selection
        assert same.rc == 0, same.err
        assert rows(db) == _selected(truth, {404, 503})


def test_a_different_selection_is_refused_in_one_line(tmp_path: Path) -> None:
    with recent_frozen_sim(rate=10.0, seed=16) as server:
        env = base_env(server.base_url)
        begin = Admin(server.base_url).now_ns() - 60 * NS
        db = tmp_path / "one.db"
        assert run(["record", "-o", str(db), "--start", str(begin), "--codes", "5XX"],
                   env).rc == 0
        before = rows(db)
        for codes, held in (("4XX", "5XX"), ("ALL", "5XX")):
            r = run(["record", "-o", str(db), "--codes", codes], env)
            assert r.rc == 2, r.err
            assert len(r.err.strip().splitlines()) == 1, r.err
            assert f"holds --codes {held}" in r.err and "new file" in r.err, r.err
        assert rows(db) == before
        full = tmp_path / "full.db"
        assert run(["record", "-o", str(full), "--start", str(begin)], env).rc == 0
        r = run(["record", "-o", str(full), "--codes", "404"], env)
        assert r.rc == 2 and "holds --codes ALL" in r.err, r.err
        import sqlite3

        conn = sqlite3.connect(full)  # a file of a version before --codes: everything
        with conn:
            conn.execute("DELETE FROM meta WHERE key = 'codes'")
        conn.close()
        r = run(["record", "-o", str(full), "--codes", "5XX"], env)
        assert r.rc == 2 and "holds --codes ALL" in r.err, r.err
        r = run(["record", "-o", str(tmp_path / "x.db"), "--codes", "6XX"], env)
        assert r.rc == 2 and "invalid --codes value '6XX'" in r.err, r.err
        assert not (tmp_path / "x.db").exists()


def test_explain_compares_within_the_selected_codes() -> None:
    from tui.api.parse import parse_logs
    from tui.core.statuscodes import parse_codes
    from tui.insight.explain import columns_of_entries, explain

    with recent_frozen_sim(rate=30.0, seed=17) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        start = now - 240 * NS
        admin.inject([{"access_time": now - (i + 1) * NS, "code": 503, "method": "GET",
                       "ip": "192.0.2.7", "size": 100, "path": "https://cdn.example.com/x"}
                      for i in range(30)])  # a baseline whatever the hour's incidents
        selection = parse_codes("404,5XX")
        entries = selection.keep(parse_logs({"data": admin.truth(start, now)}, "logs"))
        ex = explain(columns_of_entries(entries), "4XX", start, now)
        want = [f.to_json() for f in ex.rows(5)]
        assert want and ex.selected > 20 and ex.baseline > 5
        env = base_env(server.base_url)
        r = run(["explain", "--start", str(start), "--focus", "4XX", "--codes", "404,5xx",
                 "--json"], env)
        assert r.rc == 0, r.err
        assert json.loads(r.out) == want
        text = run(["explain", "--start", str(start), "--focus", "4XX", "--codes", "404,5xx"],
                   env)
        assert text.rc == 0, text.err
        assert f"since {start} ns 5XX,404:" in text.out.splitlines()[0]
        r = run(["explain", "--codes", "2XX,abc"], env)
        assert r.rc == 2 and "invalid --codes value 'ABC'" in r.err, r.err


def test_follow_keeps_the_selection_too(tmp_path: Path) -> None:
    import signal

    from tests.conftest import DOMAIN
    from tests.integration.cli_support import start
    from tui.sim import SimConfig, SimServer

    with SimServer(SimConfig(seed=18, rate=100.0, domains=(DOMAIN,))) as server:
        admin = Admin(server.base_url)
        begin = admin.now_ns()  # what is stored comes through the live tail
        db = tmp_path / "follow.db"
        args = ["record", "-o", str(db), "--start", str(begin), "--follow", "--codes", "4xx"]
        with start(args, base_env(server.base_url), tmp_path / "run") as rec:
            rec.wait_for(lambda _r: _count(db) > 5, 30, "4XX rows in the file")
            res = rec.stop(signal.SIGINT)
        assert res.rc == 0, res.err
        (covered,), = query(db, "SELECT covered_ns FROM progress")
        truth = admin.truth(begin, covered)
        assert rows(db) == _selected(truth, set(), {4})
        assert dict(query(db, "SELECT key, value FROM meta"))["codes"] == "4XX"
