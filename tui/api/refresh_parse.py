"""The refresh answer read tolerantly: accepted only on positive evidence (docs/api.md).

Kept apart from the log parser in tui/api/parse.py, which re-exports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tui.api.tolerant import open_envelope, unexpected


@dataclass(slots=True, frozen=True)
class RefreshAnswer:
    """A refresh response read: `accepted` only on positive evidence (message ok, code 0...)."""

    accepted: bool
    message: str
    code: Any = None  # the envelope's code, so a refused token under HTTP 200 can be told


def parse_refresh_answer(obj: Any, endpoint: str, *, secrets: Iterable[str] = ()) -> RefreshAnswer:
    """Accepted: `{"message": "ok"}` (known), any envelope with message/msg and/or code/success,
    or a bare JSON string. `accepted` needs positive evidence; "ok" means accepted, not purged.
    """
    if isinstance(obj, str):
        return RefreshAnswer(accepted=obj.strip().lower() in ("ok", "success"), message=obj)
    if isinstance(obj, dict):
        env = open_envelope(obj)
        if env.message is not None or env.verdict is not None:
            message = env.message
            if message is None:
                message = "ok" if env.verdict else f"failed (code {repr(env.code)[:40]})"
            return RefreshAnswer(accepted=env.verdict is True, message=message, code=env.code)
    raise unexpected(
        "no message in the refresh response (expected an object like {\"message\": \"ok\"})",
        endpoint,
        obj,
        list(secrets),
    )
