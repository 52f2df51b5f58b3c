"""The cancellation policy as pure arithmetic: when a booking may be cancelled, at which refund
tier, and how the money paid is shared out over cancelled seats (no database).

The edges matter at a counter: a customer who comes exactly at the cutoff is still served, one
microsecond later is not, and refunds of a booking cancelled bit by bit must never hand back more
than was paid.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bmstui.domain.refund_policy import (
    Tier,
    override_percent,
    paid_share,
    parse_tiers,
    refund_amount,
    terms,
)

NOW = datetime(2099, 3, 4, 18, 0, 0)
TIERS = parse_tiers("120:100, 60:75")
US = timedelta(microseconds=1)


def at(minutes: float, delta: timedelta = timedelta(0)):
    """Terms for a show starting ``minutes`` (+ ``delta``) after NOW, cutoff 60 min."""
    return terms(NOW + timedelta(minutes=minutes) + delta, NOW, 60, TIERS)


# --- the cutoff ---------------------------------------------------------------------------------

def test_exactly_at_the_cutoff_is_still_allowed():
    """The cutoff is inclusive: 60 minutes before the show, to the microsecond, is accepted."""
    verdict = at(60)
    assert verdict.allowed
    assert verdict.percent == Decimal(75)
    assert verdict.minutes_left == 60
    assert verdict.cutoff_minutes == 60


def test_one_microsecond_past_the_cutoff_is_refused_with_a_reason():
    verdict = at(60, -US)
    assert not verdict.allowed
    assert verdict.percent == 0
    assert verdict.minutes_left < 60
    assert verdict.why.startswith("Cancellation closed")
    assert "starts in 59 min" in verdict.why
    assert "close 60 min before" in verdict.why


def test_a_show_that_started_says_so():
    verdict = at(-30)
    assert not verdict.allowed
    assert "started 30 min ago" in verdict.why


# --- the tiers ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("minutes", "delta", "percent"),
    [
        (600, timedelta(0), 100),
        (120, timedelta(0), 100),  # exactly at the top tier: the better rate
        (120, -US, 75),  # a microsecond short of it: the next tier
        (90, timedelta(0), 75),
        (60, timedelta(0), 75),
    ],
)
def test_each_tier_starts_exactly_at_its_minutes(minutes, delta, percent):
    verdict = at(minutes, delta)
    assert verdict.allowed
    assert verdict.percent == Decimal(percent)
    assert f"{percent}% refund" in verdict.why


def test_the_top_tier_reads_in_hours():
    assert at(185).why == "The show starts in 3 h 05 min: 100% refund (at least 2 h 00 min before)"


def test_allowed_but_below_every_tier_refunds_nothing():
    """A cutoff shorter than the last tier: cancelling is allowed, the refund is zero."""
    verdict = terms(NOW + timedelta(minutes=45), NOW, 30, TIERS)
    assert verdict.allowed
    assert verdict.percent == 0
    assert "no refund" in verdict.why


def test_override_refunds_at_the_last_tier():
    assert override_percent(TIERS) == Decimal(75)
    assert override_percent(parse_tiers("30:10, 240:100, 90:50")) == Decimal(10)
    assert override_percent(()) == 0


# --- parsing tiers ------------------------------------------------------------------------------

def test_parse_tiers_sorts_longest_notice_first_and_forgives_spacing():
    assert parse_tiers(" 60:75 ,120:100, ") == (Tier(120, Decimal(100)), Tier(60, Decimal(75)))
    assert parse_tiers("30:50%") == (Tier(30, Decimal(50)),)
    assert parse_tiers("") == ()
    assert parse_tiers("0:0") == (Tier(0, Decimal(0)),)


@pytest.mark.parametrize(
    "text", ["abc", "60", "60:", ":75", "60:x", "1.5:75", "-5:10", "60:101", "60:-1",
             "120:100, 60"],
)
def test_parse_tiers_refuses_what_is_not_minutes_colon_percent(text):
    with pytest.raises(ValueError) as refused:
        parse_tiers(text)
    assert "minutes:percent" in str(refused.value)


# --- money --------------------------------------------------------------------------------------

def test_paid_share_spreads_a_discount_in_proportion_and_rounds_half_up():
    assert paid_share(Decimal(150), Decimal(450), Decimal(400)) == Decimal("133.33")
    assert paid_share(Decimal(300), Decimal(450), Decimal(400)) == Decimal("266.67")
    assert paid_share(Decimal(450), Decimal(450), Decimal(400)) == Decimal("400.00")
    assert paid_share(Decimal(220), Decimal(440), Decimal(440)) == Decimal("220.00")
    # 100 × 100.05 / 800 = 12.50625 -> 12.51; and 12.505 exactly rounds up, not to even
    assert paid_share(Decimal(100), Decimal(800), Decimal("100.05")) == Decimal("12.51")
    assert paid_share(Decimal(100), Decimal(800), Decimal("100.04")) == Decimal("12.51")
    assert paid_share(Decimal(100), Decimal(0), Decimal(0)) == Decimal("0.00")
    assert paid_share(Decimal(150), Decimal(450), Decimal(0)) == Decimal("0.00")  # all free


def test_refund_amount_rounds_half_up_to_paise():
    assert refund_amount(Decimal("400.00"), Decimal(100)) == Decimal("400.00")
    assert refund_amount(Decimal("133.33"), Decimal(75)) == Decimal("100.00")  # 99.9975
    assert refund_amount(Decimal("10.78"), Decimal(75)) == Decimal("8.09")  # 8.085, not 8.08
    assert refund_amount(Decimal("99.99"), Decimal(0)) == Decimal("0.00")
    assert refund_amount(Decimal("0.01"), Decimal(50)) == Decimal("0.01")  # 0.005 rounds up


# --- seat by seat -------------------------------------------------------------------------------

PRICES = st.lists(st.sampled_from([Decimal(p) for p in (150, 220, 320, 480, 127, 251, 379)]),
                  min_size=1, max_size=10)


@given(prices=PRICES, data=st.data())
def test_seat_by_seat_refunds_never_exceed_what_was_paid_and_add_up(prices, data):
    """Cancel a booking one group of seats at a time, each group's money being the paid share of
    everything cancelled so far minus the share of what was cancelled before. At 100% the refunds
    add up to exactly the total paid, whatever the discount, order and grouping; no refund is
    negative or more than its seats' prices; the running sum never passes the total.

    This is the split a service must use to stay exact (rounding each group's share on its own
    loses or gains paise: 3 × ₹150 less ₹50 is 133.33 × 3 = 399.99)."""
    subtotal = sum(prices)
    total = subtotal - data.draw(st.integers(0, int(subtotal)).map(Decimal), label="discount")
    order = data.draw(st.permutations(range(len(prices))), label="order")
    refunded = Decimal("0.00")
    cancelled = Decimal(0)
    i = 0
    while i < len(order):
        size = data.draw(st.integers(1, len(order) - i), label="group size")
        group = sum(prices[j] for j in order[i:i + size])
        paid = paid_share(cancelled + group, subtotal, total) - paid_share(cancelled, subtotal,
                                                                           total)
        refund = refund_amount(paid, Decimal(100))
        assert Decimal(0) <= refund == paid <= group
        cancelled += group
        refunded += refund
        assert refunded <= total
        for percent in (Decimal(75), Decimal(0)):
            assert Decimal(0) <= refund_amount(paid, percent) <= paid
        i += size
    assert refunded == total
