"""The manager's catalog services (movies, coupons, operators) on SQLite and MariaDB: what they
accept and refuse, that a cashier is refused every one of them, and that each change writes its
audit row in its own transaction (no row for a refusal, no change without its row)."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from decimal import Decimal

import pytest
from actor_support import ADMIN

import bmstui
from bmstui.domain.errors import BookingError, LoginFailed, NotAuthorized
from bmstui.services import audit, coupons, movies, operators, scheduling
from bmstui.services.catalog_import import import_catalog
from bmstui.store.db import database, db_now
from bmstui.store.models import AuditEvent, Coupon, Movie, Operator, Show

PASSWORD = "a-long-password"


def new_operator(role: str = "cashier") -> operators.OperatorInfo:
    return operators.add(f"op{secrets.token_hex(3)}", PASSWORD, role=role, by=ADMIN)


def new_movie(**fields) -> movies.MovieInfo:
    values = {"title": f"Film {secrets.token_hex(3)}", "language": "Hindi", "genre": "Drama",
              "certificate": "UA", "duration": 120, "by": ADMIN, **fields}
    return movies.add_movie(**values)


def new_coupon(**options) -> str:
    code = f"ADM{secrets.token_hex(3).upper()}"
    coupons.create(code, "flat", 50, **{"by": ADMIN, **options})
    return code


def audit_rows(kind: str) -> list[tuple]:
    with database.connection_context():
        return list(AuditEvent.select(AuditEvent.operator, AuditEvent.detail)
                    .where(AuditEvent.kind == kind).order_by(AuditEvent.id).tuples())


# -- movies -----------------------------------------------------------------------------------


def test_add_and_update_a_movie_with_its_audit_rows(demo_db):
    manager = new_operator("manager")
    made = new_movie(certificate="ua 13+", rating="7.25", synopsis="  A story.  ", by=manager)
    assert (made.certificate, made.rating, made.synopsis, made.active) == (
        "UA13+", Decimal("7.3"), "A story.", True)
    assert movies.movie(made.id) == made and made in movies.movies()
    assert audit_rows("movie")[-1] == (manager.id, (f"added #{made.id} {made.title} "
                                                   "(Hindi, UA13+, 120 min)"))

    changed = movies.update_movie(made.id, genre="Thriller", rating=None, active=False,
                                  by=manager)
    assert (changed.genre, changed.rating, changed.active) == ("Thriller", None, False)
    assert audit_rows("movie")[-1] == (manager.id, (
        f"changed #{made.id} {made.title}: genre Drama -> Thriller; rating 7.3 -> none; "
        "active True -> False"))
    assert made.id not in {m.id for m in movies.movies(include_inactive=False)}
    rows = len(audit_rows("movie"))
    assert movies.update_movie(made.id, genre="Thriller", by=manager) == changed
    assert len(audit_rows("movie")) == rows  # nothing changed, nothing written


@pytest.mark.parametrize(("fields", "message"), [
    ({"title": "  "}, "title cannot be empty"),
    ({"title": "x" * 161}, "161 characters long; at most 160"),
    ({"title": 42}, "title must be text"),
    ({"certificate": "PG-13"}, re.escape("certificate is one of U, UA, UA7+, UA13+, UA16+, A, S")),
    ({"duration": 0}, "whole minutes from 1 to 600"),
    ({"duration": 601}, "whole minutes from 1 to 600"),
    ({"duration": "two hours"}, "whole minutes"),
    ({"rating": 11}, "rating is 0 to 10"),
    ({"rating": "great"}, "rating is 0 to 10"),
    ({"genre": ""}, "genre cannot be empty"),
])
def test_a_movie_that_makes_no_sense_is_refused_and_not_audited(demo_db, fields, message):
    before = len(audit_rows("movie"))
    with pytest.raises(BookingError, match=message):
        new_movie(**fields)
    assert len(audit_rows("movie")) == before


def test_duplicates_are_refused_regardless_of_case(demo_db):
    made = new_movie()
    with pytest.raises(BookingError, match="is on the list already"):
        new_movie(title=made.title.upper(), language="hindi")
    assert new_movie(title=made.title, language="Tamil").language == "Tamil"  # another dub
    other = new_movie()
    with pytest.raises(BookingError, match="is on the list already"):
        movies.update_movie(other.id, title=made.title.lower(), by=ADMIN)
    with pytest.raises(BookingError, match="has no field colour"):
        movies.update_movie(other.id, colour="red", by=ADMIN)
    with pytest.raises(BookingError, match="No such movie"):
        movies.update_movie(10**9, genre="Drama", by=ADMIN)


def test_a_new_duration_leaves_the_end_of_existing_shows_alone(demo_db):
    made = new_movie(duration=100)
    with database.connection_context():
        screen_id = Show.select(Show.screen).first().screen_id
    starts = db_now().replace(microsecond=0) + timedelta(days=200, seconds=secrets.randbelow(9999))
    show = scheduling.create_show(made.id, screen_id, starts, "2D", operator=ADMIN)
    movies.update_movie(made.id, duration=150, by=ADMIN)
    later = scheduling.create_show(made.id, screen_id, starts + timedelta(hours=5), "2D", operator=ADMIN)
    with database.connection_context():
        assert Show.get_by_id(show).ends_at - Show.get_by_id(show).starts_at == timedelta(
            minutes=100)
        assert Show.get_by_id(later).ends_at - Show.get_by_id(later).starts_at == timedelta(
            minutes=150)


def test_a_change_whose_audit_row_fails_does_not_happen(demo_db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    made, title = new_movie(), f"Film {secrets.token_hex(3)}"
    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        new_movie(title=title)
    with pytest.raises(RuntimeError):
        movies.update_movie(made.id, genre="Horror", by=ADMIN)
    with pytest.raises(RuntimeError):
        coupons.create(f"X{secrets.token_hex(3)}".upper(), "flat", 5, by=ADMIN)
    monkeypatch.undo()
    with database.connection_context():
        assert not Movie.select().where(Movie.title == title).exists()
        assert Movie.get_by_id(made.id).genre == "Drama"


# -- coupons ----------------------------------------------------------------------------------


def test_update_a_coupon_with_its_audit_row(demo_db):
    manager = new_operator("manager")
    code = new_coupon(by=manager)
    assert audit_rows("coupon")[-1] == (manager.id, f"created {code}: ₹50.00 off")
    until = db_now().replace(microsecond=0) + timedelta(days=30)
    info = coupons.update(code.lower(), value="75", usage_limit=10, valid_until=until,
                          active=False, min_amount=500, by=manager)
    assert (info.value, info.usage_limit, info.valid_until, info.active, info.min_amount) == (
        Decimal("75.00"), 10, until, False, Decimal("500.00"))
    operator_id, detail = audit_rows("coupon")[-1]
    assert operator_id == manager.id and detail.startswith(f"changed {code}: ")
    assert "value 50.00 -> 75.00" in detail and "usage_limit none -> 10" in detail
    assert coupons.update(code, usage_limit=None, by=ADMIN).usage_limit is None  # None lifts the limit


def test_a_coupon_update_that_makes_no_sense_is_refused(demo_db):
    code = new_coupon()
    with database.connection_context():
        Coupon.update(used_count=4).where(Coupon.code == code).execute()
    before = len(audit_rows("coupon"))
    now = db_now()
    for changes, message in [
        ({"usage_limit": 3}, "used 4 times already; its usage limit cannot be 3"),
        ({"usage_limit": 0}, "at least 1"),
        ({"value": -1}, "cannot be negative"),
        ({"max_discount": "lots"}, "not an amount in rupees"),
        ({"valid_from": now, "valid_until": now}, "ends before it starts"),
        ({"valid_until": "tomorrow"}, "must be a date and time"),
        ({"kind": "percent"}, "kind cannot be changed"),
    ]:
        with pytest.raises(BookingError, match=message):
            coupons.update(code, by=ADMIN, **changes)
    with pytest.raises(BookingError, match="Unknown coupon code"):
        coupons.update("NO-SUCH-CODE", active=False, by=ADMIN)
    assert coupons.update(code, usage_limit=4, by=ADMIN).usage_limit == 4  # exactly the uses so far
    assert len(audit_rows("coupon")) == before + 1


# -- operators --------------------------------------------------------------------------------


def test_disable_enable_role_and_password_are_audited(demo_db):
    manager, clerk = new_operator("manager"), new_operator()
    assert not operators.set_active(clerk.name, False, by=manager).active
    with pytest.raises(LoginFailed, match="disabled"):
        operators.login(clerk.name, PASSWORD)
    assert operators.set_active(clerk.id, True, by=manager).active
    assert operators.set_role(clerk, "manager", by=manager).is_manager
    for _ in range(5):
        with pytest.raises(LoginFailed):
            operators.login(clerk.name, "wrong-password")
    operators.reset_password(clerk.name, "another-password", by=manager)  # lifts the lock
    assert operators.login(clerk.name, "another-password").id == clerk.id
    details = [d for op, d in audit_rows("operator") if op == manager.id]
    assert details == [f"disabled {clerk.name}", f"enabled {clerk.name}",
                       f"{clerk.name}: role cashier -> manager",
                       f"password reset for {clerk.name}"]
    assert all("another-password" not in d for _, d in audit_rows("operator"))
    with pytest.raises(BookingError, match="at least 8 characters"):
        operators.reset_password(clerk.name, "short", by=manager)
    with pytest.raises(BookingError, match="A role is cashier or manager"):
        operators.set_role(clerk.name, "owner", by=manager)
    with pytest.raises(BookingError, match="No such operator"):
        operators.set_active("nobody-" + secrets.token_hex(3), False, by=manager)


def test_a_manager_cannot_disable_or_demote_themselves(demo_db):
    manager, other = new_operator("manager"), new_operator("manager")
    before = len(audit_rows("operator"))
    with pytest.raises(BookingError, match="You cannot disable your own account"):
        operators.set_active(manager.name, False, by=manager)
    with pytest.raises(BookingError, match="You cannot remove your own manager role"):
        operators.set_role(manager.id, "cashier", by=manager)
    assert len(audit_rows("operator")) == before
    # Another manager may; and a disabled manager loses manager powers at once.
    operators.set_active(manager.name, False, by=other)
    with pytest.raises(NotAuthorized, match="signed-out operator"):
        movies.update_movie(new_movie().id, genre="Drama", by=manager)


def test_the_last_active_manager_stays_one(empty_db):
    bmstui.create_schema()
    boss = operators.add("boss", PASSWORD, role="manager", by=ADMIN)
    with pytest.raises(BookingError, match="boss is the last active manager"):
        operators.set_active("boss", False, by=ADMIN)
    with pytest.raises(BookingError, match="boss is the last active manager"):
        operators.set_role("boss", "cashier", by=ADMIN)
    deputy = operators.add("deputy", PASSWORD, role="manager", by=boss)
    assert operators.set_role("boss", "cashier", by=deputy).role == "cashier"
    assert audit_rows("operator") == [(None, "added boss as manager"),
                                      (boss.id, "added deputy as manager"),
                                      (deputy.id, "boss: role manager -> cashier")]


# -- roles ------------------------------------------------------------------------------------


def test_a_cashier_is_refused_every_admin_action_and_a_manager_allowed(demo_db):
    cashier, manager = new_operator(), new_operator("manager")
    target = new_operator()
    movie, code = new_movie(), new_coupon()
    city = f"Town {secrets.token_hex(3)}"
    actions = {
        "adding a movie": lambda who: new_movie(by=who),
        "changing a movie": lambda who: movies.update_movie(
            movie.id, genre=f"Genre {secrets.token_hex(2)}", by=who),
        "creating a coupon": lambda who: new_coupon(by=who),
        "changing a coupon": lambda who: coupons.update(
            code, usage_limit=secrets.randbelow(50) + 10, by=who),
        "adding an operator": lambda who: operators.add(
            f"op{secrets.token_hex(3)}", PASSWORD, by=who),
        "enabling or disabling an operator": lambda who: operators.set_active(
            target.name, not operators.get(target.name).active, by=who),
        "changing an operator's role": lambda who: operators.set_role(
            target.name, "manager" if operators.get(target.name).role == "cashier"
            else "cashier", by=who),
        "resetting a password": lambda who: operators.reset_password(
            target.name, "new-password-1", by=who),
        "importing the catalog": lambda who: import_catalog(
            f'[[city]]\nname = "{city}"\nstate = "{secrets.token_hex(3)}"\n', operator=who),
    }
    kinds = {"adding a movie": "movie", "changing a movie": "movie",
             "creating a coupon": "coupon", "changing a coupon": "coupon",
             "importing the catalog": "catalog_import"}
    for action, call in actions.items():
        kind = kinds.get(action, "operator")
        before = len(audit_rows(kind))
        with pytest.raises(NotAuthorized, match=f"^{action[:1].upper()}{action[1:]} is a "
                           "manager action; a cashier cannot do it$"):
            call(cashier)
        assert len(audit_rows(kind)) == before, action
        call(manager)
        assert audit_rows(kind)[-1][0] == manager.id, action
    with database.connection_context():
        assert Operator.get(Operator.name == target.name).role == "manager"
