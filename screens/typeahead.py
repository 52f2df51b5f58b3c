"""Keys typed ahead of the screen they are meant for are kept, then given to that screen.

A clerk who knows the counter types "3, Enter, 2000, Enter" without looking: three seats, hold
them, cash tendered, confirm. Between the first Enter and the checkout there is a database round
trip; Textual would hand "2000" to the seat grid meanwhile (a different seat count, a lost
amount). A scanner or a password manager types faster still.

So while a service call that moves the counter on (``run_service(..., moves_on=True)``) runs,
every key is held here: those still waiting in a widget's queue (checked where each message is
dispatched) and those the terminal sends meanwhile. When the answer has been handled (the next
screen pushed, or the refusal shown) and the screen on top is mounted, the keys are handed to it
in the order they were typed, as if typed now. A hold that outlives ``LONGEST_WAIT`` lets go by
itself, so no key waits long behind a slow database.
"""

from __future__ import annotations

import itertools
import time
from typing import TYPE_CHECKING

from textual import events
from textual._context import active_app
from textual.message import Message
from textual.message_pump import MessagePump

if TYPE_CHECKING:
    from textual.app import App

LONGEST_WAIT = 3.0  # seconds a key may be held before it goes to whatever screen is shown
FOCUS_GRACE = 0.2  # seconds a mounted screen is given to focus its field
# Keys that act at once whatever the counter is waiting for.
NEVER_HELD = frozenset({"ctrl+q", "ctrl+c"})


class KeysReady(Message):
    """Posted to the app when no hold is left: the held keys go out when it is handled, after
    every key that reached the app before it (so none overtakes an earlier one).

    ``settled``: posted again once the new screen is mounted, so that the focus its
    ``on_mount`` asked for (queued on the app) is given before the keys go out."""

    def __init__(self, settled: bool = False) -> None:
        super().__init__()
        self.settled = settled


class TypeAhead:
    """The keys held for one app while it moves to its next screen."""

    def __init__(self, app: App, clock=time.monotonic) -> None:
        self.app = app
        self.clock = clock
        self.waits: dict[int, float] = {}  # each wait's number and when it lets go by itself
        self.numbers = itertools.count(1)
        self.keys: list[tuple[str, str | None]] = []
        self.announced = False  # a KeysReady is on its way: keys still wait behind it
        self.announced_at = 0.0

    @property
    def holds(self) -> int:
        """The waits still running (one that outlived ``LONGEST_WAIT`` no longer counts)."""
        now = self.clock()
        for number in [n for n, deadline in self.waits.items() if deadline < now]:
            del self.waits[number]
            if not self.waits:
                self._announce()
        return len(self.waits)

    @property
    def holding(self) -> bool:
        return self.holds > 0 or self.announced

    def hold(self) -> int:
        """From now on keys wait (called as the service that moves on starts); the wait's
        number, for ``release``."""
        number = next(self.numbers)
        self.waits[number] = self.clock() + LONGEST_WAIT
        # A wait whose end is never told (its worker cancelled before it ran) ends by itself.
        self.app.set_timer(LONGEST_WAIT + 0.05, lambda: self.holds)
        return number

    def release(self, number: int) -> None:
        """The wait ``number`` is over (its answer handled, or it never came); twice is once."""
        if self.waits.pop(number, None) is not None and not self.waits:
            self._announce()

    def _announce(self) -> None:
        self.announced = True
        self.announced_at = self.clock()
        self.app.post_message(KeysReady())

    def take(self, key: events.Key) -> bool:
        """Keep ``key`` for later if the counter is waiting; whether it was kept."""
        if key.key in NEVER_HELD or not self.holding:
            return False
        self.keys.append((key.key, key.character))
        return True

    def ready(self) -> bool:
        """Whether the screen on top can take keys: mounted, and its field focused (a screen
        asks for the focus in ``on_mount``; it is given a moment later)."""
        screen = self.app.screen
        if not screen.is_mounted:
            return False
        # A screen that focuses nothing by itself (a ticket to read) is ready a moment later.
        settled = self.clock() - self.announced_at > FOCUS_GRACE
        return screen.focused is not None or not screen.focus_chain or settled

    def take_all(self) -> list[events.Key]:
        """The held keys as fresh events; holding stops."""
        self.announced = False
        keys, self.keys = self.keys, []
        return [events.Key(key, character) for key, character in keys]


def install() -> None:
    """Hold keys at dispatch, wherever they wait (once per process; apps without a
    ``typeahead`` are left alone)."""
    original = MessagePump._dispatch_message
    if getattr(original, "_typeahead", False):
        return

    async def holding(self: MessagePump, message) -> None:
        if isinstance(message, events.Key):
            try:
                typeahead = getattr(active_app.get(), "typeahead", None)
            except LookupError:
                typeahead = None
            if typeahead is not None and typeahead.take(message):
                message.stop()
                message.prevent_default()
                return
        await original(self, message)

    holding._typeahead = True  # type: ignore[attr-defined]
    MessagePump._dispatch_message = holding  # type: ignore[method-assign]
