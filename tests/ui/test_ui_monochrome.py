"""Monochrome counter terminals (NO_COLOR): every state colour shows is also in the text.

Each test runs the app with NO_COLOR set, as such a terminal does, and compares the characters
drawn, never the styles: two states that differ only by shade read the same there.
"""

from __future__ import annotations

import io
import secrets

from actor_support import ADMIN
from rich.console import Console

from bmstui.domain.vocabulary import SeatStatus
from bmstui.services import operators, sales, seating
from bmstui.store.models import ShowSeat
from screens.lock import LockScreen
from screens.login import LoginScreen
from screens.lookup.cancel import CancelScreen
from screens.lookup.find import LookupScreen
from screens.lookup.refund import RefundScreen
from screens.widgets.seat_grid import GLYPHS, SeatGrid
from tests.ui_support import make_app, open_show, wait_for, wait_for_screen

SIZE = (120, 40)


def mono_app(monkeypatch, tmp_path, **kwargs):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path, **kwargs)
    assert app.no_color  # Textual took the terminal's word for it
    return app


def text_of(widget) -> str:
    """What a Static shows, as plain characters."""
    console = Console(file=io.StringIO(), width=100, color_system=None, record=True)
    console.print(widget.content)
    return console.export_text()


def lines_of(widget) -> list[str]:
    """The characters a line-drawn widget puts on screen, line by line."""
    return [widget.render_line(y).text for y in range(widget.size.height)]


async def test_ticking_a_seat_to_cancel_changes_its_characters(new_show, monkeypatch,
                                                                tmp_path):
    show_id = new_show()
    held = seating.hold(show_id, ["C1", "C2"], terminal="counter-9")
    booking = sales.confirm(held.token, method="upi")
    app = mono_app(monkeypatch, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+f")
        lookup = await wait_for_screen(pilot, LookupScreen)
        await pilot.press(*booking.code, "enter")
        await wait_for(pilot, lambda: lookup.found, what="the booking")
        await pilot.press("f8")
        cancel = await wait_for_screen(pilot, CancelScreen)
        ticks = cancel.query_one("#cancel-seats")
        await wait_for(pilot, lambda: cancel.offer is not None, what="the refund offer")
        ticked = lines_of(ticks)[:2]
        assert all("✓" in line for line in ticked), ticked

        await pilot.press("space")  # unticks C1, the highlighted one
        await wait_for(pilot, lambda: ticks.selected == ["C2"], what="C1 unticked")
        await pilot.pause()
        c1, c2 = lines_of(ticks)[:2]
        assert "C1" in c1 and "✓" not in c1
        assert "C2" in c2 and "✓" in c2
        assert c1.replace("C1", "") != c2.replace("C2", "")  # not the same but for the seat


def test_every_seat_status_has_its_own_glyph():
    plain = {status: glyphs[0] for status, glyphs in GLYPHS.items()}
    assert len(set(plain.values())) == len(plain)
    # A wheelchair space reads as one whether free or chosen, and as nothing else.
    for status in (SeatStatus.AVAILABLE, "selected"):
        wheelchair = GLYPHS[status][1]
        assert wheelchair not in plain.values()
    assert GLYPHS[SeatStatus.AVAILABLE][1] != GLYPHS["selected"][1]


async def test_seat_grid_and_legend_read_without_colour(new_show, monkeypatch, tmp_path):
    show_id = new_show()
    seating.hold(show_id, ["F7", "F8"], terminal="counter-2", ttl=3600)
    sold = seating.hold(show_id, ["A5", "A6"], terminal="counter-3")
    sales.confirm(sold.token, method="upi")
    seat_ids = {seat.label: seat.id for seat in seating.seat_map(show_id)}
    ShowSeat.update(status=SeatStatus.BLOCKED).where(
        (ShowSeat.show == show_id) & (ShowSeat.id.in_([seat_ids["B1"], seat_ids["B2"]]))
    ).execute()
    app = mono_app(monkeypatch, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_show(pilot, show_id)
        grid = screen.query_one(SeatGrid)
        live = grid.live
        free = next(s for s in live.seats if live.is_free(s.id) and not s.accessible)
        grid.toggle(free.id)
        await pilot.pause()

        def drawn(seat) -> str:
            line = grid._build_line(grid._line(seat.y)).text
            return line[grid._column(seat.x)]

        seen: dict[str, set[str]] = {}
        for seat in live.seats:
            status = grid.shown_status(seat)
            glyph = drawn(seat)
            assert glyph == GLYPHS[status][1 if seat.accessible else 0], seat.label
            seen.setdefault(status, set()).add(glyph)
        assert {SeatStatus.AVAILABLE, "selected", SeatStatus.HELD, SeatStatus.BOOKED,
                SeatStatus.BLOCKED} <= set(seen)
        for status, glyphs in seen.items():
            for other, others in seen.items():
                assert other == status or not glyphs & others, (status, other)

        legend = text_of(screen.query_one("#legend"))
        for status in (SeatStatus.AVAILABLE, "selected", SeatStatus.HELD, SeatStatus.BOOKED,
                       SeatStatus.BLOCKED):
            assert GLYPHS[status][0] in legend, status  # every glyph in the grid is explained
        assert GLYPHS[SeatStatus.AVAILABLE][1] in legend


async def test_a_refused_sign_in_is_marked_not_only_red(monkeypatch, tmp_path):
    app = mono_app(monkeypatch, tmp_path, login=True)
    async with app.run_test(size=SIZE) as pilot:
        login = await wait_for_screen(pilot, LoginScreen)
        await pilot.press(*"nobody", "enter", *"not-the-one", "enter")
        status = login.query_one("#login-status")
        await wait_for(pilot, lambda: "Checking" not in str(status.render())
                       and str(status.render()).strip(), what="the refusal")
        assert str(status.render()).startswith("✗ ")


async def test_a_refused_unlock_is_marked_not_only_red(monkeypatch, tmp_path):
    cashier = operators.add(f"ui{secrets.token_hex(3)}", "pass-word-1", by=ADMIN)
    app = mono_app(monkeypatch, tmp_path, operator=cashier)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.screen is not None)
        app.push_screen(LockScreen(cashier))
        lock = await wait_for_screen(pilot, LockScreen)
        await pilot.press(*"not-the-one", "enter")
        status = lock.query_one("#lock-status")
        await wait_for(pilot, lambda: "Wrong" in str(status.render()), what="the refusal")
        assert str(status.render()).startswith("✗ ")


async def test_a_refused_refund_is_marked_not_only_red(new_show, monkeypatch, tmp_path):
    show_id = new_show()
    booking = sales.confirm(seating.hold(show_id, ["A1"]).token, method="cash")
    app = mono_app(monkeypatch, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = RefundScreen(sales.find_booking(booking.code))
        await app.push_screen(screen)
        await wait_for_screen(pilot, RefundScreen)
        screen.query_one("#refund-amount").value = "99999"  # more than was paid
        screen.query_one("#refund-reason").value = "sound failed"
        await pilot.press("f10")
        status = screen.query_one("#refund-status")
        await wait_for(pilot, lambda: text_of(status).strip(), what="the refusal")
        assert text_of(status).startswith("✗ ")


async def test_the_last_minute_of_the_countdown_is_said_not_only_red(new_show, monkeypatch,
                                                                    tmp_path):
    from screens.sale.checkout import WARN_BELOW
    from tests.ui_support import FakeClock, wait_for_checkout

    clock = FakeClock()
    app = mono_app(monkeypatch, tmp_path, clock=clock, as_="cashier1")
    async with app.run_test(size=SIZE) as pilot:
        await open_show(pilot, new_show())
        await pilot.press("1", "enter")
        checkout = await wait_for_checkout(pilot)
        note = checkout.query_one("#countdown-note")
        assert "minute" not in text_of(note)
        clock.advance(checkout.seconds_left() - WARN_BELOW - 5)
        await pilot.pause(0.3)
        assert "minute" not in text_of(note)  # still more than a minute
        clock.advance(10)
        await wait_for(pilot, lambda: "Under a minute left" in text_of(note),
                       what="the last minute in words")
        assert "F6" in text_of(note)  # what to do about it stays


async def test_the_highlighted_line_and_the_focused_field_show_without_colour(
        demo_db, monkeypatch, tmp_path):
    """A grey shade alone marks them in Textual's NO_COLOR rendering: here the highlighted
    line of a list is underlined, of a table in reverse video, and the focused widget has a
    double border (single when not focused), on lists, tables, fields and the desk's tabs."""
    from textual.widgets import DataTable, OptionList, Tab

    from screens.desk.manager import ManagerScreen
    from screens.sale.city import CityScreen

    app = mono_app(monkeypatch, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        city = await wait_for_screen(pilot, CityScreen)
        cities = city.query_one("#city-list", OptionList)
        await wait_for(pilot, lambda: cities.option_count and app.focused is cities)
        # What the list draws with (its visual style), not only what the CSS says.
        drawn = cities.get_visual_style("option-list--option", "option-list--option-highlighted")
        assert drawn.underline and not cities.get_visual_style("option-list--option").underline
        assert cities.styles.border_top[0] == "double"
        await pilot.press("f9")
        desk = await wait_for_screen(pilot, ManagerScreen)
        await wait_for(pilot, lambda: isinstance(app.focused, DataTable), what="the desk list")
        table = app.focused
        assert table.get_component_rich_style("datatable--cursor").reverse
        assert table.styles.border_top[0] == "double"
        active = [tab for tab in desk.query(Tab) if tab.has_class("-active")]
        assert active and all(tab.rich_style.reverse for tab in active)
        field = next(w for w in desk.query("Input") if w.display and w.focusable)
        assert field.styles.border_top[0] != "double"  # not focused: the usual border
        field.focus()
        await pilot.pause()
        assert field.styles.border_top[0] == "double"


async def test_colour_terminals_keep_their_look(demo_db, monkeypatch, tmp_path):
    from textual.widgets import OptionList

    from screens.sale.city import CityScreen

    monkeypatch.delenv("NO_COLOR", raising=False)
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        city = await wait_for_screen(pilot, CityScreen)
        cities = city.query_one("#city-list", OptionList)
        await wait_for(pilot, lambda: cities.option_count and app.focused is cities)
        assert not app.has_class("-mono")
        assert cities.styles.border_top[0] != "double"
