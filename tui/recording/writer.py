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

import fcntl
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tui.core.models import LogEntry, Series
from tui.recording.schema import RecordingError, connect, create_private

__all__ = ["DomainProgress", "RecordingWriter", "public_api_base"]

#: what json.dumps(extra, ensure_ascii=False, default=str) writes, without a new encoder for
#: every entry
_EXTRA_JSON = json.JSONEncoder(ensure_ascii=False, default=str)


#: JSON text of the flat string maps seen (a referer and a user agent repeat across entries;
#: the parser shares equal strings, so the key hashes cheaply). Only all-string maps are kept,
#: so a hit is always the same text; bounded: emptied when full, long texts never kept.
_EXTRAS: dict[tuple[tuple[str, Any], ...], str] = {}
_EXTRAS_LIMIT = 4096
_EXTRAS_MAX_LEN = 1024


def _extra_json(extra: Mapping[str, Any]) -> str:
    """`extra` as JSON, the same text as `_EXTRA_JSON`; the usual flat map of strings (a
    referer, a user agent) is joined directly, twice as fast as the encoder's general path,
    and remembered."""
    key = tuple(extra.items())
    try:
        text = _EXTRAS.get(key)
    except TypeError:  # an unhashable value (a list, a map): the general path
        return _EXTRA_JSON.encode(extra)
    if text is not None:
        return text
    parts = []
    for k, v in key:
        if type(k) is not str or type(v) is not str:
            return _EXTRA_JSON.encode(extra)
        parts.append(f"{encode_basestring(k)}: {encode_basestring(v)}")
    text = "{" + ", ".join(parts) + "}"
    if len(text) <= _EXTRAS_MAX_LEN:
        if len(_EXTRAS) >= _EXTRAS_LIMIT:
            _EXTRAS.clear()
        _EXTRAS[key] = text
    return text


_INSERT = ("INSERT INTO logs (domain, time_ns, status, method, client_ip, size, url, country, "
           "cache, extra, shape) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


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


def public_api_base(url: str) -> str:
    """The API base without credentials (user:password@) or query: safe to store."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


class RecordingWriter:
    """An open recording being written; `close()` commits what is buffered."""

    def __init__(self, conn: sqlite3.Connection, path: Path, batch_size: int = 5000) -> None:
        self._conn = conn
        self.path = path
        self.batch_size = batch_size
        self._rows: list[tuple[Any, ...]] = []
        self._marks: dict[str, DomainProgress] = {}
        self._dirty: set[str] = set()
        self._shapes: dict[str, int] = {}
        self._shape_objs: dict[int, tuple[Mapping[str, str], int]] = {}
        self._broken = False
        self._lock: int | None = None  # the fd holding the file's flock (see `_hold`)
        self.stored = 0  # entries committed by this writer
        self.commits = 0

    @property
    def pending(self) -> int:
        """Entries buffered, not committed yet."""
        return len(self._rows)

    @classmethod
    def open(cls, path: Path, batch_size: int = 5000) -> RecordingWriter:
        """Open `path` for recording: a new file (0600), or an existing recording to continue.
        Anything else (another database, an empty or foreign file) is refused, and so is a
        file another writer holds (both would continue from one mark: every entry twice)."""
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
        lock = _hold(path)
        try:
            if not created:
                connect(path, readonly=True).close()  # refuses what is not a recording
            writer = cls(connect(path), path, batch_size)
        except BaseException:
            os.close(lock)
            raise
        writer._lock = lock
        return writer

    # ------------------------------------------------------------------ progress

    def progress(self, domain: str) -> DomainProgress | None:
        if domain in self._marks:
            return self._marks[domain]
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
        extra_json = _extra_json
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
        if sid is None:
            self._conn.execute("INSERT OR IGNORE INTO shapes (source_keys) VALUES (?)", (text,))
            sid = self._conn.execute("SELECT id FROM shapes WHERE source_keys = ?",
                                     (text,)).fetchone()[0]
            self._shapes[text] = sid
        if len(self._shape_objs) < 4096:  # hostile shapes cannot grow it without bound
            self._shape_objs[id(keys)] = (keys, sid)
        return sid

    def commit(self) -> None:
        """Store the buffered entries and the marks they reach, in one transaction."""
        if self._broken:
            return  # an earlier commit failed (and raised): nothing more is stored
        if not self._rows and not self._dirty:
            return
        rows, self._rows = self._rows, []
        try:
            with self._conn:
                if rows:
                    self._conn.executemany(_INSERT, rows)
                for domain in sorted(self._dirty):
                    m = self._marks[domain]
                    self._conn.execute(
                        "UPDATE progress SET last_time_ns = ?, count_at_last = ?, "
                        "covered_ns = ? WHERE domain = ?",
                        (m.last_time_ns, m.count_at_last, m.covered_ns, domain))
        except BaseException:
            # the marks in memory moved past rows that are not stored: never commit them
            self._broken = True
            raise
        self._dirty.clear()
        self.stored += len(rows)
        self.commits += 1

    # ------------------------------------------------------------------ the rest

    def write_series(self, domain: str, series: Iterable[Series]) -> int:
        """Buckets of the recorded range; a bucket read again (it was partial) is replaced."""
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
        added = 0
        with self._conn:
            for rec in records:
                if rec.get("domain") not in domains:
                    continue
                for req in rec.get("requests") or ():
                    row = _refresh_row(rec, req)
                    if row is None or not start_ns <= row[0] <= end_ns:
                        continue
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
        return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    def close(self) -> None:
        """Commit what is buffered and close the file (a failed commit still closes it)."""
        try:
            if not self._broken:
                self.commit()
        finally:
            try:
                self._conn.close()
            finally:
                if self._lock is not None:  # after SQLite's close: see `_hold`
                    os.close(self._lock)
                    self._lock = None


def _hold(path: Path) -> int:
    """An fd of `path` holding flock(2) on it, or RecordingError when another writer has it.

    flock, not SQLite's own locks: those are held per transaction, and a second `record`
    would interleave its commits with the first one's. flock and SQLite's fcntl locks are
    independent, but closing any fd of the file drops the process's fcntl locks on it, so
    this fd is closed only after the connection (`close`). The kernel lets go at exit."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise RecordingError(f"cannot open {path}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise RecordingError(f"{path} is being written by another s4top record; "
                             "one writer at a time (wait for it, or record to another file)"
                             ) from None
    return fd


def _refresh_row(rec: Mapping[str, Any], req: Mapping[str, Any]) -> tuple[Any, ...] | None:
    sent = req.get("sent_s")
    if not isinstance(sent, (int, float)) or isinstance(sent, bool):
        return None  # never sent: nothing happened on the CDN
    urls = req.get("urls")
    if not isinstance(urls, list):
        return None
    status = req.get("status")
    return (int(round(sent * 1e9)), str(rec.get("domain")), str(req.get("type", "")),
            json.dumps(urls, ensure_ascii=False), 1 if req.get("ok") else 0,
            status if isinstance(status, int) else None, str(req.get("message") or ""))
