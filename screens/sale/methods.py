"""The payment methods at checkout, told apart without colour.

Under NO_COLOR every radio button draws the same ``▐●▌``, so the chosen method also carries a
``▶`` in its label. The arrows choose the method they move to; Enter here confirms the sale,
as it does from every field of checkout; F2–F5 pick one from anywhere.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import RadioButton, RadioSet

from bmstui.domain.vocabulary import PaymentMethod

CHOSEN = "▶ "


def method_label(method: PaymentMethod, chosen: bool) -> str:
    return (CHOSEN if chosen else " " * len(CHOSEN)) + method.title()


class MethodSet(RadioSet):
    BINDINGS = [Binding("enter", "confirm_sale", "Confirm", show=False)]

    def __init__(self, chosen: str, **kwargs) -> None:
        super().__init__(*(RadioButton(method_label(method, method == chosen),
                                       value=method == chosen, name=method)
                           for method in PaymentMethod), **kwargs)

    def mark(self, chosen: str) -> None:
        for button in self.query(RadioButton):
            kind = PaymentMethod(button.name)
            button.label = method_label(kind, kind == chosen)

    def action_confirm_sale(self) -> None:
        self.screen.action_confirm()

    # The arrows choose as they move: the bar and the ▶ never point at different methods, so
    # Enter sells by the one the clerk sees marked.
    def action_next_button(self) -> None:
        super().action_next_button()
        self.action_toggle_button()

    def action_previous_button(self) -> None:
        super().action_previous_button()
        self.action_toggle_button()
