"""The desk's keys from wherever focus is: the tab keys from every focusable widget of every
tab, a list's letter keys as soon as its tab opens, the audit trail fresh each time it is shown,
and a show that has ended saying so."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from textual.widgets import DataTable, Input, TabbedContent

from bmstui.domain.clock import to_local
from bmstui.services import audit, scheduling, zones
from bmstui.store.db import database
from screens.desk.audit import AuditPane
from screens.desk.manager import TABS, ManagerScreen
from screens.desk.schedule import NewShowForm, SchedulePane
from screens.widgets.admin_form import FormScreen
from tests.ui_support import make_app, wait_for, wait_for_screen

KEYS = {tab: f"f{i}" for i, (tab, _, _) in enumerate(TABS, 2)}


async def open_desk(pilot) -> ManagerScreen:
    await pilot.press("f9")
    desk = await wait_for_screen(pilot, ManagerScreen)
    await pilot.pause()
    return desk


def active(desk: ManagerScreen) -> str:
    return desk.query_one("#manager-tabs", TabbedContent).active


async def show_tab(pilot, desk: ManagerScreen, tab: str) -> None:
    await pilot.press(KEYS[tab])
    await wait_for(pilot, lambda: active(desk) == tab, what=f"the {tab} tab")
    pane = desk.query_one(f"#{tab}-pane")
    await wait_for(pilot, lambda: isinstance(desk.app.focused, DataTable)
                   and pane in desk.app.focused.ancestors, what=f"focus on the {tab} list")


@pytest.mark.slow  # about 180 key presses through the real app: the system tier
async def test_every_tab_key_switches_from_every_focusable_widget_of_every_tab(demo_db,
                                                                               tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        desk = await open_desk(pilot)
        for tab in KEYS:
            await show_tab(pilot, desk, tab)
            chain = list(app.screen.focus_chain)
            assert any(isinstance(w, DataTable) for w in chain), tab
            for index in range(len(chain)):
                for target, key in KEYS.items():
                    desk.action_tab(tab)
                    await pilot.pause()
                    widget = list(app.screen.focus_chain)[index]
                    widget.focus()
                    await pilot.pause()
                    assert active(desk) == tab and app.focused is widget
                    await pilot.press(key)
                    await wait_for(pilot, lambda t=target: active(desk) == t,
                                   what=f"{key} from {widget!r} on {tab}")


async def test_each_tab_opens_with_focus_on_its_list(demo_db, tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        desk = await open_desk(pilot)
        assert isinstance(app.focused, DataTable) and app.focused.id == "schedule-table"
        for tab in (*KEYS, "schedule"):
            await show_tab(pilot, desk, tab)  # waits for focus on the tab's list


async def test_f9_then_n_opens_the_new_show_form(demo_db, tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_desk(pilot)
        await pilot.press("n")
        await wait_for_screen(pilot, NewShowForm)


async def test_a_list_tab_takes_n_as_soon_as_it_opens(demo_db, tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        desk = await open_desk(pilot)
        await show_tab(pilot, desk, "movies")
        await pilot.press("n")
        await wait_for_screen(pilot, FormScreen)


async def test_letters_typed_in_a_field_stay_in_the_field(demo_db, tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        desk = await open_desk(pilot)
        box = desk.query_one("#schedule-day", Input)
        box.value = ""
        box.focus()
        await pilot.press("n", "x")
        await pilot.pause()
        assert box.value == "nx"
        assert app.screen is desk


def audit_shows(pane: AuditPane, text: str) -> bool:
    return any(text in e.detail for e in pane.events)


async def test_the_audit_trail_is_fresh_when_shown_again_and_on_ctrl_r(demo_db, tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        desk = await open_desk(pilot)
        await show_tab(pilot, desk, "audit")
        pane = desk.query_one(AuditPane)
        await wait_for(pilot, lambda: not [w for w in app.workers if w.group == "audit"
                                           and not w.is_finished], what="the first load")
        first = f"first-{secrets.token_hex(4)}"
        with database.connection_context():
            audit.record("login", detail=first)
        await pilot.pause()
        assert not audit_shows(pane, first)
        await show_tab(pilot, desk, "schedule")
        await show_tab(pilot, desk, "audit")
        await wait_for(pilot, lambda: audit_shows(pane, first), what="the row when re-shown")

        second = f"second-{secrets.token_hex(4)}"
        with database.connection_context():
            audit.record("login", detail=second)
        field = pane.query_one("#audit-text", Input)
        field.focus()
        await pilot.pause()
        assert app.focused is field
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: audit_shows(pane, second), what="the row after ctrl+r")


async def test_a_show_that_has_ended_says_so(demo_db, new_show, tmp_path):
    ended = new_show(starts_in=-timedelta(hours=5))  # no movie runs five hours
    around = scheduling.schedule_of_day(zones.today() - timedelta(days=1), days=3)
    show = next(s for s in around if s.id == ended)
    app = make_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        desk = await open_desk(pilot)
        pane = desk.query_one(SchedulePane)
        pane.day = to_local(show.starts_at, show.timezone).date()  # today where it played
        pane.load()
        table = pane.query_one("#schedule-table", DataTable)
        await wait_for(pilot, lambda: str(ended) in table.rows, what="the ended show")
        assert str(table.get_row(str(ended))[-1]) == "ended"
