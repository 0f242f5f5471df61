"""Where the benchmarks run: temp user dirs, the installed `s4top`, child environments.

Nothing here touches the real user's config or data: the harness points XDG_CONFIG_HOME and
XDG_DATA_HOME (and the cache/state dirs) at a temp folder before anything runs, and every
child process gets the same.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tui.sim import DEMO_TOKEN

REPO = Path(__file__).resolve().parent.parent
DOMAIN = "cdn.example.com"
COLS, ROWS = 120, 40

_HOME: Path | None = None


def home() -> Path:
    """The temp home of this run (made once, removed at exit by the harness)."""
    global _HOME
    if _HOME is None:
        _HOME = Path(tempfile.mkdtemp(prefix="s4top-bench-"))
    return _HOME


def isolate() -> Path:
    """Point this process's user dirs at the temp home (call once, before any scenario)."""
    h = home()
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):
        (h / sub).mkdir(parents=True, exist_ok=True)
        os.environ[var] = str(h / sub)
    for var in ("S4TOP_API_BASE", "S4TOP_DOMAIN", "S4TOP_TOKEN_FILE", "S4TOP_CONFIG",
                "S4TOP_READONLY", "S4TOP_SIM_TOKEN"):
        os.environ.pop(var, None)
    os.environ["BITIFUL_API_TOKEN"] = DEMO_TOKEN
    os.environ["TZ"] = "UTC"
    time.tzset()
    return h


def cleanup() -> None:
    global _HOME
    if _HOME is not None:
        shutil.rmtree(_HOME, ignore_errors=True)
        _HOME = None


def s4top_exe() -> str:
    """The installed `s4top` beside this Python (the venv's), else the one on PATH."""
    exe = Path(sys.executable).parent / "s4top"
    if exe.exists():
        return str(exe)
    found = shutil.which("s4top")
    if not found:
        raise RuntimeError("the s4top command is not installed in this environment")
    return found


def write_config(name: str, text: str) -> Path:
    """A config file in the temp home (a child gets it through S4TOP_CONFIG)."""
    path = home() / "configs" / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def child_env(ours: bool = False, **extra: str) -> dict[str, str]:
    """Environment for a child (s4top, a baseline app, the sim): isolated dirs, demo token."""
    if not os.environ.get("XDG_CONFIG_HOME", "").startswith(str(home())):
        isolate()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("S4TOP_", "TEXTUAL"))}
    env.update({
        "BITIFUL_API_TOKEN": DEMO_TOKEN,
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
    })
    env.pop("PYTHONPATH", None)
    # An installed wheel has its bytecode compiled by pip; a checkout installed in editable
    # mode gets it on the first (untimed, warm-up) run, unless this is set.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    paths = [p for p in os.environ.get("S4TOP_BENCH_PYTHONPATH", "").split(os.pathsep) if p]
    if ours:  # the harness's own child modules (the sim process, the baseline apps)
        paths.append(str(REPO))
    if paths:  # S4TOP_BENCH_PYTHONPATH: measure a patched copy of `tui` (see RESULTS.md)
        env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(extra)
    return env
