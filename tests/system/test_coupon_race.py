"""Counters racing for a coupon's last uses, each a separate process, on SQLite and MariaDB.

Every counter holds its own seats, then all confirm with the same coupon at one instant. A
coupon limited to N uses must give exactly N discounts however the confirms interleave; the
losers sell nothing and keep their seats held (the clerk sells without the coupon). Each test
ends with the database's invariants (``assert_invariants``) and the coupon's own books:
``used_count`` equals the number of ``CouponUse`` rows equals the discounted bookings.
"""

from __future__ import annotations

import multiprocessing as mp
import secrets
from collections import Counter
from decimal import Decimal

import pytest
import workers
from actor_support import ADMIN
from test_concurrency import assert_invariants, run_all

from bmstui.services import coupons, sales, seating
from bmstui.store.db import database
from bmstui.store.models import Booking, Coupon, CouponUse

pytestmark = pytest.mark.slow
SPAWN = mp.get_context("spawn")


def race(url: str, show_id: int, seat_lists: list[list[str]], coupon: str,
         customer: str | None = None) -> list[tuple]:
    """One process per seat list; each holds, then all confirm with ``coupon`` together."""
    barrier = SPAWN.Barrier(len(seat_lists))
    results = SPAWN.Queue()
    procs = [
        SPAWN.Process(
            target=workers.confirm_with_coupon_at_barrier,
            args=(url, show_id, labels, coupon, customer, barrier, results, f"counter-{i}"),
        )
        for i, labels in enumerate(seat_lists)
    ]
    outcomes = run_all(procs, results, timeout=90)
    assert [o for o in outcomes if o[0] not in ("ok", "CouponInvalid")] == []
    # At least one loser passed the check before payment and lost inside its transaction,
    # or the counters never really raced and the test proves nothing.
    # (The check before payment refuses without voiding anything; only a use lost inside the
    # confirm transaction voids the UPI payment already taken.)
    assert any("payment was voided" in o[4] for o in outcomes if o[0] != "ok"), outcomes
    return outcomes


def coupon_books(code: str) -> tuple[int, int, int]:
    """(used_count, CouponUse rows, bookings that carry the coupon)."""
    with database.connection_context():
        coupon = Coupon.get(Coupon.code == code)
        uses = CouponUse.select().where(CouponUse.coupon == coupon.id).count()
        booked = Booking.select().where(Booking.coupon == coupon.id).count()
    return coupon.used_count, uses, booked


def assert_losers_kept_their_seats(show_id: int, losers: list[tuple]) -> None:
    for _, labels, token, *_ in losers:
        seats = {s.label: s for s in seating.seat_map(show_id, token=token)}
        assert all(seats[label].status == "held" and seats[label].mine for label in labels)


def test_a_coupon_with_three_uses_gives_exactly_three_discounts(demo_db, new_show):
    show = new_show()
    code = f"RACE{secrets.token_hex(3).upper()}"
    coupons.create(code, "flat", 40, usage_limit=3, by=ADMIN)
    seat_lists = [[f"E{n}", f"F{n}"] for n in range(5, 13)]  # 8 counters, 2 GOLD seats each
    outcomes = race(demo_db, show, seat_lists, code)

    winners = [o for o in outcomes if o[0] == "ok"]
    losers = [o for o in outcomes if o[0] == "CouponInvalid"]
    assert len(winners) == 3, outcomes
    assert {(discount, total) for *_, discount, total in winners} == {("40.00", "400.00")}
    assert Counter(o[3] for o in losers) == {"used_up": 5}
    assert all(f"Coupon {code} is used up" in o[4] for o in losers)
    assert coupon_books(code) == (3, 3, 3)
    with database.connection_context():
        assert Booking.select().where(Booking.show == show).count() == 3
    assert_losers_kept_their_seats(show, losers)
    assert_invariants(show)

    # A loser's clerk sells the same held seats without the coupon.
    booking = sales.confirm(losers[0][2], method="cash")
    assert (booking.labels, booking.discount, booking.total) == (losers[0][1], 0, Decimal(440))
    assert_invariants(show)


def test_a_once_per_customer_coupon_is_used_once_by_one_phone_at_four_counters(
        demo_db, new_show):
    show = new_show()
    code = f"ONCE{secrets.token_hex(3).upper()}"
    coupons.create(code, "percent", 10, per_customer_limit=1, by=ADMIN)
    seat_lists = [["H5"], ["H6"], ["H7"], ["H8"]]
    outcomes = race(demo_db, show, seat_lists, code, customer="98450 12345")

    winners = [o for o in outcomes if o[0] == "ok"]
    losers = [o for o in outcomes if o[0] == "CouponInvalid"]
    assert len(winners) == 1, outcomes
    assert winners[0][3:] == ("32.00", "288.00")
    assert Counter(o[3] for o in losers) == {"customer_limit": 3}
    assert coupon_books(code) == (1, 1, 1)
    with database.connection_context():
        assert [u.customer_phone for u in CouponUse.select().join(Coupon)
                .where(Coupon.code == code)] == ["9845012345"]
    assert_losers_kept_their_seats(show, losers)
    assert_invariants(show)
