"""The lasting offline sign: while the database does not answer, the grid and the checkout say
since when their picture is old, until the first good answer.

A notice lasts seconds and then the screen looks live while it is not; a clerk selling from a
stale grid must see that it is stale for as long as it is. The state lives on the app
(``offline_since``: the database time of the last good answer, or of the failure when there
was none), so a grid and a checkout on top of it agree; every sign watches it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from textual.widgets import Static

from bmstui.domain.clock import to_local
from screens.background import explain, sentence

log = logging.getLogger("screens.offline")


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def went_offline(app, exc: BaseException | None = None) -> None:
    """A poll or probe failed: the sign goes up (its time stays that of the last good one)."""
    if app.offline_since is None:
        app.offline_since = getattr(app, "last_contact", None) or _utc_now()
        log.warning("The database stopped answering: %s",
                    sentence(explain(exc, app)) if exc else "?")


def back_online(app, db_now: datetime | None = None) -> bool:
    """A poll or probe answered (at ``db_now``, UTC): the sign comes down. Whether it was up."""
    app.last_contact = db_now or _utc_now()
    was = app.offline_since is not None
    if was:
        log.info("The database answers again (offline since %s UTC)", app.offline_since)
        app.offline_since = None
    return was


def sign_text(since: datetime, zone: str | None = None) -> str:
    """The sign, in the theater's local time (``zone``: its IANA name; None = the chain's)."""
    return f"⚠ offline since {to_local(since, zone):%H:%M}: seats as of then"


class OfflineSign(Static):
    """One line that is there only while the app is offline."""

    DEFAULT_CSS = """
    OfflineSign { display: none; height: 1; width: 100%; padding: 0 1;
                  background: $error; color: $text; text-style: bold; }
    OfflineSign.-offline { display: block; }
    """

    def __init__(self, zone: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.zone = zone

    def on_mount(self) -> None:
        self.watch(self.app, "offline_since", self._show, init=True)

    def _show(self, since: datetime | None) -> None:
        self.update(sign_text(since, self.zone) if since is not None else "")
        self.set_class(since is not None, "-offline")
