"""Scenario 1, catch-up: a 100k-entry backlog into the dashboard, and `s4top logs --json`
over the same backlog against a curl + jq paging loop.

The simulator runs in its own process with a frozen clock, so every reader sees exactly the
same entries; its generated seconds are made (and cached, with their wire JSON) before
anything is timed, so the times are the reader's, not the generator's. The backlog setting is chosen so the range holds
the wanted number of entries.

- dashboard: the real app headless (`App.run_test`, 120x40) with its real pollers, from the
  start of the app until the whole backlog is buffered, the `5` key's filter is applied and
  the visible rows are the newest 5XX entries of the ground truth.
- baseline: the same paging loop (client + cursor) without the UI.
  The two run in turn, three times (once with --quick): the medians are reported, so a
  burst of load from elsewhere moves one pair, not the figure (the ratio moved from 1.9x to
  2.8x between single runs of the same build).
- `s4top logs --start NS --json` (the installed command; `--since` computes the same start)
  against `benchmarks/curl_jq_logs.sh`, both writing JSON Lines to a file; s4top's time is
  the median of three runs, the curl + jq loop (several seconds) runs once.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from tui.api.client import RetryPolicy, S4Client
from tui.core.cursor import LogCursor
from tui.sim import DEMO_TOKEN

from .env import DOMAIN, REPO, child_env, home, s4top_exe
from .harness import Figure, Options, figure
from .harness import failed as failed_figures
from .simproc import SimProcess

NAME = "catchup"
DASH = "catch-up: 100k-entry backlog into the dashboard, filtered, rows checked"
CLI = "`s4top logs --json` over the 100k backlog"
DASH_TARGET = "<= 3 s and <= 1.5x baseline (medians of 3)"
CLI_TARGET = "<= 0.125x baseline (>= 8x faster)"
RATE = 5000.0  # configured sim rate; >= 2000 gives 1 ms timestamps, many shared
NS = 1_000_000_000


def run(opts: Options) -> list[Figure]:
    n = int(opts.pick(100_000, 3_000))
    now = time.time_ns() // 1_000_000 * 1_000_000
    with SimProcess(rate=RATE, incidents=False, frozen=True, start_ns=now, seed=7,
                    cache_entries=max(200_000, 3 * n)) as sim:
        window = int(n / (RATE * 0.4)) + 2  # the day shape keeps the rate above 0.45x
        opts.log(f"catchup: generating {n} entries in the simulator")
        probe = sim.ask("truth", start_ns=now - window * NS, end_ns=now, nth_from_end=n,
                        encode=True)
        if probe["nth_time"] is None:
            raise RuntimeError("the simulator made fewer entries than asked")
        backlog_s = (now - probe["nth_time"]) / NS
        start = now - int(backlog_s * NS)  # exactly what the app computes from the setting
        truth = sim.ask("truth", start_ns=start, end_ns=now, digit=5, last=60)
        total = truth["count"]

        rounds = int(opts.pick(3, 1))
        raws: list[tuple[float, int]] = []
        apps: list[dict] = []
        for i in range(rounds):  # in turn, so both see the same load
            opts.log(f"catchup: raw client loop, then the dashboard headless ({i + 1}/{rounds})")
            raws.append(asyncio.run(_raw_loop(sim.base_url, start)))
            apps.append(asyncio.run(_dashboard(sim.base_url, backlog_s, now, truth)))
        opts.log("catchup: s4top logs --json")
        cli_env = child_env(S4TOP_API_BASE=sim.base_url, S4TOP_DOMAIN=DOMAIN)
        clis = [_timed_lines([s4top_exe(), "logs", "--start", str(start), "--json"], cli_env,
                             "cli.jsonl") for _ in range(rounds)]
        opts.log("catchup: curl + jq loop")
        curl_s, curl_n, curl_note = _curl_loop(sim.base_url, start)

    raw_s = statistics.median(t for t, _ in raws)
    app_s = statistics.median(a["total_s"] for a in apps)
    cli_s = statistics.median(t for t, _ in clis)
    cli_n = min(n for _, n in clis) if len({n for _, n in clis}) == 1 else -1
    bad = [a for a in apps if not a["rows_ok"]]
    app = bad[0] if bad else sorted(apps, key=lambda a: a["total_s"])[len(apps) // 2]
    complete = all(a["buffered"] == min(total, 100_000) for a in apps)
    pairs = ", ".join(f"{a['total_s']:.2f}/{r:.2f} s" for a, (r, _) in zip(apps, raws,
                                                                          strict=True))
    size = f"{total} entries in the backlog; " if opts.quick else ""
    figs = [
        figure(NAME, DASH, app_s, "s", raw_s, "raw client loop", DASH_TARGET,
               lambda v, b: (b is not None and v <= 3.0 and v <= 1.5 * b and not bad
                             and complete),
               note=f"{size}median of {rounds} (dashboard/raw loop: {pairs}); buffered "
                    f"{app['buffered']} of {total} in {app['buffered_s']:.2f} s; "
                    f"5XX filter + rows: {app['filter_s'] * 1000:.0f} ms; visible rows "
                    f"{'match' if app['rows_ok'] else 'DO NOT match'} the ground truth"
                    f"{'' if app['rows_ok'] else ': ' + app['rows_problem']}; the raw loop read "
                    f"{raws[0][1]} entries"),
        figure(NAME, CLI, cli_s, "s", curl_s, "curl + jq loop", CLI_TARGET,
               lambda v, b: b is not None and v * 8 <= b and cli_n == curl_n == total,
               note=f"lines: s4top {cli_n}, curl+jq {curl_n}, truth {total}; s4top: median of "
                    f"{rounds} ({', '.join(f'{t:.2f}' for t, _ in clis)} s)" + curl_note),
    ]
    return figs


async def _raw_loop(base_url: str, start: int) -> tuple[float, int]:
    """The fetch loop alone: client + cursor, as `s4top logs` pages, no UI, no output."""
    t0 = time.perf_counter()
    n = 0
    async with S4Client(base_url, DEMO_TOKEN, retry=RetryPolicy(attempts=1)) as client:
        cursor = LogCursor(start, limit=1000, until_ns=time.time_ns())
        while True:
            page = await client.logs_page(DOMAIN, cursor.request_start(), "ALL", 1000)
            step = cursor.accept(page)
            n += len(step.entries)
            if step.done or not step.more:
                break
    return time.perf_counter() - t0, n


async def _dashboard(base_url: str, backlog_s: float, now: int, truth: dict[str, Any]) -> dict:
    from tui.app import S4TopApp
    from tui.config import load_settings
    from tui.context import build_context

    settings = load_settings(flags={"api_base": base_url, "domain": DOMAIN, "backlog": backlog_s})
    ctx = build_context(settings)
    total = truth["count"]
    t0 = time.perf_counter()
    app = S4TopApp(ctx, clock_ns=lambda: now)
    async with app.run_test(size=(120, 40)) as pilot:
        st = app.states[0]
        deadline = time.perf_counter() + 120
        while not (st.caught_up and st.buffer.appended >= total):
            if time.perf_counter() > deadline:
                raise RuntimeError(f"the backlog did not arrive ({st.buffer.appended}/{total})")
            await asyncio.sleep(0.002)
        t_buf = time.perf_counter()
        await pilot.press("5")
        await pilot.pause()
        rows_ok, problem = _rows_match(app, truth)
        t_end = time.perf_counter()
        buffered = len(st.buffer)
    return {"total_s": t_end - t0, "buffered_s": t_buf - t0, "filter_s": t_end - t_buf,
            "rows_ok": rows_ok, "rows_problem": problem, "buffered": buffered}


def _clock(ns: int) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(ns // NS)) + f".{(ns // 1_000_000) % 1000:03d}"


def _rows_match(app: Any, truth: dict[str, Any]) -> tuple[bool, str]:
    """The log pane shows the newest 5XX entries of the truth, newest at the bottom."""
    screen = app.screen
    lv = screen.log_view
    if lv.buffer.view_len != truth["digit_count"]:
        return False, f"{lv.buffer.view_len} rows shown, truth has {truth['digit_count']} 5XX"
    height = lv.scrollable_content_region.height
    want = truth["last"][-height:]
    got = [lv.render_line(y).text for y in range(height)]
    got = [g for g in got if g.strip()]
    if len(got) != len(want):
        return False, f"{len(got)} visible rows, expected {len(want)}"
    for row, e in zip(got, want, strict=True):
        path = e["path"].split(DOMAIN, 1)[-1]
        if str(e["code"]) not in row or _clock(e["t"]) not in row or path[-10:] not in row:
            return False, f"row {row.strip()[:60]!r} is not {e['code']} {path}"
    return True, ""


def _timed_lines(argv: list[str], env: dict[str, str], out_name: str) -> tuple[float, int]:
    out = home() / out_name
    with open(out, "wb") as f:
        t0 = time.perf_counter()
        proc = subprocess.run(argv, env=env, stdout=f, stderr=subprocess.PIPE, cwd=str(REPO),
                              timeout=600)
        dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(argv[0]).name} exited {proc.returncode}: "
                           f"{proc.stderr.decode(errors='replace')[-300:]}")
    return dt, _count_lines(out)


def _count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def _curl_loop(base_url: str, start: int) -> tuple[float | None, int, str]:
    missing = [t for t in ("curl", "jq") if shutil.which(t) is None]
    if missing:
        return None, 0, f"; {' and '.join(missing)} not installed (apt-get install curl jq)"
    script = str(Path(__file__).with_name("curl_jq_logs.sh"))
    dt, n = _timed_lines(["bash", script, base_url, DOMAIN, str(start)], child_env(),
                         "curl.jsonl")
    return dt, n, ""


def failed(error: str) -> list[Figure]:
    return failed_figures(NAME, [(DASH, "s", DASH_TARGET), (CLI, "s", CLI_TARGET)], error)
