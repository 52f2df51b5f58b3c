"""The manager's reports on SQLite and MariaDB, checked against sales made in each test.

The demo database is shared by the whole session, so every test reports only on what it made:
its own fresh operators, its own counter name (``settings(terminal=...)``), or shows on a day
more than a year ahead that no other test uses. Shows come from ``new_show`` (classic-150 at
factor 1: rows A-C SILVER ₹150, D-G GOLD ₹220), far enough ahead for a 100% refund.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import secrets
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from actor_support import ADMIN
from test_cli import run  # noqa: F401 -- the clean-environment subprocess fixture
from test_cli_money import refused

from bmstui.domain.clock import to_local, to_utc
from bmstui.domain.errors import BookingError, NotAuthorized
from bmstui.services import coupons, operators, reports, sales, seating, zones
from bmstui.store.db import database, db_now
from bmstui.store.models import PAYMENT_METHODS, Screen, Seat, Show, ShowSeat, Theater

PASSWORD = "report-pass-1"
ZERO = Decimal("0.00")


def new_operator(role: str = "cashier") -> operators.OperatorInfo:
    return operators.add(f"op{secrets.token_hex(3)}", PASSWORD, role=role, by=ADMIN)


def sell(show: int, labels: list[str], method: str, operator=None, coupon: str | None = None):
    held = seating.hold(show, labels)
    return sales.confirm(held.token, method=method, operator=operator, coupon=coupon,
                         tendered=None)


def flat_coupon(amount) -> str:
    code = f"R{secrets.token_hex(4).upper()}"
    coupons.create(code, "flat", amount, by=ADMIN)
    return code


def by_method(**amounts) -> dict[str, Decimal]:
    return {method: Decimal(amounts.get(method, 0)) for method in PAYMENT_METHODS}


def window_around(make):
    """The UTC window of the database clock around ``make()`` (what it returns, the window)."""
    since = db_now() - timedelta(seconds=1)
    made = make()
    return made, since, db_now() + timedelta(seconds=1)


def new_show_zone() -> str:
    """The zone of the theater ``new_show`` puts its shows in (the demo chain's: Asia/Kolkata,
    unless a test moved it)."""
    with database.connection_context():
        screen = (Screen.select(Screen.id).where(Screen.layout == "classic-150")
                  .order_by(Screen.id).scalar())
    return zones.of_screen(screen)


def today() -> date:
    """Today at the theater of ``new_show``'s shows."""
    return to_local(db_now(), new_show_zone()).date()


def show_on(new_show, day: date, hour: int = 12) -> int:
    """A fresh show starting at ``hour`` on ``day`` (a day far ahead) on its theater's clock."""
    wanted = to_utc(datetime.combine(day, time(hour)), new_show_zone())
    return new_show(starts_in=wanted - db_now().replace(microsecond=0))


def theater_of(show_id: int) -> Theater:
    with database.connection_context():
        return (Theater.select().join(Screen).join(Show, on=(Show.screen == Screen.id))
                .where(Show.id == show_id).get())


# --- shift ----------------------------------------------------------------------------------

def test_shift_report_per_operator_money_by_method_refunds_and_cash_in_the_drawer(new_show):
    asha, ravi = new_operator(), new_operator()
    show = new_show()
    coupon = flat_coupon(50)

    def trade():
        cash = sell(show, ["A1", "A2", "A3"], "cash", asha)  # 450
        card = sell(show, ["D1"], "card", asha)  # 220
        upi = sell(show, ["D2", "D3"], "upi", asha, coupon)  # 440 - 50 = 390
        ravis = sell(show, ["B1", "B2"], "cash", ravi)  # 300
        # Each refunds a booking the other sold: a refund belongs to whoever gives it back.
        back_to_asha = sales.cancel(cash.code, labels=["A2"], operator=ravi)
        back_to_ravi = sales.cancel(ravis.code, operator=asha)
        upi_back = sales.cancel(upi.code, labels=["D2"], operator=asha)
        return cash, card, upi, ravis, back_to_asha, back_to_ravi, upi_back

    made, since, until = window_around(trade)
    cash, card, upi, ravis, back_to_asha, back_to_ravi, upi_back = made
    assert (cash.total, card.total, upi.total, ravis.total) == (450, 220, 390, 300)
    assert (back_to_asha.method, back_to_ravi.method, upi_back.method) == ("cash", "cash", "upi")

    [line] = reports.shift(since=since, until=until, operator=asha.name, by=ADMIN)
    assert line.operator == asha.name
    assert (line.bookings, line.tickets, line.refunded_tickets) == (3, 6, 3)
    assert line.sales == by_method(cash=cash.total, card=card.total, upi=upi.total)
    assert line.gross == cash.total + card.total + upi.total == Decimal("1060.00")
    assert line.refunds == by_method(cash=back_to_ravi.amount, upi=upi_back.amount)
    assert line.refunds_total == back_to_ravi.amount + upi_back.amount == Decimal("495.00")
    assert line.cash_expected == cash.total - back_to_ravi.amount == Decimal("150.00")
    assert line.net == line.gross - line.refunds_total

    everyone = {line.operator: line for line in reports.shift(since=since, until=until, by=ADMIN)}
    assert everyone[asha.name] == line
    other = everyone[ravi.name]
    assert (other.bookings, other.tickets, other.refunded_tickets) == (1, 2, 1)
    assert other.sales == by_method(cash=ravis.total)
    assert other.refunds == by_method(cash=back_to_asha.amount)
    assert other.cash_expected == ravis.total - back_to_asha.amount == Decimal("150.00")

    total = reports.shift_totals([line, other])
    assert (total.operator, total.bookings, total.tickets) == (reports.TOTAL, 4, 8)
    assert total.cash_expected == Decimal("300.00")
    assert total.sales == by_method(cash=750, card=220, upi=390)
    assert total.net == Decimal("1060.00") + 300 - 495 - 150

    assert reports.shift(since=since - timedelta(hours=1), until=since, operator=asha, by=ADMIN) == []
    with pytest.raises(BookingError, match="No such operator"):
        reports.shift(since=since, until=until, operator="nobody-" + secrets.token_hex(3), by=ADMIN)


def test_shift_report_of_one_counter_lists_scripts_as_no_operator(new_show, settings):
    counter = f"ctr-{secrets.token_hex(3)}"
    show = new_show()
    settings(terminal=counter)

    def trade():
        first = sell(show, ["E1", "E2"], "cash")
        second = sell(show, ["E3"], "netbanking")
        settings(terminal=counter + "-other")
        sell(show, ["E4"], "cash")  # another counter: not in this one's report
        return first, second

    (first, second), since, until = window_around(trade)
    [line] = reports.shift(since=since, until=until, terminal=counter, by=ADMIN)
    assert line.operator == reports.NO_OPERATOR
    assert (line.bookings, line.tickets) == (2, 3)
    assert line.sales == by_method(cash=first.total, netbanking=second.total)
    assert line.cash_expected == first.total == Decimal("440.00")
    assert line.refunds_total == ZERO and line.net == Decimal("660.00")


# --- occupancy ------------------------------------------------------------------------------

def test_occupancy_is_seats_sold_over_capacity_with_revenue_per_day_and_theater(new_show):
    day = today() + timedelta(days=401)
    matinee, evening, called_off = (show_on(new_show, day, hour) for hour in (13, 18, 21))
    coupon = flat_coupon(40)
    three = sell(matinee, ["A1", "A2", "A3"], "cash")  # 450
    two = sell(matinee, ["D5", "D6"], "card", coupon=coupon)  # 440 - 40 = 400
    one = sell(evening, ["G9"], "upi")  # 220
    refund = sales.cancel(three.code, labels=["A3"], operator=ADMIN)  # a cancelled seat is no longer sold
    seating.hold(evening, ["B4", "B5"])  # held, not paid: not sold
    lost = sell(called_off, ["C1"], "cash")  # 150, the show is then called off
    with database.connection_context():
        Show.update(status="cancelled").where(Show.id == called_off).execute()
        broken = (ShowSeat.select(ShowSeat.id).join(Seat)
                  .where((ShowSeat.show == evening) & (Seat.label == "I3")))
        ShowSeat.update(status="blocked").where(ShowSeat.id.in_(broken)).execute()
    theater = theater_of(matinee)

    [line] = reports.occupancy(day_from=day, day_to=day, by=ADMIN)
    assert (line.day, line.theater, line.city) == (day, theater.name, theater.city.name)
    assert (line.shows, line.cancelled_shows, line.capacity, line.sold) == (2, 1, 299, 5)
    assert line.occupancy == Decimal("1.7")  # 5 / 299 = 1.67 %: a blocked seat is not for sale
    paid = three.total + two.total + one.total + lost.total
    assert line.revenue == paid - refund.amount == Decimal("1070.00")

    per_show = {show.show_id: show for show in reports.show_occupancy(day_from=day,
                                                                      day_to=day, by=ADMIN)}
    assert set(per_show) == {matinee, evening, called_off}
    first = per_show[matinee]
    assert (first.capacity, first.sold, first.occupancy) == (150, 4, Decimal("2.7"))
    assert first.revenue == three.total + two.total - refund.amount
    assert abs(first.starts_at - datetime.combine(day, time(13))) < timedelta(seconds=5)
    assert (per_show[evening].capacity, per_show[evening].sold) == (149, 1)
    assert per_show[evening].occupancy == Decimal("0.7")
    assert (per_show[called_off].status, per_show[called_off].revenue) == ("cancelled", 150)

    assert reports.occupancy(day_from=day, day_to=day, theater=theater.name, by=ADMIN) == [line]
    assert reports.occupancy(day_from=day, day_to=day, city=theater.city.name, by=ADMIN) == [line]
    assert reports.occupancy(day_from=day, day_to=day, city="Atlantis", by=ADMIN) == []
    assert reports.occupancy(day_from=day + timedelta(days=1), day_to=day + timedelta(days=3)
                             , by=ADMIN) == []
    totals = reports.occupancy_totals([line])
    assert (totals.theater, totals.sold, totals.occupancy) == (reports.TOTAL, 5, Decimal("1.7"))
    with pytest.raises(BookingError, match="before it starts"):
        reports.occupancy(day_from=day, day_to=day - timedelta(days=1), by=ADMIN)


# --- sales ----------------------------------------------------------------------------------

def test_sales_grouped_by_day_theater_movie_and_method(new_show, settings):
    counter = f"ctr-{secrets.token_hex(3)}"
    settings(terminal=counter)
    show = new_show()
    coupon = flat_coupon(30)
    cash = sell(show, ["F1", "F2"], "cash")  # 440
    card = sell(show, ["A5", "A6", "A7"], "card", coupon=coupon)  # 450 - 30 = 420
    refund = sales.cancel(card.code, labels=["A7"], operator=ADMIN)  # 150 × 420/450 = 140 back by card
    assert refund.amount == Decimal("140.00")
    day, theater = today(), theater_of(show)
    with database.connection_context():
        title = Show.get_by_id(show).movie.title

    def report(group: str, **extra):
        return reports.sales(day_from=day, day_to=day, group=group, terminal=counter,
                             **{"by": ADMIN, **extra})

    expected = reports.SalesLine(
        key="", bookings=2, tickets=5, gross=Decimal("890.00"), discounts=Decimal("30.00"),
        refunded_tickets=1, refunds=refund.amount,
        net=cash.total + card.total - refund.amount)
    assert expected.net == Decimal("720.00")
    assert report("day") == [dataclasses.replace(expected, key=day.isoformat())]
    assert report("theater") == [dataclasses.replace(expected, key=theater.name)]
    assert report("movie") == [dataclasses.replace(expected, key=title)]

    methods = {line.key: line for line in report("method")}
    assert list(methods) == list(PAYMENT_METHODS)
    assert (methods["cash"].bookings, methods["cash"].gross, methods["cash"].net) == (
        1, cash.total, cash.total)
    assert (methods["card"].tickets, methods["card"].discounts, methods["card"].refunds) == (
        3, Decimal("30.00"), refund.amount)
    assert methods["card"].net == card.total - refund.amount
    assert methods["upi"] == reports.SalesLine("upi", 0, 0, ZERO, ZERO, 0, ZERO, ZERO)
    assert reports.sales_totals(list(methods.values())) == dataclasses.replace(
        expected, key=reports.TOTAL)

    # The same money the shift report of that counter shows.
    [shift] = reports.shift(since=db_now() - timedelta(minutes=5),
                            until=db_now() + timedelta(seconds=1), terminal=counter, by=ADMIN)
    assert shift.net == expected.net

    week = reports.sales(day_from=day - timedelta(days=3), day_to=day + timedelta(days=3),
                         terminal=counter, by=ADMIN)
    assert [line.key for line in week] == [
        (day + timedelta(days=n)).isoformat() for n in range(-3, 4)]
    assert sum(line.bookings for line in week) == 2 and week[3].net == expected.net
    assert report("day", theater="Nowhere") == [
        reports.SalesLine(day.isoformat(), 0, 0, ZERO, ZERO, 0, ZERO, ZERO)]
    with pytest.raises(BookingError, match="grouped by"):
        report("weekday")


@pytest.fixture
def far_zone():
    """``new_show``'s theater in a time zone whose calendar day is not UTC's right now (UTC−12
    in the morning UTC, UTC+14 in the afternoon), so a report that forgot local days would
    show; put back afterwards (the demo database is shared)."""
    with database.connection_context():
        screen = Screen.select().where(Screen.layout == "classic-150").order_by(Screen.id).first()
        theater = Theater.get_by_id(screen.theater_id)
    far = "Etc/GMT+12" if datetime.now(UTC).hour < 12 else "Etc/GMT-14"
    with database.connection_context():
        Theater.update(timezone=far).where(Theater.id == theater.id).execute()
    yield far
    with database.connection_context():
        Theater.update(timezone=theater.timezone).where(Theater.id == theater.id).execute()


def test_report_days_are_the_theaters_local_days_not_utc_days(new_show, settings, far_zone):
    counter = f"ctr-{secrets.token_hex(3)}"
    settings(terminal=counter)
    booking = sell(new_show(), ["H1"], "cash")
    local_day, utc_day = today(), db_now().date()
    assert local_day != utc_day
    [line] = reports.sales(day_from=local_day, day_to=local_day, terminal=counter, by=ADMIN)
    assert (line.key, line.bookings, line.net) == (local_day.isoformat(), 1, booking.total)
    [line] = reports.sales(day_from=utc_day, day_to=utc_day, terminal=counter, by=ADMIN)
    assert (line.key, line.bookings) == (utc_day.isoformat(), 0)
    [line] = reports.shift(since=to_utc(datetime.combine(local_day, time.min), far_zone),
                           until=db_now() + timedelta(seconds=1), terminal=counter, by=ADMIN)
    assert line.gross == booking.total
    [line] = reports.shift(day_from=local_day, terminal=counter, by=ADMIN)
    assert line.gross == booking.total
    assert reports.shift(day_from=utc_day, terminal=counter, by=ADMIN) == []


# --- access and CSV -------------------------------------------------------------------------

def test_a_cashier_may_not_see_the_reports_and_a_manager_may(demo_db):
    cashier, manager = new_operator(), new_operator("manager")
    now, day = db_now(), today()
    calls = {
        "shift": lambda who: reports.shift(since=now - timedelta(hours=1), until=now, by=who),
        "occupancy": lambda who: reports.occupancy(day_from=day, day_to=day, by=who),
        "show_occupancy": lambda who: reports.show_occupancy(day_from=day, day_to=day, by=who),
        "sales": lambda who: reports.sales(day_from=day, day_to=day, by=who),
    }
    for name, call in calls.items():
        with pytest.raises(NotAuthorized, match="Seeing reports is a manager action"):
            call(cashier)
        assert isinstance(call(manager), list), name
        assert isinstance(call(ADMIN), list), name  # the command line and scripts
        with pytest.raises(NotAuthorized, match="needs a signed-in operator"):
            call(None)  # nobody named is nobody, not "a script"


def test_csv_has_a_header_of_the_fields_and_round_trips_every_figure(new_show):
    cashier = new_operator()
    show = show_on(new_show, today() + timedelta(days=402))
    (sold, back), since, until = window_around(lambda: (
        sold := sell(show, [f"C{n}" for n in range(1, 9)], "cash", cashier),  # 8 × 150
        sales.cancel(sold.code, labels=["C2"], operator=cashier),
    ))

    [line] = reports.shift(since=since, until=until, operator=cashier, by=ADMIN)
    [row] = csv.DictReader(io.StringIO(reports.to_csv([line])))
    assert row["operator"] == cashier.name
    assert (int(row["bookings"]), int(row["tickets"])) == (1, 8)
    assert Decimal(row["sales_cash"]) == sold.total and Decimal(row["sales_upi"]) == 0
    assert Decimal(row["refunds_cash"]) == back.amount == Decimal("150.00")
    assert Decimal(row["cash_expected"]) == line.cash_expected == Decimal("1050.00")
    assert row["net"] == "1050.00"  # a plain number: no ₹, no grouping commas

    day = today() + timedelta(days=402)
    [occupancy] = reports.occupancy(day_from=day, day_to=day, by=ADMIN)
    [row] = csv.DictReader(io.StringIO(reports.to_csv([occupancy])))
    assert row["day"] == day.isoformat()
    assert (int(row["sold"]), int(row["capacity"]), row["occupancy"]) == (7, 150, "4.7")
    assert Decimal(row["revenue"]) == sold.total - back.amount

    header = reports.to_csv([], reports.SalesLine).strip().split(",")
    assert header == [field.name for field in dataclasses.fields(reports.SalesLine)]
    assert reports.to_csv([], reports.ShiftLine).startswith("operator,bookings,tickets,"
                                                            "sales_cash,sales_card,")
    assert reports.to_csv([]) == ""


# --- the command line -----------------------------------------------------------------------

def test_report_commands_print_the_figures_a_chart_and_csv(demo_db, new_show, run,  # noqa: F811
                                                           tmp_path):
    cashier = new_operator()
    show = new_show()
    cash = sell(show, ["G1", "G2", "G3"], "cash", cashier)  # 660
    card = sell(show, ["B7"], "card", cashier)  # 150
    back = sales.cancel(cash.code, labels=["G3"], operator=cashier)  # 220 cash back
    # "Today" is the chain's: pinned to the demo theaters' zone, since other tests add theaters
    # elsewhere and this machine's date differs from India's between 18:30 and 24:00 UTC.
    india = {"BMSTUI_TIMEZONE": "Asia/Kolkata"}

    shift = run("--db", demo_db, "report", "shift", "--operator", cashier.name,
                extra_env=india)
    assert shift.returncode == 0, shift.stderr
    [row] = [line for line in shift.stdout.splitlines() if line.startswith(cashier.name)]
    cells = row.split()
    assert cells[1:3] == ["2", "4"]  # bookings, tickets
    assert cells[3:7] == ["₹660.00", "₹150.00", "₹0.00", "₹0.00"]  # cash card upi netbanking
    assert cells[7:] == ["₹810.00", "1", "₹220.00", "₹220.00", "₹590.00", "₹440.00"]
    assert "Cash expected" in shift.stdout and back.amount == 220

    out = run("--db", demo_db, "report", "shift", "--operator", cashier.name, "--csv", "-",
              extra_env=india)
    [parsed] = csv.DictReader(io.StringIO(out.stdout))
    assert Decimal(parsed["cash_expected"]) == cash.total - back.amount
    assert Decimal(parsed["sales_card"]) == card.total

    day = today() + timedelta(days=403)
    far = show_on(new_show, day)
    sell(far, ["A1", "A2", "A3"], "upi")
    theater = theater_of(far).name
    target = tmp_path / "occupancy.csv"
    occupancy = run("--db", demo_db, "report", "occupancy", "--from", day.isoformat(),
                    "--theater", theater, "--csv", str(target))
    assert occupancy.returncode == 0, occupancy.stderr
    [row] = [line for line in occupancy.stdout.splitlines()
             if line.startswith(day.isoformat())]
    assert row.split()[-5:] == ["0", "150", "3", "2.0%", "₹450.00"]
    [bar] = [line for line in occupancy.stdout.splitlines()
             if line.startswith(f"{day:%d %b} {theater}")]
    assert bar.endswith("2.0%") and "▊" in bar  # 2% of 40 cells = 0.8 cell = 6 eighths
    [saved] = csv.DictReader(target.open(encoding="utf-8"))
    assert (saved["theater"], saved["sold"], saved["revenue"]) == (theater, "3", "450.00")

    by_method = run("--db", demo_db, "report", "sales", "--by", "method", "--operator",
                    cashier.name, extra_env=india)
    assert by_method.returncode == 0, by_method.stderr
    lines = by_method.stdout.splitlines()
    assert next(line for line in lines if line.startswith("Cash ")).split()[1:] == [
        "1", "3", "₹660.00", "₹0.00", "1", "₹220.00", "₹440.00"]
    assert next(line for line in lines if line.startswith("Total")).split()[-1] == "₹590.00"

    assert "--from: not a date" in refused(run("--db", demo_db, "report", "occupancy",
                                               "--from", "2026-13-01"))
    assert "--to: not a date/time" in refused(run("--db", demo_db, "report", "shift",
                                                  "--to", "teatime"))
    assert "ends" in refused(run("--db", demo_db, "report", "sales", "--from", "2026-05-02",
                                 "--to", "2026-05-01"))
