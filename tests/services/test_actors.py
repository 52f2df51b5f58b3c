"""Nobody acts by default: every manager action and every action that gives money back is
refused without a named actor, allowed to ``bmstui.administrator()``, and its audit row names
the actor (``admin:<name>@<host>``). Both backends."""

from __future__ import annotations

import secrets
import socket
from datetime import datetime, timedelta

import pytest

import bmstui
from bmstui.domain.errors import BookingError, NotAuthorized
from bmstui.services import (
    audit,
    coupons,
    movies,
    operators,
    reports,
    sales,
    scheduling,
    seating,
)
from bmstui.services.catalog_import import import_catalog
from bmstui.store.db import database
from bmstui.store.models import AuditEvent, Movie, Screen, Show

PASSWORD = "a-long-password"


def latest(kind: str) -> tuple | None:
    with database.connection_context():
        return (AuditEvent.select(AuditEvent.operator, AuditEvent.actor, AuditEvent.terminal)
                .where(AuditEvent.kind == kind).order_by(AuditEvent.id.desc()).tuples().first())


def count(kind: str) -> int:
    with database.connection_context():
        return AuditEvent.select().where(AuditEvent.kind == kind).count()


def a_sale(show: int, label: str) -> str:
    return sales.confirm(seating.hold(show, [label]).token, method="cash").code


def test_the_administrator_is_named_by_the_os_user_and_host():
    admin = bmstui.administrator()
    assert admin.label.startswith("admin:") and admin.label.endswith(f"@{admin.host}")
    assert admin.host and admin.name and admin.is_manager and admin.id is None
    named = bmstui.administrator("night ops")
    assert named.label == f"admin:night_ops@{named.host}"
    assert socket.gethostname().startswith(named.host[:10]) or named.host == "localhost"
    for bad in ("", "   ", 42, b"ops"):
        with pytest.raises(BookingError):
            bmstui.administrator(bad)


def test_every_manager_and_money_back_action_needs_an_actor(demo_db, new_show):
    admin = bmstui.administrator("pytest-ops")
    with database.connection_context():
        screen = Screen.select().order_by(Screen.id).first()
        movie = Movie.select().order_by(Movie.id).first()
    starts = datetime(2097, 1, 1, 6, 0) + timedelta(days=secrets.randbelow(300),
                                                    minutes=secrets.randbelow(20) * 30)
    made = movies.add_movie(title=f"Film {secrets.token_hex(3)}", language="Tamil",
                            genre="Drama", certificate="U", duration=100, by=admin)
    code = f"A{secrets.token_hex(3).upper()}"
    coupons.create(code, "flat", 10, by=admin)
    target = operators.add(f"op{secrets.token_hex(3)}", PASSWORD, by=admin)
    spare = new_show()
    doomed = new_show()
    sold = new_show()
    booking_a, booking_b, booking_c = (a_sale(sold, label) for label in ("A1", "A2", "A3"))
    city = f"Town {secrets.token_hex(3)}"
    actions = {  # action -> (audit kind, call)
        "scheduling a show": ("show_scheduled", lambda who: scheduling.create_show(
            movie.id, screen.id, starts, operator=who)),
        "deleting a show": ("show_deleted", lambda who: scheduling.delete_show(
            spare, operator=who)),
        "cancelling a show": ("show_cancelled", lambda who: scheduling.cancel_show(
            doomed, reason="projector broke", operator=who)),
        "cancelling a booking": ("cancel", lambda who: sales.cancel(booking_a, operator=who)),
        "refunding money": ("refund", lambda who: sales.refund(
            booking_b, 10, reason="goodwill", operator=who)),
        "adding a movie": ("movie", lambda who: movies.add_movie(
            title=f"Film {secrets.token_hex(3)}", language="Hindi", genre="Drama",
            certificate="UA", duration=120, by=who)),
        "changing a movie": ("movie", lambda who: movies.update_movie(
            made.id, genre=f"Genre {secrets.token_hex(2)}", by=who)),
        "creating a coupon": ("coupon", lambda who: coupons.create(
            f"B{secrets.token_hex(3).upper()}", "flat", 10, by=who)),
        "changing a coupon": ("coupon", lambda who: coupons.update(
            code, usage_limit=secrets.randbelow(50) + 10, by=who)),
        "adding an operator": ("operator", lambda who: operators.add(
            f"op{secrets.token_hex(3)}", PASSWORD, by=who)),
        "enabling or disabling an operator": ("operator", lambda who: operators.set_active(
            target.name, not operators.get(target.name).active, by=who)),
        "changing an operator's role": ("operator", lambda who: operators.set_role(
            target.name, "manager" if operators.get(target.name).role == "cashier"
            else "cashier", by=who)),
        "resetting a password": ("operator", lambda who: operators.reset_password(
            target.name, "new-password-1", by=who)),
        "importing the catalog": ("catalog_import", lambda who: import_catalog(
            f'[[city]]\nname = "{city}"\nstate = "X"\n', operator=who)),
    }
    for action, (kind, call) in actions.items():
        before = count(kind)
        with pytest.raises(NotAuthorized, match="needs a signed-in operator") as refused:
            call(None)
        assert refused.value.role is None and action in str(refused.value).lower(), action
        assert count(kind) == before, f"{action}: refused, yet audited"
        call(admin)
        operator_id, actor, terminal = latest(kind)
        assert (operator_id, actor, terminal) == (None, admin.label, "pytest"), action
    with database.connection_context():
        assert Show.get_or_none(Show.id == spare) is None
        assert Show.get_by_id(doomed).status == "cancelled"
    assert sales.find_booking(booking_c).status == "confirmed"
    # The browser and `bmstui audit` show the administrator by name, and filter by it.
    rows = audit.events(operator=admin.label, limit=50)
    assert {row.kind for row in rows} >= {"show_deleted", "refund", "cancel", "operator"}
    assert all(row.operator == admin.label for row in rows)


def test_reports_need_an_actor(demo_db):
    day = datetime.now().date()
    for call in (
        lambda who: reports.shift(since=datetime(2020, 1, 1), until=datetime(2020, 1, 2),
                                  by=who),
        lambda who: reports.occupancy(day_from=day, day_to=day, by=who),
        lambda who: reports.sales(day_from=day, day_to=day, by=who),
    ):
        with pytest.raises(NotAuthorized):
            call(None)
        assert isinstance(call(bmstui.administrator()), list)


def test_holds_and_sales_without_an_operator_stay_allowed_and_name_their_terminal(new_show):
    show = new_show()
    booking = sales.confirm(seating.hold(show, ["B1"], terminal="kiosk-7").token,
                            method="cash")
    row = next(e for e in audit.events(kind="sale", booking=booking.code))
    assert row.operator == "" and row.terminal == "pytest"
    with pytest.raises(NotAuthorized):
        sales.cancel(booking.code)  # giving the money back is not a script's default
    assert sales.find_booking(booking.code).status == "confirmed"
