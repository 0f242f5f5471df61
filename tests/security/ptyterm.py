"""The installed `s4top` in a real pseudo-terminal, every byte it writes recorded.

No terminal emulator sits in between (unlike tmux in tests/e2e): what the program writes is
exactly what a user's terminal would receive, so a control sequence smuggled in from log data
would be found here as bytes. The child gets the pty as its controlling terminal, a fixed
size and TERM=xterm-256color. Nothing is answered (no query replies), so the output does not
depend on what the terminal says about itself.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

S4TOP = str(Path(sys.executable).parent / "s4top")

KEYS = {"enter": b"\r", "escape": b"\x1b", "tab": b"\t", "f8": b"\x1b[19~", "ctrl+s": b"\x13"}


class PtyRun:
    """`argv` under a pty of `cols` x `rows`; `output` holds every byte written so far."""

    def __init__(self, argv: list[str], env: dict[str, str], cols: int = 120, rows: int = 40) -> None:
        env = {**env, "TERM": "xterm-256color", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "COLUMNS": str(cols),
               "LINES": str(rows)}
        env.pop("TEXTUAL", None)
        self._buf = bytearray()
        self._lock = threading.Lock()
        self.returncode: int | None = None
        pid, fd = pty.fork()
        if pid == 0:  # the child: size its terminal, then become the program
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.2)
                if not ready:
                    if self.poll() is not None:
                        break
                    continue
                data = os.read(self.fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            with self._lock:
                self._buf += data

    @property
    def output(self) -> bytes:
        with self._lock:
            return bytes(self._buf)

    def text(self) -> str:
        return self.output.decode("utf-8", errors="replace")

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def send(self, *keys: str | bytes, gap: float = 0.15) -> None:
        """Keys by name ("enter", "escape") or literal text/bytes, with a pause after each.

        A lone ESC is only a key if nothing follows it at once (else ESC x reads as alt+x), so
        after one the screen must settle before the next key goes out."""
        for k in keys:
            data = k if isinstance(k, bytes) else KEYS.get(k, k.encode())
            os.write(self.fd, data)
            time.sleep(gap)
            if data == b"\x1b":
                self.wait_quiet(0.25)

    def wait_for(self, predicate: Callable[[bytes], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.output):
                return
            if self.poll() is not None:
                break
            time.sleep(0.05)
        cells = strip_escapes(self.output[-20000:]).decode("utf-8", errors="replace")
        raise AssertionError(f"timed out waiting for {what} (exit {self.returncode}); last text:\n{cells[-4000:]}")

    def wait_quiet(self, quiet_s: float = 0.4, timeout: float = 10.0) -> None:
        """Until nothing new was written for `quiet_s` (the screen settled)."""
        deadline = time.monotonic() + timeout
        last, since = len(self.output), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            n = len(self.output)
            if n != last:
                last, since = n, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return

    def quit(self, timeout: float = 15.0) -> int:
        """ctrl+c (quits from any screen, even with a text box focused), then wait for the
        exit; the terminal is restored by then."""
        if self.poll() is None:
            self.send(b"\x03")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.poll() is None:
            time.sleep(0.05)
        if self.poll() is None:
            self.kill()
            raise AssertionError("s4top did not quit on ctrl+c")
        self._reader.join(5)
        return self.returncode if self.returncode is not None else -1

    def kill(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.returncode = -9

    def close(self) -> None:
        self.kill()
        try:
            os.close(self.fd)
        except OSError:
            pass


# ---------------------------------------------------------------------------- the bytes

_CSI = re.compile(rb"\x1b\[([0-?]*)([ -/]*)([@-~])")
_OSC = re.compile(rb"\x1b\](.*?)(?:\x07|\x1b\\)", re.S)


def osc_sequences(data: bytes) -> list[bytes]:
    """Every OSC (ESC ] ... BEL/ST) in the output, whole."""
    return [m.group(0) for m in _OSC.finditer(data)]


def escape_kinds(data: bytes) -> set[str]:
    """What kinds of escape sequence the output holds: CSI by private marker and final byte
    (SGR parameters vary with colours), OSC by number, other ESC by the next byte."""
    kinds: set[str] = set()
    i = 0
    while True:
        i = data.find(b"\x1b", i)
        if i < 0:
            return kinds
        m = _CSI.match(data, i)
        if m:
            params = m.group(1)
            private = params[:1] if params[:1] in (b"?", b">", b"<", b"=") else b""
            kinds.add("CSI " + (private + m.group(2) + m.group(3)).decode("latin-1"))
            i = m.end()
            continue
        m = _OSC.match(data, i)
        if m:
            kinds.add("OSC " + m.group(1).split(b";", 1)[0].decode("latin-1"))
            i = m.end()
            continue
        kinds.add("ESC " + data[i + 1 : i + 2].decode("latin-1"))
        i += 2


def strip_escapes(data: bytes) -> bytes:
    """The output without CSI/OSC sequences: the text that lands in cells."""
    return _CSI.sub(b"", _OSC.sub(b"", data))
