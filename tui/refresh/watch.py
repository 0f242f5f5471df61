"""The dashboard's side of purge verification: starts a track on every accepted refresh,
feeds the tracker from the domains' buffers (by sequence number, so each entry once), keeps
its state on disk, and words what the status line, the history and the charts show.

Plain Python (no Textual): the app calls `accepted(job, buffer)` when a send ends and
`arrived(domain, buffer)` after the pollers ingest entries (tui/live/pollers.py's
`entries_arrived` hook, whose signature stays as it is).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.core.buffer import LogBuffer
from tui.core.models import LogEntry
from tui.refresh.job import SendJob
from tui.refresh.verify import BEFORE_S, NS, PurgeTracker, Target, Track, match_key, status_text
from tui.refresh.verify_store import VerifyStore

SAMPLE = 64  # with nothing tracked, this many of the newest entries tell if caches show


def submission_id(domain: str, time_s: Any) -> str:
    """The id a history record and its track share (tui/refresh/sender.py's time_s)."""
    try:
        return f"{domain}@{float(time_s):.3f}"
    except (TypeError, ValueError):
        return f"{domain}@?"


class PurgeWatch:
    def __init__(self, data_dir: Path, window_s: float, needed: int,
                 clock_ns: Callable[[], int], wall: Callable[[], float] = time.time,
                 on_error: Callable[[str], None] = lambda _m: None) -> None:
        self.tracker = PurgeTracker(window_s, needed)
        self.store = VerifyStore(data_dir / "verify.json")  # beside history.jsonl
        self.clock_ns = clock_ns
        self.wall = wall
        self.on_error = on_error
        self._seq: dict[str, int] = {}  # per domain: the next buffer seq to feed
        self._status: tuple[Any, str] = ((), "")
        self._marks: tuple[Any, tuple[Any, ...]] = ((), ())
        self._save_failed = False
        self.store.load(self.tracker, clock_ns())

    # -- events ------------------------------------------------------------------------

    def accepted(self, job: SendJob, buffer: LogBuffer | None) -> Track | None:
        """A send ended: track what was accepted (a retry adds to the same submission)."""
        sub = job.submission
        ok = [st for st in job.requests if st.phase == "ok"]
        if sub is None or not ok:
            return None
        sent = [t for t in sub.sent_s if t is not None]
        # the refresh went out at `first sent`, on the wall clock; the log's clock is ours
        ago_s = max(0.0, self.wall() - min(sent)) if sent else 0.0
        start_ns = self.clock_ns() - int(ago_s * NS)
        tid = submission_id(job.domain, round(sub.started_s, 3))
        targets = [(st.request.kind.value, u) for st in ok for u in st.request.urls]
        old = self.tracker.get(tid)
        if old is not None:
            known = {(t.kind, t.url) for t in old.targets}
            targets = [x for x in targets if x not in known]
            start_ns = old.start_ns
            targets = [(t.kind, t.url) for t in old.targets] + targets
        before: list[LogEntry] = []
        span: float | None = None
        if buffer is not None:
            self._seq[job.domain] = buffer.appended  # what follows is "after"
            before, span = before_entries(buffer, job.domain, targets, start_ns)
        tr = self.tracker.track(job.domain, targets, start_ns, tid, before=before,
                                before_span_s=span)
        if old is not None:  # keep what the earlier requests of the submission saw
            by = {(t.kind, t.url): t for t in old.targets}
            tr.targets = [by.get((t.kind, t.url), t) for t in tr.targets]
            tr.before, tr.after = old.before, old.after
        self.save(force=True)
        return tr

    def arrived(self, domain: str, buffer: LogBuffer) -> None:
        """New entries are in `buffer`: feed those not fed yet. While nothing of `domain` is
        tracked only whether its entries carry a cache status matters, and once some did
        nothing is read at all (a catch-up hands over a hundred batches; the app's
        once-a-second `tick` keeps the clock of the other domains' tracks)."""
        start = max(self._seq.get(domain, buffer.appended - SAMPLE), buffer.appended - len(buffer))
        end = buffer.appended
        self._seq[domain] = end
        tracked = any(t.domain == domain and not t.done for t in self.tracker.tracks)
        if not tracked:
            if self.tracker.stream_has_cache(domain):
                return
            start = max(start, end - SAMPLE)  # only whether entries carry a cache status
        entries = (e for e in (buffer.entry_by_seq(s) for s in range(start, end))
                   if e is not None)
        self.tracker.feed(domain, entries)
        self.tick()

    def tick(self) -> None:
        self.tracker.tick(self.clock_ns())
        self.save()

    def save(self, force: bool = False) -> None:
        try:
            self.store.save(self.tracker, None if force else self.wall())
            self._save_failed = False
        except OSError as exc:
            if not self._save_failed:  # said once, not on every batch of entries
                self._save_failed = True
                self.on_error(f"could not save the purge tracking: {exc.strerror}")

    # -- what the screens show -----------------------------------------------------------

    def status(self, domain: str, utc: bool) -> str:
        """The status-area line while a refresh of `domain` is tracked ("" otherwise)."""
        now = self.clock_ns()
        tr = self.tracker.young(now, domain)
        key = (self.tracker.version, tr.id if tr else None, utc)
        if key == self._status[0]:
            return self._status[1]
        text = status_text(self.tracker, tr, hhmm(tr.start_ns, utc)) if tr else ""
        self._status = (key, text)
        return text

    def marks(self, domain: str, times: tuple[float, ...]) -> tuple[Any, ...]:
        """The charts' refresh marks: (time, "purged") for a purged submission of
        `domain`, the plain time otherwise (tui/widgets/charts.py draws both)."""
        key = (self.tracker.version, domain, times)
        if key == self._marks[0]:
            return self._marks[1]
        purged = set()
        for tr in self.tracker.tracks:
            if tr.domain == domain and self.tracker.counts(tr).get("purged"):
                purged.add(tr.id)
        out = tuple((t, "purged") if submission_id(domain, round(t, 3)) in purged else t
                    for t in times)
        self._marks = (key, out)
        return out

    def for_record(self, rec: dict[str, Any]) -> Track | None:
        """The track of a history record, if any."""
        domain = rec.get("domain")
        if not isinstance(domain, str):
            return None
        return self.tracker.get(submission_id(domain, rec.get("time_s")))


def before_entries(buffer: LogBuffer, domain: str, targets: list[tuple[str, str]],
                   start_ns: int) -> tuple[list[LogEntry], float]:
    """The buffered entries of the refreshed set (picked by URL first: a full buffer is
    100k entries, and this runs as the refresh is accepted) and the span they come from."""
    probe = Track("", domain, start_ns, [Target(k, u, match_key(u, domain)) for k, u in targets])
    first = buffer.appended - len(buffer)
    keys: dict[str, bool] = {}
    out = []
    for seq in range(first, buffer.appended):
        url = buffer.url_of_seq(seq)
        hit = keys.get(url)
        if hit is None:
            hit = keys[url] = bool(probe.matching(match_key(url, domain)))
        if hit:
            e = buffer.entry_by_seq(seq)
            if e is not None:
                out.append(e)
    oldest = buffer.entry_by_seq(first) if len(buffer) else None
    lo = start_ns - int(BEFORE_S * NS)
    span = (start_ns - max(lo, oldest.time_ns)) / NS if oldest is not None else 0.0
    return out, max(0.0, span)


def hhmm(t_ns: int, utc: bool) -> str:
    return datetime.fromtimestamp(t_ns / NS, tz=UTC if utc else None).strftime("%H:%M")
