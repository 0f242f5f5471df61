"""The refresh batch of each domain: the draft text (saved atomically on every change),
which log rows it tags, toggling from the log pane, and dropping what was accepted.

Each running instance keeps its own draft file (tui/refresh/instances.py); opening a batch merges
in what instances that are gone left behind, and leaves live ones alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui.core.models import LogEntry
from tui.refresh.instances import DraftFiles, OtherDraft
from tui.refresh.lines import (
    directory_of,
    merge_batches,
    split_prefix,
    tagged_entries,
    toggle_entry,
)
from tui.refresh.plan import RefreshKind, normalize_entry


def _from_file(data: dict[str, Any]) -> tuple[str, RefreshKind]:
    text = data.get("text") if isinstance(data.get("text"), str) else ""
    kind = RefreshKind.DIRECTORY if data.get("kind") == "directory" else RefreshKind.URL
    return text, kind


class BatchBook:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files = DraftFiles(folder)
        self._drafts: dict[str, tuple[str, RefreshKind]] = {}
        self._tagged: dict[str, dict[str, RefreshKind]] = {}
        #: Why the last save failed (disk full, read-only): "" once a save succeeds. The text
        #: stays in memory and is saved again with the next change.
        self.save_error: str = ""

    def draft(self, domain: str) -> tuple[str, RefreshKind]:
        """This instance's batch; the first look also adopts what dead instances left."""
        if domain not in self._drafts:
            self._drafts[domain] = _from_file(self.files.load_own(domain))
            self.open(domain)
        return self._drafts[domain]

    def open(self, domain: str) -> list[OtherDraft]:
        """Merge the drafts of instances that are gone into this one (saved before theirs are
        removed). Returns the drafts live instances are still editing: never taken."""
        self.draft(domain)

        def merge(found: list[dict[str, Any]]) -> None:
            text, kind = merge_batches(self._drafts[domain], [_from_file(d) for d in found])
            self.save(domain, text, kind)

        try:
            return self.files.adopt(domain, merge)
        except OSError:  # unreadable or read-only: nothing adopted, so nothing removed
            return []

    def save(self, domain: str, text: str, kind: RefreshKind) -> None:
        """Raises OSError when the file cannot be written; the text is kept in memory anyway."""
        self._drafts[domain] = (text, kind)
        self._tagged.pop(domain, None)
        try:
            self.files.save_own(domain, {"domain": domain, "kind": str(kind), "text": text})
        except OSError as exc:
            self.save_error = exc.strerror or type(exc).__name__
            raise
        self.save_error = ""

    def close(self) -> None:
        """On a clean exit: empty drafts go; the others wait for the next instance."""
        for domain, (text, _kind) in self._drafts.items():
            if not text.strip():
                try:
                    self.files.remove_own(domain)
                except OSError:
                    pass
        self.files.release()

    def tag_of(self, domain: str, entry: LogEntry) -> str | None:
        tagged = self._tagged.get(domain)
        if tagged is None:
            text, kind = self.draft(domain)
            tagged = self._tagged[domain] = tagged_entries(text, kind)
        if not tagged:
            return None
        if tagged.get(entry.url) is RefreshKind.URL:
            return "url"
        if tagged.get(directory_of(entry.url)) is RefreshKind.DIRECTORY:
            return "directory"
        return None

    def toggle(self, domain: str, entry: LogEntry, kind: RefreshKind) -> tuple[str, bool]:
        text, default = self.draft(domain)
        value = directory_of(entry.url) if kind is RefreshKind.DIRECTORY else entry.url
        text, added = toggle_entry(text, value, kind)
        try:
            self.save(domain, text, default)
        except OSError:
            pass  # kept in memory; `save_error` says why and the next change saves again
        return text, added

    def drop_sent(self, domain: str, sent: set[tuple[str, str]]) -> None:
        """Remove lines whose encoded entry was accepted; anything typed meanwhile stays."""
        text, kind = self.draft(domain)
        kept = []
        for line in text.split("\n"):
            value, k = split_prefix(line, kind)
            res = normalize_entry(value.strip(), k, domain) if value.strip() else None
            if res is not None and res.ok and (str(k), res.value) in sent:
                continue
            kept.append(line)
        self.save(domain, "\n".join(kept).strip("\n"), kind)
