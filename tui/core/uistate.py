"""What the UI remembers between runs (the theme): a small JSON object in the data dir."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tui.core.files import atomic_write_text


class UiState:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            return {}

    def save(self, **changes: Any) -> None:
        data = self.load()
        data.update(changes)
        try:
            atomic_write_text(self.path, json.dumps(data))
        except OSError:
            pass  # a read-only home must not break the monitor
