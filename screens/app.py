"""The box-office application: owns the settings, the clock and the screen stack."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

import peewee as pw
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import WorkerFailed

from bmstui.config import Settings, get_settings
from bmstui.logs import mask_secrets
from bmstui.paths import user_data_dir
from bmstui.terminal_memory import TerminalMemory
from screens.last_resort import Reporter, install

install()
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

    ``clock`` is the monotonic clock countdowns run on (tests pass one they can move), and
    ``memory`` what this counter remembers between runs.
    """

    # The database time of the last good answer when the database stopped answering
    # (screens/offline.py); None while it answers.
    offline_since: reactive[datetime | None] = reactive(None, init=False)

    TITLE = "bmstui"
    SUB_TITLE = "box office"
    CSS_PATH = "bmstui.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1,question_mark", "help", "Keys"),
        Binding("ctrl+f", "lookup", "Find booking"),
        Binding("f9", "manager", "Manager"),
    ]

    def __init__(self, settings: Settings | None = None, *, memory: TerminalMemory | None = None,
                 clock: Callable[[], float] = time.monotonic, tickets_dir: Path | None = None,
                 resume: bool = True, operator=None, login: bool = True,
                 strict_errors: bool = False, **kwargs):
        super().__init__(**kwargs)
        # Unexpected errors are logged and shown, and the app goes on; ``strict_errors`` (tests)
        # also keeps the first one for ``run_test`` to raise at the end, so none goes unseen.
        self.strict_errors = strict_errors
        self.unexpected = Reporter()
        self.last_contact: datetime | None = None  # the database time of the last good poll
        self.open_hold: str | None = None  # the checkout's hold until it is sold (see exit)
        self.settings = settings or get_settings()
        self.memory = memory or TerminalMemory()
        self.clock = clock
        self.tickets_dir = Path(tickets_dir) if tickets_dir else user_data_dir() / "tickets"
        self.resume = resume
        self.operator = operator
        self.login = login and operator is None  # sign in first (tests and benches skip it)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Footer()

    def exit(self, *args, **kwargs) -> None:
        self.release_open_hold()
        super().exit(*args, **kwargs)

    def release_open_hold(self) -> None:
        """Give back the seats of a checkout that was not sold (ctrl+q, a signal, a fatal
        error): releasing twice is harmless, so this never asks whether it was done already."""
        token, self.open_hold = self.open_hold, None
        if token is None:
            return
        from bmstui.errors import BmstuiError
        from bmstui.services import seating

        try:
            seating.release(token)
        except (BmstuiError, pw.PeeweeException) as exc:  # the database is away: it runs out
            log.warning("Could not release hold at exit: %s", exc)

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

    def on_mount(self) -> None:
        from screens.city import CityScreen

        self.sub_title = f"counter {self.settings.terminal}"
        settle_garbage_collector()
        # A closed terminal window (SIGHUP) or a stop (SIGTERM) ends the app as ctrl+q does:
        # through ``exit``, which gives the seats held at checkout back.
        if not self.is_headless:  # a test run's signals stay the test runner's
            loop = asyncio.get_running_loop()
            for number in (signal.SIGTERM, signal.SIGHUP):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(number, self.exit)
        if self.login:
            from screens.login import LoginScreen

            self.push_screen(LoginScreen(resume=self.resume))
        else:
            self.push_screen(CityScreen(resume=self.resume))

    def signed_in(self, operator) -> None:
        self.operator = operator
        self.memory.set("operator", operator.name)
        self.refresh_bindings()
        # After the screen switch: a header being replaced must not be asked to redraw.
        self.call_after_refresh(self._show_operator)

    def _show_operator(self) -> None:
        who = self.operator
        self.title = f"bmstui · {who.name} ({who.role})" if who else self.TITLE

    async def action_sign_out(self) -> None:
        from screens.checkout import CheckoutScreen
        from screens.login import LoginScreen

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

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_lookup(self) -> None:
        from screens.lookup import LookupScreen

        if not isinstance(self.screen, LookupScreen):
            self.push_screen(LookupScreen())

    def action_manager(self) -> None:
        from screens.checkout import CheckoutScreen
        from screens.manager import ManagerScreen, may_open

        if not may_open(self.operator):
            self.notify(f"The manager's desk is for managers; {self.operator.name} is a "
                        f"{self.operator.role}", severity="warning")
            return
        if isinstance(self.screen, CheckoutScreen):
            self.notify("Finish or release the sale first", severity="warning")
            return
        if not isinstance(self.screen, ManagerScreen):
            self.push_screen(ManagerScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the manager's key from cashiers (pressing it still explains why not)."""
        if action == "manager":
            from screens.manager import may_open

            return may_open(self.operator)
        return True

    def action_change_city(self) -> None:
        from screens.city import CityScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, CityScreen):
            self.pop_screen()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield SystemCommand("Find a booking", "Look a booking up by code or phone",
                            self.action_lookup)
        yield SystemCommand("Change city", "Sell for another city", self.action_change_city)
        yield SystemCommand("Keys", "Every key of the app", self.action_help)
        if self.operator is None or self.operator.is_manager:
            yield SystemCommand("Manager's desk", "Schedule, reports, audit trail, catalog",
                                self.action_manager)
        if self.operator is not None:
            yield SystemCommand("Sign out", "End this operator's shift at the counter",
                                self.action_sign_out)
        yield from super().get_system_commands(screen)
