"""Export (`e`, `E`): the shown entries to a file in export_dir, JSON Lines or text."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from tui.core.anonymize import anonymize_entry
from tui.core.buffer import LogBuffer
from tui.core.logfmt import format_json, format_line


def export_path(export_dir: str, domain: str, plain: bool) -> Path:
    folder = Path(export_dir).expanduser()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return folder / f"s4top-{domain}-{stamp}.{'log' if plain else 'jsonl'}"


def write_entries(path: Path, buffer: LogBuffer, plain: bool, utc: bool,
                  anonymize: bool = False) -> int:
    """Writes what the filter shows (client IPs cut when `anonymize`: setting anonymize_ip);
    the count written. The file holds client IPs, so it is created 0600. OSError is the
    caller's to report."""
    fmt = (lambda e: format_line(e, utc)) if plain else format_json
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as f:
        for e in buffer.matching():
            f.write(fmt(anonymize_entry(e) if anonymize else e) + "\n")
            n += 1
    return n


def export_shown(export_dir: str, domain: str, buffer: LogBuffer, plain: bool,
                 utc: bool, anonymize: bool = False) -> tuple[bool, str]:
    """`e`/`E`: (ok, what to tell the user)."""
    path = export_path(export_dir, domain, plain)
    try:
        n = write_entries(path, buffer, plain, utc, anonymize)
    except OSError as exc:
        return False, f"export failed: {exc.strerror} ({path})"
    return True, f"exported {n} entries to {path}"
