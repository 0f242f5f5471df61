"""The benchmark harness runs and reports every figure (`python -m benchmarks --quick`).

No timing is asserted here: timings belong to the benchmark (benchmarks/RESULTS.md). This only
proves the harness still drives the real program end to end (the simulator, the headless app,
the installed `s4top` in a pseudo-terminal) and produces each figure with its baseline, so a
change that breaks a scenario is seen in CI, not at the next benchmark run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_run_produces_every_figure(tmp_path: Path) -> None:
    from benchmarks.scenarios import SCENARIOS

    results_md = REPO / "benchmarks" / "RESULTS.md"
    before = results_md.read_bytes() if results_md.exists() else None
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["quick"] is True and data["machine"]["python"]
    got = {f["figure"]: f for f in data["figures"]}
    expected = {f.figure for mod in SCENARIOS.values() for f in mod.failed("-")}
    assert set(got) == expected
    tools = shutil.which("curl") is not None and shutil.which("jq") is not None
    for name, f in got.items():
        if f["value"] is None:  # only a figure this build cannot measure, and it says why
            assert f["passed"] is None and "not available in this build" in f["note"], name
            continue
        if f["baseline"] is None:  # only the curl + jq baseline may be absent, and says why
            assert "curl" in name or "s4top logs" in name, name
            assert not tools and "not installed" in f["note"], f["note"]
        assert f["target"] is not None and f["unit"]
    # the table was printed, and a quick run never rewrites the recorded full run
    assert "figure" in proc.stdout and "baseline" in proc.stdout
    assert (results_md.read_bytes() if results_md.exists() else None) == before
