"""Service calls run on a worker thread; their answer (or refusal) comes back to the screen.

The event loop never waits for the database, so the countdown keeps ticking and keys keep
working while a query runs. A refusal (``BookingError``) and an unreachable database both come
back as a readable sentence; anything unexpected is reported too instead of closing the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.dom import DOMNode
from textual.worker import Worker, get_current_worker

from bmstui.config import mask_url
from bmstui.domain.errors import BmstuiError, BookingError
from bmstui.services.faults import is_database_fault


def explain(exc: BaseException, node: DOMNode | None = None) -> str:
    """One sentence a clerk can act on."""
    if isinstance(exc, BmstuiError):
        return str(exc)
    if is_database_fault(exc):
        where = ""
        settings = getattr(getattr(node, "app", None), "settings", None)
        if settings is not None:
            where = f" ({mask_url(settings.resolved_database_url)})"
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        return f"The database cannot be reached{where}: {reason}. Try again in a moment."
    return f"Unexpected problem: {type(exc).__name__}: {str(exc)[:160]}"


def sentence(text: str) -> str:
    """``text`` ending as a sentence, so another can follow it: service messages are written
    without a final full stop (they are also shown alone, as a line or a notice)."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def _still_shown(node: DOMNode) -> bool:
    """Whether ``node`` is still mounted on a screen of the app's stack."""
    if not node.is_attached:
        return False
    try:
        return node.screen in node.app.screen_stack
    except Exception:  # no screen any more (being removed)
        return False


def run_service(
    node: DOMNode,
    fn: Callable[..., Any],
    *args: Any,
    done: Callable[[Any], None] | None = None,
    failed: Callable[[BaseException], None] | None = None,
    group: str = "service",
    exclusive: bool = False,
    moves_on: bool = False,
    **kwargs: Any,
) -> Worker:
    """Run ``fn(*args, **kwargs)`` on a thread; then ``done(result)`` or ``failed(exc)`` on the
    event loop (by default a notification). Nothing is delivered to a screen that went away.

    ``moves_on``: the answer takes the counter to another screen (or says why not); keys typed
    meanwhile wait and then go to the screen shown after the answer (screens/typeahead.py)."""
    typeahead = getattr(node.app, "typeahead", None) if moves_on else None
    wait = typeahead.hold() if typeahead is not None else 0

    def guarded(callback, value) -> None:  # on the event loop
        if not _still_shown(node):  # it went away between the thread and the loop
            return
        if not getattr(node.app, "_running", True) or getattr(node, "_closing", False):
            return  # the app is shutting down (its widgets are being removed): nobody to tell
        try:
            callback(value)
        except Exception as exc:  # a bug in the screen's callback: the last resort reports it
            report = getattr(node.app, "report_unexpected", None)
            if report is None:
                raise
            report(exc, f"{getattr(callback, '__qualname__', 'callback')} after "
                        f"{getattr(fn, '__name__', 'a service')}")

    def call_back(callback, value) -> None:
        worker = get_current_worker()
        if worker.is_cancelled or not node.is_attached:
            return
        try:
            node.app.call_from_thread(guarded, callback, value)
        except RuntimeError:  # the app is shutting down
            pass

    def notify_failure(exc: BaseException) -> None:
        severity = "warning" if isinstance(exc, BookingError) else "error"
        node.app.notify(explain(exc, node), severity=severity, timeout=6)

    def work() -> None:
        try:
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:  # every failure is reported to the clerk, none closes the app
                call_back(failed or notify_failure, exc)
                return
            if done is not None:
                call_back(done, result)
        finally:
            if typeahead is not None:  # the answer was handled (or never will be)
                try:
                    node.app.call_from_thread(typeahead.release, wait)
                except RuntimeError:  # the app is shutting down
                    pass

    return node.run_worker(work, thread=True, exit_on_error=False, group=group,
                           exclusive=exclusive, name=getattr(fn, "__name__", "service"))
