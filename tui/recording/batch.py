"""One batch of a recording in one transaction: the statement and its rewriting, shared by the
writer (tui/recording/writer.py) and its commit process (tui/recording/committer.py)."""

from __future__ import annotations

import sqlite3
from typing import Any

from tui.recording.fields import storable

__all__ = ["store_batch"]

_INSERT = ("INSERT INTO logs (domain, time_ns, status, method, client_ip, size, url, country, "
           "cache, extra, shape) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
#: the JSON text columns of a `logs` and a `shapes` row (fields.storable)
_EXTRA_JSON, _SHAPE_JSON = frozenset({9}), frozenset({1})


def store_batch(conn: sqlite3.Connection, shapes: list[tuple[Any, ...]],
                rows: list[tuple[Any, ...]], marks: list[tuple[Any, ...]]) -> None:
    """One batch in one transaction: its new shapes, its rows and the marks they reach (here or
    in the commit process). A batch that does not bind (a lone surrogate, an integer beyond 64
    bits) is rolled back, its rare rows rewritten (fields.storable) and stored."""
    try:
        _store(conn, shapes, rows, marks)
    except (UnicodeEncodeError, OverflowError):
        _store(conn, [storable(s, _SHAPE_JSON) for s in shapes],
               [storable(r, _EXTRA_JSON) for r in rows], marks)


def _store(conn: sqlite3.Connection, shapes: list[tuple[Any, ...]],
           rows: list[tuple[Any, ...]], marks: list[tuple[Any, ...]]) -> None:
    with conn:
        if shapes:
            conn.executemany("INSERT INTO shapes (id, source_keys) VALUES (?, ?)", shapes)
        if rows:
            conn.executemany(_INSERT, rows)
        conn.executemany("UPDATE progress SET last_time_ns = ?, count_at_last = ?, "
                         "covered_ns = ? WHERE domain = ?", marks)
