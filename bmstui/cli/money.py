"""``bmstui pricing|coupon|cancel``: prices, coupons and cancellations from the command line.

The same service calls the TUI makes, for the cinema's IT person and for scripts; refusals end
in one readable line and exit code 1 (see ``bmstui.cli.entry``).
"""

from __future__ import annotations

import argparse
from datetime import datetime

from rich.console import Console
from rich.table import Table

import bmstui
from bmstui.cli.registry import command
from bmstui.domain.actors import administrator
from bmstui.domain.clock import to_local, to_utc
from bmstui.domain.pricing import rupees

console = Console()


def _local_time(text: str) -> datetime:
    """'2026-12-31' or '2026-12-31T18:00' on the chain's clock (coupons are chain-wide); the
    command converts it to UTC once the settings, and so the chain's zone, are known."""
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date/time: {text!r} (use 2026-12-31T18:00)")


def _utc(local: datetime | None) -> datetime | None:
    return None if local is None else to_utc(local, None)


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    pricing = sub.add_parser("pricing", parents=[common], help="show how prices are formed")
    pricing_sub = pricing.add_subparsers(dest="pricing_command", metavar="ACTION", required=True)
    explain = pricing_sub.add_parser("explain", parents=[common],
                                     help="how one seat of a show got its price")
    explain.add_argument("show_id", type=int, metavar="SHOW_ID")
    explain.add_argument("label", metavar="LABEL", help="seat label, e.g. F7")
    pricing_sub.add_parser("rules", parents=[common], help="base prices and pricing rules")

    coupon = sub.add_parser("coupon", parents=[common], help="list, add or change coupons")
    coupon_sub = coupon.add_subparsers(dest="coupon_command", metavar="ACTION", required=True)
    coupon_sub.add_parser("list", parents=[common], help="every coupon with its use so far")
    add = coupon_sub.add_parser("add", parents=[common], help="create a coupon")
    add.add_argument("code")
    kind = add.add_mutually_exclusive_group(required=True)
    kind.add_argument("--percent", type=str, metavar="N", help="N%% off")
    kind.add_argument("--flat", type=str, metavar="AMOUNT", help="AMOUNT rupees off")
    add.add_argument("--max-discount", metavar="AMOUNT", help="cap of a percent coupon")
    add.add_argument("--min-amount", metavar="AMOUNT", default="0", help="smallest subtotal")
    add.add_argument("--from", dest="valid_from", type=_local_time, metavar="WHEN",
                     help="valid from (local time)")
    add.add_argument("--until", dest="valid_until", type=_local_time, metavar="WHEN",
                     help="valid until, exclusive (local time)")
    add.add_argument("--limit", type=int, metavar="N", help="uses in total")
    add.add_argument("--per-customer", type=int, metavar="N", help="uses per phone number")
    add.add_argument("--inactive", action="store_true", help="create it switched off")

    update = coupon_sub.add_parser("update", parents=[common],
                                   help="change a coupon (only the options given)")
    update.add_argument("code")
    switch = update.add_mutually_exclusive_group()
    switch.add_argument("--active", dest="active", action="store_true", default=None)
    switch.add_argument("--inactive", dest="active", action="store_false")
    update.add_argument("--value", metavar="N", help="percent off, or rupees off")
    update.add_argument("--max-discount", metavar="AMOUNT", help="cap of a percent coupon")
    update.add_argument("--min-amount", metavar="AMOUNT", help="smallest subtotal")
    update.add_argument("--from", dest="valid_from", type=_local_time, metavar="WHEN")
    update.add_argument("--until", dest="valid_until", type=_local_time, metavar="WHEN")
    update.add_argument("--limit", type=int, metavar="N", help="uses in total")
    update.add_argument("--per-customer", type=int, metavar="N", help="uses per phone number")

    cancel = sub.add_parser("cancel", parents=[common], help="cancel a booking and refund")
    cancel.add_argument("code", metavar="CODE", help="booking code, e.g. BMS-7KQ2XA")
    cancel.add_argument("--seats", metavar="A1,A2", help="only these seats (default: all)")
    cancel.add_argument("--reason", default=None, help="recorded with the refund; past the "
                        "cutoff it asks for an override (if overrides are switched on)")
    cancel.add_argument("--dry-run", action="store_true", help="say what would be refunded")


@command("pricing explain")
def pricing_explain(args) -> int:
    from bmstui.services import prices

    bmstui.open_database()
    explanation = prices.explain(args.show_id, args.label)
    for line in explanation.lines():
        console.print(line, highlight=False)
    return 0


@command("pricing rules")
def pricing_rules(args) -> int:
    from bmstui.services import prices

    bmstui.open_database()
    table = Table(title="Base prices", title_justify="left")
    table.add_column("Seat type")
    table.add_column("Base price", justify="right")
    for kind, price in prices.base_prices().items():
        table.add_row(kind.title(), rupees(price))
    console.print(table)
    rules = Table(title="Rules (a show's price = base × every matching factor)",
                  title_justify="left")
    for column in ("Rule", "Kind", "Matches", "Factor"):
        rules.add_column(column, justify="right" if column == "Factor" else "left")
    for rule in prices.rules():
        rules.add_row(rule.name, rule.kind, rule.match, f"{rule.factor.normalize():f}")
    console.print(rules)
    return 0


@command("coupon list")
def coupon_list(args) -> int:
    from bmstui.services import coupons

    bmstui.open_database()
    table = Table()
    for column in ("Code", "Offer", "Valid", "Used", "Per customer", "Active"):
        table.add_column(column)
    for coupon in coupons.coupons():
        valid = " – ".join(
            f"{to_local(when, None):%d %b %Y}" if when else "…"
            for when in (coupon.valid_from, coupon.valid_until)
        )
        used = f"{coupon.used_count}" + (f" / {coupon.usage_limit}" if coupon.usage_limit else "")
        table.add_row(coupon.code, coupon.describe, valid, used,
                      str(coupon.per_customer_limit or "–"), "yes" if coupon.active else "no")
    console.print(table)
    return 0


@command("coupon add")
def coupon_add(args) -> int:
    from bmstui.services import coupons

    bmstui.open_database()
    made = coupons.create(
        args.code, "percent" if args.percent is not None else "flat",
        args.percent if args.percent is not None else args.flat,
        max_discount=args.max_discount, min_amount=args.min_amount,
        valid_from=_utc(args.valid_from), valid_until=_utc(args.valid_until),
        active=not args.inactive,
        usage_limit=args.limit, per_customer_limit=args.per_customer, by=administrator(),
    )
    console.print(f"Coupon {made.code}: {made.describe}", highlight=False)
    return 0


@command("coupon update")
def coupon_update(args) -> int:
    from bmstui.services import coupons

    bmstui.open_database()
    options = {"active": args.active, "value": args.value, "max_discount": args.max_discount,
               "min_amount": args.min_amount, "valid_from": _utc(args.valid_from),
               "valid_until": _utc(args.valid_until), "usage_limit": args.limit,
               "per_customer_limit": args.per_customer}
    changes = {name: value for name, value in options.items() if value is not None}
    if not changes:
        console.print("Nothing to change: give at least one option (see --help)")
        return 1
    made = coupons.update(args.code, by=administrator(), **changes)
    state = "active" if made.active else "inactive"
    console.print(f"Coupon {made.code}: {made.describe} ({state})", highlight=False)
    return 0


@command("cancel")
def cancel(args) -> int:
    from bmstui.services import sales

    bmstui.open_database()
    labels = args.seats.replace(",", " ").split() if args.seats else None
    if args.dry_run:
        offer = sales.refund_quote(args.code, labels)
        console.print(offer.why, highlight=False)
        verb = "would refund" if offer.allowed else "an override would refund"
        console.print(f"{offer.booking_code} {', '.join(offer.labels)}: {verb} "
                      f"{rupees(offer.amount)} ({offer.percent.normalize():f}% of "
                      f"{rupees(offer.paid_for_seats)}) by {offer.method}", highlight=False)
        return 0
    refund = sales.cancel(args.code, labels=labels, reason=args.reason,
                          operator=administrator())
    console.print(
        f"{refund.booking_code}: cancelled {', '.join(refund.labels)}; refund "
        f"{rupees(refund.amount)} by {refund.method} ({refund.percent.normalize():f}% of "
        f"{rupees(refund.paid_for_seats)}){' — override: ' + refund.reason if refund.override else ''}",
        highlight=False,
    )
    return 0
