"""Committing a recording's batches in a process of its own (`s4top record`).

SQLite's inserts are about 0.5 s of CPU per 200k entries, a third of `record` (benchmarks/
RESULTS.md), and a thread cannot take them off the reading process: `executemany` takes the
interpreter lock back for every row's binding, so the two threads hand it over per row. The
child process gets each batch whole instead (its new shapes, its rows and the marks they reach,
pickled: ~0.07 s per 200k rows) and commits it in one transaction, in the order sent, with the
writer's own code (tui/recording/batch.py `store_batch`); the reader goes on reading.

What does not change (tests/unit/recording/test_committer.py):
- a batch is committed whole with its marks, or not at all; after a failed batch (a full disk)
  the child commits nothing more, and the reader raises that batch's error (as the sqlite3
  error it was, so `record` says "cannot write" in one line) at its next commit or at `close`;
- a reader that dies (SIGKILL) closes the pipe: the child stores the batches it received whole
  and exits, holding the file's lock until then (the fd is passed to it: a new `record` cannot
  start while a batch of the old one is still being stored);
- the child ignores the terminal's Ctrl-C (its own session): the reader decides when to stop
  and closes the pipe after its last batch.
Protocol, both ways: an 8-byte length, then a pickle (the reader's own child: trusted).
"""

from __future__ import annotations

import fcntl
import os
import pickle
import select
import signal
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["Committer"]

_LEN = struct.Struct("<Q")
_PIPE_SIZE = 1 << 20  # Linux's default pipe-max-size for a user


class Committer:
    """The reader's side: `send` a batch, `settle` until every batch sent is committed."""

    def __init__(self, path: Path, lock_fd: int) -> None:
        package_root = str(Path(__file__).resolve().parents[2])  # where `tui` is imported from
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH"))
                                            if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tui.recording.committer", str(path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            pass_fds=(lock_fd,), start_new_session=True, env=env)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._stdin = self._proc.stdin
        # room for a whole batch: the reader does not wait while the child stores the one
        # before (record of 200k entries 1.78 -> 1.65 s); Linux only, else the default pipe
        set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
        if set_size is not None:
            try:
                fcntl.fcntl(self._stdin.fileno(), set_size, _PIPE_SIZE)
            except OSError:
                pass  # the system's limit (pipe-max-size) is lower
        self._out_fd = self._proc.stdout.fileno()
        self._buf = b""
        self.outstanding = 0  # batches sent, not answered yet
        self.sent = 0  # entries handed over
        self.stored = 0  # entries the child has committed
        self._error: BaseException | None = None

    def send(self, shapes: list[Any], rows: list[Any], marks: list[Any]) -> None:
        """Hand a batch over; raises the error of an earlier batch if one failed."""
        self._answers(block=False)
        data = pickle.dumps((shapes, rows, marks), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self._stdin.write(_LEN.pack(len(data)))
            self._stdin.write(data)
            self._stdin.flush()
        except OSError:  # the child has gone: its answers say why
            self._answers(block=True)
            raise self._ended() from None
        self.outstanding += 1
        self.sent += len(rows)

    def settle(self) -> None:
        """Wait until every batch sent is committed; raises the error of one that failed."""
        self._answers(block=True)

    def close(self, raise_error: bool = True) -> None:
        """Settle, then let the child go (it exits at the end of its input). `raise_error`
        False: an error the reader was told of already is not raised again."""
        try:
            try:
                self.settle()
            except BaseException:
                if raise_error:
                    raise
        finally:
            try:
                self._stdin.close()
            except OSError:
                pass
            try:
                self._proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc.stdout.close()  # type: ignore[union-attr]

    def _answers(self, block: bool) -> None:
        while self.outstanding and self._error is None:
            answer = self._next(block)
            if answer is None:
                break
            self.outstanding -= 1
            if answer[0] == "ok":
                self.stored += answer[1]
            else:
                self._error = _error_of(answer[1], answer[2])
        if self._error is not None:
            raise self._error

    def _next(self, block: bool) -> tuple[Any, ...] | None:
        """The next answer, or None when none is there yet (`block` False)."""
        while True:
            if len(self._buf) >= _LEN.size:
                (n,) = _LEN.unpack_from(self._buf)
                if len(self._buf) >= _LEN.size + n:
                    data = self._buf[_LEN.size:_LEN.size + n]
                    self._buf = self._buf[_LEN.size + n:]
                    return pickle.loads(data)
            if not block and not select.select([self._out_fd], [], [], 0)[0]:
                return None
            chunk = os.read(self._out_fd, 1 << 16)
            if not chunk:  # the child ended without answering every batch
                self._error = self._ended()
                return None
            self._buf += chunk

    def _ended(self) -> BaseException:
        if self._error is not None:
            return self._error
        code = self._proc.poll()
        return sqlite3.OperationalError(
            "the recording's writer process ended" + (f" (exit {code})" if code else ""))


def _error_of(kind: str, message: str) -> BaseException:
    """The child's error as the reader raises it: the sqlite3 error it was, else an
    OperationalError with its text (`record` reports either in one line)."""
    cls = getattr(sqlite3, kind, None)
    if isinstance(cls, type) and issubclass(cls, sqlite3.Error):
        return cls(message)
    if kind in {"OSError", "PermissionError", "FileNotFoundError"}:
        return OSError(message)
    return sqlite3.OperationalError(f"{kind}: {message}")


def _child(path: str) -> int:
    from tui.recording.batch import store_batch
    from tui.recording.schema import connect

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    inp, out = sys.stdin.buffer, sys.stdout.buffer

    def answer(obj: tuple[Any, ...]) -> None:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            out.write(_LEN.pack(len(data)) + data)
            out.flush()
        except BrokenPipeError:
            pass  # the reader died: the batches it sent whole are stored all the same

    try:
        conn = connect(Path(path))
    except Exception as exc:  # noqa: BLE001 - every error goes back to the reader
        answer(("error", type(exc).__name__, str(exc)))
        return 1
    try:
        while True:
            head = inp.read(_LEN.size)
            if len(head) < _LEN.size:
                return 0  # the end of the input: every batch sent is stored
            (n,) = _LEN.unpack(head)
            data = inp.read(n)
            if len(data) < n:
                return 0  # cut off (the reader died mid-write): that batch is not stored
            shapes, rows, marks = pickle.loads(data)
            try:
                store_batch(conn, shapes, rows, marks)
            except Exception as exc:  # noqa: BLE001 - a failed batch ends the recording
                answer(("error", type(exc).__name__, str(exc)))
                return 1
            answer(("ok", len(rows)))
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(_child(sys.argv[1]))
