"""The last resort: an unexpected exception anywhere in the app is written to the log with its
traceback and shown to the clerk as a notice, and the app goes on.

Textual ends the app on any exception a handler lets out, and a widget whose handler raised
stops reading its messages for good. A sale in progress must survive a bug in one screen (the
hold's countdown keeps running in the database either way), so:

* ``install`` wraps the dispatch of every message (keys, actions, mounts, a screen's or a
  widget's handlers): what a handler raises is reported instead of escaping, and that widget
  keeps working;
* the app's ``_handle_exception`` (timers, compose, callbacks after a refresh: the places
  Textual catches itself) reports instead of exiting, once the app is running;
* ``screens.background.run_service`` reports what its ``done``/``failed`` callbacks raise.

The same error repeating (a timer's callback, four times a second) is written in full once,
then counted at 2, 4, 8, ... repeats, and shown to the clerk once.
"""

from __future__ import annotations

import logging
import traceback
from asyncio import CancelledError
from collections import deque

from textual._context import active_app
from textual.message_pump import MessagePump

log = logging.getLogger("screens.unexpected")


def install() -> None:
    """Guard every message pump's dispatch (once per process; other apps are left alone:
    only an app with ``report_unexpected`` keeps running)."""
    original = MessagePump._dispatch_message
    if getattr(original, "_last_resort", False):
        return

    async def guarded(self: MessagePump, message) -> None:
        try:
            await original(self, message)
        except CancelledError:
            raise
        except Exception as error:
            try:
                app = active_app.get()
            except LookupError:
                raise error from None
            report = getattr(app, "report_unexpected", None)
            if report is None or not app.is_running:
                raise
            report(error, f"{type(self).__name__} handling {type(message).__name__}")

    guarded._last_resort = True  # type: ignore[attr-defined]
    MessagePump._dispatch_message = guarded  # type: ignore[method-assign]


def signature(error: BaseException) -> tuple[str, str]:
    """What makes two errors "the same": their type and the line that raised."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
    return type(error).__name__, where


class Reporter:
    """Counts, logs and (once per kind) announces unexpected errors for one app."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], int] = {}
        self.errors: deque[BaseException] = deque(maxlen=50)  # the latest, for tests and a look

    def report(self, error: BaseException, where: str = "") -> bool:
        """Log ``error``; whether the clerk should be told (its first occurrence)."""
        self.errors.append(error)
        key = signature(error)
        count = self.seen[key] = self.seen.get(key, 0) + 1
        context = f" in {where}" if where else ""
        if count == 1:
            log.error("Unexpected %s%s: %s", type(error).__name__, context, error,
                      exc_info=(type(error), error, error.__traceback__))
        elif count & (count - 1) == 0:  # 2, 4, 8, ...: a repeating error stays visible
            log.error("Unexpected %s%s again (%d times so far): %s", type(error).__name__,
                      context, count, error)
        return count == 1
