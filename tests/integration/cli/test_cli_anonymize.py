"""`--anonymize-ip` (and the setting anonymize_ip) for `logs` and `record`: client IPs cut
to /24 or /48, every other field as it was; a recording never mixes whole and cut IPs."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.integration.cli_support import (
    NS,
    Admin,
    base_env,
    key_of_json,
    key_of_wire,
    recent_frozen_sim,
    run,
    write_config,
)
from tui.core.anonymize import anonymize_ip


def cut(e: dict) -> tuple:
    k = list(key_of_wire(e))
    k[3] = anonymize_ip(k[3])
    return tuple(k)


def test_logs_flag_and_setting(tmp_path: Path) -> None:
    with recent_frozen_sim(rate=20.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        begin = now - 60 * NS
        truth = admin.truth(begin, now)
        env = base_env(server.base_url)
        r = run(["logs", "--json", "--start", str(begin), "--anonymize-ip"], env)
        assert r.rc == 0, r.err
        got = [key_of_json(e) for e in r.json_lines()]
        assert got == [cut(e) for e in truth]
        assert {e["ip"] for e in truth} - {g[3] for g in got}  # something was cut
        cfg = write_config(tmp_path / "c.toml", anonymize_ip=True)
        plain = run(["logs", "--start", str(begin)], {**env, "S4TOP_CONFIG": str(cfg)})
        assert plain.rc == 0
        whole = {e["ip"] for e in truth} - {anonymize_ip(e["ip"]) for e in truth}
        assert not [ip for ip in whole if f" {ip} " in plain.out]


def test_record_cuts_and_never_mixes(tmp_path: Path) -> None:
    with recent_frozen_sim(rate=20.0) as server:
        admin = Admin(server.base_url)
        now = admin.now_ns()
        begin = now - 120 * NS
        mid = now - 60 * NS
        truth = admin.truth(begin, now)
        env = base_env(server.base_url)
        db = tmp_path / "anon.db"
        r = run(["record", "-o", str(db), "--start", str(begin), "--until", str(mid),
                 "--anonymize-ip"], env)
        assert r.rc == 0, r.err
        again = run(["record", "-o", str(db)], env)  # continues cut, without the flag
        assert again.rc == 0, again.err
        conn = sqlite3.connect(db)
        ips = [ip for (ip,) in conn.execute("SELECT client_ip FROM logs ORDER BY id")]
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        conn.close()
        assert ips == [anonymize_ip(e["ip"]) for e in truth]
        assert meta["client_ip"] == "anonymized"
        full = tmp_path / "full.db"
        assert run(["record", "-o", str(full), "--start", str(begin), "--until", str(mid)],
                   env).rc == 0
        mixed = run(["record", "-o", str(full), "--anonymize-ip"], env)
        assert mixed.rc == 2 and "full client IPs" in mixed.err
        assert len(mixed.err.strip().splitlines()) == 1
        conn = sqlite3.connect(full)
        assert json.loads(dict(conn.execute("SELECT key, value FROM meta"))["domains"])
        conn.close()
