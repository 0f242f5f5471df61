"""Figures, the table, the JSON and RESULTS.md: what every scenario reports into.

A figure is one measured value with its baseline measured in the same run, the ratio
value/baseline, the target it is held to (text) and whether it met it. A scenario that fails
to run reports its figures with no value and the error, so one broken scenario never hides
the others.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
RESULTS_JSON = HERE / "results.json"
RESULTS_MD = HERE / "RESULTS.md"
#: The generated blocks of RESULTS.md: "results" (the full run), "long" (the --long run).
BLOCKS = ("results", "long")


@dataclass(slots=True)
class Options:
    """quick: tiny sizes and short windows (the smoke test: it must run, not meet targets).
    long: the 10-minute soak instead of the short one."""

    quick: bool = False
    long: bool = False
    log: Callable[[str], None] = field(default=lambda msg: print(msg, file=sys.stderr, flush=True))

    def pick(self, full: float, quick: float) -> float:
        return quick if self.quick else full

    def each(self, jobs: list[Callable[[], T]]) -> list[T]:
        """Run independent measurements: one after another (they compete for nothing), or
        all at once in --quick mode, where only running matters, not the timings."""
        if not self.quick or len(jobs) < 2:
            return [job() for job in jobs]
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            return [f.result() for f in [pool.submit(job) for job in jobs]]


@dataclass(slots=True)
class Figure:
    scenario: str
    figure: str
    value: float | None
    unit: str
    baseline: float | None
    baseline_label: str
    target: str
    passed: bool | None  # None: reported, not held to a target
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    def to_json(self) -> dict:
        d = asdict(self)
        d["ratio"] = self.ratio
        return d


def figure(scenario: str, name: str, value: float | None, unit: str, baseline: float | None,
           baseline_label: str, target: str, ok: Callable[[float, float | None], bool] | None,
           note: str = "") -> Figure:
    """A figure; `ok(value, baseline)` decides `passed` (None: no target)."""
    passed = None
    if ok is not None:
        passed = bool(value is not None and ok(value, baseline))
    return Figure(scenario, name, value, unit, baseline, baseline_label, target, passed, note)


def failed(scenario: str, names: list[tuple[str, str, str]], error: str) -> list[Figure]:
    """The figures of a scenario that could not run: (name, unit, target) each."""
    return [Figure(scenario, n, None, u, None, "", t, False, f"did not run: {error}")
            for n, u, t in names]


# ---- formatting ----------------------------------------------------------------------------

def fmt(v: float | None, unit: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    a = abs(v)
    if a == 0:
        s = "0"
    elif a >= 1000:
        s = f"{v:,.0f}"
    elif a >= 100:
        s = f"{v:.0f}"
    elif a >= 10:
        s = f"{v:.1f}"
    elif a >= 1:
        s = f"{v:.2f}"
    else:
        s = f"{v:.3f}"
    return f"{s} {unit}".strip()


def _row(f: Figure) -> list[str]:
    ratio = f.ratio
    verdict = {True: "yes", False: "NO", None: "-"}[f.passed]
    base = fmt(f.baseline, f.unit)
    if f.baseline_label:
        base += f" ({f.baseline_label})"
    return [f.figure, fmt(f.value, f.unit), base, "-" if ratio is None else f"{ratio:.2f}x",
            f.target or "-", verdict]


HEADERS = ["figure", "value", "baseline", "ratio", "target", "pass"]


def table(figures: list[Figure]) -> str:
    rows = [HEADERS] + [_row(f) for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS))]
    out = []
    for i, r in enumerate(rows):
        out.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_table(figures: list[Figure]) -> str:
    def esc(s: str) -> str:
        return s.replace("|", "\\|")

    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for f in figures:
        lines.append("| " + " | ".join(esc(c) for c in _row(f)) + " |")
    notes = [f for f in figures if f.note]
    if notes:
        lines.append("")
        for f in notes:
            lines.append(f"- *{esc(f.figure)}*: {f.note}")
    return "\n".join(lines)


# ---- the machine -----------------------------------------------------------------------------

def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(cmd: list[str]) -> str:
    exe = shutil.which(cmd[0])
    if exe is None:
        return "not installed"
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return out.splitlines()[0].strip() if out else "unknown"


def machine() -> dict[str, str]:
    import textual

    return {
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "memory": _mem_total(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "textual": getattr(textual, "__version__", "unknown"),
        "curl": re.sub(r"\s*\(.*", "", _version(["curl", "--version"])),
        "jq": _version(["jq", "--version"]),
    }


def _mem_total() -> str:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            kb = int(f.readline().split()[1])
        return f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        return "unknown"


# ---- output ----------------------------------------------------------------------------------

def write_json(path: Path, figures: list[Figure], meta: dict) -> None:
    data = {**meta, "figures": [f.to_json() for f in figures]}
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def write_results_md(path: Path, figures: list[Figure], meta: dict, block: str = "results") -> None:
    """Replace one generated block of RESULTS.md (between its markers); keep the rest."""
    assert block in BLOCKS
    start, end = f"<!-- {block}:start -->", f"<!-- {block}:end -->"
    m = meta["machine"]
    text_block = "\n".join([
        start,
        f"Run {meta['finished']} with `{meta['command']}` in {meta['duration_s']:.0f} s.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM, {m['os']}; "
        f"Python {m['python']}, textual {m['textual']}; {m['curl']}; {m['jq']}.",
        "",
        markdown_table(figures),
        end,
    ])
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if start in old and end in old:
        head, rest = old.split(start, 1)
        tail = rest.split(end, 1)[1]
        text = head + text_block + tail
    else:
        title = "Latest full run" if block == "results" else "Latest long run"
        text = old.rstrip("\n") + f"\n\n## {title}\n\n" + text_block + "\n"
    path.write_text(text, encoding="utf-8")


def now_text() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S %Z")
