"""The keys as the help screen and the command palette list them, after the user's keymap;
the app-wide commands (screenshot, theme kept between runs)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui.core.uistate import UiState


def binding_rows(app: App, bindings: list[BindingType]) -> list[tuple[str, str, str]]:
    """(keys, description, id) of every binding, after the user's keymap."""
    keymap = app._keymap if hasattr(app, "_keymap") else {}
    rows = []
    for b in bindings:
        assert isinstance(b, Binding)
        keys = keymap.get(b.id, b.key) if b.id else b.key
        rows.append((keys, b.tooltip or b.description, b.id or ""))
    return rows


def screenshot(app: App, export_dir: str) -> None:
    """F8: an SVG of the screen in export_dir."""
    folder = Path(export_dir).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = app.save_screenshot(path=str(folder))
    except OSError as exc:
        app.notify(f"screenshot failed: {exc.strerror}", severity="error")
        return
    app.notify(f"screenshot saved: {path}", title="F8", timeout=6)


def system_commands(app: App, screen: Screen) -> Iterator[SystemCommand]:
    """The dashboard's described bindings, with their keys, then help and the screenshot."""
    from tui.screens.dashboard import Dashboard

    if isinstance(screen, Dashboard):
        from tui.screens.help import key_label

        keymap = app._keymap if hasattr(app, "_keymap") else {}
        for b in Dashboard.BINDINGS:
            assert isinstance(b, Binding)
            if b.description:
                # '[' as typed, not 'left_square_bracket'
                keys = key_label(keymap.get(b.id, b.key) if b.id else b.key)
                yield SystemCommand(f"{b.description} ({keys})", f"binding {b.id}",
                                    partial(screen.run_action, b.action))
    yield SystemCommand("Help: keys", "list every binding",
                        app.action_help)  # type: ignore[attr-defined]
    yield SystemCommand("Save screenshot (F8)", "SVG of the screen",
                        app.action_screenshot)  # type: ignore[attr-defined]


def keep_theme(app: App, ui_state: UiState, default: str) -> None:
    """The theme chosen last time (else the configured one), saved again when it changes."""
    theme = ui_state.load().get("theme") or default
    if theme in app.available_themes:
        app.theme = theme
    app.theme_changed_signal.subscribe(app, lambda t: ui_state.save(theme=t.name))
