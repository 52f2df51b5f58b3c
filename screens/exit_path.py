"""Leaving the app never strands seats: however it ends, the hold it has goes back on sale.

ctrl+q, a fatal error, and SIGTERM or SIGHUP of the terminal (the signal handlers turn those
into an ordinary exit) all pass through the app's shutdown, which releases every hold a
checkout of this counter still has; ``run_counter`` does it once more after the app returned,
in case the shutdown itself was cut short. Each release runs on a thread with a short timeout,
so an unreachable database delays the exit by seconds, never hangs it (the hold then simply
runs out on the database clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading

RELEASE_TIMEOUT = 3.0  # seconds the exit waits for the database to take the seats back
EXIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


def install_signal_handlers(app) -> None:
    """SIGTERM and SIGHUP end ``app`` as ctrl+q does (its shutdown releases the hold)."""
    loop = asyncio.get_running_loop()
    for signum in EXIT_SIGNALS:
        try:
            loop.add_signal_handler(signum, app.exit, None, 128 + signum)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # no asyncio signals here (Windows): the default action applies


def _release_all(tokens: list[str]) -> None:
    from bmstui.services import seating

    for token in tokens:
        # Leaving anyway: a hold that cannot be released now runs out on the database clock.
        with contextlib.suppress(Exception):
            seating.release(token)


def release_holds(app, timeout: float = RELEASE_TIMEOUT) -> None:
    """Give back every hold ``app`` still has, waiting at most ``timeout`` seconds."""
    tokens = sorted(app.open_holds)
    app.open_holds.clear()
    if not tokens:
        return
    worker = threading.Thread(target=_release_all, args=(tokens,), name="release-on-exit",
                              daemon=True)
    worker.start()
    worker.join(timeout)


def run_counter(app) -> int:
    """Run ``app`` until it ends, then make sure its holds are released."""
    try:
        app.run()
    finally:
        release_holds(app)
    return app.return_code or 0
