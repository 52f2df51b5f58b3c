"""Every published function, any id, day, count, text or amount: success or a BookingError.

The functions are found with ``inspect`` (every public function of the published modules), so
a new one is covered the day it is written; ``test_every_parameter_has_a_strategy`` fails when
one has a parameter that ``api_parameters.PARAMETERS`` cannot fill, rather than leaving it untested. Each call
gets real values mixed with garbage (``strategies.ids``/``days``/``moments``/``counts``/
``amounts``/``anything``); a refusal must be a readable ``BookingError`` and leave the database
as it was. The run has its own demo database per backend (managers get demoted, movies edited
and shows deleted here), made once per module.
"""

from __future__ import annotations

import inspect
from decimal import Decimal

import pytest
from api_parameters import OBJECT_ONLY, World, strategy_for
from hypothesis import given
from hypothesis import strategies as st
from property_support import attempt, examples

import bmstui
from bmstui.domain import best_seats, report_chart
from bmstui.domain.errors import ConfigError
from bmstui.export import tickets
from bmstui.services import (
    audit,
    bookings,
    cancellations,
    catalog,
    catalog_import,
    coupons,
    live,
    movies,
    operators,
    prices,
    quotes,
    refunds,
    reports,
    sales,
    scheduling,
    seating,
)
from bmstui.store.db import database
from bmstui.store.models import Booking, Coupon, Movie, Operator, Show, ShowSeat

PUBLISHED_MODULES = (catalog, seating, sales, bookings, cancellations, refunds, coupons, movies,
                     operators, prices, quotes, reports, scheduling, audit, live, catalog_import,
                     tickets, best_seats, report_chart, bmstui)

# Public by name but plumbing between services: their parameters are objects bmstui itself
# made (rows, plans, settings, report lines, seat specs of an import), never caller input.
PLUMBING = {
    "cancellations.carry_out": "takes a locked booking row and a refund plan",
    "cancellations.full_refund_plan": "takes a booking row",
    "cancellations.may_override": "takes a Settings object",
    "catalog_import.insert_seats": "takes the import's own seat specs, inside its transaction",
    "reports.shift_totals": "adds up report lines the reports made",
    "reports.occupancy_totals": "adds up report lines the reports made",
    "reports.sales_totals": "adds up report lines the reports made",
    "audit.record": "writes the audit row of the action calling it, inside its transaction",
    "coupons.record_use": "writes a sale's coupon use, inside the sale's transaction",
    "bmstui.open_database": "rebinds the process; bad URLs are test_config_errors' subject",
}


def published() -> dict[str, object]:
    """'module.function' -> function, for every public function of the published modules."""
    found = {}
    for module in PUBLISHED_MODULES:
        short = module.__name__.removeprefix("bmstui.")
        for layer in ("services.", "domain.", "export."):  # the names before the layers
            short = short.removeprefix(layer)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__:
                found[f"{short}.{name}"] = fn
    return found


FUZZED = {name: fn for name, fn in published().items() if name not in PLUMBING}


def test_every_parameter_has_a_strategy():
    missing = [f"{name}({param.name})" for name, fn in FUZZED.items()
               for param in inspect.signature(fn).parameters.values()
               if strategy_for(name, param) is None]
    assert not missing, f"add these parameters to PARAMETERS: {', '.join(missing)}"
    assert set(PLUMBING) <= set(published()), "PLUMBING names a function that is gone"
    assert len(FUZZED) >= 60  # the enumeration itself works


# --- the property ---------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def api_db(request, backends):
    """A demo database of its own per backend: the calls here change what they may."""
    if request.param == "mysql":
        request.getfixturevalue("mysql_check")
    url = backends.new_url(request.param)
    bmstui.open_database(url)
    bmstui.create_schema()
    bmstui.load_demo_data(days=2)
    return url


@pytest.fixture(scope="module")
def world(api_db, tmp_path_factory):
    bmstui.open_database(api_db)
    return World(tmp_path_factory.mktemp("tickets"))


@pytest.fixture
def api(api_db, world):
    bmstui.open_database(api_db)
    return world


def fingerprint() -> tuple:
    """What a refused call must leave as it was (audit rows and failed-login counters aside:
    a refused login writes both, on purpose)."""
    with database.connection_context():
        return (
            tuple(Show.select(Show.id, Show.status, Show.starts_at).order_by(Show.id).tuples()),
            tuple(Movie.select().order_by(Movie.id).tuples()),
            tuple(Operator.select(Operator.id, Operator.name, Operator.role, Operator.active,
                                  Operator.password_hash).order_by(Operator.id).tuples()),
            tuple(Coupon.select().order_by(Coupon.id).tuples()),
            tuple(Booking.select(Booking.id, Booking.status).order_by(Booking.id).tuples()),
            ShowSeat.select().where(ShowSeat.status.in_(("booked", "blocked"))).count(),
        )


@pytest.mark.parametrize("name", sorted(FUZZED))
@examples(20)
@given(data=st.data())
def test_published_function_succeeds_or_refuses_with_a_booking_error(api, name, data):
    fn = FUZZED[name]
    args, kwargs = [], {}
    for param in inspect.signature(fn).parameters.values():
        strategy = strategy_for(name, param)(api)
        if param.kind is inspect.Parameter.VAR_KEYWORD:
            kwargs.update(data.draw(strategy, label=param.name))
            continue
        optional = param.default is not inspect.Parameter.empty
        if optional and param.name not in OBJECT_ONLY and data.draw(st.booleans()):
            continue  # left to its default
        value = data.draw(strategy, label=param.name)
        if optional or param.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[param.name] = value  # by name: an optional one before it may be left out
        else:
            args.append(value)
    before = fingerprint()
    try:
        result, refusal = attempt(fn, *args, **kwargs)
    except ConfigError:  # documented for the set-up functions only
        assert name.startswith("bmstui."), name
        result, refusal = None, True
    if refusal is not None:
        assert fingerprint() == before, f"{name} refused but changed the database"
    elif isinstance(result, Decimal):
        assert result.is_finite()

