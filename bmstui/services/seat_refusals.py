"""Why the seat protocol refuses: too many seats, a show not on sale, seats someone else has.

Read-only explanations, asked only after a statement found nothing to change, so a successful
hold never pays for them.
"""

from __future__ import annotations

from bmstui.config import get_settings
from bmstui.domain.errors import BookingClosed, ShowNotFound, TooManySeats
from bmstui.domain.vocabulary import ShowStatus
from bmstui.store import seat_sql
from bmstui.store.db import database, is_mysql
from bmstui.store.models import Seat, ShowSeat
from bmstui.store.seat_sql import free_seat_condition


def check_count(count: int) -> None:
    limit = get_settings().max_seats
    if count > limit:
        raise TooManySeats(count, limit)


def show_refusal(show_id: int, state: tuple | None = None) -> None:
    """Raise why a show cannot be sold now (unknown, cancelled, started), if it cannot.

    ``state`` is (status, on sale) when the caller already read it."""
    if state is None:
        state = database.execute_sql(
            *seat_sql.show_state(mysql=is_mysql(), show_id=show_id)).fetchone()
    if state is None:
        raise ShowNotFound(show_id)
    if state[0] != ShowStatus.SCHEDULED:
        raise BookingClosed("This show was cancelled")
    if not state[1]:
        raise BookingClosed("This show has already started; booking is closed")


def taken_labels(ids: list[int], token: str) -> list[str]:
    """Labels among ``ids`` that someone else holds or sold (read after our own UPDATE)."""
    others = ShowSeat.hold_token.is_null() | (ShowSeat.hold_token != token)
    return [
        label
        for (label,) in ShowSeat.select(Seat.label)
        .join(Seat)
        .where(ShowSeat.id.in_(ids) & others & ~free_seat_condition())
        .order_by(Seat.y, Seat.x)
        .tuples()
    ]


def contested_labels(ids: list[int], labels_by_id: dict[int, str]) -> list[str]:
    """Labels of the rows another transaction has locked right now (MySQL SKIP LOCKED)."""
    with database.connection_context():
        free = {sid for (sid,) in database.execute_sql(
            *seat_sql.lock_rows(mysql=True, ids=ids, mode="SKIP LOCKED"))}
    return [labels_by_id[sid] for sid in ids if sid not in free] or list(labels_by_id.values())
