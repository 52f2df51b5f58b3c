"""Single-key shortcuts (n, e, x, [ ...) that give way while a field is being typed in.

A pane's letter keys act on its list; in one of its fields the same letters are text. While a
field has focus those actions are off, so the footer does not offer keys that would type.
"""

from __future__ import annotations

from textual.widgets import Input


class TypingAware:
    """Mixed into a pane: ``TYPED_ACTIONS`` are the actions bound to keys a field types."""

    TYPED_ACTIONS: frozenset[str] = frozenset()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.TYPED_ACTIONS and isinstance(self.screen.focused, Input):
            return False
        return True
