"""Where the refresh drafts live on disk: one file per running s4top and domain.

Two dashboards on one account (two tmux panes, two engineers) used to rewrite the same draft
file on every key, so one typed batch silently replaced the other. Now each instance writes
only its own file, and the batch of an instance that is gone (quit, crashed, SIGKILLed) is
adopted by the next one that opens the batch: merged into its own draft, which is written
first; only then is the old file removed. A live instance's draft is never touched.

Layout under the drafts folder:

    .instances/<id>.lock   held with flock(2) while instance <id> runs; the kernel lets go
                           when the process dies, however it dies
    <domain>/<id>.json     instance <id>'s batch of that domain (<id> = pid-start time)
    <domain>/.adopt.lock   held while one instance adopts, so two never adopt the same file
    <domain>.json          a batch written by an older s4top (one file per domain): adopted
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tui.core.files import DraftStore

try:
    import fcntl
except ImportError:
    # no flock here: another instance's draft is never taken while its lock file exists
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class OtherDraft:
    """A draft of the same domain that belongs to another running instance."""

    owner: str  # instance id, "<pid>-<start ns>"
    data: dict[str, Any]

    @property
    def pid(self) -> str:
        return self.owner.split("-", 1)[0]


def _read(path: Path) -> dict[str, Any] | None:
    """A draft file's content, or None when it cannot be read (then it is never removed)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class DraftFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.instance = f"{os.getpid()}-{time.time_ns()}"
        self._lock: IO[bytes] | None = None

    def _lock_path(self, owner: str) -> Path:
        return self.folder / ".instances" / f"{owner}.lock"

    def own_path(self, domain: str) -> Path:
        return self.folder / domain / f"{self.instance}.json"

    def hold(self) -> None:
        """Take this instance's lock before its first draft exists, so no other instance can
        ever see the draft without the lock (and take it for a dead one's)."""
        if self._lock is not None:
            return
        path = self._lock_path(self.instance)
        path.parent.mkdir(parents=True, exist_ok=True)
        f = open(path, "ab")  # a fresh name (pid and start time): nobody else opens it yet
        if fcntl is not None:
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                f.close()
                raise
        self._lock = f

    def load_own(self, domain: str) -> dict[str, Any]:
        return DraftStore(self.own_path(domain)).load()

    def save_own(self, domain: str, data: dict[str, Any]) -> None:
        """Atomic replace of this instance's own file (see tui/core/files.py)."""
        self.hold()
        DraftStore(self.own_path(domain)).save(data)

    def _claim(self, owner: str) -> tuple[bool, IO[bytes] | None]:
        """(alive, lock): a dead owner's lock is now held by us (None when it left no lock
        file, as after a clean exit), so no other instance claims it meanwhile."""
        try:
            f = open(self._lock_path(owner), "r+b")
        except FileNotFoundError:
            return False, None
        if fcntl is None:
            f.close()
            return True, None
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # BlockingIOError: the owner runs
            f.close()
            return True, None
        return False, f

    def adopt(self, domain: str, merge: Callable[[list[dict[str, Any]]], None]) -> list[OtherDraft]:
        """Hand every dead instance's draft of `domain` to `merge` (which must write the merged
        result, or raise OSError), then remove them. Returns the live instances' drafts, which
        stay where they are. A kill anywhere in here loses nothing: the worst case is an entry
        in two files, and the next merge folds it. (No lock of our own is taken here: an
        instance that never writes a draft leaves no lock file behind, even when killed.)"""
        ddir = self.folder / domain
        ddir.mkdir(parents=True, exist_ok=True)
        live: list[OtherDraft] = []
        held: list[tuple[str, IO[bytes] | None]] = []
        with open(ddir / ".adopt.lock", "ab") as guard:
            if fcntl is not None:
                fcntl.flock(guard.fileno(), fcntl.LOCK_EX)  # brief: another instance is adopting
            try:
                dead: list[Path] = []
                for path in sorted(ddir.glob("*.json")):
                    owner = path.stem
                    if owner == self.instance or path.name.startswith("."):
                        continue
                    alive, lock = self._claim(owner)
                    if alive:
                        live.append(OtherDraft(owner, DraftStore(path).load()))
                        continue
                    held.append((owner, lock))
                    dead.append(path)
                legacy = self.folder / f"{domain}.json"
                if legacy.is_file():
                    dead.append(legacy)
                found = [(p, d) for p in dead if (d := _read(p)) is not None]
                if found:
                    # written before anything is removed; a file that cannot be read stays
                    merge([data for _, data in found])
                    for path, _ in found:
                        path.unlink(missing_ok=True)
                    for owner, _ in held:
                        if not any(self.folder.glob(f"*/{owner}.json")):
                            self._lock_path(owner).unlink(missing_ok=True)
            finally:
                for _, f in held:
                    if f is not None:
                        f.close()
        return live

    def remove_own(self, domain: str) -> None:
        self.own_path(domain).unlink(missing_ok=True)

    def release(self) -> None:
        """On a clean exit: the drafts stay for the next instance; the lock goes."""
        if self._lock is None:
            return
        try:
            self._lock_path(self.instance).unlink(missing_ok=True)
        except OSError:
            pass
        self._lock.close()
        self._lock = None
