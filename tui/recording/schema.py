"""The SQLite schema of a recording, in one place for the writer and the reader.

A recording holds the log entries of each domain in the order they were read (`logs.id`),
the series of the recorded range, the refreshes made meanwhile and a metadata table. Every
normalised field of a `LogEntry` has its own column (`country`/`cache` are NULL when the
source had no such field); the rest of the source entry is JSON in `extra`, and the map of
normalised field -> original key (`LogEntry.source_keys`, shared by all entries of one wire
shape) is stored once in `shapes`. `progress` is the per-domain high-water mark (the last
time and how many entries at that time are stored), exactly as the live cursor keeps it, so
a second `record` run continues where the first stopped. The file carries its version in
`PRAGMA user_version`; a reader refuses a newer one with a clear message.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shapes (
    id          INTEGER PRIMARY KEY,
    source_keys TEXT NOT NULL UNIQUE          -- JSON object: field -> original key
);
CREATE TABLE IF NOT EXISTS logs (
    id        INTEGER PRIMARY KEY,            -- read order
    domain    TEXT    NOT NULL,
    time_ns   INTEGER NOT NULL,               -- access time, Unix nanoseconds
    status    INTEGER NOT NULL,
    method    TEXT    NOT NULL,
    client_ip TEXT    NOT NULL,
    size      INTEGER NOT NULL,               -- response bytes
    url       TEXT    NOT NULL,
    country   TEXT,                           -- NULL: the source had no country field
    cache     TEXT,                           -- NULL: the source had no cache status
    extra     TEXT,                           -- JSON object of the other fields, or NULL
    shape     INTEGER REFERENCES shapes(id)
);
CREATE INDEX IF NOT EXISTS logs_domain_time ON logs (domain, time_ns, id);
CREATE TABLE IF NOT EXISTS series (
    domain  TEXT    NOT NULL,
    metric  TEXT    NOT NULL,                 -- traffic, traffic_origin, request, request_origin
    period  TEXT    NOT NULL,                 -- hourly, daily, monthly
    time_s  INTEGER NOT NULL,                 -- bucket start, Unix seconds
    value   REAL    NOT NULL,
    PRIMARY KEY (domain, metric, period, time_s)
);
CREATE TABLE IF NOT EXISTS refreshes (
    id       INTEGER PRIMARY KEY,
    time_ns  INTEGER NOT NULL,                -- when it was sent
    domain   TEXT    NOT NULL,
    kind     TEXT    NOT NULL,                -- url or directory
    urls     TEXT    NOT NULL,                -- JSON array
    ok       INTEGER NOT NULL,
    status   INTEGER,
    message  TEXT    NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS progress (
    domain        TEXT PRIMARY KEY,
    start_ns      INTEGER NOT NULL,           -- where recording began
    last_time_ns  INTEGER,                    -- newest stored access time (NULL: none yet)
    count_at_last INTEGER NOT NULL DEFAULT 0, -- entries stored at exactly last_time_ns
    covered_ns    INTEGER                     -- read completely up to here
);
"""

#: metadata keys written by `record`
META_KEYS = ("domains", "range_start_ns", "range_end_ns", "s4top_version", "created_at",
             "updated_at", "api_base", "client_ip",  # client_ip: "full" or "anonymized"
             "codes")  # the statuses kept: ALL, or a --codes selection such as 5XX,404


class RecordingError(Exception):
    """A recording that cannot be opened or is not one (one-line message for the user)."""


def create_private(path: Path) -> None:
    """Create `path` empty with mode 0600 before SQLite opens it: SQLite gives its -wal and
    -shm files the database file's mode, so they are private too."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


def hold_exclusive(path: Path) -> int:
    """An fd of `path` holding flock(2) on it, or RecordingError when another writer has it.

    flock, not SQLite's own locks: those are held per transaction, and a second `record`
    would interleave its commits with the first one's. flock and SQLite's fcntl locks are
    independent, but closing any fd of the file drops the process's fcntl locks on it, so
    this fd is closed only after the connection (tui/recording/writer.py `close`). The
    kernel lets go at exit."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)  # a FIFO: no wait
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


def connect(path: Path, *, create: bool = False, readonly: bool = False) -> sqlite3.Connection:
    """Open a recording (creating it with the schema when asked), WAL mode, checked version."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise RecordingError(f"no recording at {path}")
        create_private(path)
    try:
        if readonly:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        else:
            conn = sqlite3.connect(path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            conn.close()
            raise RecordingError(
                f"{path} is a recording of schema {version}; this s4top reads up to "
                f"{SCHEMA_VERSION} (upgrade s4top)")
        if not readonly:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            if version == 0:
                conn.executescript(SCHEMA)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                conn.commit()
        elif version == 0:
            conn.close()
            raise RecordingError(f"{path} is not an s4top recording")
        return conn
    except sqlite3.DatabaseError as exc:
        raise RecordingError(f"{path} is not an s4top recording ({exc})") from None
