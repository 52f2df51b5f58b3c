"""The idle lock, on the app's movable clock: it covers the counter after the configured idle
time, takes only the operator's password (or another operator, who signs the first one out),
and a checkout under it is neither lost nor kept past its time."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from bmstui.services import seating
from bmstui.store.models import AuditEvent
from screens.lock import LockScreen
from screens.sale.city import CityScreen
from screens.sale.seats import SeatScreen
from tests.ui_support import (
    FakeClock,
    make_app,
    new_operator,
    noticed,
    open_show,
    wait_for,
    wait_for_checkout,
    wait_for_screen,
)

PASSWORD = "till-lock-42"


def statuses(show_id: int) -> dict[str, str]:
    return {seat.label: seat.status for seat in seating.seat_map(show_id)}


@pytest.fixture
def lock_after_a_minute(settings):
    settings(lock_after_minutes=1)


async def checkout_then_lock(pilot, clock: FakeClock, show_id: int):
    await open_show(pilot, show_id)
    await pilot.press("2", "enter")
    checkout = await wait_for_checkout(pilot)
    clock.advance(61)
    lock = await wait_for_screen(pilot, LockScreen)
    await wait_for(pilot, lambda: lock.focused is lock.query_one("#lock-password"),
                   what="the password field")
    return checkout, lock


def lock_status(lock: LockScreen) -> str:
    return str(lock.query_one("#lock-status").render())


async def test_the_lock_takes_only_the_password_and_gives_the_checkout_back(
        new_show, tmp_path, lock_after_a_minute):
    show_id = new_show()
    clerk = new_operator(PASSWORD)
    clock = FakeClock()
    app = make_app(tmp_path, clock=clock, operator=clerk)
    async with app.run_test(size=(100, 30)) as pilot:
        checkout, lock = await checkout_then_lock(pilot, clock, show_id)
        labels = checkout.hold.labels
        assert checkout in app.screen_stack
        assert all(statuses(show_id)[label] == "held" for label in labels)

        # Only unlock, someone else and quit are offered, in the footer and the palette.
        shown = {b.binding.description for b in app.screen.active_bindings.values()
                 if b.binding.show and b.enabled}
        assert shown == {"Unlock", "Sign in as someone else", "Quit"}
        assert {c.title for c in app.get_system_commands(app.screen)} == {
            "Unlock", "Sign in as someone else", "Quit"}
        stack = list(app.screen_stack)
        for key in ("f9", "ctrl+f", "f1", "escape", "f10", "f6"):
            await pilot.press(key)
        await pilot.pause()
        assert app.screen_stack == stack
        await pilot.press("ctrl+p")
        await wait_for_screen(pilot, CommandPalette)
        await pilot.press(*"manager")
        await pilot.press("escape")
        await wait_for_screen(pilot, LockScreen)
        assert app.screen_stack == stack

        await pilot.press(*"not-the-password", "enter")
        await wait_for(pilot, lambda: "Wrong operator name or password" in lock_status(lock),
                       what="the refusal")
        assert isinstance(app.screen, LockScreen)
        clock.advance(30)  # the countdown goes on under the lock
        await pilot.press(*PASSWORD, "enter")
        await wait_for(pilot, lambda: app.screen is checkout, what="the same checkout")
        assert 0 < checkout.seconds_left() < 120 - 61 - 30 + 1
        assert all(statuses(show_id)[label] == "held" for label in labels)
        assert app.operator == clerk
        await pilot.press("escape")
        await wait_for_screen(pilot, SeatScreen)


async def test_a_checkout_that_runs_out_under_the_lock_returns_to_the_grid(
        new_show, tmp_path, lock_after_a_minute):
    show_id = new_show()
    clerk = new_operator(PASSWORD)
    clock = FakeClock()
    app = make_app(tmp_path, clock=clock, operator=clerk)
    async with app.run_test(size=(100, 30)) as pilot:
        checkout, lock = await checkout_then_lock(pilot, clock, show_id)
        labels = checkout.hold.labels
        clock.advance(120)
        await wait_for(pilot, lambda: all(statuses(show_id)[label] == "available"
                                          for label in labels), what="the release")
        assert app.screen is lock  # the expiry did not take the lock away
        await pilot.press(*PASSWORD, "enter")
        await wait_for_screen(pilot, SeatScreen)
        assert checkout not in app.screen_stack
        await wait_for(pilot, lambda: noticed(app, "Time ran out"), what="the notice")


async def test_another_operator_signing_in_signs_the_first_out(
        new_show, tmp_path, lock_after_a_minute):
    show_id = new_show()
    first, second = new_operator(PASSWORD), new_operator(PASSWORD)
    clock = FakeClock()
    app = make_app(tmp_path, clock=clock, operator=first)
    async with app.run_test(size=(100, 30)) as pilot:
        checkout, lock = await checkout_then_lock(pilot, clock, show_id)
        labels = checkout.hold.labels
        await pilot.press("f2")
        await wait_for(pilot, lambda: lock.focused is lock.query_one("#lock-name"))
        await pilot.press(*second.name, "enter", *PASSWORD, "enter")
        await wait_for_screen(pilot, CityScreen)
        assert app.operator == second
        assert [type(s) for s in app.screen_stack[1:]] == [CityScreen]
        await wait_for(pilot, lambda: second.name in app.title, what="the new name on top")
        await wait_for(pilot, lambda: all(statuses(show_id)[label] == "available"
                                          for label in labels), what="the first one's hold")
        assert not app.open_holds
    assert AuditEvent.select().where((AuditEvent.kind == "login")
                                     & (AuditEvent.operator == second.id)).exists()


async def test_a_key_or_click_keeps_the_counter_open_and_zero_turns_the_lock_off(
        demo_db, tmp_path, settings):
    settings(lock_after_minutes=1)
    clock = FakeClock()
    app = make_app(tmp_path, clock=clock, as_="cashier1")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_screen(pilot, CityScreen)
        clock.advance(50)
        await pilot.press("down")
        clock.advance(50)
        app.check_idle_lock()
        await pilot.pause()
        assert not app.locked
        await pilot.click("#city-list")
        clock.advance(59)
        app.check_idle_lock()
        assert not app.locked
        clock.advance(1)
        app.check_idle_lock()
        lock = await wait_for_screen(pilot, LockScreen)
        await wait_for(pilot, lambda: lock.focused is not None, what="the lock to be ready")

    signed_out = make_app(tmp_path / "out", clock=clock, login=True)
    async with signed_out.run_test(size=(100, 30)) as pilot:
        clock.advance(3600)
        signed_out.check_idle_lock()
        await pilot.pause()
        assert not signed_out.locked  # nobody to lock out: the sign-in screen stays

    settings(lock_after_minutes=0)
    app = make_app(tmp_path / "off", clock=clock, as_="cashier1")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_screen(pilot, CityScreen)
        clock.advance(10 * 3600)
        app.check_idle_lock()
        await pilot.pause()
        assert not app.locked
