"""Scenario 7, the link (issue 15): what a real network's round trip costs, with the
simulator answering every vendor request after `latency_s = 0.08` (tui/sim/faults.py).

On loopback a request costs a millisecond; on a real link 30-200 ms, and sequential paging
then dominates everything. The simulator runs in its own process with a frozen clock, so
every run reads the same entries; its fault rules are switched between runs.

- `s4top logs --start NS --json` over an hour of ~200k entries (NS is what `--since 1h`
  computes at the simulator's frozen now): at 80 ms with `--concurrency 8` against
  `--concurrency 1`, and against the same command with no latency (what the link costs at
  all); the output files must be byte for byte the same. `--concurrency` is used only when
  `s4top logs --help` lists it; otherwise the figure says "not available in this build"
  and only concurrency 1 is measured.
- `s4top record -o FILE.db` of the same range at 0 ms against `logs --json` of it at 0 ms
  (the same concurrency): what writing SQLite costs over writing JSON lines; the file must
  hold every entry of the range.
- the dashboard (the installed `s4top` in a 120x40 pty) with a backlog of 5 minutes at
  ~300 entries/s: seconds from the start until the backlog is in and the status line says
  live (FOLLOW, no "catching up", health ok), at 80 ms against 0 ms, three starts of each in
  turn (medians: one start varied by 0.2 s).
"""

from __future__ import annotations

import hashlib
import statistics
import subprocess
import time
from pathlib import Path

from .env import DOMAIN, REPO, child_env, home, s4top_exe
from .harness import Figure, Options, figure
from .harness import failed as failed_figures
from .simproc import SimProcess
from .terminal import live_and_caught_up, s4top_terminal, status_row

NAME = "link"
NS = 1_000_000_000
LATENCY_S = 0.08
FAST = 8  # the concurrency measured against 1
CLI = "`logs --since 1h --json` at 80 ms, concurrency 8 vs 1"
CLI_TARGET = ">= 6x faster, or within 1.3x of 0 ms; same bytes"
COST = "`logs --since 1h --json`: 80 ms vs 0 ms (what the link costs)"
DASH = "dashboard backlog (5 min at 300 entries/s) to live: 80 ms vs 0 ms"
DASH_TARGET = "<= 1.3x baseline"
RECORD = "`record` into SQLite vs `logs --json`, same range, 0 ms"
RECORD_TARGET = "<= 1.3x baseline"
NOT_AVAILABLE = "not available in this build"


def run(opts: Options) -> list[Figure]:
    logs, dash = opts.each([lambda: _logs(opts), lambda: _dashboard(opts)])
    return [*logs, dash]


def has_concurrency() -> bool:
    """`s4top logs --help` lists `--concurrency` (another branch adds it)."""
    out = subprocess.run([s4top_exe(), "logs", "--help"], capture_output=True, text=True,
                         env=child_env(), timeout=60)
    return "--concurrency" in out.stdout


def _logs(opts: Options) -> list[Figure]:
    span_s = int(opts.pick(3600, 30))
    per_s = opts.pick(200_000 / 3600, 40.0)  # ~200k entries in the hour (~1.2k with --quick)
    now = time.time_ns() // 1_000_000 * 1_000_000
    start = now - span_s * NS
    concurrent = has_concurrency()
    with SimProcess(rate=_flat_rate(per_s, now), incidents=False, frozen=True, start_ns=now,
                    seed=29, cache_entries=400_000) as sim:
        opts.log(f"link: generating {span_s} s of entries in the simulator")
        total = sim.ask("truth", start_ns=start, end_ns=now, encode=True)["count"]
        runs: dict[tuple[float, int], tuple[float, int, str]] = {}
        plan = [(LATENCY_S, 1), (0.0, 1)]
        if concurrent:
            plan = [(LATENCY_S, FAST), (LATENCY_S, 1), (0.0, FAST)]
        for latency, conc in plan:
            opts.log(f"link: s4top logs --json at {latency * 1000:.0f} ms, concurrency {conc}")
            sim.ask("faults", rules=[{"latency_s": latency}] if latency else [])
            runs[latency, conc] = _timed_logs(sim.base_url, start, conc if concurrent else 0,
                                              f"link-{latency:g}-{conc}.jsonl")
        opts.log("link: s4top record at 0 ms")
        sim.ask("faults", rules=[])
        recorded = _timed_record(sim.base_url, start, now, FAST if concurrent else 0)
    slow = runs[LATENCY_S, 1]
    digests = {d for _, _, d in runs.values()}
    same = len(digests) == 1 and all(n == total for _, n, _ in runs.values())
    lines = ", ".join(f"{lat * 1000:.0f} ms c{c}: {t:.2f} s, {n} lines"
                      for (lat, c), (t, n, _) in runs.items())
    note = f"{total} entries in the range; {lines}; output bytes " + (
        "identical" if same else "DIFFER")
    if concurrent:
        fast, zero = runs[LATENCY_S, FAST], runs[0.0, FAST]
        conc_fig = figure(
            NAME, CLI, fast[0], "s", slow[0], "concurrency 1 at 80 ms", CLI_TARGET,
            lambda v, b: same and b is not None and (v * 6 <= b or v <= 1.3 * zero[0]),
            note=note)
    else:
        zero = runs[0.0, 1]
        conc_fig = figure(NAME, CLI, None, "s", slow[0], "concurrency 1 at 80 ms", CLI_TARGET,
                          None, note=f"--concurrency {NOT_AVAILABLE}; {note}")
    best = runs[LATENCY_S, FAST] if concurrent else slow
    cost = figure(NAME, COST, best[0], "s", zero[0], "the same command at 0 ms", "", None,
                  note=f"concurrency {FAST if concurrent else 1}; {len(plan)} runs in turn")
    logs_0 = runs[0.0, FAST] if concurrent else runs[0.0, 1]
    rec = figure(NAME, RECORD, recorded[0], "s", logs_0[0], "logs --json, same range",
                 RECORD_TARGET, lambda v, b: recorded[1] == total and b is not None
                 and v <= 1.3 * b,
                 note=f"{recorded[1]} of {total} entries in the file; concurrency "
                      f"{FAST if concurrent else 1}")
    return [conc_fig, cost, rec]


def _timed_record(base_url: str, start: int, until: int, concurrency: int
                  ) -> tuple[float, int]:
    """Seconds for `s4top record` of [start, until] into a new file, and the rows it holds."""
    import sqlite3

    out = home() / f"link-record-{time.monotonic_ns()}.db"
    argv = [s4top_exe(), "record", "-o", str(out), "--start", str(start), "--until",
            str(until), "-q"]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    env = child_env(S4TOP_API_BASE=base_url, S4TOP_DOMAIN=DOMAIN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          cwd=str(REPO), timeout=900)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"s4top record exited {proc.returncode}: "
                           f"{proc.stderr.decode(errors='replace')[-300:]}")
    with sqlite3.connect(out) as conn:
        rows = conn.execute("select count(*) from logs").fetchone()[0]
    return dt, rows


def _flat_rate(per_s: float, now_ns: int) -> float:
    """The sim `rate` that gives about `per_s` entries/s over the last hour."""
    from .responsiveness import configured_rate

    return configured_rate(per_s, at_s=now_ns / NS - 1800)


def _timed_logs(base_url: str, start: int, concurrency: int, name: str
                ) -> tuple[float, int, str]:
    argv = [s4top_exe(), "logs", "--start", str(start), "--json"]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    out = home() / name
    env = child_env(S4TOP_API_BASE=base_url, S4TOP_DOMAIN=DOMAIN)
    with open(out, "wb") as f:
        t0 = time.perf_counter()
        proc = subprocess.run(argv, env=env, stdout=f, stderr=subprocess.PIPE, cwd=str(REPO),
                              timeout=900)
        dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"s4top logs exited {proc.returncode}: "
                           f"{proc.stderr.decode(errors='replace')[-300:]}")
    data = Path(out).read_bytes()
    return dt, data.count(b"\n"), hashlib.sha256(data).hexdigest()


def _dashboard(opts: Options) -> Figure:
    backlog_s = opts.pick(300.0, 3.0)
    per_s = 300.0
    now = time.time_ns() // 1_000_000 * 1_000_000
    rounds = int(opts.pick(3, 1))
    got: dict[float, list[float]] = {LATENCY_S: [], 0.0: []}
    with SimProcess(rate=_flat_rate(per_s, now), incidents=False, frozen=True, start_ns=now,
                    seed=31, cache_entries=400_000) as sim:
        total = sim.ask("truth", start_ns=now - int(backlog_s * NS), end_ns=now,
                        encode=True)["count"]
        for i in range(rounds):  # in turn, so both see the same machine
            for latency in (LATENCY_S, 0.0):
                opts.log(f"link: the dashboard's {backlog_s:g} s backlog at "
                         f"{latency * 1000:.0f} ms ({i + 1}/{rounds})")
                sim.ask("faults", rules=[{"latency_s": latency}] if latency else [])
                term = s4top_terminal(sim.base_url, f'backlog = "{backlog_s:g}s"\n',
                                      name="link")
                try:
                    t = term.wait_for(live_and_caught_up, 300)
                    if t is None:
                        raise RuntimeError(f"never live at {latency * 1000:.0f} ms: "
                                           f"{status_row(term.screen).strip()!r}")
                    got[latency].append(t - term.proc.started)
                finally:
                    term.close()
    pairs = ", ".join(f"{a:.2f}/{b:.2f} s" for a, b in zip(got[LATENCY_S], got[0.0],
                                                           strict=True))
    return figure(NAME, DASH, statistics.median(got[LATENCY_S]), "s",
                  statistics.median(got[0.0]), "the same at 0 ms", DASH_TARGET,
                  lambda v, b: b is not None and v <= 1.3 * b,
                  note=f"{total} entries in the backlog; from the start of s4top until the "
                       f"status line says live (FOLLOW, caught up, ok); median of {rounds} "
                       f"(80 ms/0 ms in turn: {pairs})")


def failed(error: str) -> list[Figure]:
    return failed_figures(NAME, [(CLI, "s", CLI_TARGET), (COST, "s", ""),
                                 (RECORD, "s", RECORD_TARGET), (DASH, "s", DASH_TARGET)], error)
