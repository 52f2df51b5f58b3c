"""The manager's desk: scheduling, reports, the audit trail and the catalog, one tab each.

Only a signed-in manager gets here (``screens.gate`` refuses the screen to anyone else); a
cashier is told so. The services check the role again on every action.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane

from screens.desk.audit import AuditPane
from screens.desk.coupons import CouponsPane
from screens.desk.movies import MoviesPane
from screens.desk.operators import OperatorsPane
from screens.desk.reports import ReportsPane
from screens.desk.schedule import SchedulePane

TABS = (
    ("schedule", "Schedule", SchedulePane),
    ("reports", "Reports", ReportsPane),
    ("audit", "Audit trail", AuditPane),
    ("movies", "Movies", MoviesPane),
    ("coupons", "Coupons", CouponsPane),
    ("operators", "Operators", OperatorsPane),
)


class ManagerScreen(Screen):
    """Tabs switch with F2…F7 (alt+1…6 where the terminal passes alt through) and the mouse."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to sales"),
        *[Binding(f"f{i + 1},alt+{i}", f"tab('{tab}')", title, show=False)
          for i, (tab, title, _) in enumerate(TABS, 1)],
    ]

    def __init__(self, tab: str = "schedule") -> None:
        super().__init__()
        self.first_tab = tab

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial=self.first_tab, id="manager-tabs"):
            for i, (tab, title, pane) in enumerate(TABS, 2):
                with TabPane(f"F{i} {title}", id=tab):
                    yield pane(id=f"{tab}-pane")
        yield Footer()

    def action_tab(self, tab: str) -> None:
        self.query_one("#manager-tabs", TabbedContent).active = tab
