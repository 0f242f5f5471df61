"""`s4top record` of values JSON carries and SQLite cannot bind as they are: a lone surrogate
(valid in JSON, not in UTF-8) and an integer beyond 64 bits. They stopped the recording with
an internal error; now the batch is stored, the rest of the range too."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.integration.cli_support import NS, Admin, base_env, recent_frozen_sim, run


def _stored(db: Path) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT l.url, l.size, l.extra, s.source_keys FROM logs l "
                            "LEFT JOIN shapes s ON s.id = l.shape ORDER BY l.id").fetchall()
    finally:
        conn.close()


def test_lone_surrogates_and_huge_sizes_are_stored_and_nothing_else_is_lost(
        tmp_path: Path) -> None:
    with recent_frozen_sim(rate=5.0, back_s=60) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        start = now - 40 * NS
        base = {"size": 10, "code": 200, "method": "GET", "ip": "10.0.0.1"}
        admin.inject([
            {**base, "path": "https://cdn.example.com/a\ud800b", "access_time": start + NS},
            {**base, "path": "https://cdn.example.com/ua", "access_time": start + 2 * NS,
             "ua": "x\udc00y"},
            {**base, "path": "https://cdn.example.com/key", "access_time": start + 3 * NS,
             "odd\ud83d": "v"},
            {**base, "path": "https://cdn.example.com/huge", "access_time": start + 4 * NS,
             "size": 2 ** 64},
        ])
        truth = admin.truth(start, now)
        db = tmp_path / "r.db"
        r = run(["record", "-o", str(db), "--start", str(start)], base_env(server.base_url),
                timeout=60)
        assert r.rc == 0 and r.err == "", r.err
        got = _stored(db)
        assert len(got) == len(truth) > 4
        by_url = {url: (size, extra, keys) for url, size, extra, keys in got}
        assert "https://cdn.example.com/a\ufffdb" in by_url  # plain text: U+FFFD
        assert json.loads(by_url["https://cdn.example.com/ua"][1])["ua"] == "x\udc00y"  # exact
        assert json.loads(by_url["https://cdn.example.com/key"][1]) == {"odd\ud83d": "v"}
        assert by_url["https://cdn.example.com/huge"][0] == 2 ** 63 - 1
        # the file goes on: a continued run adds nothing twice
        r = run(["record", "-o", str(db), "--start", str(start)], base_env(server.base_url),
                timeout=60)
        assert r.rc == 0, r.err
        assert len(_stored(db)) == len(truth)
