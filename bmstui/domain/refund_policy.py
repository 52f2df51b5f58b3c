"""When a booking may be cancelled and how much of its money comes back (pure; no database).

The policy is judged on the database clock by the caller: ``now`` is the server's time, so a
counter PC whose clock runs fast cannot close (or reopen) cancellations early. Tiers read
"at least N minutes before the show: P percent back"; the cutoff itself is inclusive, so a
cancellation made exactly ``cutoff`` minutes before the show is still accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Tier:
    minutes: int  # at least this many minutes before the show
    percent: Decimal  # of the money paid for the cancelled seats


@dataclass(frozen=True)
class Terms:
    allowed: bool
    percent: Decimal
    minutes_left: float  # until the show starts, by the database clock
    cutoff_minutes: int
    why: str  # one line a clerk can read out


def parse_tiers(text: str) -> tuple[Tier, ...]:
    """ "120:100, 60:75" -> tiers, most generous (longest notice) first."""
    tiers = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        minutes, sep, percent = part.partition(":")
        try:
            tier = Tier(int(minutes), Decimal(percent.strip().rstrip("%")))
        except (ValueError, ArithmeticError):
            raise ValueError(f"{part!r} is not 'minutes:percent'") from None
        if not sep or tier.minutes < 0 or not 0 <= tier.percent <= 100:
            raise ValueError(f"{part!r} is not 'minutes:percent' with 0-100 percent")
        tiers.append(tier)
    return tuple(sorted(tiers, key=lambda tier: tier.minutes, reverse=True))


def _duration(minutes: float) -> str:
    if minutes < 0:
        return f"started {_duration(-minutes)} ago"
    hours, mins = divmod(int(minutes), 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


def terms(starts_at: datetime, now: datetime, cutoff_minutes: int,
          tiers: tuple[Tier, ...], zone=None) -> Terms:
    """What cancelling now would mean. Past the cutoff: not allowed (an override may still be).

    Judged on UTC times only (``starts_at`` and the database's ``now``). With the theater's
    ``zone`` the verdict also says when cancellations close on the theater's clock, converted
    by that date's rules (the cutoff an hour before a 03:30 show on the night the clocks go
    forward is at 01:30)."""
    verdict = _terms(starts_at, now, cutoff_minutes, tiers)
    if zone is None:
        return verdict
    from bmstui.domain.clock import to_local

    closes = to_local(starts_at - timedelta(minutes=cutoff_minutes), zone)
    when = f"{closes:%H:%M}" if closes.date() == to_local(now, zone).date() else \
        f"{closes:%a %d %b %H:%M}"
    return Terms(verdict.allowed, verdict.percent, verdict.minutes_left, cutoff_minutes,
                 f"{verdict.why} (closed since {when})" if not verdict.allowed
                 else f"{verdict.why}; cancellations close at {when}")


def _terms(starts_at: datetime, now: datetime, cutoff_minutes: int,
           tiers: tuple[Tier, ...]) -> Terms:
    left = starts_at - now
    minutes_left = left / timedelta(minutes=1)
    shown = _duration(minutes_left)
    shown = shown if minutes_left < 0 else f"starts in {shown}"
    if left < timedelta(minutes=cutoff_minutes):
        return Terms(False, Decimal(0), minutes_left, cutoff_minutes,
                     f"Cancellation closed: the show {shown}; cancellations close "
                     f"{cutoff_minutes} min before it")
    for tier in tiers:
        if left >= timedelta(minutes=tier.minutes):
            return Terms(True, tier.percent, minutes_left, cutoff_minutes,
                         f"The show {shown}: {tier.percent.normalize():f}% refund "
                         f"(at least {_duration(tier.minutes)} before)")
    return Terms(True, Decimal(0), minutes_left, cutoff_minutes,
                 f"The show {shown}: no refund this close to the show")


def override_percent(tiers: tuple[Tier, ...]) -> Decimal:
    """An override past the cutoff refunds at the last tier's rate (75% by default)."""
    return tiers[-1].percent if tiers else Decimal(0)


def paid_share(prices_cancelled: Decimal, subtotal: Decimal, total: Decimal) -> Decimal:
    """The part of what was paid that belongs to these seats: a coupon's discount is spread over
    the seats in proportion to their prices."""
    if subtotal <= 0:
        return Decimal("0.00")
    share = Decimal(prices_cancelled) * Decimal(total) / Decimal(subtotal)
    return share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def refund_amount(paid: Decimal, percent: Decimal) -> Decimal:
    return (Decimal(paid) * Decimal(percent) / 100).quantize(Decimal("0.01"),
                                                            rounding=ROUND_HALF_UP)
