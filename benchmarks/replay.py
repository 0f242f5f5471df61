"""Scenario replay (issue 15): `s4top --replay` of a 1M-entry recording.

- the recording: 1M entries of one domain over 12 hours (about 23 entries/s), written with
  direct batched inserts into the schema of tui/recording/schema.py (no simulator, no HTTP);
  how long that takes is reported, not held to a target.
- first frame: the installed `s4top --replay FILE --at <the middle> --speed 0` in a 120x40
  pty, from the fork to the first complete frame showing the REPLAY header (the screen laid
  out; the backlog before the clock arrives right after), median of several starts after a
  warm-up; also reported: until the backlog is in (the rows of the 5 minutes before it).
  Baseline: the minimal Textual app, as the start scenario.
- one-hour jump: ctrl+g, the time an hour later, Enter: from Enter to the first frame whose
  header shows the new time with the backlog before it in (caught up, the newest row within
  a second of it). Baseline: a jump of one minute (the same work bar the distance).
  The recording holds the hourly and daily series, as one written by `s4top record` does.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tui.recording.schema import connect

from .env import REPO, child_env, home, s4top_exe
from .harness import Figure, Options, figure
from .harness import failed as failed_figures
from .terminal import Terminal, status_row
from .vt import Screen

NAME = "replay"
FIRST = "--replay of 1M entries: first frame (pty)"
BACKLOG = "--replay of 1M entries: backlog in (pty)"
JUMP = "--replay of 1M entries: one-hour jump, key to frame (pty)"
DOMAIN = "cdn.example.com"
NS = 1_000_000_000
T0 = 1_795_132_800 * NS  # 2026-11-20 00:00 UTC
SPAN_S = 12 * 3600
PATHS = ([f"/img/products/{i}.jpg" for i in range(200)]
         + [f"/static/js/app{i}.js" for i in range(50)])


def run(opts: Options) -> list[Figure]:
    n = int(opts.pick(1_000_000, 20_000))
    starts = int(opts.pick(5, 1))
    opts.log(f"replay: building a {n}-entry recording")
    path = home() / "replay" / "bench.db"
    build_s = build_recording(path, n)
    warm = not opts.quick
    (first, backlog), mini, (jump, minute) = opts.each([  # side by side only in --quick
        lambda: _first_frames(path, starts, warm), lambda: _minimal_first_frame(starts, warm),
        lambda: _jumps(path, int(opts.pick(3, 1)), opts.quick)])
    note = (f"{n} entries over {SPAN_S // 3600} h ({n / SPAN_S:.0f}/s), built in {build_s:.1f} s "
            f"by direct inserts; median of {starts}")
    return [
        figure(NAME, FIRST, first, "s", mini, "minimal Textual app", "<= 1.0 s",
               lambda v, _b: v <= 1.0, note=note),
        figure(NAME, BACKLOG, backlog, "s", first, "first frame", "", None,
               note="the 5 minutes before the clock, through the simulator's HTTP layer"),
        figure(NAME, JUMP, jump * 1000, "ms", minute * 1000, "a one-minute jump", "<= 300 ms",
               lambda v, _b: v <= 300, note="median of the jumps; the backlog before the "
                                            "new time in, header at the new time"),
    ]


def failed(error: str) -> list[Figure]:
    return failed_figures(NAME, [(FIRST, "s", "<= 1.0 s"), (BACKLOG, "s", ""),
                                 (JUMP, "ms", "<= 300 ms")], error)


def build_recording(path: Path, n: int) -> float:
    """`n` entries spread evenly over SPAN_S seconds; seconds it took."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    conn = connect(path, create=True)
    keys = {"time_ns": "access_time", "status": "code", "method": "method", "client_ip": "ip",
            "size": "size", "url": "path", "country": "country", "cache": "cache"}
    conn.execute("INSERT INTO shapes (id, source_keys) VALUES (1, ?)", (json.dumps(keys),))
    step = SPAN_S * NS // n
    batch: list[tuple] = []
    sql = ("INSERT INTO logs (domain, time_ns, status, method, client_ip, size, url, country, "
           "cache, extra, shape) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)")
    sums: dict[tuple[str, int], list[float]] = {}  # the series `record` stores beside them
    for i in range(n):
        status = 503 if i % 997 == 0 else (304 if i % 7 == 0 else 200)
        t, size, miss = T0 + i * step, 1000 + i % 5000, i % 9 == 0
        batch.append((DOMAIN, t, status, "GET", f"198.51.100.{i % 250}", size,
                      f"https://{DOMAIN}{PATHS[i % len(PATHS)]}", "NL",
                      "MISS" if miss else "HIT", None))
        for period, width in (("hourly", 3600), ("daily", 86400)):
            acc = sums.setdefault((period, t // NS // width * width), [0, 0, 0, 0])
            acc[0] += 1
            acc[1] += size
            acc[2] += miss
            acc[3] += size if miss else 0
        if len(batch) == 50_000:
            conn.executemany(sql, batch)
            batch.clear()
    conn.executemany(sql, batch)
    conn.executemany(
        "INSERT INTO series (domain, metric, period, time_s, value) VALUES (?, ?, ?, ?, ?)",
        [(DOMAIN, metric, period, b, acc[k]) for (period, b), acc in sums.items()
         for k, metric in enumerate(("request", "traffic", "request_origin", "traffic_origin"))])
    meta = {"domains": json.dumps([DOMAIN]), "range_start_ns": str(T0),
            "range_end_ns": str(T0 + SPAN_S * NS)}
    conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", list(meta.items()))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - t0


def _hhmm(ns: int) -> str:
    return datetime.fromtimestamp(ns / NS, UTC).strftime("%H:%M")


def _replay_terminal(path: Path, at: str) -> Terminal:
    return Terminal([s4top_exe(), "--replay", str(path), "--at", at, "--speed", "0", "--utc"],
                    child_env())


def _drawn(s: Screen) -> bool:
    """The first complete frame: the screen laid out, the REPLAY header painted."""
    return s.frames > 0 and "REPLAY" in s.row(0)


def _caught_up_at(clock: str):
    def done(s: Screen) -> bool:
        row = status_row(s)
        return (f"REPLAY {clock}" in s.row(0) and "catching up" not in row
                and "FOLLOW" in row and " 0 shown" not in row)
    return done


def _first_frames(path: Path, count: int, warm: bool) -> tuple[float, float]:
    at = T0 + SPAN_S // 2 * NS
    clock = datetime.fromtimestamp(at / NS, UTC).strftime("%Y-%m-%d %H:%M")
    firsts, backlogs = [], []
    for i in range(0 if warm else 1, count + 1):
        term = _replay_terminal(path, _hhmm(at))
        try:
            first = term.wait_for(_drawn, 30)
            full = term.wait_for(_caught_up_at(clock), 60)
            if first is None or full is None:
                raise RuntimeError(f"no replay frame ({term.screen.row(0).strip()[:60]!r})")
            if i:
                firsts.append(first - term.proc.started)
                backlogs.append(full - term.proc.started)
        finally:
            term.close()
    return statistics.median(firsts), statistics.median(backlogs)


def _minimal_first_frame(count: int, warm: bool) -> float:
    got = []
    for i in range(0 if warm else 1, count + 1):
        term = Terminal([sys.executable, "-m", "benchmarks.minimal_app"], child_env(ours=True),
                        cwd=str(REPO))
        try:
            t = term.wait_for(lambda s: s.frames > 0 and bool(s.row(0).strip()), 30)
            if t is None:
                raise RuntimeError("the minimal app drew nothing")
            if i:
                got.append(t - term.proc.started)
        finally:
            term.close()
    return statistics.median(got)


def _jumps(path: Path, count: int, quick: bool = False) -> tuple[float, float]:
    """Median seconds of one-hour jumps and of one-minute jumps, in one running replay.
    The pauses (the typed time drawn, the jump's frame settled) are short with --quick."""
    typed, settle = (0.05, 0.05) if quick else (0.2, 0.3)
    at = T0 + 2 * 3600 * NS
    clock = datetime.fromtimestamp(at / NS, UTC).strftime("%Y-%m-%d %H:%M")
    term = _replay_terminal(path, _hhmm(at))
    hours, minutes = [], []
    try:
        if term.wait_for(_caught_up_at(clock), 60) is None:
            raise RuntimeError("the replay never caught up")
        for k in range(count):
            for step_s, into in ((3600, hours), (60, minutes)):
                at += step_s * NS
                when = datetime.fromtimestamp(at / NS, UTC)
                if term.press(b"\x07", lambda s: "jump to:" in s.text(), 5) is None:
                    raise RuntimeError("ctrl+g opened no jump box")
                term.proc.write(when.strftime("%H:%M").encode())
                time.sleep(typed)
                lat = term.press(b"\r", _caught_up_at(when.strftime("%Y-%m-%d %H:%M")), 30)
                if lat is None:
                    raise RuntimeError(f"jump {k} to {when:%H:%M} never drew")
                into.append(lat)
                time.sleep(settle)
    finally:
        term.close()
    return statistics.median(hours), statistics.median(minutes)
