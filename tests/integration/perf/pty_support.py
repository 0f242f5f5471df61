"""The installed `s4top` on the dashboard in a real pseudo-terminal (benchmarks/ptyrun.py),
against an in-process simulator: what the frame-level tests of this folder read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.ptyrun import PtyProcess
from benchmarks.vt import Screen
from tests.conftest import cli_env
from tests.e2e.terminal import s4top_exe


@contextmanager
def dashboard_in_pty(tmp_path: Path, *, seed: int, rate: float, backlog: str
                     ) -> Iterator[PtyProcess]:
    from tui.sim import SimConfig, SimServer

    server = SimServer(SimConfig(seed=seed, rate=rate, incidents=False,
                                 domains=("cdn.example.com",)))
    base = server.start()
    config = tmp_path / "s4top.toml"
    config.write_text(f'backlog = "{backlog}"\n', encoding="utf-8")
    env = cli_env(base, S4TOP_CONFIG=str(config), TERM="xterm-256color", LANG="C.UTF-8")
    proc = PtyProcess([s4top_exe(), "--api-base", base], env)
    try:
        yield proc
    finally:
        proc.close(b"q")
        server.stop()


def wait(proc: PtyProcess, screen: Screen, index: int, what: Callable[[Screen], bool],
         timeout: float) -> int:
    """Feed the output into `screen` until `what` holds; the next chunk index."""
    t, index = proc.watch(what, screen, index, timeout)
    assert t is not None, screen.text()
    return index
