"""A frozen box office for the SVG snapshots (tests/ui/test_ui_snapshots*.py).

Everything a picture shows is fixed: the demo catalog's shows are on one day in 2099, the
sales, refunds, audit events and coupons made here get fixed times and booking codes, "today"
is that day, the chain's zone is Asia/Kolkata whatever the machine's is, and the countdowns run
on a clock nobody moves. So a picture changes only when the screen does, never with the date,
the machine or the order the tests run in. Each module builds its own database (about a
second); no test changes what another one sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from actor_support import ADMIN
from textual.widgets import Input

import bmstui
from bmstui.config import Settings, use_settings
from bmstui.services import (
    cancellations,
    catalog,
    channels,
    operators,
    refunds,
    sales,
    seating,
    zones,
)
from bmstui.store.db import database
from bmstui.store.models import (
    ApiChannel,
    AuditEvent,
    Booking,
    Coupon,
    CouponUse,
    Operator,
    Payment,
    Refund,
)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
# The same sizes, and the small one again on a monochrome (NO_COLOR) terminal.
LOOKS = [pytest.param((80, 24), False, id="80x24"), pytest.param((120, 40), False, id="120x40"),
         pytest.param((80, 24), True, id="80x24-no_color")]
SHOW_DAY = date(2099, 1, 5)
ZONE = "Asia/Kolkata"
MORNING = datetime(2099, 1, 5, 4, 30)  # UTC: 10:00 at the theaters
NOW = datetime(2099, 1, 5, 5, 0)  # UTC, the database's clock where a screen shows "how long"
# The counter's settings whatever the machine's (its name is printed on every booking).
SETTINGS = Settings(terminal="counter-1", gateway_latency_ms=0, gateway_decline_rate=0.0,
                    hold_seconds=120, source="tests", timezone=ZONE)
CODES = {"lookup": "BMS-7KQ2XW", "card": "BMS-C4RD5A"}
PHONE = "9845012345"


@dataclass(frozen=True)
class Frozen:
    url: str
    grid: catalog.ShowInfo  # the largest hall's evening show: sold, held by others, free
    checkout: catalog.ShowInfo  # an empty show a checkout test holds seats of (and releases)
    lookup: catalog.ShowInfo  # the show of the booking Find booking finds
    code: str  # that booking's code


def _evening_shows() -> list[catalog.ShowInfo]:
    return sorted((s for s in catalog.shows() if s.local_start.hour == 18),
                  key=lambda s: (-s.capacity, s.id))


def _fix_times_and_codes() -> None:
    """Sales, refunds and events happened 'now' with random codes: give them the show day's
    morning, a minute apart in the order they happened, and fixed codes."""
    with database.connection_context():
        for i, row in enumerate(Booking.select().order_by(Booking.id)):
            old = row.code
            row.code = CODES["lookup"] if row.customer_phone == PHONE else CODES["card"]
            row.created_at = MORNING + timedelta(minutes=i)
            row.save()
            for event in AuditEvent.select().where(AuditEvent.detail.contains(old)):
                event.detail = event.detail.replace(old, row.code)
                event.save()
        for model in (Payment, Refund, CouponUse):
            for i, row in enumerate(model.select().order_by(model.id)):
                row.created_at = MORNING + timedelta(minutes=i)
                row.save()
        for i, event in enumerate(AuditEvent.select().order_by(AuditEvent.id)):
            event.at = MORNING + timedelta(minutes=i)
            event.save()
        Operator.update(created_at=datetime(2026, 1, 1)).execute()
        for i, row in enumerate(ApiChannel.select().order_by(ApiChannel.id)):
            row.key_id = f"KEYID{i:07d}"
            row.created_at = datetime(2026, 1, 1 + i)
            row.revoked_at = datetime(2026, 2, 1) if not row.active else None
            row.save()
        # Coupons seeded "valid for N days from today": valid from a fixed day instead.
        Coupon.update(valid_from=datetime(2026, 1, 1), valid_until=datetime(2099, 12, 31)
                      ).where(Coupon.valid_from > datetime(2026, 1, 2)).execute()


@pytest.fixture(scope="module")
def frozen_box_office(tmp_path_factory) -> Frozen:
    url = f"sqlite:///{tmp_path_factory.mktemp('snap') / 'bmstui.db'}"
    use_settings(SETTINGS)  # before the tests' own settings: module fixtures come first
    bmstui.open_database(url)
    bmstui.create_schema()
    bmstui.load_demo_data(days=1, start_day=SHOW_DAY)
    shows = _evening_shows()
    grid = shows[0]
    checkout = next(s for s in shows if s.capacity == 150)
    lookup = next(s for s in shows if s.capacity == 80)
    manager, cashier = operators.get("manager"), operators.get("cashier1")
    # Another counter's hold and a card sale, so the grid shows every status.
    seating.hold(grid.id, ["F7", "F8"], terminal="counter-2", ttl=86_400)
    card = sales.confirm(seating.hold(grid.id, ["A5", "A6", "A7"], terminal="counter-3").token,
                         method="card", operator=cashier)
    refunds.refund(card.code, "50", reason="late start", operator=manager)
    # The booking Find booking finds: cash, a coupon, a customer's phone.
    sales.confirm(seating.hold(lookup.id, ["C4", "C5", "C6"], terminal="counter-1").token,
                  method="cash", tendered="2000", coupon="WELCOME10", customer=PHONE,
                  operator=manager)
    # Two online channels: one selling, one revoked (fixed key ids and times below).
    channels.add("website", by=ADMIN)
    channels.add("kiosk", scopes="read", by=ADMIN)
    channels.revoke("kiosk", by=ADMIN)
    _fix_times_and_codes()
    use_settings(None)
    return Frozen(url, catalog.show(grid.id), catalog.show(checkout.id),
                  catalog.show(lookup.id), CODES["lookup"])


@pytest.fixture
def frozen(frozen_box_office, test_settings, monkeypatch) -> Frozen:
    """The module's frozen box office, bound; today is its show day in the theaters' zone."""
    from screens.sale import movies

    bmstui.open_database(frozen_box_office.url)
    use_settings(SETTINGS)  # after the tests' own (test_settings), undone with them
    monkeypatch.setattr(zones, "today", lambda: SHOW_DAY)
    # The cancel dialog says how long before the show it is (nothing is cancelled here).
    monkeypatch.setattr(cancellations, "db_now", lambda: NOW)
    monkeypatch.setattr(movies, "local_today", lambda where=None: SHOW_DAY)
    return frozen_box_office


def app_for(tmp_path, monkeypatch, mono: bool = False, **kwargs):
    """The app (``make_app``) on a colour terminal, or with ``mono`` on a monochrome one:
    Textual reads NO_COLOR when the app is built. Never the runner's own setting."""
    from tests.ui_support import make_app

    if mono:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = make_app(tmp_path, **kwargs)
    assert app.no_color == mono
    return app


def still(screen) -> None:
    """No blinking cursor in a picture: it would be on or off by chance."""
    for field in screen.query(Input):
        field.cursor_blink = False
