"""Plain-text and JSON Lines forms of a log entry (CLI output and exports)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tui.core.models import LogEntry
from tui.core.sanitize import inert
from tui.core.units import format_bytes


def format_time(ns: int, utc: bool) -> str:
    dt = datetime.fromtimestamp(ns / 1e9, tz=UTC if utc else None)
    return dt.strftime("%Y-%m-%d %H:%M:%S.") + f"{(ns // 1_000_000) % 1000:03d}"


def format_line(e: LogEntry, utc: bool) -> str:
    """One plain line; every field from the server goes through `inert`."""
    fields = [
        format_time(e.time_ns, utc),
        str(e.status) if e.status else "---",
        inert(e.method or "-", 16),
        format_bytes(e.size),
        inert(e.client_ip or "-", 64),
        inert(e.country or "-", 16),
    ]
    if e.cache:
        fields.append(inert(e.cache, 16))
    fields.append(inert(e.url or "-", 4096))
    return " ".join(fields)


def format_json(e: LogEntry) -> str:
    """ensure_ascii escapes every control, C1, bidi and non-ASCII character: inert by construction."""
    return json.dumps(e.to_json_obj(), ensure_ascii=True, separators=(",", ":"), default=str)
