"""Export (`e`, `E`): the shown entries to a file in export_dir, JSON Lines or text."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tui.core.buffer import LogBuffer
from tui.core.logfmt import format_json, format_line


def export_path(export_dir: str, domain: str, plain: bool) -> Path:
    folder = Path(export_dir).expanduser()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return folder / f"s4top-{domain}-{stamp}.{'log' if plain else 'jsonl'}"


def write_entries(path: Path, buffer: LogBuffer, plain: bool, utc: bool) -> int:
    """Writes what the filter shows; the count written. OSError is the caller's to report."""
    fmt = (lambda e: format_line(e, utc)) if plain else format_json
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for e in buffer.matching():
            f.write(fmt(e) + "\n")
            n += 1
    return n


def export_shown(export_dir: str, domain: str, buffer: LogBuffer, plain: bool,
                 utc: bool) -> tuple[bool, str]:
    """`e`/`E`: (ok, what to tell the user)."""
    path = export_path(export_dir, domain, plain)
    try:
        n = write_entries(path, buffer, plain, utc)
    except OSError as exc:
        return False, f"export failed: {exc.strerror} ({path})"
    return True, f"exported {n} entries to {path}"
