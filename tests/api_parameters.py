"""What test_properties_api.py hands each parameter of a published function, by its name.

``PARAMETERS`` maps a parameter name (or ``(function, name)`` for ``**changes``) to a
function of the ``World`` (real values of the test database) returning a hypothesis strategy:
real values mixed with garbage, so both the accepting and the refusing paths run.
"""

from __future__ import annotations

import inspect
import math
from datetime import date, datetime
from decimal import Decimal

import strategies as S
from conftest import make_show
from hypothesis import strategies as st

from bmstui.services import catalog, coupons, operators, sales, seating
from bmstui.store.db import database
from bmstui.store.models import Movie, Show

# --- what each parameter gets --------------------------------------------------------------

class World:
    """Real values of the module's database, so accepting paths are exercised too."""

    def __init__(self, ticket_dir):
        with database.connection_context():
            self.shows = [s.id for s in Show.select(Show.id).where(Show.status == "scheduled")
                          .order_by(Show.id).limit(3)]
            self.movies = [m.id for m in Movie.select(Movie.id).limit(3)]
        self.manager = operators.get("manager")
        self.cashier = operators.get("cashier1")
        show = make_show()  # its own, so its seats are free whatever ran before
        self.shows.append(show)
        self.hold = seating.hold(show, ["A1"])
        self.booking = sales.confirm(seating.hold(show, ["B1", "B2"]).token, method="cash")
        self.show_info = catalog.show(show)
        self.seats = seating.seat_map(show)
        self.coupon = coupons.coupons()[0].code
        self.ticket_path = ticket_dir / "ticket.txt"

    def any_id(self) -> st.SearchStrategy:
        return S.ids([*self.shows, *self.movies, self.manager.id, self.booking.id, 1, 2])


def _actors(w: World) -> st.SearchStrategy:
    return S.mostly(st.sampled_from([w.manager, w.manager.name, w.manager.id]),
                    st.one_of(st.sampled_from([None, w.cashier]), S.operators()), 3)


def _texts(w: World) -> st.SearchStrategy:
    return S.anything(40)


def _labels(w: World) -> st.SearchStrategy:
    return S.mostly(st.sampled_from([None, ["C1"], "C1 C2"]),
                    S.label_lists([s.label for s in w.seats]), 2)


def _tokens(w: World) -> st.SearchStrategy:
    return st.one_of(st.just(w.hold.token), S.anything(40), st.sampled_from(S.ID_GARBAGE))


def _codes(w: World) -> st.SearchStrategy:
    return st.one_of(st.sampled_from([w.booking.code, w.coupon, w.booking.code.lower()]),
                     S.anything(30), st.sampled_from(S.ID_GARBAGE))


def _id_or_name(w: World) -> st.SearchStrategy:
    return st.one_of(w.any_id(), st.sampled_from([w.show_info.theater, "Mumbai"]), S.texts(20))


def _changes(fields: dict) -> callable:
    def make(w: World) -> st.SearchStrategy:
        return st.dictionaries(st.sampled_from(sorted(fields)), st.one_of(
            st.sampled_from(sorted({v for vs in fields.values() for v in vs}, key=repr)),
            S.amounts(), S.anything(20), S.moments()), max_size=3)
    return make


MOVIE_CHANGES = {"title": ["Prop title"], "duration": [90], "rating": [7], "active": [True],
                 "certificate": ["UA"], "genre": ["Drama"], "language": ["Hindi"],
                 "synopsis": [""]}
COUPON_CHANGES = {"active": [True], "usage_limit": [5, None], "per_customer_limit": [2],
                  "max_discount": [100, None], "min_amount": [0], "valid_from": [None],
                  "valid_until": [None], "value": [10]}


def _seed_options(w: World) -> st.SearchStrategy:
    """Garbage, or a load of no days (shows for real days take long, and clash with the
    schedule once the movies here have been edited)."""
    garbage = st.sampled_from([-1, 1.5, math.nan, "2", "x", True, [1], Decimal("1.5"), 10**6])
    return st.fixed_dictionaries({"days": st.one_of(st.just(0), garbage)}, optional={
        "scale": st.one_of(st.just(1), garbage, st.just(2**63)),
        "start_day": st.one_of(st.sampled_from([None, date.today()]), garbage,
                               st.sampled_from(["tomorrow", "2026-13-01", datetime(2026, 1, 1)])),
    })


# A table of one-liners reads best here.
ID = lambda w: w.any_id()
DAY = lambda w: S.days()
MOMENT = lambda w: S.moments()
COUNT = lambda w: S.counts()
AMOUNT = lambda w: S.amounts()
FLAG = lambda w: st.one_of(st.booleans(), S.anything(5))

# Parameter name -> what fills it. A parameter of a published function missing here fails
# test_every_parameter_has_a_strategy: add it (by its meaning), never skip it.
PARAMETERS = {
    # ids
    "show_id": ID, "movie_id": ID, "screen_id": ID, "city_id": ID, "theater_id": ID,
    "booking_id": ID, "coupon_id": ID, "operator_id": ID, "seat_id": ID,
    # a place or a person by id or name, an acting operator
    "theater": _id_or_name, "city": _id_or_name, "name_or_id": _id_or_name,
    "operator": _actors, "by": _actors, "actor": _actors,
    "zone": lambda w: st.one_of(st.sampled_from(["Asia/Kolkata", "Europe/London", "", None]),
                                S.texts(30)),
    "local": MOMENT,
    # days and times
    "day": DAY, "day_from": DAY, "day_to": DAY, "start_day": DAY,
    "since": MOMENT, "until": MOMENT, "starts_at": MOMENT, "valid_from": MOMENT,
    "valid_until": MOMENT,
    # counts and durations
    "limit": COUNT, "n": COUNT, "width": COUNT, "usage_limit": COUNT,
    "per_customer_limit": COUNT, "duration": COUNT, "part": COUNT, "whole": COUNT,
    "label_width": COUNT, "max_label_width": COUNT, "scale": COUNT, "days": COUNT,
    "ttl": lambda w: S.seconds(), "seconds": lambda w: S.seconds(),
    # money and other numbers
    "amount": AMOUNT, "subtotal": AMOUNT, "tendered": AMOUNT, "value": AMOUNT,
    "max_discount": AMOUNT, "min_amount": AMOUNT, "rating": AMOUNT,
    # seats, tokens, codes
    "labels": _labels, "token": _tokens, "code": _codes, "coupon": _codes,
    "token_or_show_and_labels": lambda w: st.one_of(
        _tokens(w), st.tuples(ID(w), _labels(w)), S.anything(10)),
    # text
    "kind": _texts, "reason": _texts, "query": _texts, "language": _texts, "genre": _texts,
    "certificate": _texts, "text": _texts, "terminal": _texts, "name": _texts,
    "password": _texts, "role": _texts, "format": _texts, "title": _texts, "synopsis": _texts,
    "detail": _texts, "phone": _texts, "why": _texts, "group": _texts, "action": _texts,
    "method": lambda w: S.methods(), "movie_title": _texts, "theater_name": _texts,
    "booking": lambda w: st.one_of(st.just(w.booking.code), _texts(w)),
    "label": lambda w: st.one_of(st.sampled_from(["A1", " a1 "]), S.texts(12)),
    "customer": lambda w: S.customers(),
    "source": _texts, "path_or_text": _texts, "url": _texts,
    # flags
    "active": FLAG, "include_inactive": FLAG, "dry_run": FLAG, "create": FLAG,
    "count_free": FLAG,
    # objects the API itself hands out (drawing a ticket, choosing best seats, a chart)
    "seats": lambda w: st.just(w.seats),
    "available": lambda w: st.sampled_from([{s.id for s in w.seats}, set(), ()]),
    "items": lambda w: st.lists(st.tuples(S.texts(12), S.amounts()), max_size=4),
    "fmt": lambda w: st.none(),
    "progress": lambda w: st.none(),
    "folder": lambda w: st.none(),
    "path": lambda w: st.sampled_from([w.ticket_path, str(w.ticket_path), None, 5, "",
                                       "a\x00b", "/proc/no/such/dir/t.txt"]),
    "booking_obj": lambda w: st.just(w.booking),
    "show": lambda w: st.just(w.show_info),
    # **changes / **options
    ("movies.update_movie", "changes"): _changes(MOVIE_CHANGES),
    ("coupons.update", "changes"): _changes(COUPON_CHANGES),
    ("bmstui.load_demo_data", "options"): _seed_options,
}
OBJECT_ONLY = {"seats", "available", "items", "fmt", "progress", "folder", "path", "show"}


def strategy_for(qualname: str, param: inspect.Parameter):
    if param.kind is inspect.Parameter.VAR_KEYWORD:
        return PARAMETERS.get((qualname, param.name))
    if qualname.startswith("tickets.") and param.name == "booking":
        return PARAMETERS["booking_obj"]
    return PARAMETERS.get(param.name)
