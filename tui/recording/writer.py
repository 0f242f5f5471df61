"""Writing a recording (`s4top record`): log entries in batches, the high-water mark with them.

The schema is in tui/recording/schema.py. Entries arrive in time order per domain, each once
(the slices and the tail see to that); the writer buffers them and commits a batch in one
transaction together with the domain's `progress` row: the newest stored time and how many
entries at exactly that time are stored, as `LogCursor.position` keeps it. A process killed
between two commits loses only the uncommitted batch, and the next run resumes from the
committed mark, so nothing is stored twice. No deduplication on field values: two real
requests can be identical in every field.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui.core.models import LogEntry, Series
from tui.recording.batch import store_batch
from tui.recording.fields import extra_json, public_api_base, refresh_row, storable
from tui.recording.schema import RecordingError, connect, create_private, hold_exclusive

__all__ = ["DomainProgress", "RecordingWriter", "public_api_base"]

#: the JSON text column of a `refreshes` row (fields.storable)
_URLS_JSON = frozenset({3})


@dataclass(slots=True)
class DomainProgress:
    """One `progress` row: where a domain's recording began and how far it got."""

    domain: str
    start_ns: int
    last_time_ns: int | None = None
    count_at_last: int = 0
    covered_ns: int | None = None

    def resume_at(self) -> tuple[int, int]:
        """(time, entries at that time already stored) for the next read."""
        if self.last_time_ns is None:
            start = self.start_ns
            if self.covered_ns is not None:
                start = max(start, self.covered_ns + 1)
            return start, 0
        return self.last_time_ns, self.count_at_last


class RecordingWriter:
    """An open recording being written; `close()` commits what is buffered."""

    def __init__(self, conn: sqlite3.Connection, path: Path, batch_size: int = 5000) -> None:
        self._conn = conn
        self.path = path
        self.batch_size = batch_size
        self._rows: list[tuple[Any, ...]] = []
        self._marks: dict[str, DomainProgress] = {}
        self._dirty: set[str] = set()
        self._shapes: dict[str, int] = dict(conn.execute("SELECT source_keys, id FROM shapes"))
        self._next_shape = max(self._shapes.values(), default=0) + 1
        self._new_shapes: list[tuple[int, str]] = []  # stored with the next batch
        self._shape_objs: dict[int, tuple[Mapping[str, str], int]] = {}
        self._broken = False
        self._lock: int | None = None  # the fd holding the file's flock (see `hold_exclusive`)
        self._committer: Any = None  # a Committer (tui/recording/committer.py) when apart
        self._stored = 0  # entries committed by this writer itself
        self.commits = 0

    @property
    def stored(self) -> int:
        """Entries committed (by the commit process too, as far as it has answered)."""
        return self._stored + (self._committer.stored if self._committer is not None else 0)

    @property
    def pending(self) -> int:
        """Entries buffered or handed to the commit process, not committed yet."""
        c = self._committer
        return len(self._rows) + (c.sent - c.stored if c is not None else 0)

    @classmethod
    def open(cls, path: Path, batch_size: int = 5000, apart: bool = False) -> RecordingWriter:
        """Open `path` for recording: a new file (0600), or an existing recording to continue.
        Anything else (another database, an empty or foreign file) is refused, and so is a
        file another writer holds (both would continue from one mark: every entry twice).
        `apart`: the batches are committed by a process of their own
        (tui/recording/committer.py); everything else is done here, once they are in."""
        path = Path(path)
        if path.is_dir():
            raise RecordingError(f"{path} is a directory, not a recording")
        created = False
        try:
            create_private(path)
            created = True
        except FileExistsError:
            pass
        except OSError as exc:
            raise RecordingError(f"cannot create {path}: {exc.strerror or exc}") from None
        try:
            mode = path.stat().st_mode
        except OSError as exc:  # a dangling symlink
            raise RecordingError(f"cannot open {path}: {exc.strerror or exc}") from None
        if not stat.S_ISREG(mode):  # a FIFO would hang SQLite's open
            raise RecordingError(f"{path} is not a regular file, not a recording")
        lock = hold_exclusive(path)
        try:
            if not created:
                connect(path, readonly=True).close()  # refuses what is not a recording
            writer = cls(connect(path), path, batch_size)
        except BaseException:
            os.close(lock)
            raise
        writer._lock = lock
        if apart:
            from tui.recording.committer import Committer

            try:
                writer._committer = Committer(path, lock)
            except BaseException:
                writer.close()
                raise
        return writer

    def _settle(self) -> None:
        """Every batch handed to the commit process is in (before anything else is written
        or read here: one writer of the file at a time)."""
        if self._committer is not None:
            self._committer.settle()

    # ------------------------------------------------------------------ progress

    def progress(self, domain: str) -> DomainProgress | None:
        if domain in self._marks:
            return self._marks[domain]
        self._settle()
        row = self._conn.execute(
            "SELECT start_ns, last_time_ns, count_at_last, covered_ns FROM progress "
            "WHERE domain = ?", (domain,)).fetchone()
        if row is None:
            return None
        mark = DomainProgress(domain, row[0], row[1], row[2], row[3])
        self._marks[domain] = mark
        return mark

    def begin(self, domain: str, start_ns: int) -> DomainProgress:
        """The domain's mark, created at `start_ns` when the file has none yet."""
        mark = self.progress(domain)
        if mark is None:
            mark = DomainProgress(domain, int(start_ns))
            self._marks[domain] = mark
            self._settle()
            self._conn.execute("INSERT INTO progress (domain, start_ns) VALUES (?, ?)",
                               (domain, mark.start_ns))
            self._conn.commit()
        return mark

    def covered(self, domain: str, until_ns: int) -> None:
        """Everything of `domain` up to `until_ns` is read (stored with the next commit)."""
        mark = self._marks[domain]
        if mark.covered_ns is None or until_ns > mark.covered_ns:
            mark.covered_ns = int(until_ns)
            self._dirty.add(domain)

    # ------------------------------------------------------------------ entries

    def add(self, domain: str, entries: Sequence[LogEntry],
            seen: Sequence[LogEntry] | None = None) -> None:
        """Buffer entries of `domain` (in time order, each once); commits full batches.

        `seen`: everything the server delivered, of which `entries` are the ones kept (a
        `--codes` selection). The mark counts what was delivered, as the cursor does, so a
        continued run skips exactly what was read before, kept or not."""
        delivered = entries if seen is None else seen
        if not delivered:
            return
        mark = self._marks[domain]
        self._rows.extend(self._rows_of(domain, entries))
        last = delivered[-1].time_ns  # the mark: the run of equal times at the end
        run = 0
        for e in reversed(delivered):
            if e.time_ns != last:
                break
            run += 1
        if run == len(delivered) and last == mark.last_time_ns:
            mark.count_at_last += run
        else:
            mark.last_time_ns, mark.count_at_last = last, run
        self._dirty.add(domain)
        if len(self._rows) >= self.batch_size:
            self.commit()

    def _rows_of(self, domain: str, entries: Sequence[LogEntry]) -> list[tuple[Any, ...]]:
        """The `logs` rows of `entries`; the per-shape work (shape id, which optional fields
        the source has) is done when the shape changes, not per entry (the hot path)."""
        rows = []
        append = rows.append
        keys: Mapping[str, str] | None = None
        sid = None
        has_country = has_cache = False
        for e in entries:
            if e.source_keys is not keys:
                keys = e.source_keys
                sid = self._shape_id(keys) if keys else None
                has_country, has_cache = "country" in keys, "cache" in keys
            country, cache, extra = e.country, e.cache, e.extra
            append((domain, e.time_ns, e.status, e.method, e.client_ip, e.size, e.url,
                    country if has_country or country else None,
                    cache if has_cache or cache else None,
                    extra_json(extra) if extra else None, sid))
        return rows

    def _shape_id(self, keys: Mapping[str, str]) -> int:
        # The parser shares one source_keys dict among the entries of a wire shape
        # (tui/api/parse.py): found by identity, the JSON text is made once per shape, not per
        # entry (the hot path of `record`). The dict is held, so its id is never reused.
        held = self._shape_objs.get(id(keys))
        if held is not None and held[0] is keys:
            return held[1]
        text = json.dumps(dict(sorted(keys.items())), ensure_ascii=False)
        sid = self._shapes.get(text)
        if sid is None:  # the id SQLite would give (the file's shapes are all known: `open`)
            sid, self._next_shape = self._next_shape, self._next_shape + 1
            self._new_shapes.append((sid, text))
            self._shapes[text] = sid
        if len(self._shape_objs) < 4096:  # hostile shapes cannot grow it without bound
            self._shape_objs[id(keys)] = (keys, sid)
        return sid

    def commit(self) -> None:
        """Store the buffered entries, the new shapes and the marks they reach, in one
        transaction."""
        if self._broken:
            return  # an earlier commit failed (and raised): nothing more is stored
        if not self._rows and not self._dirty:
            return
        try:
            rows, self._rows = self._rows, []
            shapes, self._new_shapes = self._new_shapes, []
            marks = [(m.last_time_ns, m.count_at_last, m.covered_ns, m.domain)
                     for m in (self._marks[d] for d in sorted(self._dirty))]
            if self._committer is not None:
                self._committer.send(shapes, rows, marks)  # an earlier batch's error raises
            else:
                store_batch(self._conn, shapes, rows, marks)
                self._stored += len(rows)
        except BaseException:
            # the marks in memory moved past rows that are not stored: never commit them
            self._broken = True
            raise
        self._dirty.clear()
        self.commits += 1

    # ------------------------------------------------------------------ the rest

    def write_series(self, domain: str, series: Iterable[Series]) -> int:
        """Buckets of the recorded range; a bucket read again (it was partial) is replaced."""
        self._settle()
        rows = [(domain, s.metric.value, s.period, int(t), float(v))
                for s in series for t, v in s.points]
        with self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO series (domain, metric, period, time_s, value) "
                "VALUES (?, ?, ?, ?, ?)", rows)
        return len(rows)

    def write_refreshes(self, records: Iterable[Mapping[str, Any]], domains: Sequence[str],
                        start_ns: int, end_ns: int) -> int:
        """The refresh requests of the history file (tui/refresh/sender.py `to_record`) sent
        within the range for the recorded domains; one already stored is not stored again."""
        self._settle()
        added = 0
        with self._conn:
            for rec in records:
                if rec.get("domain") not in domains:
                    continue
                for req in rec.get("requests") or ():
                    row = refresh_row(rec, req)
                    if row is None or not start_ns <= row[0] <= end_ns:
                        continue
                    row = storable(row, _URLS_JSON)  # a few rows: always made bindable
                    if self._conn.execute(
                            "SELECT 1 FROM refreshes WHERE time_ns = ? AND domain = ? AND "
                            "kind = ? AND urls = ?", row[:4]).fetchone():
                        continue
                    self._conn.execute(
                        "INSERT INTO refreshes (time_ns, domain, kind, urls, ok, status, message)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)", row)
                    added += 1
        return added

    def write_meta(self, domains: Sequence[str], start_ns: int, end_ns: int, version: str,
                   api_base: str, anonymized: bool = False, codes: str = "ALL") -> None:
        """The metadata table; `created_at` is kept from the first run, the range widened;
        `client_ip` says whether the addresses were cut (tui/core/anonymize.py); `codes`
        which statuses are kept (a `--codes` selection, tui/core/statuscodes.py)."""
        self._settle()
        now = datetime.fromtimestamp(time.time(), tz=UTC).isoformat(timespec="seconds")
        old = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        known = json.loads(old["domains"]) if "domains" in old else []
        merged = list(dict.fromkeys([*known, *domains]))
        start = min(start_ns, int(old["range_start_ns"])) if "range_start_ns" in old \
            else start_ns
        end = max(end_ns, int(old["range_end_ns"])) if "range_end_ns" in old else end_ns
        values = {"domains": json.dumps(merged), "range_start_ns": str(start),
                  "range_end_ns": str(end), "s4top_version": version,
                  "created_at": old.get("created_at", now), "updated_at": now,
                  "api_base": public_api_base(api_base),
                  "client_ip": "anonymized" if anonymized else "full", "codes": codes}
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                   sorted(values.items()))

    def meta(self) -> dict[str, str]:
        self._settle()
        return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    def close(self) -> None:
        """Commit what is buffered and close the file (a failed commit still closes it)."""
        try:
            if not self._broken:
                self.commit()
            if self._committer is not None:
                committer = self._committer
                try:  # raises the error of a batch that failed, unless raised already
                    committer.close(raise_error=not self._broken)
                except BaseException:
                    self._broken = True
                    raise
                finally:
                    self._committer = None
                    self._stored += committer.stored
        finally:
            try:
                self._conn.close()
            finally:
                if self._lock is not None:  # after SQLite's close (`hold_exclusive`)
                    os.close(self._lock)
                    self._lock = None
