"""The audit trail: who did what, at which counter, by the database clock.

``record`` is called inside the transaction of the action it describes, so an action and its
audit row commit or roll back together (there is never a sale without its row, nor a row for a
sale that did not happen). ``events`` is the read side behind the manager's audit browser and
``bmstui audit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN

from bmstui.config import get_settings
from bmstui.domain.actors import Administrator, OnlineChannel
from bmstui.domain.errors import BookingError, shown
from bmstui.domain.ids import parse_optional_moment
from bmstui.domain.text import clean_text
from bmstui.store.db import database, now_sql, parse_db_datetime
from bmstui.store.models import AuditEvent, Booking, Operator

# What each kind of row means, for filters and the browser's legend.
KINDS = {
    "sale": "a booking sold",
    "cancel": "seats cancelled within policy",
    "cancel_override": "seats cancelled past the cutoff by a manager",
    "refund": "money refunded by a manager",
    "login": "an operator signed in",
    "login_failed": "a failed sign-in",
    "show_scheduled": "a show put on a screen",
    "show_cancelled": "a show cancelled, its bookings refunded",
    "show_deleted": "an unsold show removed",
    "movie": "a movie added or changed",
    "coupon": "a coupon added or changed",
    "operator": "an operator added or changed",
    "catalog_import": "cities, theaters or screens imported",
}
MAX_ROWS = 2000


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    kind: str
    operator: str  # name, "admin:<name>@<host>" for the administrator, "channel:<name>" for
    # an online channel, "" for a script's sale
    terminal: str
    booking_code: str
    detail: str


def record(kind: str, *, operator_id=None, booking_id: int | None = None,
           detail: str = "") -> None:
    """One audit row; call it inside the action's own transaction. ``operator_id`` is the
    actor: an operator's id, the administrator (named in ``actor``), or None (a script's hold
    or sale, known by its terminal)."""
    actor = ""
    if isinstance(operator_id, Administrator | OnlineChannel):
        actor, operator_id = operator_id.label, None
    AuditEvent.insert(at=now_sql(), kind=kind, operator=operator_id, actor=actor,
                      terminal=get_settings().terminal, booking=booking_id,
                      detail=clean_text(detail)[:2000]).execute()


def events(*, kind: str | None = None, operator: str | None = None,
           terminal: str | None = None, booking: str | None = None, text: str | None = None,
           since: datetime | None = None, until: datetime | None = None,
           limit: int = 500) -> list[Event]:
    """The newest rows first, filtered: ``kind`` exact (or a prefix ending in ``*``),
    ``operator`` and ``terminal`` by name, ``booking`` by code, ``text`` anywhere in the
    detail, ``since``/``until`` (UTC) as a half-open window."""
    query = (AuditEvent.select(AuditEvent.id, AuditEvent.at, AuditEvent.kind, Operator.name,
                               AuditEvent.terminal, Booking.code, AuditEvent.detail,
                               AuditEvent.actor)
             .join(Operator, JOIN.LEFT_OUTER, on=(AuditEvent.operator == Operator.id))
             .switch(AuditEvent)
             .join(Booking, JOIN.LEFT_OUTER, on=(AuditEvent.booking == Booking.id)))
    kind, operator, terminal, booking, text = (
        None if value is None else clean_text(value).strip()
        for value in (kind, operator, terminal, booking, text))
    if kind:
        query = query.where(AuditEvent.kind.startswith(kind[:-1]) if kind.endswith("*")
                            else AuditEvent.kind == kind)
    if operator:
        query = query.where((Operator.name == operator) | (AuditEvent.actor == operator))
    if terminal:
        query = query.where(AuditEvent.terminal == terminal)
    if booking:
        query = query.where(Booking.code == booking.upper())
    if text:
        query = query.where(AuditEvent.detail.contains(text))
    since = parse_optional_moment(since, "window's start")
    until = parse_optional_moment(until, "window's end")
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise BookingError(
            f"A limit is a whole number of rows, not {shown(limit, 20, quoted=True)}")
    limit = max(1, min(limit, MAX_ROWS))
    with database.connection_context():
        rows = list(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
                    .tuples())
    return [Event(id_, parse_db_datetime(at), kind_, name or actor or "", terminal_, code or "",
                  detail)
            for id_, at, kind_, name, terminal_, code, detail, actor in rows]
