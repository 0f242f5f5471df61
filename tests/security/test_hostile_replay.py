"""A hostile recording: field values holding escape sequences, control characters and markup
render inert in the replayed dashboard (every byte written to a real pty checked) and in
`s4top logs --replay` output: the same sanitiser as live data (tui/core/sanitize.py). The
recording is built from the corpus of tests/security/hostile.py with plain inserts."""

from __future__ import annotations

import os
from pathlib import Path

from tests.integration.cli_support import NS, raw_controls, run
from tests.replay_support import write_recording
from tests.security.hostile import CORPUS, corpus_entries, forbidden_in_text
from tests.security.ptyterm import S4TOP, strip_escapes
from tests.security.test_hostile_terminal import _session, check_terminal_bytes

T0 = 1_795_168_800 * NS  # 2026-11-20 10:00 UTC
DOMAIN = "cdn.example.com"


def _shown(h, text: str) -> bool:
    """The value's safe form is in `text`. A TEXT column holds UTF-8, so a lone surrogate in
    a normalised field was stored as U+FFFD (tests/replay_support.py); in extras (JSON) it is
    kept, and shown as <U+D800>."""
    if h.name == "lone-surrogate":
        return "lone\ufffdsurrogate" in text or h.visible in text
    return h.visible in text


def _recording(path: Path, hostile: bool) -> Path:
    plain = [{"path": f"https://{DOMAIN}/plain/{i}.png", "size": 10, "access_time": T0 + i * NS,
              "code": 200, "method": "GET", "ip": "192.0.2.1", "country": "NL", "cache": "HIT"}
             for i in range(20)]
    entries = plain + (corpus_entries(T0 + 30 * NS) if hostile else [])
    return write_recording(path, {DOMAIN: entries})


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("BITIFUL_API_TOKEN", "S4TOP_API_BASE", "S4TOP_DOMAIN", "S4TOP_CONFIG")}
    env.update(TZ="UTC", XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "cfg"), PYTHONUNBUFFERED="1")
    return env


def test_replayed_dashboard_writes_no_control_from_a_recording(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    clean_db = _recording(tmp_path / "clean.db", hostile=False)
    bad_db = _recording(tmp_path / "hostile.db", hostile=True)
    env = _env(tmp_path)

    def argv(db: Path) -> list[str]:
        return [S4TOP, "--replay", str(db), "--at=-0s", "--speed", "0"]
    with ThreadPoolExecutor(2) as pool:
        clean_run = pool.submit(_session, "", False, argv(clean_db), env)
        hostile_run = pool.submit(_session, "", True, argv(bad_db), env)
        clean, out = clean_run.result(), hostile_run.result()
    from tests.security.ptyterm import escape_kinds, osc_sequences

    check_terminal_bytes(out, set(osc_sequences(clean)), escape_kinds(clean))
    cells = strip_escapes(out).decode("utf-8")
    assert "REPLAY 2026-11-20" in cells
    missing = [h.name for h in CORPUS if not _shown(h, cells)]
    assert not missing, f"not visible (in a safe form): {missing}"
    assert cells.count("entry detail") >= 5


def test_logs_replay_output_carries_no_control(tmp_path: Path) -> None:
    db = _recording(tmp_path / "hostile.db", hostile=True)
    r = run(["logs", "--replay", str(db), "--start", str(T0)], _env(tmp_path))
    assert r.rc == 0, r.err
    assert raw_controls(r.out_bytes) == [] and raw_controls(r.err_bytes) == []
    assert forbidden_in_text(r.out_bytes.decode("utf-8", errors="surrogateescape")) == []
    assert b"\x1b" not in r.out_bytes
    for h in CORPUS:
        assert _shown(h, r.out), h.name
        assert not any(raw in r.out_bytes for raw in h.raw), h.name
    assert len([x for x in r.out.splitlines() if "/hv" in x]) == 68  # one line per entry
