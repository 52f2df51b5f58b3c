"""Every screen usable in an 80x24 terminal, price labels whole at 120 columns (issue 16).

Each test reads what the terminal shows (the composited screen, line by line), not a widget's
own idea of its content: a total that is right in the model but cut on screen is the bug.
"""

from __future__ import annotations

import pytest
from test_ui_manager import open_desk

from bmstui.domain.pricing import rupees
from screens.desk.reports import ReportsPane
from screens.widgets.seat_grid import SeatGrid
from tests.ui_support import make_app, open_show, wait_for, wait_for_checkout


def screen_lines(app) -> list[str]:
    """The text of every line of the terminal as the clerk sees it."""
    return ["".join(segment.text for segment in strip)
            for strip in app.screen._compositor.render_strips()]


def region_lines(app, widget) -> list[str]:
    """The text the terminal shows inside one widget's region."""
    region = widget.region
    lines = screen_lines(app)[region.y:region.bottom]
    return [line[region.x:region.right] for line in lines]


async def test_checkout_total_and_amount_whole_at_80x24(new_show, tmp_path):
    show_id = new_show(layout="imax-450")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_show(pilot, show_id)
        await pilot.press("9", "enter")
        checkout = await wait_for_checkout(pilot)
        await wait_for(pilot, lambda: checkout.quote is not None, what="the quote")
        await pilot.pause()
        total = rupees(checkout.total)
        lines = screen_lines(app)
        assert any("Total" in line and total in line for line in lines), "\n".join(lines)
        assert any("Amount" in line for line in lines), "\n".join(lines)
        assert not any("…" in line for line in lines), "\n".join(lines)


@pytest.mark.parametrize("size", [(80, 24), (80, 14)])
async def test_seat_grid_keeps_row_label_and_screen_marker_in_view(new_show, tmp_path, size):
    """At 80x24 the largest hall scrolls sideways; at 14 lines it scrolls down too."""
    show_id = new_show(layout="imax-450")  # the demo's largest hall: 450 seats
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        seats = await open_show(pilot, show_id)
        grid = seats.query_one(SeatGrid)
        # The rightmost seat of the back rows, reached by the clerk's own arrow key from its
        # neighbour (a walk of 40 key presses there costs seconds of CPU the other tests need).
        far = max(seats.live.seats, key=lambda s: (s.x, s.y))
        grid._move_cursor(grid._rows[far.y][-2])
        await pilot.press("right")
        await pilot.pause()
        assert grid.cursor == far.id
        assert grid.scroll_offset.x > 0  # it did scroll
        assert grid.scroll_offset.y > 0 or size[1] == 24
        cursor = seats.live.seat(grid.cursor)
        shown = region_lines(app, grid)
        assert "SCREEN" in shown[0]
        row_line = grid._line(cursor.y) - grid.scroll_offset.y
        assert shown[row_line][:4].strip() == cursor.row, "\n".join(shown)
        # and the row label on the right, after the seats in view
        assert f" {cursor.row} " in shown[row_line][4:], "\n".join(shown)


async def test_price_labels_whole_at_120_columns(new_show, tmp_path):
    show_id = new_show(layout="imax-450")
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        seats = await open_show(pilot, show_id)
        grid = seats.query_one(SeatGrid)
        await pilot.pause()
        text = "\n".join(region_lines(app, grid))
        firsts = {}
        for seat in seats.live.seats:
            firsts.setdefault((seat.type, seat.price), seat)
        for kind, price in firsts:
            assert f"{kind.title()} {rupees(price)}" in text, text


async def test_price_labels_short_but_whole_at_80_columns(new_show, tmp_path):
    show_id = new_show(layout="classic-150")
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        seats = await open_show(pilot, show_id)
        grid = seats.query_one(SeatGrid)
        await pilot.pause()
        text = "\n".join(region_lines(app, grid))
        first = min(seats.live.seats, key=lambda s: (s.y, s.x))
        short = f"{first.type[:1]} {rupees(first.price).removesuffix('.00')}"
        assert short in text, text


async def test_movies_search_box_wide_and_shows_on_one_line_at_80x24(demo_db, tmp_path):
    from bmstui.services import catalog
    from tests.ui_support import choose

    city = catalog.cities()[0]
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "city-list", city.id)
        screen = await wait_for(pilot, lambda: app.screen.query_one("#show-list").option_count
                                and app.screen, what="the shows")
        assert screen.query_one("#search").region.width >= 20
        await pilot.pause()
        shown = region_lines(app, screen.query_one("#show-list"))
        times = [line for line in shown if ":" in line]
        assert times and all("left" in line for line in times), "\n".join(shown)


async def test_shift_report_shows_cash_in_drawer_and_net_at_80x24(demo_db, tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = await open_desk(pilot, "reports")
        pane = desk.query_one(ReportsPane)
        await wait_for(pilot, lambda: pane.shown is not None, what="the shift report")
        await pilot.pause()
        header = region_lines(app, pane.query_one("#report-table"))[0]
        assert "Cash in drawer" in header and "Net" in header, header
        hint = pane.query_one("#report-more")
        await wait_for(pilot, lambda: hint.display, what="the more-columns hint")
        assert "More columns" in "\n".join(region_lines(app, hint))


async def test_cancel_dialog_reason_and_keys_visible_at_80x24(new_show, tmp_path):
    from test_ui_money import open_cancel, sell

    booking = sell(new_show(), ["C1", "C2", "C3"])
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        cancel = await open_cancel(pilot, booking.code)
        await wait_for(pilot, lambda: cancel.offer is not None, what="the refund offer")
        await pilot.pause()
        reason = cancel.query_one("#cancel-reason")
        assert reason.region.height == 3  # the whole field, border and all
        lines = screen_lines(app)
        assert any("Reason (recorded with the refund)" in line for line in lines), \
            "\n".join(lines)
        assert any("F10: cancel and refund" in line for line in lines), "\n".join(lines)


async def test_coupons_say_more_columns_are_off_to_the_right_at_80x24(demo_db, tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = await open_desk(pilot, "coupons")
        await pilot.pause()
        pane = desk.query_one("#coupons-pane")
        await wait_for(pilot, lambda: pane.query_one("#coupons-pane-table").row_count,
                       what="the coupons")
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "Valid" not in text  # the last column is off to the right ...
        assert "More columns to the right" in text, text  # ... and the clerk is told


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_movie_filters_show_their_longest_values_whole(demo_db, tmp_path, size):
    from textual.widgets import Select

    from bmstui.services import catalog
    from tests.ui_support import choose

    city = catalog.cities()[0]
    longest = max(catalog.theaters(city.id), key=lambda t: len(t.name))
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await choose(pilot, "city-list", city.id)
        theater = await wait_for(pilot, lambda: app.screen.query_one("#theater", Select),
                                 what="the filters")
        await wait_for(pilot, lambda: len(theater._options) > 1, what="the theaters")
        theater.value = longest.id
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert longest.name in text, text
        assert "/ search titles" in text, text
