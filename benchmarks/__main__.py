"""`python -m benchmarks [SCENARIO ...] [--quick] [--long]`: run, print the table, write JSON.

Scenarios: catchup, pipeline, responsiveness, bytes, memory, start, link, exporter, explain,
replay (default: all of these), and soak (the 30-minute soak with faults; only when named or
with --long). A full run (every default scenario, not --quick) rewrites the "full run" part of benchmarks/RESULTS.md; a run
with --long (the 10-minute memory soak and the 30-minute soak) rewrites the "long run" part.
S4TOP_BENCH_PYTHONPATH=DIR measures a patched copy of `tui` in DIR instead (for trying a
change to files one does not own); such a run never rewrites RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

from . import env
from .harness import (
    RESULTS_JSON,
    RESULTS_MD,
    Figure,
    Options,
    machine,
    now_text,
    table,
    write_json,
    write_results_md,
)
from .scenarios import ALL_SCENARIOS, LONG_SCENARIOS, QUICK_ASIDE, SCENARIOS


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                   help=f"any of: {', '.join(ALL_SCENARIOS)} (default: {', '.join(SCENARIOS)}; "
                        "with --long also soak)")
    p.add_argument("--quick", action="store_true",
                   help="tiny sizes and short windows: checks that everything runs (seconds)")
    p.add_argument("--long", action="store_true",
                   help="the 10-minute memory soak, and (unless scenarios are named) the 30-minute soak")
    p.add_argument("--json", default=str(RESULTS_JSON), metavar="PATH",
                   help=f"where to write the JSON (default {RESULTS_JSON.name} beside this)")
    p.add_argument("--no-results-md", action="store_true",
                   help="do not rewrite RESULTS.md even after a full run")
    args = p.parse_args(argv)
    unknown = [n for n in args.scenarios if n not in ALL_SCENARIOS]
    if unknown:
        p.error(f"unknown scenario {unknown[0]!r}; choose from {', '.join(ALL_SCENARIOS)}")
    names = list(dict.fromkeys(args.scenarios)) or [
        *SCENARIOS, *(LONG_SCENARIOS if args.long else ())]
    opts = Options(quick=args.quick, long=args.long)
    if opts.quick:
        from . import simproc

        simproc.QUICK_EXACT_SERIES_S = 10
    env.isolate()
    started = time.monotonic()
    results: dict[str, list[Figure]] = {}
    try:
        if opts.quick:  # only running matters: a scenario that waits overlaps the rest
            _in_lanes(names, opts, results)
        else:
            for name in names:
                results[name] = _scenario(name, opts)
    finally:
        env.cleanup()
    figures = [f for name in names for f in results[name]]
    cmd = "python -m benchmarks" + "".join(f" {a}" for a in (sys.argv[1:] if argv is None else argv))
    patched = os.environ.get("S4TOP_BENCH_PYTHONPATH", "")
    meta = {"finished": now_text(), "command": cmd, "quick": opts.quick, "long": opts.long,
            "scenarios": names, "duration_s": time.monotonic() - started, "machine": machine(),
            "patched_tree": patched}
    print(table(figures))
    for f in figures:
        if f.note:
            print(f"  {f.figure}: {f.note}")
    write_json(Path(args.json), figures, meta)
    recorded = not opts.quick and not patched and not args.no_results_md
    if recorded and opts.long:
        write_results_md(RESULTS_MD, figures, meta, block="long")
    elif recorded and set(SCENARIOS) <= set(names):
        write_results_md(RESULTS_MD, figures, meta)
    # a figure with no value and no verdict is one this build cannot measure (it says why)
    return 0 if all(f.value is not None or f.passed is None for f in figures) else 1


def _scenario(name: str, opts: Options) -> list[Figure]:
    opts.log(f"== {name}")
    mod = ALL_SCENARIOS[name]
    t0, c0 = time.monotonic(), _cpu_s()
    try:
        figures = mod.run(opts)
    except Exception as exc:  # noqa: BLE001 - report it as the scenario's result
        traceback.print_exc()
        figures = mod.failed(f"{type(exc).__name__}: {exc}")
    opts.log(f"== {name}: {time.monotonic() - t0:.1f} s, {_cpu_s() - c0:.1f} s of CPU")
    return figures


def _cpu_s() -> float:
    """CPU seconds of this process and of its children that ended (the simulators, s4top
    in its terminal, the baselines): what a scenario costs beside its wall time."""
    import resource

    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                   resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _in_lanes(names: list[str], opts: Options, results: dict[str, list[Figure]]) -> None:
    """--quick: two lanes at once (benchmarks/scenarios.py QUICK_ASIDE), each running its
    scenarios one after another. The other lane runs in a process of its own: as a thread,
    the link scenario's screen model (benchmarks/vt.py) held the GIL against the headless
    dashboard of the catch-up scenario, which took 19 s beside it instead of 3.4 s alone.
    All scenarios at once starved each other of the two cores (a tail at 5k entries/s never
    caught up)."""
    import subprocess
    import tempfile

    aside = [n for n in names if n in QUICK_ASIDE]
    here = [n for n in names if n not in aside]
    if not here or not aside:  # nothing to overlap (and the lane's own process runs here)
        results.update({n: _scenario(n, opts) for n in names})
        return
    with tempfile.TemporaryDirectory(prefix="s4top-lanes-") as tmp:
        out = Path(tmp) / "aside.json"
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks", *aside, "--quick",
                                 "--no-results-md", "--json", str(out)], cwd=str(env.REPO))
        for n in here:
            results[n] = _scenario(n, opts)
        proc.wait()
        results.update(_figures_of(aside, out, proc.returncode))


def _figures_of(names: list[str], path: Path, code: int) -> dict[str, list[Figure]]:
    """The figures another lane's process wrote, by scenario (or, for a scenario with none,
    its failure)."""
    import dataclasses
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        data = {"figures": []}
        why = f"its process exited {code} without figures ({exc})"
    else:
        why = f"its process exited {code} without its figures"
    keys = {f.name for f in dataclasses.fields(Figure)}
    got: dict[str, list[Figure]] = {n: [] for n in names}
    for f in data["figures"]:
        if f.get("scenario") in got:
            got[f["scenario"]].append(Figure(**{k: v for k, v in f.items() if k in keys}))
    return {n: figs or ALL_SCENARIOS[n].failed(why) for n, figs in got.items()}


if __name__ == "__main__":
    sys.exit(main())
