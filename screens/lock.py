"""The idle lock: a counter left without a key or a click covers its screen until the operator
types their password again, or another operator signs in there (which signs the first one out).

Everything under the lock keeps running: a checkout's countdown goes on (the hold's time is
the database's), so after unlocking the clerk is back at the same checkout, or at the grid with
a notice if the time ran out meanwhile. The password is checked by ``operators.login``, so
wrong passwords count towards the operator's lock-out and every attempt is audited.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Static

from bmstui.services import operators
from screens.background import explain, run_service

IDLE_CHECK_SECONDS = 1.0  # how often the app compares the last input with the limit


class LockScreen(ModalScreen):
    """Opaque on purpose (bmstui.tcss): nothing of the sale or the customer shows through."""

    BINDINGS = [
        Binding("enter", "unlock", "Unlock", priority=True),  # over the fields' own enter
        Binding("f2", "someone_else", "Sign in as someone else"),
        Binding("ctrl+q", "app.quit", "Quit", priority=True),
    ]

    def __init__(self, operator) -> None:
        super().__init__()
        self.operator = operator
        self.someone_else = False

    def compose(self) -> ComposeResult:
        with Vertical(id="lock-box"):
            yield Static(id="lock-heading")
            yield Input(placeholder="Operator name", id="lock-name")
            yield Input(placeholder=f"Password of {self.operator.name}", password=True,
                        id="lock-password")
            yield Static(id="lock-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "locked"
        self._show_heading()
        self.query_one("#lock-password", Input).focus()

    def _show_heading(self) -> None:
        if self.someone_else:
            text = Text.assemble(("Sign in as someone else\n", "bold"),
                                 (f"{self.operator.name} is signed out when you do.", "dim"))
        else:
            text = Text.assemble(("Counter locked\n", "bold"),
                                 (f"{self.operator.name}: your password to carry on.", "dim"))
        self.query_one("#lock-heading", Static).update(text)

    def action_someone_else(self) -> None:
        self.someone_else = not self.someone_else
        self.set_class(self.someone_else, "-someone-else")
        password = self.query_one("#lock-password", Input)
        password.placeholder = "Password" if self.someone_else else (
            f"Password of {self.operator.name}")
        password.value = ""
        self.query_one("#lock-status", Static).update("")
        self._show_heading()
        self.set_focus(self.query_one("#lock-name" if self.someone_else else "#lock-password",
                                      Input))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "lock-name":
            self.set_focus(self.query_one("#lock-password", Input))
            return
        self.action_unlock()

    def action_unlock(self) -> None:
        password = self.query_one("#lock-password", Input)
        name = (self.query_one("#lock-name", Input).value.strip() if self.someone_else
                else self.operator.name)
        # set_focus now, not focus() (which waits a turn): keys typed fast after enter belong
        # to the next field.
        if not name:
            self.set_focus(self.query_one("#lock-name", Input))
            return
        if not password.value:
            self.set_focus(password)
            return
        self.query_one("#lock-status", Static).update(Text("Checking…", style="dim"))
        run_service(self, operators.login, name, password.value, done=self._accepted,
                    failed=self._refused, group="unlock", exclusive=True, moves_on=True)

    def _accepted(self, operator: operators.OperatorInfo) -> None:
        # The app swaps screens; never from this screen's own handler (it is being removed).
        self.app.call_later(self.app.unlocked_by, operator)

    def _refused(self, exc: BaseException) -> None:
        password = self.query_one("#lock-password", Input)
        password.value = ""
        password.focus()
        self.query_one("#lock-status", Static).update(
            Text(f"✗ {explain(exc, self)}", style="bold red"))
