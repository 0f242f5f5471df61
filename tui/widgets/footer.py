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
