"""The purge tracker's state on disk, beside the refresh history (`verify.json` in the data
dir), written atomically (tui/core/files.py) so a SIGKILL leaves the old or the new state.

A dashboard restarted within the tracking window goes on counting where the last one
stopped, instead of rebuilding from a backlog that may be shorter than the window. Older
tracks come back as final (their verdicts stay for the history). A damaged file is ignored:
tracking starts afresh, nothing else is affected.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tui.core.files import atomic_write_text
from tui.refresh.verify import GRACE_S, NS, Figures, PurgeTracker, Target, Track

VERSION = 1
SAVE_EVERY_S = 5.0  # at most one write per this many seconds while entries flow


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _target(obj: dict[str, Any]) -> Target | None:
    kind, url, key = obj.get("kind"), obj.get("url"), obj.get("key")
    if kind not in ("url", "directory") or not isinstance(url, str) or not isinstance(key, str):
        return None
    t = Target(kind, url, key)
    for name in ("requests", "judged", "urls_seen", "urls_missed"):
        setattr(t, name, max(0, _int(obj.get(name)) or 0))
    t.first_miss_ns = _int(obj.get("first_miss_ns"))
    t.refill_ns = _int(obj.get("refill_ns"))
    for name in ("seen", "missed"):
        v = obj.get(name)
        setattr(t, name, {x for x in v if isinstance(x, str)} if isinstance(v, list) else set())
    t.before = Figures.from_json(obj.get("before"))
    t.after = Figures.from_json(obj.get("after"))
    return t


def _track(obj: Any) -> Track | None:
    if not isinstance(obj, dict):
        return None
    tid, domain, start = obj.get("id"), obj.get("domain"), _int(obj.get("start_ns"))
    raw = obj.get("targets")
    if not isinstance(tid, str) or not isinstance(domain, str) or start is None \
            or not isinstance(raw, list):
        return None
    targets = [t for t in (_target(x) for x in raw if isinstance(x, dict)) if t is not None]
    tr = Track(tid, domain, start, targets, Figures.from_json(obj.get("before")),
               Figures.from_json(obj.get("after")), _int(obj.get("last_ns")) or 0,
               obj.get("done") is True, _int(obj.get("fed_ns")) or 0)
    return tr


def dump(tracker: PurgeTracker) -> dict[str, Any]:
    tracks = []
    for tr in tracker.tracks:
        tracks.append({
            "id": tr.id, "domain": tr.domain, "start_ns": tr.start_ns, "last_ns": tr.last_ns,
            "done": tr.done, "fed_ns": tr.fed_ns, "before": tr.before.raw(),
            "after": tr.after.raw(),
            "targets": [{
                "kind": t.kind, "url": t.url, "key": t.key, "requests": t.requests,
                "judged": t.judged, "first_miss_ns": t.first_miss_ns, "refill_ns": t.refill_ns,
                "urls_seen": t.urls_seen, "urls_missed": t.urls_missed,
                "seen": sorted(t.seen) if not tr.done else [],
                "missed": sorted(t.missed) if not tr.done else [],
                "before": t.before.raw(), "after": t.after.raw(),
            } for t in tr.targets],
        })
    return {"version": VERSION, "stream": tracker.stream, "tracks": tracks}


class VerifyStore:
    """Loads and saves one tracker's state (`path`: data dir / verify.json)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._saved_version = -1
        self._saved_at = 0.0

    def load(self, tracker: PurgeTracker, now_ns: int) -> None:
        """Restore the tracks; those past their window (and grace) come back final."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return
        tracks = [t for t in (_track(x) for x in data.get("tracks") or []) if t is not None]
        limit = (tracker.window_s + GRACE_S) * NS
        for tr in tracks:
            if now_ns - tr.start_ns > limit:
                tr.done = True
        stream = data.get("stream")
        if isinstance(stream, dict):
            for d, v in stream.items():
                if isinstance(d, str) and isinstance(v, list) and len(v) == 2 \
                        and all(_int(x) is not None for x in v):
                    tracker.stream[d] = [int(v[0]), int(v[1])]
        tracker.tracks = tracks[-tracker.keep:]
        tracker.version += 1
        self._saved_version = tracker.version

    def save(self, tracker: PurgeTracker, now_s: float | None = None) -> bool:
        """Write the state if it changed; with `now_s`, at most every SAVE_EVERY_S.
        Returns False when nothing was written. OSError propagates (the caller words it)."""
        if tracker.version == self._saved_version:
            return False
        if now_s is not None and now_s - self._saved_at < SAVE_EVERY_S:
            return False
        atomic_write_text(self.path, json.dumps(dump(tracker), separators=(",", ":")))
        self._saved_version = tracker.version
        if now_s is not None:
            self._saved_at = now_s
        return True
