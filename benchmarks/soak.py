"""The long soak (issue 7): `python -m benchmarks.soak --minutes 30`.

The real dashboard, headless in its own process, follows ~5k entries/s from the simulator
while a fault is injected every 20 s (503, reset, latency past the read timeout, the server
stopped and restarted on the same port, 429, truncated JSON, 401, wrong shape, hang,
truncated body, then again). At the end: no crash, exactly-once against the simulator's
truth, RSS drift after warm-up. The engine is tests/reliability/soak.py, whose 2-minute run
is part of the test suite; this is the same thing, longer.

It is also the harness's `soak` scenario (`python -m benchmarks soak`, or any `--long` run),
whose figures go to the "long run" part of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

NAME = "soak"
TARGETS = {"rss": "drift within 5 % after warm-up", "once": "every entry exactly once", "crash": "no crash"}


def _isolated_home() -> Path:
    """Never touch the real user's config, drafts or history."""
    home = Path(tempfile.mkdtemp(prefix="s4top-soak-"))
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_STATE_HOME", "state")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        os.environ[var] = str(home / sub)
    for var in ("S4TOP_API_BASE", "S4TOP_DOMAIN", "S4TOP_TOKEN_FILE", "S4TOP_CONFIG", "S4TOP_READONLY"):
        os.environ.pop(var, None)
    return home


def soak(minutes: float, per_s: float = 5000.0, log=lambda m: print(m, file=sys.stderr, flush=True)):
    repo = Path(__file__).resolve().parent.parent
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    from tests.reliability.soak import run_soak

    home = _isolated_home()
    try:
        seconds = minutes * 60
        warmup = min(120.0, max(45.0, seconds / 10))
        return run_soak(seconds, per_s=per_s, fault_every=20.0, fault_len=3.0, warmup_s=warmup,
                        workdir=home / "soak", log=log)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(opts) -> list:
    """The harness's interface: figures of a soak (30 minutes; 1 with --quick)."""
    from .harness import figure

    res = soak(1.0 if opts.quick else 30.0, log=opts.log)
    note = res.summary()
    return [
        figure(NAME, "soak: entries checked exactly once", float(res.entries) if res.exactly_once else None,
               "entries", None, "", TARGETS["once"], lambda v, _b: v > 0, note=res.mismatch or note),
        figure(NAME, "soak: RSS drift after warm-up", res.rss_drift * 100, "%", None, "",
               TARGETS["rss"], lambda v, _b: abs(v) <= 5.0),
        figure(NAME, "soak: faults survived", float(len(res.faults)) if not res.crashed else None, "faults",
               None, "", TARGETS["crash"], lambda v, _b: v > 0, note=res.crashed),
    ]


def failed(error: str) -> list:
    from .harness import failed as failed_figures

    return failed_figures(NAME, [("soak: entries checked exactly once", "entries", TARGETS["once"]),
                                 ("soak: RSS drift after warm-up", "%", TARGETS["rss"]),
                                 ("soak: faults survived", "faults", TARGETS["crash"])], error)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=30.0, help="how long (default 30)")
    p.add_argument("--rate", type=float, default=5000.0, help="entries per second (default 5000)")
    p.add_argument("--json", metavar="PATH", help="also write the figures as JSON here")
    args = p.parse_args(argv)
    started = time.time()
    res = soak(args.minutes, args.rate)
    print(res.summary())
    ok = (not res.crashed and res.exactly_once and abs(res.rss_drift) <= 0.05
          and max(res.recoveries_s, default=0) < 30)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "started": started, "minutes": args.minutes, "entries": res.entries, "per_s": res.per_s,
            "exactly_once": res.exactly_once, "mismatch": res.mismatch, "faults": res.faults,
            "recoveries_s": res.recoveries_s, "rss_kb": res.rss_kb, "rss_drift": res.rss_drift,
            "rss_peak_over_base": res.rss_peak_over_base, "crashed": res.crashed, "ok": ok,
        }, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
