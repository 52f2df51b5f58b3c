"""Operators and roles through the API, on SQLite and MariaDB: login, lockout, and every
manager action refused to a cashier (the rule lives in the services, not only in the UI)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import pytest
from actor_support import ADMIN

from bmstui.domain.errors import CancellationClosed, LoginFailed, NotAuthorized
from bmstui.domain.passwords import hash_password, verify_password
from bmstui.services import coupons, operators, sales, scheduling, seating
from bmstui.store.db import database, db_now
from bmstui.store.models import AuditEvent, Movie, Operator, Screen

PASSWORD = "counter-pass-1"


def new_operator(role: str = "cashier") -> operators.OperatorInfo:
    return operators.add(f"op{secrets.token_hex(3)}", PASSWORD, role=role, by=ADMIN)


def audit_kinds(operator_id: int) -> list[str]:
    with database.connection_context():
        return [kind for (kind,) in AuditEvent.select(AuditEvent.kind)
                .where(AuditEvent.operator == operator_id).order_by(AuditEvent.id).tuples()]


def test_passwords_are_salted_scrypt_and_verify():
    first, second = hash_password("s3cret-pass"), hash_password("s3cret-pass")
    assert first.startswith("scrypt$") and first != second  # a salt per hash
    assert verify_password("s3cret-pass", first) and verify_password("s3cret-pass", second)
    assert not verify_password("s3cret-pasS", first)
    assert not verify_password("anything", "not-a-hash")


def test_login_success_and_failure_are_audited(demo_db):
    cashier = new_operator()
    assert operators.login(cashier.name, PASSWORD) == cashier
    with pytest.raises(LoginFailed, match="4 tries left"):
        operators.login(cashier.name, "wrong-password")
    with pytest.raises(LoginFailed, match="Wrong operator name or password"):
        operators.login("nobody-" + secrets.token_hex(3), PASSWORD)
    assert audit_kinds(cashier.id) == ["login", "login_failed"]
    stored = Operator.get_by_id(cashier.id).password_hash
    assert PASSWORD not in stored and verify_password(PASSWORD, stored)


def test_five_failures_lock_for_five_minutes_by_the_database_clock(demo_db):
    cashier = new_operator()
    for _ in range(4):
        with pytest.raises(LoginFailed, match="left"):
            operators.login(cashier.name, "wrong-password")
    with pytest.raises(LoginFailed, match="locked for 5 more minutes"):
        operators.login(cashier.name, "wrong-password")
    with pytest.raises(LoginFailed, match="locked"):
        operators.login(cashier.name, PASSWORD)  # even the right password, while locked
    with database.connection_context():
        row = Operator.get_by_id(cashier.id)
        left = row.locked_until - db_now()
        assert timedelta(minutes=4) < left <= timedelta(minutes=5)
        # Five minutes later (moved on the record, not by sleeping) the right password works.
        Operator.update(locked_until=db_now() - timedelta(seconds=1)).where(
            Operator.id == cashier.id).execute()
    assert operators.login(cashier.name, PASSWORD).id == cashier.id
    assert Operator.get_by_id(cashier.id).failed_logins == 0


def test_a_disabled_operator_cannot_log_in(demo_db):
    cashier = new_operator()
    with database.connection_context():
        Operator.update(active=False).where(Operator.id == cashier.id).execute()
    with pytest.raises(LoginFailed, match="disabled"):
        operators.login(cashier.name, PASSWORD)


def test_every_manager_action_is_refused_to_a_cashier(demo_db, new_show):
    cashier, manager = new_operator(), new_operator("manager")
    with database.connection_context():
        screen = Screen.select().first()
        movie = Movie.select().first()
    # A year no other test schedules in: a show there cannot clash with theirs.
    starts = datetime(2096, 3, 1, 6, 0) + timedelta(days=secrets.randbelow(300))
    actions = {
        "adding an operator": lambda who: operators.add(
            f"op{secrets.token_hex(3)}", PASSWORD, by=who),
        "creating a coupon": lambda who: coupons.create(
            f"R{secrets.token_hex(3)}", "flat", 10, operator=who),
        "scheduling a show": lambda who: scheduling.create_show(
            movie.id, screen.id, starts, operator=who),
    }
    for action, call in actions.items():
        with pytest.raises(NotAuthorized, match=f"{action[:1].upper()}{action[1:]} is a manager"):
            call(cashier)
        call(manager)  # the same call by a manager goes through

    # Cancelling within policy is a cashier's job; overriding the cutoff is not.
    late = new_show(starts_in=timedelta(minutes=20))
    booking = sales.confirm(seating.hold(late, ["E1"]).token, method="cash")
    with pytest.raises(CancellationClosed, match="a manager can override"):
        sales.cancel(booking.code, operator=cashier)
    with pytest.raises(NotAuthorized, match="Overriding the cancellation cutoff"):
        sales.cancel(booking.code, operator=cashier, reason="customer ill")
    assert sales.refund_quote(booking.code, operator=manager).override_possible
    assert not sales.refund_quote(booking.code, operator=cashier).override_possible
    refund = sales.cancel(booking.code, operator=manager, reason="customer ill")
    assert refund.override and refund.reason == "customer ill"

    soon = new_show()
    other = sales.confirm(seating.hold(soon, ["E2"]).token, method="cash", operator=cashier)
    assert sales.cancel(other.code, operator=cashier).amount == other.total


def test_demo_operators_are_seeded_with_roles(demo_db):
    roles = {info.name: info.role for info in operators.operators()}
    assert roles["manager"] == "manager" and roles["cashier1"] == "cashier"


def test_an_unknown_name_is_audited_without_what_was_typed(demo_db):
    """A name and password typed into the name field in one burst must not reach the trail."""
    typed = f"cashier1{secrets.token_hex(6)}"
    with pytest.raises(LoginFailed):
        operators.login(typed, "whatever-password")
    with database.connection_context():
        row = (AuditEvent.select().where(AuditEvent.kind == "login_failed")
               .order_by(AuditEvent.id.desc()).first())
    assert typed[8:] not in row.detail and f"{len(typed)} characters" in row.detail


def test_a_password_too_short_to_be_one_is_not_counted_as_a_try(demo_db):
    """Keys typed into a locked counter's password field ("3", Enter) lock nobody out."""
    cashier = operators.add(f"op{secrets.token_hex(3)}", "a-long-password", by=ADMIN)
    for _ in range(6):
        with pytest.raises(LoginFailed, match="not counted"):
            operators.login(cashier.name, "3")
    assert operators.login(cashier.name, "a-long-password").id == cashier.id
