"""Driving the installed `s4top` in a real terminal (tmux) and reading its screen."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest


def s4top_exe() -> str:
    exe = Path(sys.executable).parent / "s4top"
    if exe.exists():
        return str(exe)
    found = shutil.which("s4top")
    if not found:
        pytest.fail("the s4top command is not installed in this environment")
    return found


def require_tmux() -> str:
    tmux = shutil.which("tmux")
    if tmux is None:
        if os.environ.get("S4TOP_REQUIRE_TMUX"):
            pytest.fail("tmux is required here (S4TOP_REQUIRE_TMUX is set) but not installed")
        pytest.skip("tmux is not installed (apt-get install tmux); .ci/run installs it")
    return tmux


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Simulate:
    """`s4top simulate` as a real process on a loopback port."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [s4top_exe(), "simulate", "--port", str(self.port), *args],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"s4top simulate exited: {self.proc.stderr.read().decode(errors='replace')}") from None
                time.sleep(0.05)
        raise RuntimeError("s4top simulate did not start listening")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Terminal:
    """One tmux session of a fixed size running one command."""

    def __init__(self, command: list[str], env: dict[str, str], width: int = 120, height: int = 40) -> None:
        self.tmux = require_tmux()
        self.name = f"s4top-e2e-{uuid.uuid4().hex[:8]}"
        self.socket = self.name  # own server: the command gets this env, not an older one
        env = {**env, "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        cmd = " ".join(_quote(c) for c in command)
        self._run("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), cmd, env=env)
        self._run("set-option", "-t", self.name, "remain-on-exit", "on")

    def _run(self, *args: str, env: dict[str, str] | None = None) -> str:
        out = subprocess.run([self.tmux, "-u", "-L", self.socket, *args], env=env, capture_output=True, text=True, timeout=20)
        if out.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {out.stderr.strip()}")
        return out.stdout

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        self._run("send-keys", "-t", self.name, *keys)

    def text(self, s: str) -> None:
        self._run("send-keys", "-t", self.name, "-l", s)

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 20.0, what: str = "") -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.1)  # a capture is a few ms of tmux: look often, each wait ends sooner
        raise AssertionError(f"timed out waiting for {what or 'the screen'}; last screen:\n{screen}")

    def dead(self) -> bool:
        out = self._run("list-panes", "-t", self.name, "-F", "#{pane_dead}")
        return out.strip() == "1"

    def close(self) -> None:
        try:
            self._run("kill-server")
        except (RuntimeError, subprocess.TimeoutExpired):
            pass


def _quote(s: str) -> str:
    import shlex

    return shlex.quote(s)
