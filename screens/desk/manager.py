"""The manager's desk: scheduling, reports, the audit trail and the catalog, one tab each.

Only a signed-in manager gets here (``screens.gate`` refuses the screen to anyone else); a
cashier is told so. The services check the role again on every action.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, TabbedContent, TabPane

from screens.desk.audit import AuditPane
from screens.desk.channels import ChannelsPane
from screens.desk.coupons import CouponsPane
from screens.desk.movies import MoviesPane
from screens.desk.operators import OperatorsPane
from screens.desk.reports import ReportsPane
from screens.desk.schedule import SchedulePane
from screens.widgets.heading import Heading

TABS = (
    ("schedule", "Schedule", SchedulePane),
    ("reports", "Reports", ReportsPane),
    ("audit", "Audit trail", AuditPane),
    ("movies", "Movies", MoviesPane),
    ("coupons", "Coupons", CouponsPane),
    ("operators", "Operators", OperatorsPane),
    ("channels", "Channels", ChannelsPane),
)


class ManagerScreen(Screen):
    """Tabs switch with F2…F8 (alt+1…7 where the terminal passes alt through) and the mouse.

    The tab keys are priority bindings: whatever has focus in a pane (a dropdown, a table, a
    field) cannot keep them. A tab that opens puts focus on its list, so the pane's letter keys
    (n, e, ...) work at once while a field, once chosen, still gets every letter typed.
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to sales"),
        *[Binding(f"f{i + 1},alt+{i}", f"tab('{tab}')", title, show=False, priority=True)
          for i, (tab, title, _) in enumerate(TABS, 1)],
        Binding("ctrl+r", "reload", "Reload", show=False),  # focus on the tab strip, not a pane
    ]

    def __init__(self, tab: str = "schedule") -> None:
        super().__init__()
        self.first_tab = tab
        self.AUTO_FOCUS = f"#{tab}-pane DataTable"  # the list, so its keys work at once

    def compose(self) -> ComposeResult:
        yield Heading()
        with TabbedContent(initial=self.first_tab, id="manager-tabs"):
            for i, (tab, title, pane) in enumerate(TABS, 2):
                with TabPane(f"F{i} {title}", id=tab):
                    yield pane(id=f"{tab}-pane")
        yield Footer()

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one("#manager-tabs", TabbedContent)
        if tabs.active == tab:  # no TabActivated then; back to the list, where its keys are
            self._opened(tab, back_to_list=True)
        tabs.active = tab

    def action_reload(self) -> None:
        pane = self.query_one(f"#{self.query_one('#manager-tabs', TabbedContent).active}-pane")
        for name in ("action_reload", "action_run"):
            if hasattr(pane, name):
                getattr(pane, name)()
                return

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content.id == "manager-tabs" and event.pane.id:
            self._opened(event.pane.id)

    def _opened(self, tab: str, *, back_to_list: bool = False) -> None:
        """A tab shown again shows today's rows (the audit trail grows while it is hidden)."""
        pane = self.query_one(f"#{tab}-pane")
        if hasattr(pane, "reshown"):
            pane.reshown()
        self._focus_list(tab, back_to_list)

    def _focus_list(self, tab: str, back_to_list: bool = False) -> None:
        """Focus on the list of the tab shown, unless focus is in that pane already. Focus left
        on a widget of the tab just hidden would bring that tab back (TabbedContent follows
        focus), which is how a tab key seemed to do nothing."""
        if self.query_one("#manager-tabs", TabbedContent).active != tab:
            return  # another tab key came first (F3 F2 typed fast): do not pull this one back
        pane = self.query_one(f"#{tab}-pane")
        focused = self.focused
        if not back_to_list and focused is not None and pane in focused.ancestors:
            return
        lists: list[Widget] = list(pane.query(DataTable))
        if lists:
            lists[0].focus()
