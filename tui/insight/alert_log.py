"""Every alert of every domain, active and past, for the alert list (`!`), kept in the data
dir so a restart keeps them.

`alerts.jsonl` is append-only (one line per change of an alert; the last line of an alert
wins, a torn line is skipped) and compacted with an atomic rewrite when it grows past a
bound. Two dashboards on one account share the file: every append and the compaction run
under one lock file, and the compaction re-reads the file first, so neither drops what the
other wrote. A write failure (read-only home, full disk) never stops the monitor: the book
keeps working in memory and says so once.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tui.core.files import HistoryStore, atomic_write_text
from tui.insight.alerts import KINDS, AlertState

try:
    import fcntl
except ImportError:  # not on Windows: one instance per account is assumed there
    fcntl = None  # type: ignore[assignment]

KEEP = 500  # alerts kept
COMPACT_AT = 4 * KEEP  # lines in the file before it is rewritten with the last KEEP alerts


@dataclass(slots=True)
class AlertRecord:
    """One alert episode: from the first window that fired to the window that cleared it."""

    domain: str
    kind: str
    start_s: int
    peak: float
    value: float
    end_s: int = 0  # 0: ongoing
    state: str = "firing"  # firing | stale | resolved
    evidence_s: int = 0
    baseline: float = 0.0
    finding: str = ""  # the top finding (filled by the explain feature; "" for now)

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.domain, self.kind, self.start_s)

    def figure(self, v: float) -> str:
        return f"{v:.1f}/s" if self.kind == "origin" else f"{v:.1%}"

    @classmethod
    def from_json(cls, obj: Any) -> AlertRecord | None:
        try:
            rec = cls(
                domain=str(obj["domain"]), kind=str(obj["kind"]), start_s=int(obj["start_s"]),
                peak=float(obj["peak"]), value=float(obj.get("value", obj["peak"])),
                end_s=int(obj.get("end_s") or 0), state=str(obj.get("state", "stale")),
                evidence_s=int(obj.get("evidence_s") or 0),
                baseline=float(obj.get("baseline") or 0.0), finding=str(obj.get("finding") or ""),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if rec.kind not in KINDS or rec.state not in ("firing", "stale", "resolved"):
            return None
        return rec


class AlertBook:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = HistoryStore(path)
        self._records: dict[tuple[str, str, int], AlertRecord] = {}
        self._lines = 0
        self.write_failed = False
        self._load()

    def _load(self) -> None:
        raw = self._file.read()
        self._lines = len(raw)
        for obj in raw:
            rec = AlertRecord.from_json(obj)
            if rec is not None:
                self._records.pop(rec.key, None)  # the last line of an alert wins
                self._records[rec.key] = rec
        self._trim()

    def _trim(self) -> None:
        while len(self._records) > KEEP:
            self._records.pop(next(iter(self._records)))

    def records(self) -> list[AlertRecord]:
        """Newest first; the active ones first of all."""
        recs = sorted(self._records.values(), key=lambda r: r.start_s, reverse=True)
        active = [r for r in recs if r.state != "resolved"]
        return active + [r for r in recs if r.state == "resolved"]

    def unresolved(self, domain: str) -> list[AlertRecord]:
        return [r for r in self._records.values() if r.domain == domain and r.state != "resolved"]

    def track(self, domain: str, a: AlertState, *, write: bool = True) -> bool:
        """Record the alert's current figures; False when the file could not be written."""
        key = (domain, a.kind, a.since_s)
        rec = self._records.get(key)
        if rec is None:
            rec = self._records[key] = AlertRecord(domain, a.kind, a.since_s, a.peak, a.value)
            self._trim()
        rec.peak, rec.value, rec.baseline = max(rec.peak, a.peak), a.value, a.baseline
        rec.evidence_s = a.evidence_s
        rec.state = a.status or "firing"
        rec.end_s = a.ended_s if not a.active else 0
        return self._write(rec) if write else True

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Held around every write: another instance's append never lands in a file that a
        compaction is replacing."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            if fcntl is not None:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            yield

    def _write(self, rec: AlertRecord) -> bool:
        try:
            with self._locked():
                if self._lines + 1 > COMPACT_AT:
                    self._compact(rec)
                else:
                    self._file.append(asdict(rec))
                    self._lines += 1
        except OSError:
            self.write_failed = True
            return False
        return True

    def _compact(self, rec: AlertRecord) -> None:
        """Rewrite the file with the last KEEP alerts, read from the file itself (it holds
        every other instance's lines too), this change last."""
        merged: dict[tuple[str, str, int], AlertRecord] = {}
        for obj in self._file.read():
            found = AlertRecord.from_json(obj)
            if found is not None:
                merged.pop(found.key, None)
                merged[found.key] = found
        merged.pop(rec.key, None)
        merged[rec.key] = rec
        while len(merged) > KEEP:
            merged.pop(next(iter(merged)))
        text = "".join(json.dumps(asdict(r), separators=(",", ":")) + "\n"
                       for r in merged.values())
        atomic_write_text(self.path, text)
        self._lines = len(merged)
        for key, found in merged.items():  # what the other instance recorded shows here too
            if key not in self._records:
                self._records[key] = found
        self._trim()


def restored_state(rec: AlertRecord) -> AlertState:
    """An alert left unresolved by a previous run: active and stale until evidence comes."""
    return AlertState(rec.kind, active=True, stale=True, value=rec.value, baseline=rec.baseline,
                      since_s=rec.start_s, peak=rec.peak, evidence_s=rec.evidence_s,
                      checked_s=rec.evidence_s, fire_baseline=rec.baseline, why="restored")
