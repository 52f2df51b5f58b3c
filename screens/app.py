"""The box-office application: owns the settings, the clock, the operator and the screen stack.

Everything the app lets a person do passes one gate (``screens.gate``): its key bindings
(``check_action``), its palette (``get_system_commands``) and every screen shown
(``push_screen`` / ``switch_screen``). Before sign-in only sign in, help and quit exist; a
cashier never reaches the manager's desk; a locked counter offers only unlock, "someone else"
and quit.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandPalette
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import WorkerFailed

from bmstui.config import Settings, get_settings
from bmstui.logs import mask_secrets
from bmstui.paths import user_data_dir
from bmstui.terminal_memory import TerminalMemory
from screens import gate
from screens.exit_path import install_signal_handlers, release_holds
from screens.last_resort import Reporter, install
from screens.typeahead import KeysReady, TypeAhead
from screens.typeahead import install as install_typeahead
from screens.widgets.heading import Heading

install()
install_typeahead()
log = logging.getLogger("screens.app")


def settle_garbage_collector() -> None:
    """Keep collector pauses out of repaints. Everything alive after start-up (modules, widgets,
    styles) stays for the whole shift, so it is frozen out of the collector's sight, and young
    collections run less often: with the defaults, ``bmstui bench grid`` saw a repaint of 100
    seat changes take 40-100 ms when a collection landed in it, instead of about 14 ms."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 50, 1000)


class BoxOfficeApp(App):
    """One counter terminal.

    ``clock`` is the monotonic clock countdowns and the idle lock run on (tests pass one they
    can move), and ``memory`` what this counter remembers between runs. Without ``operator``
    the app starts at the sign-in screen; tests pass the operator they act as.
    ``handle_signals``: SIGTERM/SIGHUP end the app cleanly (the command line sets it).
    """

    TITLE = "bmstui"
    SUB_TITLE = "box office"
    CSS_PATH = "bmstui.tcss"
    # Screens under 100 columns get "-narrow", under 30 lines "-short": bmstui.tcss narrows
    # side panels and tightens dialogs there, so that what a clerk needs (totals, columns,
    # row labels, the last field of a dialog) still fits an 80x24 terminal.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (30, "-tall")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        # Tab moves the focus as the key arrives, not after the keys typed before it were
        # handled: "name<Tab>password" sent in one burst (a password manager, a scanner) puts
        # the password in the password field.
        Binding("tab", "focus_next", show=False, priority=True),
        Binding("shift+tab", "focus_previous", show=False, priority=True),
        Binding("f1,question_mark", "help", "Keys"),
        Binding("ctrl+f", "lookup", "Find booking"),
        Binding("f9", "manager", "Manager"),
    ]
    # The database time of the last good answer when the database stopped answering
    # (screens/offline.py); None while it answers.
    offline_since: reactive[datetime | None] = reactive(None, init=False)

    def __init__(self, settings: Settings | None = None, *, memory: TerminalMemory | None = None,
                 clock: Callable[[], float] = time.monotonic, tickets_dir: Path | None = None,
                 resume: bool = True, operator=None, handle_signals: bool = False,
                 strict_errors: bool = False, **kwargs):
        super().__init__(**kwargs)
        # Unexpected errors are logged and shown, and the app goes on; ``strict_errors`` (tests)
        # also keeps the first one for ``run_test`` to raise at the end, so none goes unseen.
        self.strict_errors = strict_errors
        self.unexpected = Reporter()
        self.last_contact: datetime | None = None  # the database time of the last good poll
        self.settings = settings or get_settings()
        self.memory = memory or TerminalMemory()
        self.clock = clock
        self.tickets_dir = Path(tickets_dir) if tickets_dir else user_data_dir() / "tickets"
        self.resume = resume
        self.operator = operator
        self.handle_signals = handle_signals
        self.open_holds: set[str] = set()  # tokens of holds a checkout here has (released on exit)
        self.last_input = clock()
        self._after_unlock: list[Callable[[], object]] = []  # screen changes asked while locked
        self._leaving_lock = False
        self.typeahead = TypeAhead(self)  # keys typed while the next screen comes (typeahead.py)

    def compose(self) -> ComposeResult:
        yield Heading()
        yield Footer()

    def on_mount(self) -> None:
        from screens.lock import IDLE_CHECK_SECONDS
        from screens.sale.city import CityScreen

        self.sub_title = f"counter {self.settings.terminal}"
        # NO_COLOR: Textual draws in shades of grey, and a shade alone (the highlighted line,
        # the focused field) is lost on a monochrome terminal; bmstui.tcss marks those states
        # by reverse video and border glyphs under this class.
        self.set_class(self.no_color, "-mono")
        settle_garbage_collector()
        if self.operator is None:
            from screens.login import LoginScreen

            self.push_screen(LoginScreen(resume=self.resume))
        else:
            self.push_screen(CityScreen(resume=self.resume))
            self.call_after_refresh(self._show_operator)
        if self.settings.lock_after_minutes > 0:
            self.set_interval(IDLE_CHECK_SECONDS, self.check_idle_lock)
        if self.handle_signals:
            install_signal_handlers(self)

    def on_unmount(self) -> None:
        release_holds(self)

    # -- the last resort (screens/last_resort.py) ----------------------------------------------

    def report_unexpected(self, error: BaseException, where: str = "") -> None:
        """Log an error nothing else handled, with its traceback; tell the clerk once."""
        if isinstance(error, WorkerFailed):
            error = error.error
        first = self.unexpected.report(error, where)
        if self.strict_errors and self._exception is None and isinstance(error, Exception):
            self._exception = error
        if first:
            self.notify(mask_secrets(f"Unexpected problem: {type(error).__name__}: "
                                     f"{str(error)[:120]}. It is written to the log; "
                                     "the app goes on."), severity="error", timeout=10)

    def _handle_exception(self, error: Exception) -> None:
        """Textual's own catch (timers, compose, callbacks): report, do not exit, once the
        app runs; before that (a broken stylesheet) and while it closes, Textual decides."""
        if not self.is_running or not self.screen_stack:
            super()._handle_exception(error)
            return
        self.report_unexpected(error)

    # -- who is at the counter ---------------------------------------------------------------

    def signed_in(self, operator) -> None:
        self.operator = operator
        self.last_input = self.clock()
        self.memory.set("operator", operator.name)
        self.refresh_bindings()
        # After the screen switch: a header being replaced must not be asked to redraw.
        self.call_after_refresh(self._show_operator)

    def _show_operator(self) -> None:
        who = self.operator
        self.title = f"bmstui · {who.name} ({who.role})" if who else self.TITLE

    async def action_sign_out(self) -> None:
        from screens.login import LoginScreen
        from screens.sale.checkout import CheckoutScreen

        if any(isinstance(screen, CheckoutScreen) for screen in self.screen_stack):
            self.notify("Finish or release the sale first", severity="warning")
            return
        self.operator = None
        self.refresh_bindings()
        # One screen at a time, each gone before the next step, so no header being removed
        # is asked to redraw the title.
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        await self.switch_screen(LoginScreen())
        self._show_operator()

    # -- the idle lock -----------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        from screens.lock import LockScreen

        return any(isinstance(screen, LockScreen) for screen in self.screen_stack)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown
                      | events.MouseScrollUp):
            self.last_input = self.clock()
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        """A letter that reaches the app while a field has the focus was typed before the focus
        moved there ("/" then a title, sent in one burst: the letters went to the list): the
        field stops every letter it takes itself, so this one is given to it, in order,
        instead of acting as the list's shortcut or being lost."""
        field = self.focused
        if isinstance(field, Input) and event.is_printable and event.character:
            field.post_message(events.Key(event.key, event.character))
            event.prevent_default()  # Textual's own App._on_key (the bindings) comes next
            event.stop()
        # otherwise App._on_key runs after this one: handlers are called along the MRO

    async def on_keys_ready(self, message: KeysReady) -> None:
        """The keys typed while the counter moved on go to the screen now on top."""
        if not self.is_running or not self.screen_stack:  # closing: nobody to type to
            return
        if self.typeahead.holds:  # another wait began meanwhile: its end announces again
            return
        if not self.typeahead.ready():  # the new screen is still being mounted
            self.set_timer(0.02, lambda: self.post_message(KeysReady()))
            return
        if not message.settled:  # behind the focus the new screen asked for
            self.post_message(KeysReady(settled=True))
            return
        for key in self.typeahead.take_all():
            if not self.typeahead.take(key):  # one of them may start another wait
                await self.on_event(key)

    def check_idle_lock(self) -> None:
        """Lock after ``lock_after_minutes`` without a key or a click (on the app's clock)."""
        minutes = self.settings.lock_after_minutes
        if not minutes or self.operator is None or self.locked:
            return
        if self.clock() - self.last_input >= minutes * 60:
            self.lock_counter()

    def lock_counter(self) -> None:
        from screens.lock import LockScreen

        if self.operator is not None and not self.locked:
            self.push_screen(LockScreen(self.operator))
            self.refresh_bindings()

    async def unlocked_by(self, operator) -> None:
        """The lock screen accepted a password: the same operator carries on where they were;
        another one signs the first out and starts at the city screen."""
        from screens.lock import LockScreen

        if not self.locked:
            return
        self.last_input = self.clock()
        if self.operator is not None and operator.id == self.operator.id:
            self.operator = operator  # a role changed meanwhile counts from now on
            self._leaving_lock = True
            try:
                while isinstance(self.screen, CommandPalette | LockScreen):
                    await self.pop_screen()
            finally:
                self._leaving_lock = False
            waiting, self._after_unlock = self._after_unlock, []
            for step in waiting:
                result = step()
                if isinstance(result, AwaitComplete):
                    await result
            self.refresh_bindings()
            self._show_operator()
            return
        await self.change_operator(operator)

    async def change_operator(self, operator) -> None:
        """Sign the current operator out (their hold released) and ``operator`` in."""
        from screens.sale.checkout import CheckoutScreen
        from screens.sale.city import CityScreen

        for screen in self.screen_stack:
            if isinstance(screen, CheckoutScreen):
                screen.abandon()
        self._after_unlock = []
        self.operator = operator
        self.memory.set("operator", operator.name)
        self._leaving_lock = True
        try:
            while len(self.screen_stack) > 2:
                await self.pop_screen()
            await self.switch_screen(CityScreen())
        finally:
            self._leaving_lock = False
        self.refresh_bindings()
        self._show_operator()
        self.notify(f"{operator.name} signed in; the previous operator is signed out")

    # -- the gate: every screen shown passes here --------------------------------------------

    def _refuse(self, screen) -> str | None:
        refusal = gate.screen_refusal(self.operator, screen)
        if refusal is not None:
            self.notify(refusal, severity="warning")
        return refusal

    def push_screen(self, screen, callback=None, wait_for_dismiss: bool = False, **kwargs):
        if self._refuse(screen) is None:
            if not self.locked or self._leaving_lock or isinstance(screen, CommandPalette):
                self._keys_wait_for_new_screen()
                return super().push_screen(screen, callback, wait_for_dismiss, **kwargs)
            self._after_unlock.append(lambda: super(BoxOfficeApp, self).push_screen(
                screen, callback))
        if wait_for_dismiss:
            never: asyncio.Future = asyncio.get_running_loop().create_future()
            never.set_result(None)
            return never
        return AwaitComplete.nothing()

    def switch_screen(self, screen) -> AwaitComplete:
        if self._refuse(screen) is not None:
            return AwaitComplete.nothing()
        if self.locked and not self._leaving_lock:
            self._after_unlock.append(lambda: super(BoxOfficeApp, self).switch_screen(screen))
            return AwaitComplete.nothing()
        self._keys_wait_for_new_screen()
        return super().switch_screen(screen)

    def _keys_wait_for_new_screen(self) -> None:
        """Keys typed from now until the new screen is mounted (its field focused) go to it."""
        self.call_after_refresh(self.typeahead.release, self.typeahead.hold())

    def pop_screen(self) -> AwaitComplete:
        from screens.lock import LockScreen

        if isinstance(self.screen, LockScreen) and not self._leaving_lock:
            # A screen under the lock finished (a worker's answer): it goes once unlocked.
            self._after_unlock.append(super().pop_screen)
            return AwaitComplete.nothing()
        return super().pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only what the person at the counter may do exists (hidden from the footer too)."""
        return gate.action_allowed(self.operator, self.locked, action)

    # -- actions -----------------------------------------------------------------------------

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if gate.action_allowed(self.operator, self.locked, "help") and not isinstance(
                self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_lookup(self) -> None:
        from screens.lookup.find import LookupScreen

        if gate.action_allowed(self.operator, self.locked, "lookup") and not isinstance(
                self.screen, LookupScreen):
            self.push_screen(LookupScreen())

    def action_manager(self) -> None:
        from screens.desk.manager import ManagerScreen
        from screens.sale.checkout import CheckoutScreen

        if self.operator is None or self.locked:
            return
        if not gate.is_manager(self.operator):
            self.notify(f"The manager's desk is for managers; {self.operator.name} is a "
                        f"{self.operator.role}", severity="warning")
            return
        if isinstance(self.screen, CheckoutScreen):
            self.notify("Finish or release the sale first", severity="warning")
            return
        if not isinstance(self.screen, ManagerScreen):
            self.push_screen(ManagerScreen())

    def action_change_city(self) -> None:
        from screens.sale.city import CityScreen

        if self.operator is None or self.locked:
            return
        while len(self.screen_stack) > 2 and not isinstance(self.screen, CityScreen):
            self.pop_screen()

    def action_unlock(self) -> None:
        from screens.lock import LockScreen

        for screen in self.screen_stack:
            if isinstance(screen, LockScreen):
                self.call_later(screen.action_unlock)

    def action_someone_else(self) -> None:
        from screens.lock import LockScreen

        for screen in self.screen_stack:
            if isinstance(screen, LockScreen) and not screen.someone_else:
                self.call_later(screen.action_someone_else)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        quit_ = SystemCommand("Quit", "Quit the app (a hold is released)", self.action_quit)
        if self.locked:
            yield SystemCommand("Unlock", "Your password, to carry on", self.action_unlock)
            yield SystemCommand("Sign in as someone else", "Signs the current operator out",
                                self.action_someone_else)
            yield quit_
            return
        yield SystemCommand("Keys", "Every key of the app", self.action_help)
        if self.operator is None:  # nothing else exists before sign-in
            yield SystemCommand("Theme", "Change the colours", self.action_change_theme)
            yield quit_
            return
        yield SystemCommand("Find a booking", "Look a booking up by code or phone",
                            self.action_lookup)
        yield SystemCommand("Change city", "Sell for another city", self.action_change_city)
        if gate.is_manager(self.operator):
            yield SystemCommand("Manager's desk", "Schedule, reports, audit trail, catalog",
                                self.action_manager)
        yield SystemCommand("Sign out", "End this operator's shift at the counter",
                            self.action_sign_out)
        yield from super().get_system_commands(screen)
