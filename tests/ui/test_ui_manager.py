"""The manager's desk driven as a manager drives it: scheduling (with the overlap refused in the
form), cancelling a sold show, the audit trail's filters, a money-only refund from Find booking;
and a cashier kept out."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from actor_support import ADMIN
from test_ui_money import text_of
from textual.widgets import DataTable, Input, Select

from bmstui.domain.clock import to_local
from bmstui.services import operators, sales, scheduling, seating, zones
from bmstui.store.db import database
from bmstui.store.models import Booking, Movie, Refund, Screen, Show
from screens.desk.manager import ManagerScreen
from screens.desk.reports import ReportsPane
from screens.desk.schedule import ConfirmShowAction, NewShowForm, SchedulePane
from screens.lookup.find import LookupScreen
from screens.lookup.refund import RefundScreen
from tests.ui_support import make_app, noticed, wait_for, wait_for_screen

PASSWORD = "desk-pass-123"


def person(role: str) -> operators.OperatorInfo:
    return operators.add(f"{role[:3]}{secrets.token_hex(3)}", PASSWORD, role=role, by=ADMIN)


def hall_and_movie() -> tuple[int, int]:
    with database.connection_context():
        screen = Screen.select().where(Screen.formats.contains("2D")).order_by(Screen.id).first()
        movie = Movie.select().where(Movie.active == True).order_by(Movie.id).first()  # noqa: E712
    return screen.id, movie.id


async def open_desk(pilot, tab: str) -> ManagerScreen:
    await pilot.press("f9")
    desk = await wait_for_screen(pilot, ManagerScreen)
    desk.action_tab(tab)
    await pilot.pause()
    return desk


async def test_a_manager_schedules_a_show_and_an_overlap_is_refused_in_the_form(demo_db,
                                                                               tmp_path):
    manager = person("manager")
    hall, movie = hall_and_movie()
    day = datetime(2095, 6, 1 + secrets.randbelow(27)).date()
    app = make_app(tmp_path, operator=manager)
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot, "schedule")
        pane = desk.query_one(SchedulePane)
        pane.query_one("#schedule-table", DataTable).focus()
        await pilot.press("n")
        form = await wait_for_screen(pilot, NewShowForm)
        form.query_one("#show-movie", Select).value = movie
        form.query_one("#show-hall", Select).value = hall
        form.query_one("#show-day", Input).value = day.isoformat()
        form.query_one("#show-time", Input).value = "18:00"
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(app.screen, ManagerScreen), what="the desk")
        await wait_for(pilot, lambda: noticed(app, "scheduled; its seats are on sale"))
        table = pane.query_one("#schedule-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="the day's one show")
        assert pane.day == day
        with database.connection_context():
            show = Show.get((Show.screen == hall) & (Show.movie == movie)
                            & (Show.starts_at >= datetime.combine(day, datetime.min.time())
                               - timedelta(days=1))
                            & (Show.starts_at < datetime.combine(day, datetime.min.time())
                               + timedelta(days=2)))
        assert to_local(show.starts_at, zones.of_screen(hall)) == datetime.combine(
            day, datetime.min.time()).replace(hour=18)

        await pilot.press("n")  # the same hall half an hour later: refused, typing kept
        form = await wait_for_screen(pilot, NewShowForm)
        form.query_one("#show-movie", Select).value = movie
        form.query_one("#show-hall", Select).value = hall
        form.query_one("#show-day", Input).value = day.isoformat()
        form.query_one("#show-time", Input).value = "18:30"
        await pilot.press("f10")
        await wait_for(pilot, lambda: "already has a show" in text_of(form, "#show-status"),
                       what="the overlap refusal")
        assert form.query_one("#show-time", Input).value == "18:30"
        assert isinstance(app.screen, NewShowForm)


async def test_cancelling_a_sold_show_from_the_desk_refunds_its_bookings(demo_db, tmp_path):
    manager = person("manager")
    hall, movie = hall_and_movie()
    starts = datetime(2095, 8, 1, 6) + timedelta(days=secrets.randbelow(27))
    show = scheduling.create_show(movie, hall, starts, operator=ADMIN)
    booking = sales.confirm(seating.hold(show, ["A1", "A2"]).token, method="card")
    app = make_app(tmp_path, operator=manager)
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot, "schedule")
        pane = desk.query_one(SchedulePane)
        pane.day = to_local(starts, zones.of_screen(hall)).date()
        pane.load()
        table = pane.query_one("#schedule-table", DataTable)
        await wait_for(pilot, lambda: str(show) in table.rows, what="the sold show")
        table.focus()
        table.move_cursor(row=table.get_row_index(str(show)))
        await pilot.press("x")
        confirm = await wait_for_screen(pilot, ConfirmShowAction)
        await pilot.press("f10")  # no reason yet: asked for one
        await wait_for(pilot, lambda: "reason" in text_of(confirm, "#confirm-status"))
        confirm.query_one("#show-reason", Input).value = "projector failed"
        await pilot.press("f10")
        await wait_for(pilot, lambda: noticed(app, "1 bookings, 2 seats"), what="the notice")
    with database.connection_context():
        assert Show.get_by_id(show).status == "cancelled"
        assert Booking.get_by_id(booking.id).status == "cancelled"
        refund = Refund.get(Refund.booking == booking.id)
    assert (refund.amount, refund.operator_id) == (booking.total, manager.id)


async def test_audit_trail_filters_and_a_managers_refund_from_find_booking(new_show,
                                                                           tmp_path):
    manager = person("manager")
    show = new_show()
    booking = sales.confirm(seating.hold(show, ["B1"]).token, method="cash", operator=manager)
    app = make_app(tmp_path, operator=manager)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+f")
        lookup = await wait_for_screen(pilot, LookupScreen)
        await pilot.press(*booking.code, "enter")
        await wait_for(pilot, lambda: lookup.found, what="the booking")
        await pilot.press("f7")
        refund = await wait_for_screen(pilot, RefundScreen)
        await wait_for(pilot, lambda: "Left to refund" in text_of(refund, "#refund-left"))
        await pilot.press(*"50", "enter", *"seat was broken", "enter")
        await wait_for(pilot, lambda: noticed(app, "refunded ₹50.00"), what="the refund")
        await pilot.press("escape")

        desk = await open_desk(pilot, "audit")
        desk.query_one("#audit-booking", Input).value = booking.code
        desk.query_one("#audit-booking", Input).focus()
        await pilot.press("enter")
        table = desk.query_one("#audit-table", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2, what="the booking's two events")
        kinds = [str(table.get_row_at(i)[1]) for i in range(2)]
        assert kinds == ["refund", "sale"]  # newest first
        assert "seat was broken" in text_of(desk, "#audit-detail")
        desk.query_one("#audit-kind", Select).value = "sale"
        await wait_for(pilot, lambda: table.row_count == 1, what="only the sale")
    with database.connection_context():
        assert Refund.get(Refund.booking == booking.id).operator_id == manager.id


async def test_a_cashier_is_kept_out_of_the_managers_desk(demo_db, tmp_path):
    cashier = person("cashier")
    app = make_app(tmp_path, operator=cashier)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert not isinstance(app.screen, ManagerScreen)
        app.action_manager()  # the palette path refuses too
        await pilot.pause()
        assert not isinstance(app.screen, ManagerScreen)
        assert noticed(app, "for managers")


async def test_shift_report_on_the_desk_matches_the_sales_and_exports_csv(new_show, tmp_path,
                                                                          settings):
    # the desk's Today in the demo theaters' zone (other tests add theaters in other zones)
    settings(terminal=f"desk-{secrets.token_hex(3)}", timezone="Asia/Kolkata")
    manager, cashier = person("manager"), person("cashier")
    show = new_show()
    cash = sales.confirm(seating.hold(show, ["D1", "D2"]).token, method="cash",
                         operator=cashier)
    card = sales.confirm(seating.hold(show, ["D3"]).token, method="card", operator=cashier)
    app = make_app(tmp_path, operator=manager)
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot, "reports")
        pane = desk.query_one(ReportsPane)
        await wait_for(pilot, lambda: pane.shown is not None and pane.shown.kind == "shift",
                       what="the shift report")
        mine = next(line for line in pane.shown.lines if line.operator == cashier.name)
        assert (mine.bookings, mine.tickets) == (2, 3)
        assert mine.sales["cash"] == cash.total and mine.sales["card"] == card.total
        assert mine.cash_expected == cash.total
        table = pane.query_one("#report-table", DataTable)
        row = next(table.get_row_at(i) for i in range(table.row_count)
                   if str(table.get_row_at(i)[0]) == cashier.name)
        assert f"₹{cash.total:,.2f}" in [str(cell) for cell in row]
        assert cashier.name in text_of(pane, "#report-chart")
        pane.query_one("#report-table", DataTable).focus()
        await pilot.press("ctrl+e")
        folder = tmp_path / "reports"
        await wait_for(pilot, lambda: folder.exists() and any(folder.iterdir()),
                       what="the CSV file")
    exported = next(folder.iterdir()).read_text(encoding="utf-8")
    assert exported.splitlines()[0].startswith("operator,bookings,tickets,sales_cash")
    assert f"{cashier.name},2,3,{cash.total:f}" in exported


async def test_a_manager_adds_a_channel_sees_its_key_once_and_revokes_it(demo_db, tmp_path):
    import pytest

    from bmstui.services import channels
    from screens.desk.channels import KeyShownOnce
    from screens.widgets.admin_form import FormScreen

    name = f"web{secrets.token_hex(3)}"
    app = make_app(tmp_path, operator=person("manager"))
    async with app.run_test(size=(120, 40)) as pilot:
        desk = await open_desk(pilot, "channels")
        await pilot.press("n")
        form = await wait_for_screen(pilot, FormScreen)
        form.query_one("#field-name", Input).value = name
        await pilot.press("f10")
        shown = await wait_for_screen(pilot, KeyShownOnce)
        key = shown.key
        assert channels.authenticate(key).name == name
        assert key in str(shown.query_one("#key-text").render())
        await pilot.press("enter")
        table = desk.query_one("#channels-pane-table", DataTable)
        await wait_for(pilot, lambda: name in [str(table.get_row_at(i)[0])
                                               for i in range(table.row_count)])
        table.move_cursor(row=[str(table.get_row_at(i)[0])
                               for i in range(table.row_count)].index(name))
        table.focus()
        await pilot.press("d")
        await wait_for(pilot, lambda: noticed(app, f"Revoked {name}"))
    with pytest.raises(channels.Unauthenticated):
        channels.authenticate(key)
