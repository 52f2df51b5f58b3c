"""Who may reach what in the app: the one policy every key, palette entry and screen push obeys.

The services check rights again on every call; this gate makes sure the app never even offers
an action the person at the counter may not take. It is an allow-list: signed out (or with the
counter locked) only the few harmless actions and screens named here exist, and a screen not
named here needs a signed-in operator. Manager-only screens are named too, so a cashier cannot
open them by any path (key, palette, mouse, or a callback pushing a screen).
"""

from __future__ import annotations

from textual.command import CommandPalette
from textual.screen import Screen

# App actions (the app's own bindings, the palette key, moving focus between the two fields of
# the sign-in form) that exist before anyone signs in.
SIGNED_OUT_ACTIONS = frozenset({
    "quit", "help", "help_quit", "command_palette", "focus_next", "focus_previous", "bell",
})
# With the counter locked: only what the lock screen offers (unlock and "someone else" are
# the lock screen's own keys), quit and the palette that lists the same.
LOCKED_ACTIONS = frozenset({
    "quit", "help_quit", "command_palette", "focus_next", "focus_previous", "bell",
})
# App actions only a manager may run.
MANAGER_ACTIONS = frozenset({"manager"})


def _signed_out_screens() -> tuple[type[Screen], ...]:
    from screens.help import HelpScreen
    from screens.lock import LockScreen
    from screens.login import LoginScreen

    # The palette itself is harmless: what it lists is gated in get_system_commands.
    return LoginScreen, HelpScreen, LockScreen, CommandPalette


def _manager_screens() -> tuple[type[Screen], ...]:
    from screens.desk.channels import KeyShownOnce
    from screens.desk.manager import ManagerScreen
    from screens.desk.schedule import ConfirmShowAction, NewShowForm
    from screens.lookup.refund import RefundScreen
    from screens.widgets.admin_form import FormScreen

    return (ManagerScreen, RefundScreen, FormScreen, NewShowForm, ConfirmShowAction,
            KeyShownOnce)


def is_manager(operator) -> bool:
    return operator is not None and bool(operator.is_manager)


def action_allowed(operator, locked: bool, action: str) -> bool:
    if locked:
        return action in LOCKED_ACTIONS
    if operator is None:
        return action in SIGNED_OUT_ACTIONS
    if action in MANAGER_ACTIONS:
        return is_manager(operator)
    return True


def screen_refusal(operator, screen: Screen | str) -> str | None:
    """Why ``screen`` may not be shown to ``operator`` now (None: it may)."""
    if isinstance(screen, str):  # installed screens by name: the app has none
        return f"No screen named {screen!r}"
    if isinstance(screen, _signed_out_screens()):
        return None
    if operator is None:
        return "Sign in first"
    if isinstance(screen, _manager_screens()) and not is_manager(operator):
        return f"That is for managers; {operator.name} is a {operator.role}"
    return None
