"""Run a program in a real pseudo-terminal and record every byte it writes, with the time.

The terminal answers one query the way modern terminals (and tmux 3.4) do: synchronized
output (DEC mode 2026) is supported. Textual then brackets every frame in `ESC[?2026h` ...
`ESC[?2026l`, so frames can be counted exactly. Nothing else is answered.

CPU time and RSS come from /proc/<pid>.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import threading
import time
from collections.abc import Callable

from .vt import SYNC_END, Screen

SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"
CLK_TCK = os.sysconf("SC_CLK_TCK")


class PtyProcess:
    """`argv` (argv[0] an executable path) under a pty of `cols` x `rows`."""

    def __init__(self, argv: list[str], env: dict[str, str], cols: int = 120, rows: int = 40,
                 cwd: str | None = None) -> None:
        self.cols, self.rows = cols, rows
        self.chunks: list[tuple[float, bytes]] = []
        self._lock = threading.Lock()
        self._new = threading.Condition(self._lock)
        self.closed = False
        self.started = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size its terminal, then become the program
            try:
                fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                if cwd:
                    os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self._reader = threading.Thread(target=self._read, name=f"pty-{pid}", daemon=True)
        self._reader.start()

    # ---- reading ------------------------------------------------------------------------
    def _read(self) -> None:
        tail = b""
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.5)
                if not ready:
                    if self._exited():
                        break
                    continue
                data = os.read(self.fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            now = time.monotonic()
            if SYNC_QUERY in tail + data:
                os.write(self.fd, SYNC_REPLY)
            tail = data[-16:]
            with self._new:
                self.chunks.append((now, data))
                self._new.notify_all()
        with self._new:
            self.closed = True
            self._new.notify_all()

    def _exited(self) -> bool:
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return True
        return pid != 0

    def wait_chunks(self, index: int, timeout: float) -> list[tuple[float, bytes]]:
        """Chunks from `index` on, waiting up to `timeout` for at least one."""
        with self._new:
            if len(self.chunks) <= index and not self.closed:
                self._new.wait(timeout)
            return self.chunks[index:]

    def watch(self, predicate: Callable[[Screen], bool], screen: Screen, start: int,
              timeout: float) -> tuple[float | None, int]:
        """Feed chunks from `start` into `screen` until `predicate(screen)`; returns the time
        of the chunk that made it true (None on timeout) and the next chunk index."""
        deadline = time.monotonic() + timeout
        i = start
        while True:  # at least one pass, so a zero timeout still takes what has arrived
            got = self.wait_chunks(i, min(0.1, max(0.0, deadline - time.monotonic())))
            for t, data in got:
                i += 1
                screen.feed(data)
                if predicate(screen):
                    return t, i
            if (self.closed and not got) or time.monotonic() >= deadline:
                return None, i

    # ---- figures ------------------------------------------------------------------------
    def bytes_between(self, t0: float, t1: float) -> int:
        with self._lock:
            return sum(len(d) for t, d in self.chunks if t0 <= t < t1)

    def output_between(self, t0: float, t1: float) -> bytes:
        """Everything written in [t0, t1), as one byte string."""
        with self._lock:
            return b"".join(d for t, d in self.chunks if t0 <= t < t1)

    def frames_between(self, t0: float, t1: float) -> int:
        """Complete frames (synchronized-output ends) written in [t0, t1)."""
        with self._lock:
            return sum(d.count(SYNC_END) for t, d in self.chunks if t0 <= t < t1)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process (all its threads) so far."""
        with open(f"/proc/{self.pid}/stat", encoding="ascii") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def rss_kb(self) -> int:
        return rss_kb(self.pid)

    # ---- control ------------------------------------------------------------------------
    def write(self, data: bytes) -> float:
        """Send keys; returns the moment they were written."""
        t = time.monotonic()
        os.write(self.fd, data)
        return t

    def close(self, quit_keys: bytes | None = None, timeout: float = 5.0) -> None:
        if quit_keys:
            try:
                self.write(quit_keys)
            except OSError:
                pass
            end = time.monotonic() + timeout
            while time.monotonic() < end and not self._exited():
                time.sleep(0.05)
        if not self._exited():
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.kill(self.pid, sig)
                except ProcessLookupError:
                    break
                end = time.monotonic() + 2
                while time.monotonic() < end and not self._exited():
                    time.sleep(0.05)
                if self._exited():
                    break
        self._reader.join(timeout=3)
        try:
            os.close(self.fd)
        except OSError:
            pass


def rss_kb(pid: int | str = "self") -> int:
    """Resident set size of a process, in kB (VmRSS)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")
