"""The audit trail for managers: newest first, filtered by kind, operator, counter, booking,
words and day. Filters apply as they are chosen or on enter; the full detail of the highlighted
row shows underneath (details are longer than a column)."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Select, Static

from bmstui.domain.clock import to_local, utc_range_of_local_day
from bmstui.services import audit
from screens.background import run_service
from screens.widgets.more_columns import MoreColumns

STYLE = {"login_failed": "yellow", "cancel_override": "magenta", "refund": "magenta",
         "show_cancelled": "red"}


class AuditPane(Vertical):
    # priority: a focused filter field would otherwise take ctrl+x (cut) for itself
    BINDINGS = [Binding("ctrl+r", "reload", "Reload", priority=True),
                Binding("ctrl+x", "clear", "Clear filters", priority=True)]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.events: list[audit.Event] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="pane-filters"):
            yield Select([(f"{kind} — {what}", kind) for kind, what in audit.KINDS.items()],
                         prompt="Every kind", id="audit-kind")
            yield Input(placeholder="operator", id="audit-operator")
            yield Input(placeholder="counter", id="audit-terminal")
            yield Input(placeholder="booking code", id="audit-booking")
            yield Input(placeholder="words in detail", id="audit-text")
            yield Input(placeholder="day YYYY-MM-DD", id="audit-day")
        table = DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield MoreColumns(table)
        yield Static(id="audit-detail", classes="pane-summary")

    def on_mount(self) -> None:
        self.query_one("#audit-table", DataTable).add_columns(
            "When", "Kind", "Operator", "Counter", "Booking", "Detail")
        self.load()

    def _value(self, name: str) -> str | None:
        return self.query_one(f"#audit-{name}", Input).value.strip() or None

    def load(self) -> None:
        kind = self.query_one("#audit-kind", Select).value
        since = until = None
        day = self._value("day")
        if day:
            try:
                since, until = utc_range_of_local_day(date.fromisoformat(day), None)
            except ValueError:
                self.app.notify(f"Not a day: {day!r} (use 2026-11-21)", severity="warning")
                return
        run_service(self, audit.events, kind=None if kind is Select.NULL else kind,
                    operator=self._value("operator"), terminal=self._value("terminal"),
                    booking=self._value("booking"), text=self._value("text"), since=since,
                    until=until, done=self._show, group="audit", exclusive=True)

    def _show(self, events: list[audit.Event]) -> None:
        self.events = events
        table = self.query_one("#audit-table", DataTable)
        table.clear()
        for e in events:
            table.add_row(f"{to_local(e.at, None):%d %b %H:%M:%S}",
                          Text(e.kind, style=STYLE.get(e.kind, "")), e.operator or "—",
                          e.terminal, e.booking_code, e.detail[:70])
        self._detail(0)

    def _detail(self, row: int) -> None:
        box = self.query_one("#audit-detail", Static)
        if not self.events:
            box.update(Text("No events match these filters.", style="dim"))
            return
        e = self.events[min(row, len(self.events) - 1)]
        box.update(Text.assemble(
            (f"{to_local(e.at, None):%Y-%m-%d %H:%M:%S.%f}"[:-3], "bold"), f"  {e.kind}  ",
            f"by {e.operator or 'a script'} at {e.terminal}",
            f"  booking {e.booking_code}" if e.booking_code else "", f"\n{e.detail}",
            (f"\n{len(self.events)} events shown (newest first)", "dim")))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.load()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.load()

    def reshown(self) -> None:
        """Events keep coming while the tab is hidden; showing it again shows them."""
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_clear(self) -> None:
        for box in self.query(Input):
            box.value = ""
        self.query_one("#audit-kind", Select).clear()
        self.load()
