"""Driving the real box-office app in tests: a movable clock, waiting on state, picking options.

Tests wait for what the clerk would see (a screen, a seat status), never for fixed pauses; the
countdown runs on ``FakeClock``, which a test moves forward instead of sleeping.
"""

from __future__ import annotations

import time
from pathlib import Path

from textual.css.query import NoMatches
from textual.widgets import OptionList

from bmstui.config import get_settings
from bmstui.services import operators
from bmstui.terminal_memory import TerminalMemory
from screens.app import BoxOfficeApp


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_app(tmp_path: Path, clock=None, *, login: bool = False, as_: str = "manager",
             **kwargs) -> BoxOfficeApp:
    """The app signed in as the demo operator ``as_`` ("manager", "cashier1"…) or as
    ``operator=``; ``login=True``: at the sign-in screen, nobody signed in. An unexpected error
    is reported and the app goes on, as at a counter, but the test still fails with it at the
    end (``strict_errors``) unless it asks for the counter's behaviour."""
    kwargs.setdefault("strict_errors", True)
    if login:
        kwargs["operator"] = None
    elif "operator" not in kwargs:
        kwargs["operator"] = operators.get(as_)
    return BoxOfficeApp(
        settings=get_settings(), memory=TerminalMemory(tmp_path / "terminal.json"),
        clock=clock or FakeClock(), tickets_dir=tmp_path / "tickets", resume=False, **kwargs,
    )


def new_operator(password: str, role: str = "cashier") -> operators.OperatorInfo:
    """A fresh operator with a known password (the demo ones get random passwords), added by
    the administrator."""
    import secrets

    from actor_support import ADMIN

    return operators.add(f"ui{secrets.token_hex(3)}", password, role=role, by=ADMIN)


async def wait_for(pilot, condition, timeout: float = 20.0, what: str = "condition"):
    """Let the app run until ``condition()`` is true (workers finish, timers fire); a widget
    the condition looks for that is not mounted yet counts as not yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except NoMatches:  # the screen is there but its widgets are still being mounted
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def wait_for_screen(pilot, screen_type, timeout: float = 20.0):
    """The screen, once on top and mounted (a test that ended while its header was still
    being built would see Textual's header look for its title in vain)."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, screen_type) and app.screen.is_mounted,
                   timeout, f"{screen_type.__name__} (on {type(app.screen).__name__})")
    return app.screen


async def choose(pilot, list_id: str, option_id) -> None:
    """Highlight the option with this id in an option list, then press enter as a clerk does."""
    app = pilot.app

    def ready():
        try:
            options = app.screen.query_one(f"#{list_id}", OptionList)
        except NoMatches:  # the screen is still being built
            return None
        ids = [option.id for option in options.options]
        return options if str(option_id) in ids else None

    options = await wait_for(pilot, ready, what=f"option {option_id} in #{list_id}")
    options.focus()
    options.highlighted = [o.id for o in options.options].index(str(option_id))
    await pilot.pause()
    await pilot.press("enter")


async def open_show(pilot, show_id: int):
    """From the city screen to the seat grid of a show, the way a clerk gets there."""
    from bmstui.services import catalog
    from screens.sale.seats import SeatScreen

    show = catalog.show(show_id)
    await choose(pilot, "city-list", show.city_id)
    await choose(pilot, "movie-list", show.movie_id)
    await choose(pilot, "show-list", show_id)
    screen = await wait_for_screen(pilot, SeatScreen)
    await wait_for(pilot, lambda: screen.live is not None, what="the seat grid")
    return screen


def burst(app, *keys: str) -> None:
    """Send ``keys`` as a scanner, a password manager or a fast clerk does: all of them before
    the app has handled the first (``pilot.press`` waits for the app between keys)."""
    from textual import events

    for key in keys:
        character = key if len(key) == 1 else {"space": " "}.get(key)
        app.post_message(events.Key(key, character))


def noticed(app, text: str) -> bool:
    """Whether the app has shown the clerk a notification containing ``text``."""
    return any(text in str(notice.message) for notice in app._notifications)


async def wait_for_checkout(pilot):
    """The checkout screen, once it is ready for the clerk's typing (amount tendered focused)."""
    from screens.sale.checkout import CheckoutScreen

    screen = await wait_for_screen(pilot, CheckoutScreen)
    await wait_for(pilot, lambda: screen.focused is not None and screen.focused.id == "tendered",
                   what="the checkout to take the keyboard")
    return screen
