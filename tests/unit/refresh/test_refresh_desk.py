"""The refresh desk without Textual: what it tells the app (tui/refresh/desk.py's events) and
what read-only mode refuses. The sending itself is tested through the app against the
simulator (tests/app/test_refresh_modal.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tui.core.models import LogEntry
from tui.refresh.desk import DRAFT, OPEN, DeskHooks, RefreshDesk
from tui.refresh.plan import RefreshKind


@dataclass
class Settings:
    readonly: bool = False
    origins: dict[str, str] = field(default_factory=dict)
    refresh_limit: int = 300
    refresh_window: float = 300.0


def desk_of(tmp_path: Path, settings: Settings) -> tuple[RefreshDesk, list, list]:
    events: list[tuple[str, str]] = []
    toasts: list[str] = []

    def no_client():  # the desk builds the client only to send; these tests never do
        raise AssertionError("no client here")

    hooks = DeskHooks(domain=lambda: "cdn.example.com", notify=lambda m, **_: toasts.append(m),
                      client=no_client, describe=str, run=lambda coro: coro.close(),
                      on_event=lambda e, d: events.append((e, d)), modal_open=lambda: False)
    return RefreshDesk(tmp_path, settings, hooks), events, toasts


def test_a_tag_saves_the_draft_and_tells_the_app(tmp_path: Path) -> None:
    desk, events, toasts = desk_of(tmp_path, Settings())
    entry = LogEntry(0, url="https://cdn.example.com/a.png")
    desk.toggle_tag(entry, "url")
    assert desk.tag_of(entry) == "url"
    assert events == [(DRAFT, "cdn.example.com")]
    assert toasts == ["url added to the refresh batch (1 pending; r to review)"]
    assert desk.pending_count("cdn.example.com") == 1
    desk.close()
    again, _, _ = desk_of(tmp_path, Settings())  # saved at once: the next instance has it
    assert "a.png" in again.load_draft()[0]
    again.close()


def test_read_only_refuses_tags_and_the_window(tmp_path: Path) -> None:
    desk, events, toasts = desk_of(tmp_path, Settings(readonly=True, origins={"readonly": "flag"}))
    desk.toggle_tag(LogEntry(0, url="https://cdn.example.com/a.png"), "url")
    desk.open_refresh()
    assert events == []
    assert toasts == ["refresh is disabled: read-only mode (flag)"] * 2
    desk.close()


def test_a_history_record_joins_the_batch_and_opens_the_window(tmp_path: Path) -> None:
    desk, events, _ = desk_of(tmp_path, Settings())
    desk.save_draft("https://cdn.example.com/kept.png", RefreshKind.URL)
    desk.resubmit({"requests": [{"type": "url", "urls": ["https://cdn.example.com/b.png"]}]})
    text, _kind = desk.load_draft()
    assert text.splitlines()[0] == "https://cdn.example.com/kept.png"
    assert "b.png" in text
    assert events[-1] == (OPEN, "cdn.example.com")
    desk.close()
