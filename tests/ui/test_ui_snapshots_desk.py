"""The manager's desk, tab by tab, as approved SVG snapshots.

Signed in as the demo manager, on the frozen box office (tests/snapshot_support.py): the
schedule and the reports open on its show day in 2099, which has a card sale with a partial
refund and a cash sale with a coupon; the audit trail lists what that morning recorded, at
fixed times. Each tab's picture is taken once its table holds what the service says it holds.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from bmstui.services import audit, channels, coupons, movies, operators, scheduling
from screens.desk.manager import TABS, ManagerScreen
from screens.desk.reports import figures
from tests import snapshot_support
from tests.snapshot_support import SHOW_DAY, SIZES, app_for, still
from tests.ui_support import wait_for, wait_for_screen

# The module's frozen box office (fixtures: each module builds its own).
frozen_box_office = snapshot_support.frozen_box_office
frozen = snapshot_support.frozen

TABLES = {"schedule": "#schedule-table", "reports": "#report-table", "audit": "#audit-table",
          "movies": "#movies-pane-table", "coupons": "#coupons-pane-table",
          "operators": "#operators-pane-table", "channels": "#channels-pane-table"}


def rows_expected(tab: str) -> int:
    """How many rows the tab's table shows, asked of the services directly."""
    manager = operators.get("manager")
    return {
        "schedule": lambda: len(scheduling.schedule_of_day(SHOW_DAY)),
        "reports": lambda: len(figures("shift", SHOW_DAY, SHOW_DAY, manager).rows),
        "audit": lambda: len(audit.events()),
        "movies": lambda: len(movies.movies(include_inactive=True)),
        "coupons": lambda: len(coupons.coupons()),
        "operators": lambda: len(operators.operators()),
        "channels": lambda: len(channels.channels()),
    }[tab]()


async def desk_at(pilot, tab: str) -> ManagerScreen:
    """The desk opened with F9, then its tab key pressed, its table filled."""
    expected = rows_expected(tab)
    assert expected > 1  # a picture of an empty table would prove little
    await wait_for(pilot, lambda: pilot.app.screen.query_one("#city-list").option_count)
    await pilot.press("f9")
    desk = await wait_for_screen(pilot, ManagerScreen)
    key = next(f"f{i}" for i, (name, _, _) in enumerate(TABS, 2) if name == tab)
    await pilot.press(key)
    table = desk.query_one(TABLES[tab], DataTable)
    await wait_for(pilot, lambda: table.row_count == expected and table.has_focus,
                   what=f"the {tab} tab's {expected} rows")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert table.row_count == expected
    still(desk)
    return desk


DESK = [pytest.param(tab, size, False, id=f"{tab}-{size[0]}x{size[1]}")
        for tab, _, _ in TABS for size in (p.values[0] for p in SIZES)]
DESK.append(pytest.param("schedule", (80, 24), True, id="schedule-80x24-no_color"))


@pytest.mark.parametrize(("tab", "size", "mono"), DESK)
def test_desk_tab(snap_compare, frozen, tmp_path, monkeypatch, tab, size, mono):
    async def ready(pilot):
        await desk_at(pilot, tab)

    app = app_for(tmp_path, monkeypatch, mono)
    assert snap_compare(app, terminal_size=size, run_before=ready)
