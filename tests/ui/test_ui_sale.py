"""The box office driven like a clerk drives it: city to ticket, best seats, the countdown."""

from __future__ import annotations

from bmstui.services import sales, seating
from screens.sale.seats import SeatScreen
from screens.sale.ticket import TicketScreen
from screens.widgets.seat_grid import SeatGrid
from tests.ui_support import (
    FakeClock,
    make_app,
    noticed,
    open_show,
    wait_for,
    wait_for_checkout,
    wait_for_screen,
)


def statuses(show_id: int) -> dict[str, str]:
    return {seat.label: seat.status for seat in seating.seat_map(show_id)}


async def test_cash_sale_from_city_to_ticket(new_show, tmp_path):
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        grid_screen = await open_show(pilot, show_id)
        await pilot.press("2")
        grid = grid_screen.query_one(SeatGrid)
        chosen = [grid_screen.live.seat(i) for i in grid.selected]
        assert len(chosen) == 2
        assert chosen[0].row == chosen[1].row and abs(chosen[0].x - chosen[1].x) == 1
        labels = sorted(seat.label for seat in chosen)

        await pilot.press("enter")
        checkout = await wait_for_checkout(pilot)
        assert sorted(statuses(show_id)[label] for label in labels) == ["held", "held"]
        total = checkout.total
        await pilot.press(*"1000")
        change = str(checkout.query_one("#change").render())
        assert f"{1000 - total:,.2f}" in change

        await pilot.press("enter")
        ticket = await wait_for_screen(pilot, TicketScreen)
        booking = sales.find_booking(ticket.booking.code)
        assert sorted(booking.labels) == labels
        assert booking.payment.method == "cash"
        assert booking.payment.change == 1000 - total
        assert [statuses(show_id)[label] for label in labels] == ["booked", "booked"]

        await pilot.press("t")
        saved = tmp_path / "tickets" / f"{booking.code}.txt"
        await wait_for(pilot, saved.exists, what="the exported ticket")
        assert booking.code in saved.read_text(encoding="utf-8")

        await pilot.press("enter")  # next sale: back to the movies of the city
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MoviesScreen")


async def test_best_available_keys_pick_together_and_skip_taken_seats(new_show, tmp_path):
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_show(pilot, show_id)
        grid = screen.query_one(SeatGrid)
        await pilot.press("4")
        first = [screen.live.seat(i) for i in grid.selected]
        assert len(first) == 4 and len({s.row for s in first}) == 1
        xs = sorted(s.x for s in first)
        assert xs == list(range(xs[0], xs[0] + 4))  # side by side, no aisle between

        # Another counter takes exactly those seats; the grid drops them from the choice
        # and the next pick avoids them.
        other = seating.hold(show_id, [s.label for s in first], terminal="counter-2")
        await wait_for(pilot, lambda: not grid.selected, what="the taken seats to drop")
        await pilot.press("4")
        second = [screen.live.seat(i) for i in grid.selected]
        assert len(second) == 4
        assert not {s.label for s in second} & set(other.labels)
        await pilot.press("c")
        assert grid.selected == []


async def test_space_toggles_the_seat_under_the_cursor_and_refuses_a_held_one(new_show, tmp_path):
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_show(pilot, show_id)
        grid = screen.query_one(SeatGrid)
        start = grid.cursor
        await pilot.press("space")
        assert grid.selected == [start]
        await pilot.press("right", "space")
        assert len(grid.selected) == 2 and grid.cursor != start
        await pilot.press("space")
        assert grid.selected == [start]

        # A click chooses the seat under the mouse (and moves the cursor there).
        target = screen.live.seats[-1]
        from screens.widgets.seat_grid import TOP

        grid.scroll_to(0, 0, animate=False)
        await pilot.pause()
        column = grid._column(target.x)
        line = TOP + target.y - min(s.y for s in screen.live.seats)
        assert grid.seat_at(column, line) == target.id
        await pilot.click(SeatGrid, offset=(column, line))
        assert target.id in grid.selected and grid.cursor == target.id
        await pilot.click(SeatGrid, offset=(column, line))
        assert target.id not in grid.selected

        taken = seating.hold(show_id, [screen.live.seat(grid.cursor).label])
        await wait_for(pilot, lambda: screen.live.status(grid.cursor) == "held",
                       what="the other counter's hold")
        await pilot.press("space")
        assert grid.selected == [start]
        seating.release(taken.token)


async def test_countdown_at_zero_releases_the_hold_and_returns_to_the_grid(new_show, tmp_path):
    show_id = new_show()
    clock = FakeClock()
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_show(pilot, show_id)
        await pilot.press("2", "enter")
        checkout = await wait_for_checkout(pilot)
        labels = checkout.hold.labels
        assert checkout.query_one("#countdown").value == "02:00"  # tests hold for 120 s

        clock.advance(119.2)
        await wait_for(pilot, lambda: checkout.query_one("#countdown").value == "00:01")
        clock.advance(1)
        await wait_for_screen(pilot, SeatScreen)
        await wait_for(pilot, lambda: noticed(app, "Time ran out"))
        assert screen.query_one(SeatGrid).selected == []
        await wait_for(pilot, lambda: all(statuses(show_id)[label] == "available"
                                          for label in labels), what="the release")
        await wait_for(pilot, lambda: all(screen.live.status(screen.live.seat(i).id)
                                          == "available" for i in screen.live.index
                                          if screen.live.seat(i).label in labels))


async def test_leaving_checkout_releases_and_extension_is_limited(new_show, tmp_path, settings):
    settings(max_extensions=1, extend_seconds=60)
    show_id = new_show()
    clock = FakeClock()
    app = make_app(tmp_path, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_show(pilot, show_id)
        await pilot.press("3", "enter")
        checkout = await wait_for_checkout(pilot)
        await pilot.press("f6")
        await wait_for(pilot, lambda: checkout.hold.extensions == 1, what="the extension")
        await wait_for(pilot, lambda: checkout.query_one("#countdown").value == "03:00",
                       what="the countdown to show the extra minute")
        await pilot.press("f6")
        await wait_for(pilot, lambda: noticed(app, "limit"))
        assert checkout.query_one("#countdown").value == "03:00"

        labels = checkout.hold.labels
        await pilot.press("escape")
        await wait_for_screen(pilot, SeatScreen)
        await wait_for(pilot, lambda: all(statuses(show_id)[label] == "available"
                                          for label in labels), what="the release")


async def test_a_hold_refused_at_checkout_keeps_the_clerk_on_the_grid(new_show, tmp_path):
    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_show(pilot, show_id)
        screen._timer.pause()  # the other counter wins before this grid hears of it
        await pilot.press("2")
        grid = screen.query_one(SeatGrid)
        labels = [screen.live.seat(i).label for i in grid.selected]
        seating.hold(show_id, labels[:1], terminal="counter-2")
        await pilot.press("enter")
        await wait_for(pilot, lambda: noticed(app, "just taken"))
        assert isinstance(app.screen, SeatScreen)
        await wait_for(pilot, lambda: len(grid.selected) == 1, what="the grid to catch up")


async def test_lookup_finds_a_booking_by_code_and_by_phone(new_show, tmp_path):
    show_id = new_show()
    hold = seating.hold(show_id, ["C5", "C6"])
    booking = sales.confirm(hold.token, method="upi", customer="+91 98450-12345")
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LookupScreen")
        await pilot.press(*booking.code.lower().removeprefix("bms-"), "enter")
        await wait_for(pilot, lambda: app.screen.found, what="the booking")
        assert app.screen.found[0][0].code == booking.code
        detail = app.screen.query_one("#lookup-ticket")
        assert "C5, C6" in str(detail.render()) or booking.code

        query = app.screen.query_one("#lookup-query")
        query.value = ""
        await pilot.press(*"9845012345", "enter")
        await wait_for(pilot, lambda: any(b.code == booking.code for b, _ in app.screen.found))
        await pilot.press("escape")


async def test_database_outage_is_a_notice_and_the_grid_recovers(new_show, tmp_path, demo_db):
    import bmstui
    from bmstui.store.db import database, make_database

    show_id = new_show()
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_show(pilot, show_id)
        await pilot.press("2")
        # The server goes away: the models now point at a port nothing listens on.
        database.initialize(make_database("mysql://root@127.0.0.1:1/nowhere"))
        try:
            await wait_for(pilot, lambda: noticed(app, "cannot be reached"), what="the notice")
            await pilot.press("enter")  # a hold attempt while the database is down
            await wait_for(pilot, lambda: sum("cannot be reached" in str(n.message)
                                              for n in app._notifications) >= 2)
            assert app.is_running and isinstance(app.screen, SeatScreen)
        finally:
            bmstui.open_database(demo_db)
        await wait_for(pilot, lambda: noticed(app, "Connected again"), what="the recovery")
        other = seating.hold(show_id, [screen.live.seats[0].label], terminal="counter-2")
        await wait_for(pilot, lambda: screen.live.status(screen.live.seats[0].id) == "held")
        seating.release(other.token)
        await pilot.press("enter")
        await wait_for_checkout(pilot)


async def test_the_counter_remembers_its_city_and_reopens_on_its_movies(demo_db, tmp_path):
    from bmstui.services import catalog
    from screens.sale.city import CityScreen
    from screens.sale.movies import MoviesScreen
    from tests.ui_support import choose

    city = catalog.cities()[-1]
    first = make_app(tmp_path)
    async with first.run_test(size=(120, 40)) as pilot:
        await choose(pilot, "city-list", city.id)
        await wait_for_screen(pilot, MoviesScreen)

    again = make_app(tmp_path)
    again.resume = True  # as a real start does
    async with again.run_test(size=(120, 40)) as pilot:
        movies = await wait_for_screen(pilot, MoviesScreen)
        assert movies.city.id == city.id
        await pilot.press("escape")  # the city list is underneath, the city highlighted
        cities = await wait_for_screen(pilot, CityScreen)
        highlighted = cities.query_one("#city-list").highlighted
        assert list(cities.cities)[highlighted] == str(city.id)
