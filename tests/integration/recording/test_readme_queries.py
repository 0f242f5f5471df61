"""The two example queries of the README's "Record an incident" run on a real recording
and give what the simulator's truth says: the top 5xx paths of the 5xx burst minutes, and
requests per second per class."""

from __future__ import annotations

import re
import sqlite3
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from tests.integration.cli_support import NS, Admin, base_env, recent_frozen_sim, run
from tui.recording.schema import SCHEMA

ROOT = Path(__file__).resolve().parents[3]


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("### Record an incident")
    end = text.index("\n## ", start)
    return text[start:end]


def example_queries() -> list[str]:
    return re.findall(r'^sqlite3 [^"\n]*"([^"]+)"$', readme_section(), flags=re.M)


def test_readme_lists_every_table_of_the_schema() -> None:
    tables = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA)
    section = readme_section()
    assert tables and all(f"| `{t}` |" in section for t in tables)
    assert len(example_queries()) == 2


def test_both_example_queries_on_a_real_recording(tmp_path: Path) -> None:
    now_s = int(time.time())
    burst = now_s - now_s % 3600 + 43 * 60 + 30  # the simulator's 5xx burst: minutes 40-42
    if burst > now_s - 5:
        burst -= 3600
    with recent_frozen_sim(rate=20.0, back_s=now_s - burst) as server:
        admin = Admin(server.base_url)
        sim_now = admin.now_ns()
        begin = sim_now - 390 * NS  # from hh:37:00
        db = tmp_path / "incident.db"
        r = run(["record", "-o", str(db), "--start", str(begin)], base_env(server.base_url),
                timeout=60)
        assert r.rc == 0, r.err
        truth = admin.truth(begin, sim_now)
    hour = datetime.fromtimestamp(burst - 43 * 60, tz=UTC)
    lo, hi = hour.strftime("%Y-%m-%d %H:40"), hour.strftime("%Y-%m-%d %H:43")
    top5xx, per_second = example_queries()
    top5xx = top5xx.replace("2026-12-01 13:40", lo).replace("2026-12-01 13:43", hi)
    conn = sqlite3.connect(db)
    got = conn.execute(top5xx).fetchall()
    t_lo = int(datetime.strptime(lo, "%Y-%m-%d %H:%M").replace(tzinfo=UTC).timestamp()) * NS
    t_hi = t_lo + 180 * NS
    want = Counter(e["path"] for e in truth
                   if int(e["code"]) >= 500 and t_lo <= e["access_time"] < t_hi)
    assert got and got[0][0].endswith("/data/catalog.json")  # the burst's path leads
    assert all(want[url] == n for url, n in got)
    assert [n for _, n in got] == sorted(want.values(), reverse=True)[:5]  # ties either way
    assert sum(n for _, n in got) >= 10
    rows = conn.execute(per_second).fetchall()
    conn.close()
    want_ps = Counter((e["access_time"] // NS, f"{int(e['code']) // 100}xx") for e in truth)
    assert {(s, c): n for s, c, n in rows} == dict(want_ps)
    assert {c for _, c, _ in rows} >= {"2xx", "5xx"}
