"""The installed `s4top` (or a baseline app) in a real 120x40 pseudo-terminal, with helpers to
wait for what the screen shows."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable

from .env import COLS, DOMAIN, ROWS, child_env, s4top_exe, write_config
from .ptyrun import PtyProcess
from .vt import Screen

_BUFFERED = re.compile(r"([\d.]+)([kM]?) shown of ([\d.]+)([kM]?) buffered")


class Terminal:
    """A program under a pty with a screen model fed from its output."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str | None = None) -> None:
        self.proc = PtyProcess(argv, env, COLS, ROWS, cwd=cwd)
        self.screen = Screen(COLS, ROWS)
        self._index = 0

    def wait_for(self, predicate: Callable[[Screen], bool], timeout: float) -> float | None:
        """Follow the output until the screen satisfies `predicate`; the time it did, or None."""
        if predicate(self.screen):
            return time.monotonic()
        t, self._index = self.proc.watch(predicate, self.screen, self._index, timeout)
        return t

    def drain(self) -> None:
        """Bring the screen model up to date with everything written so far."""
        self.wait_for(lambda _s: False, 0.0)

    def press(self, key: bytes, predicate: Callable[[Screen], bool], timeout: float = 5.0
              ) -> float | None:
        """Seconds from writing `key` to the first output that shows `predicate`."""
        self.drain()
        t0 = self.proc.write(key)
        t = self.wait_for(predicate, timeout)
        return None if t is None else t - t0

    def close(self) -> None:
        self.proc.close(b"q")


def s4top_terminal(base_url: str, config: str = "", name: str = "s4top") -> Terminal:
    """The installed s4top on the dashboard against `base_url`, settings from `config` (TOML)."""
    env = child_env(S4TOP_CONFIG=str(write_config(name, config)))
    return Terminal([s4top_exe(), "--api-base", base_url, "--domain", DOMAIN], env)


def python_terminal(module: str, *args: str) -> Terminal:
    """`python -m benchmarks.<module>` (a baseline app) under the pty."""
    from .env import REPO

    return Terminal([sys.executable, "-m", f"benchmarks.{module}", *args],
                    child_env(ours=True), cwd=str(REPO))


# ---- what the dashboard shows ----------------------------------------------------------------

def dashboard_drawn(s: Screen) -> bool:
    """The whole dashboard is on screen: the status line at the top (led by the app's name, or
    by an alert when one is active), the footer at the bottom."""
    top = s.row(0)
    return ("s4top" in top or top.lstrip().startswith("ALERT")) and bool(s.row(ROWS - 1).strip())


def status_row(s: Screen) -> str:
    return s.row(1)


def live_and_caught_up(s: Screen) -> bool:
    row = status_row(s)
    return "FOLLOW" in row and "catching up" not in row and "● ok" in s.row(0)


def buffered_count(s: Screen) -> int | None:
    m = _BUFFERED.search(status_row(s))
    if m is None:
        return None
    scale = {"": 1, "k": 1_000, "M": 1_000_000}
    return int(float(m.group(3)) * scale[m.group(4)])


def log_rows(s: Screen) -> range | None:
    """The rows of the log pane: below its column header, above the footer."""
    for y in range(s.rows):
        row = s.row(y)
        if row.startswith(" TIME ") and " CODE " in row:
            return range(y + 1, s.rows - 1)
    return None


def cursor_row(s: Screen) -> int | None:
    """The screen row the log pane's cursor highlights (its background differs from the rest)."""
    rows = log_rows(s)
    if rows is None or len(rows) < 3:
        return None
    bgs = [s.bg[y][2] for y in rows]
    common = max(set(bgs), key=bgs.count)
    marked = [y for y, bg in zip(rows, bgs, strict=True) if bg != common]
    return marked[0] if len(marked) == 1 else None
