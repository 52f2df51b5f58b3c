"""The stored words: each status, payment method and role is one enum whose members are the
strings in the database and whose one ``title`` every screen and report shows; and the
services compare against the members, never against a word typed out again (a typo there
would be a status nobody has, silently matching nothing)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from actor_support import ADMIN

from bmstui.domain import vocabulary
from bmstui.domain.vocabulary import (
    BookingStatus,
    HoldState,
    PaymentMethod,
    Role,
    SeatStatus,
    ShowStatus,
    TicketStatus,
)
from bmstui.services import sales, seating
from bmstui.store import models
from bmstui.store.db import database

REPO_ROOT = Path(__file__).resolve().parents[2]
ENUMS = (SeatStatus, HoldState, BookingStatus, TicketStatus, ShowStatus, PaymentMethod, Role)

# The strings rows already hold: renaming one would orphan every stored row that has it.
STORED = {
    SeatStatus: {"available", "held", "booked", "blocked"},
    HoldState: {"active", "released", "confirmed", "expired"},
    BookingStatus: {"confirmed", "cancelled", "partially_cancelled"},
    TicketStatus: {"sold", "cancelled"},
    ShowStatus: {"scheduled", "cancelled"},
    PaymentMethod: {"cash", "card", "upi", "netbanking"},
    Role: {"cashier", "manager"},
}

# The column each enum's words are stored in.
COLUMNS = (
    (models.ShowSeat.status, SeatStatus),
    (models.Hold.state, HoldState),
    (models.Booking.status, BookingStatus),
    (models.BookingSeat.status, TicketStatus),
    (models.Show.status, ShowStatus),
    (models.Payment.method, PaymentMethod),
    (models.Refund.method, PaymentMethod),
    (models.Operator.role, Role),
)


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_member_has_one_title(enum):
    titles = [member.title() for member in enum]
    for member, title in zip(enum, titles):
        assert isinstance(title, str) and title == title.strip() and title[:1].isupper(), member
    assert len(set(titles)) == len(titles), titles


def test_the_titles_shown_for_methods_and_statuses():
    # The words on the checkout, the shift report and its CSV (the snapshots hold them too).
    assert [m.title() for m in PaymentMethod] == ["Cash", "Card", "UPI", "Netbanking"]
    assert BookingStatus.PARTIALLY_CANCELLED.title() == "Partially cancelled"
    assert SeatStatus.AVAILABLE.title() == "Available"
    assert Role.MANAGER.title() == "Manager"


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_members_are_the_stored_strings(enum):
    assert {member.value for member in enum} == STORED[enum]
    for member in enum:
        # A row's plain string and the member are interchangeable: compared, hashed, printed.
        assert member == member.value and hash(member) == hash(member.value)
        assert {member.value: True}[member] and {member: True}[member.value]
        assert str(member) == f"{member}" == member.value


@pytest.mark.parametrize(("field", "enum"), COLUMNS,
                         ids=lambda x: getattr(x, "name", None) or getattr(x, "__name__", ""))
def test_the_models_store_the_members(field, enum):
    assert all(len(member.value) <= field.max_length for member in enum), field
    if field.default is not None:
        assert field.default in enum and type(field.default) is enum


def test_the_tuples_are_the_enums():
    assert vocabulary.SEAT_STATUSES == tuple(SeatStatus)
    assert vocabulary.BOOKING_STATUSES == tuple(BookingStatus)
    assert vocabulary.PAYMENT_METHODS == tuple(PaymentMethod)
    assert vocabulary.ROLES == tuple(Role)
    assert set(vocabulary.ELECTRONIC_METHODS) == set(PaymentMethod) - {PaymentMethod.CASH}
    assert models.PAYMENT_METHODS is vocabulary.PAYMENT_METHODS


def test_a_sale_and_a_cancel_store_the_members_words(new_show):
    """Read back as the database's own plain strings, every word written is a member."""
    show = new_show()
    held = seating.hold(show, ["A1", "A2"])
    booking = sales.confirm(held.token, method="upi")
    sales.cancel(booking.code, labels=["A1"], operator=ADMIN, reason="test")
    with database.connection_context():
        def words(query) -> set:
            found = {value for (value,) in query.tuples()}
            assert all(type(value) is str for value in found), found
            return found

        M = models
        assert words(M.ShowSeat.select(M.ShowSeat.status).where(M.ShowSeat.show == show)) == {
            SeatStatus.AVAILABLE, SeatStatus.BOOKED}
        assert words(M.Show.select(M.Show.status).where(M.Show.id == show)) == {
            ShowStatus.SCHEDULED}
        assert words(M.Hold.select(M.Hold.state).where(M.Hold.token == held.token)) == {
            HoldState.CONFIRMED}
        assert words(M.Booking.select(M.Booking.status).where(M.Booking.id == booking.id)) == {
            BookingStatus.PARTIALLY_CANCELLED}
        assert words(M.BookingSeat.select(M.BookingSeat.status)
                     .where(M.BookingSeat.booking == booking.id)) == {
            TicketStatus.SOLD, TicketStatus.CANCELLED}
        assert words(M.Payment.select(M.Payment.method)
                     .where(M.Payment.booking == booking.id)) == {PaymentMethod.UPI}
        assert words(M.Refund.select(M.Refund.method)
                     .where(M.Refund.booking == booking.id)) == {PaymentMethod.UPI}


# -- no stored word typed out in the services ---------------------------------------------------

STORED_WORDS = frozenset(member.value for enum in ENUMS for member in enum)
WORD_FIELDS = frozenset({"status", "state", "method", "role", "free_to"})
SCANNED = ("bmstui/services", "bmstui/export")


def _words(node: ast.AST) -> list[str]:
    """The stored words a string constant, or a tuple/list/set of them, spells out."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if node.value in STORED_WORDS else []
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [word for element in node.elts for word in _words(element)]
    return []


def bare_words(source: str) -> list[tuple[int, str]]:
    """(line, word) of each stored word used as a status or method: compared with == != in
    (plain or peewee's ``in_``/``not_in``/``Case``), given to a status/state/method/role
    argument or parameter default, or listed in a literal tuple of such words."""
    found: list[tuple[int, str]] = []

    def add(node: ast.AST, at: ast.AST) -> None:
        found.extend((at.lineno, word) for word in _words(node))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            if any(isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)) for op in node.ops):
                for operand in (node.left, *node.comparators):
                    add(operand, node)
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in ("in_", "not_in", "Case", "Value"):
                for arg in node.args:
                    add(arg, node)
                    if isinstance(arg, (ast.List, ast.Tuple)):  # Case's (condition, value) pairs
                        for pair in arg.elts:
                            add(pair, node)
            for keyword in node.keywords:
                if keyword.arg in WORD_FIELDS:
                    add(keyword.value, node)
        elif isinstance(node, ast.arguments):
            params = [*node.posonlyargs, *node.args]
            for param, default in zip(params[len(params) - len(node.defaults):], node.defaults):
                if param.arg in WORD_FIELDS:
                    add(default, param)
            for param, default in zip(node.kwonlyargs, node.kw_defaults):
                if default is not None and param.arg in WORD_FIELDS:
                    add(default, param)
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(node.elts) > 1:
            if len(_words(node)) == len(node.elts):
                add(node, node)
    return sorted(set(found))


def test_the_scan_finds_typed_out_words():
    source = '''
def f(seat, row, method, free_to="available", *, status="held"):
    if seat.status == "held" or method in ("card", "upi") or "cash" != method:
        pass
    Seat.update(status="booked").where(Seat.status.in_(("available", "blocked")))
    pw.Case(None, [(cond, "available")], Seat.status)
    KINDS = ("sold", "cancelled")
    return row["sold"], {"active": True}, seat.kind == "gold", error("expired")
'''
    words = bare_words(source)
    assert [word for _, word in words].count("held") == 2
    assert {word for _, word in words} == {
        "available", "held", "card", "upi", "cash", "booked", "blocked", "sold", "cancelled"}
    assert 8 not in {line for line, _ in words}  # keys, field names and other words pass


@pytest.mark.parametrize("folder", SCANNED)
def test_no_status_or_method_is_typed_out_in_the_services(folder):
    bare = [f"{path.relative_to(REPO_ROOT)}:{line}: {word!r}"
            for path in sorted((REPO_ROOT / folder).rglob("*.py"))
            for line, word in bare_words(path.read_text(encoding="utf-8"))]
    assert not bare, "use the vocabulary's enum members:\n" + "\n".join(bare)
