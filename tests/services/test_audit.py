"""The audit trail on SQLite and MariaDB: each action writes its row with operator, counter and
the database's time, and the row shares the action's transaction: when writing the row fails,
the action is undone too, and a refused action leaves no row."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from actor_support import ADMIN

from bmstui.domain.errors import BookingError
from bmstui.services import audit, operators, sales, scheduling, seating
from bmstui.store.db import database, db_now
from bmstui.store.models import AuditEvent, Booking, Refund, Show, ShowSeat


class DiskFull(Exception):
    pass


@pytest.fixture
def failing_audit(monkeypatch):
    """The audit row is written, then the statement after it fails (a full disk, a lost
    connection): whatever the action did in that transaction must be rolled back."""
    real = audit.record

    def record_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise DiskFull("disk full")

    monkeypatch.setattr(audit, "record", record_then_fail)


def rows_for(booking_id: int) -> list[str]:
    with database.connection_context():
        return [e.kind for e in AuditEvent.select().where(AuditEvent.booking == booking_id)
                .order_by(AuditEvent.id)]


def test_each_action_writes_one_row_with_operator_counter_and_database_time(new_show,
                                                                            settings):
    counter = f"till-{secrets.token_hex(3)}"
    settings(terminal=counter)
    manager = operators.add(f"au{secrets.token_hex(3)}", "audit-pass-1", role="manager", by=ADMIN)
    before = db_now()
    booking = sales.confirm(seating.hold(new_show(), ["A1", "A2"]).token, method="cash",
                            operator=manager)
    sales.cancel(booking.code, labels=["A1"], operator=manager)
    sales.refund(booking.code, 10, reason="no sound", operator=manager)
    after = db_now()
    events = audit.events(booking=booking.code)
    assert [e.kind for e in events] == ["refund", "cancel", "sale"]  # newest first
    assert {(e.operator, e.terminal) for e in events} == {(manager.name, counter)}
    assert all(before <= e.at <= after for e in events)
    assert "no sound" in events[0].detail and "A1" in events[1].detail
    assert [e.kind for e in audit.events(terminal=counter, kind="ca*")] == ["cancel"]


def test_a_sale_whose_audit_row_fails_is_not_made(new_show, failing_audit):
    show = new_show()
    held = seating.hold(show, ["B1", "B2"])
    with pytest.raises(DiskFull):
        sales.confirm(held.token, method="cash")
    with database.connection_context():
        assert not Booking.select().where(Booking.hold_token == held.token).exists()
        statuses = {s for (s,) in ShowSeat.select(ShowSeat.status)
                    .where(ShowSeat.hold_token == held.token).tuples()}
    assert statuses == {"held"}  # still the clerk's to sell again


def test_a_cancel_or_refund_whose_audit_row_fails_is_not_made(new_show, monkeypatch):
    booking = sales.confirm(seating.hold(new_show(), ["C1"]).token, method="card")
    real = audit.record

    def record_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise DiskFull("disk full")

    monkeypatch.setattr(audit, "record", record_then_fail)
    with pytest.raises(DiskFull):
        sales.cancel(booking.code, operator=ADMIN)
    with pytest.raises(DiskFull):
        sales.refund(booking.code, 5, reason="x", operator=ADMIN)
    monkeypatch.setattr(audit, "record", real)
    after = sales.find_booking(booking.code)
    assert after.status == "confirmed" and after.labels == ("C1",)
    with database.connection_context():
        assert not Refund.select().where(Refund.booking == booking.id).exists()
    assert rows_for(booking.id) == ["sale"]


def test_a_show_cancellation_whose_audit_row_fails_leaves_everything_as_it_was(
        demo_db, new_show, failing_audit):
    show = new_show(starts_in=timedelta(days=200))
    with database.connection_context():
        before = {s for (s,) in ShowSeat.select(ShowSeat.status)
                  .where(ShowSeat.show == show).tuples()}
    with pytest.raises(DiskFull):
        scheduling.cancel_show(show, reason="storm", operator=ADMIN)
    with database.connection_context():
        assert Show.get_by_id(show).status == "scheduled"
        after = {s for (s,) in ShowSeat.select(ShowSeat.status)
                 .where(ShowSeat.show == show).tuples()}
    assert before == after == {"available"}


def test_a_refused_action_leaves_no_row(new_show):
    booking = sales.confirm(seating.hold(new_show(), ["D1"]).token, method="cash")
    with pytest.raises(BookingError):
        sales.cancel(booking.code, labels=["Z99"], operator=ADMIN)
    with pytest.raises(BookingError):
        sales.refund(booking.code, "1000000", reason="too much", operator=ADMIN)
    assert rows_for(booking.id) == ["sale"]
