"""Signing in at the start of a shift: who sells here decides what they may do.

The check runs in the service layer (``operators.login``): wrong passwords count towards a lock
on the database clock, and successes and failures are audited; this screen only asks and says
what the service answered.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from bmstui.services import operators
from screens.background import explain, run_service
from screens.widgets.heading import Heading


class NameInput(Input):
    """The operator's name. Keys that reach it after its Enter belong to the password: a
    password manager or a fast typist sends "name, Enter, password, Enter" in one burst, and
    those keys are queued here before the focus moves; typed into the name they would make a
    wrong name out of the password (and the password would be in the audit trail)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.after_enter: Input | None = None

    def _on_focus(self, event: events.Focus) -> None:
        self.after_enter = None  # back in the name field on purpose: type here again
        super()._on_focus(event)

    async def _on_key(self, event: events.Key) -> None:
        target = self.after_enter
        if target is None:
            if event.key == "enter":
                self.after_enter = self.screen.query_one("#login-password", Input)
            await super()._on_key(event)
            return
        event.stop()
        event.prevent_default()
        if event.key == "enter":
            await target.action_submit()
        elif event.key == "backspace":
            target.action_delete_left()
        elif event.is_printable and event.character:
            target.insert_text_at_cursor(event.character)


class LoginScreen(Screen):
    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", priority=True)]

    def __init__(self, resume: bool = False) -> None:
        super().__init__()
        self.resume = resume

    def compose(self) -> ComposeResult:
        yield Heading()
        with Vertical(id="login-box"):
            yield Static(Text("Sign in to sell", style="bold"), id="login-heading")
            yield NameInput(placeholder="Operator name", id="login-name")
            yield Input(placeholder="Password", password=True, id="login-password")
            yield Static(id="login-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "sign in"
        last = self.app.memory.get("operator", "")
        name = self.query_one("#login-name", Input)
        name.value = str(last or "")
        # The name field first, the remembered name selected: Enter (or Tab) keeps it and goes
        # to the password; a name typed over it replaces it. Starting in the password field
        # would put a password manager's "name<Tab>password" burst the wrong way round (the
        # name in the password, the password in clear in the name field).
        name.select_all()  # now, not on the focus event: a burst may come before it
        name.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = self.query_one("#login-name", Input).value.strip()
        password = self.query_one("#login-password", Input)
        if event.input.id == "login-name" or not password.value:
            self.set_focus(password)  # at once: keys typed fast after enter go to the password
            return
        if not name:
            self.set_focus(self.query_one("#login-name", Input))
            return
        self.query_one("#login-status", Static).update(Text("Checking…", style="dim"))
        run_service(self, operators.login, name, password.value, done=self._signed_in,
                    failed=self._refused, group="login", moves_on=True)

    def _signed_in(self, operator: operators.OperatorInfo) -> None:
        from screens.sale.city import CityScreen

        self.app.signed_in(operator)
        self.app.switch_screen(CityScreen(resume=self.resume))

    def _refused(self, exc: BaseException) -> None:
        password = self.query_one("#login-password", Input)
        password.value = ""
        password.focus()
        self.query_one("#login-status", Static).update(
            Text(f"✗ {explain(exc, self)}", style="bold red"))
