"""The dashboard's footer: Textual's, with the help key first.

Textual lists the focused widget's keys, then the screen's, then the app's, so `?` (an app
binding) came last and was the first to fall off the right edge (at 80 and at 120 columns).
Help is the key that explains all the others: it leads, and the rest yield.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTION = "help"


class HelpFirstFooter(Footer):
    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._keys_shown = self._keys_now()
        first: FooterKey | None = None
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action == HELP_ACTION:
                first = FooterKey(binding.key, self.app.get_key_display(binding),
                                  binding.description, binding.action, disabled=not enabled,
                                  tooltip=tooltip).data_bind(compact=Footer.compact)
                break
        if first is not None:
            yield first
        for widget in super().compose():
            if first is not None and isinstance(widget, FooterKey) and widget.action == HELP_ACTION:
                continue
            yield widget

    #: what the last compose showed: the same keys again need no new widgets
    _keys_shown: tuple[object, ...] | None = None

    def _keys_now(self) -> tuple[object, ...]:
        app = self.app
        return tuple((b.key, app.get_key_display(b), b.description, b.action, enabled, tip,
                      b.group) for _n, b, enabled, tip in self.screen.active_bindings.values()
                     if b.show) + (self.show_command_palette, app.ENABLE_COMMAND_PALETTE)

    async def recompose(self) -> None:
        """Textual rebuilds every key widget whenever the bindings might have changed (a
        modal closing, a focus move); the same keys as shown need nothing. Compared here,
        when Textual would compose them (not in its signal: a screen mounting then cannot
        answer which keys it enables yet)."""
        if self._keys_shown is not None and self.is_attached \
                and self._keys_now() == self._keys_shown:
            return
        await super().recompose()
