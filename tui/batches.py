"""The refresh batch of each domain: the draft text (saved atomically on every change),
which log rows it tags, toggling from the log pane, and dropping what was accepted."""

from __future__ import annotations

from pathlib import Path

from tui.core.batch import directory_of, split_prefix, tagged_entries, toggle_entry
from tui.core.models import LogEntry
from tui.core.refresh import RefreshKind, normalize_entry
from tui.store import DraftStore


class BatchBook:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._drafts: dict[str, tuple[str, RefreshKind]] = {}
        self._tagged: dict[str, dict[str, RefreshKind]] = {}

    def _store(self, domain: str) -> DraftStore:
        return DraftStore(self.folder / f"{domain}.json")

    def draft(self, domain: str) -> tuple[str, RefreshKind]:
        if domain not in self._drafts:
            data = self._store(domain).load()
            text = data.get("text") if isinstance(data.get("text"), str) else ""
            kind = RefreshKind.DIRECTORY if data.get("kind") == "directory" else RefreshKind.URL
            self._drafts[domain] = (text, kind)
        return self._drafts[domain]

    def save(self, domain: str, text: str, kind: RefreshKind) -> None:
        """Raises OSError when the file cannot be written; the text is kept in memory anyway."""
        self._drafts[domain] = (text, kind)
        self._tagged.pop(domain, None)
        self._store(domain).save({"domain": domain, "kind": str(kind), "text": text})

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
        self.save(domain, text, default)
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
