"""The manager's reports: shift per operator, occupancy per day and theater, sales grouped four
ways; each as a table, a bar chart in the terminal, and a CSV file (ctrl+e).

The figures come from ``bmstui.services.reports`` (the same ones ``bmstui report`` prints), which
checks the manager's role itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Select, Static

from bmstui.domain.pricing import rupees
from bmstui.domain.report_chart import bars
from bmstui.services import reports, zones
from screens.background import run_service
from screens.widgets.more_columns import MoreColumns

KINDS = (
    ("Shift per operator", "shift"),
    ("Occupancy per day and theater", "occupancy"),
    ("Sales per day", "sales:day"),
    ("Sales per theater", "sales:theater"),
    ("Sales per movie", "sales:movie"),
    ("Sales per payment method", "sales:method"),
    ("Sales per channel (counters, online)", "sales:channel"),
)


@dataclass(frozen=True)
class Figures:
    kind: str
    day_from: date
    day_to: date
    columns: tuple[str, ...]
    rows: list[tuple]
    chart_title: str
    chart: list[tuple[str, float]]
    lines: list  # the report's own lines, for the CSV
    line_type: type
    chart_money: bool = True
    text_columns: int = 1  # the leading columns that are names, not figures


def _money(value: Decimal) -> str:
    return f"-{rupees(-value)}" if value < 0 else rupees(value)


def _shift(day_from: date, day_to: date, by) -> Figures:
    # Each payment and refund on the local day of its show's theater.
    lines = reports.shift(day_from=day_from, day_to=day_to, by=by)
    shown = [*lines, reports.shift_totals(lines)] if lines else []
    # What the manager counts at the end of a shift comes first, so that it shows at 80
    # columns; the rest scrolls sideways.
    rows = [(s.operator, _money(s.cash_expected), _money(s.net), str(s.bookings), str(s.tickets),
             *(_money(v) for v in s.sales.values()), _money(s.refunds_total)) for s in shown]
    methods = tuple(method.title() for method in reports.PAYMENT_METHODS)
    return Figures("shift", day_from, day_to,
                   ("Operator", "Cash in drawer", "Net", "Bookings", "Tickets", *methods,
                    "Refunds"), rows, "Net per operator",
                   [(s.operator, float(s.net)) for s in lines], lines, reports.ShiftLine)


def _occupancy(day_from: date, day_to: date, by) -> Figures:
    lines = reports.occupancy(day_from=day_from, day_to=day_to, by=by)
    total = reports.occupancy_totals(lines)
    rows = [(f"{o.day:%a %d %b}" if o is not total else "", o.theater, str(o.shows),
             str(o.cancelled_shows), str(o.capacity), str(o.sold), f"{o.occupancy}%",
             _money(o.revenue)) for o in [*lines, *([total] if total else [])]]
    return Figures("occupancy", day_from, day_to,
                   ("Day", "Theater", "Shows", "Cancelled", "Seats", "Sold", "Occupancy",
                    "Revenue"), rows, "Occupancy per day and theater (%)",
                   [(f"{o.day:%d %b} {o.theater}", float(o.occupancy)) for o in lines],
                   lines, reports.OccupancyLine, chart_money=False, text_columns=2)


def _sales(group: str, day_from: date, day_to: date, by) -> Figures:
    lines = reports.sales(day_from=day_from, day_to=day_to, group=group, by=by)
    shown = [*lines, reports.sales_totals(lines)] if lines else []
    rows = [(s.key, str(s.bookings), str(s.tickets), _money(s.gross), _money(s.discounts),
             str(s.refunded_tickets), _money(s.refunds), _money(s.net)) for s in shown]
    return Figures(f"sales-by-{group}", day_from, day_to,
                   (group.title(), "Bookings", "Tickets", "Gross", "Discounts", "Seats back",
                    "Refunds", "Net"), rows, f"Net per {group}",
                   [(s.key, float(s.net)) for s in lines], lines, reports.SalesLine)


def figures(kind: str, day_from: date, day_to: date, by) -> Figures:
    if kind == "shift":
        return _shift(day_from, day_to, by)
    if kind == "occupancy":
        return _occupancy(day_from, day_to, by)
    return _sales(kind.split(":", 1)[1], day_from, day_to, by)


def export_csv(shown: Figures, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"{shown.kind}-{shown.day_from}-{shown.day_to}-{stamp}.csv"
    path.write_text(reports.to_csv(shown.lines, shown.line_type), encoding="utf-8")
    return path


class ReportsPane(Vertical):
    # priority: a focused day field would otherwise take ctrl+e (end of line) for itself
    BINDINGS = [Binding("ctrl+e", "export", "Export CSV", priority=True),
                Binding("ctrl+r", "run", "Refresh", priority=True)]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.shown: Figures | None = None

    def compose(self) -> ComposeResult:
        today = zones.today().isoformat()  # the chain's today
        with Horizontal(classes="pane-filters"):
            yield Select(KINDS, value="shift", allow_blank=False, id="report-kind")
            yield Input(today, placeholder="from YYYY-MM-DD", id="report-from")
            yield Input(today, placeholder="to YYYY-MM-DD", id="report-to")
        table = DataTable(id="report-table", zebra_stripes=True, cursor_type="row")
        yield table
        yield MoreColumns(table, id="report-more")
        with VerticalScroll(id="report-chart-box"):
            yield Static(id="report-chart")

    def on_mount(self) -> None:
        self.action_run()

    def _days(self) -> tuple[date, date] | None:
        try:
            first = date.fromisoformat(self.query_one("#report-from", Input).value.strip())
            text = self.query_one("#report-to", Input).value.strip()
            return first, date.fromisoformat(text) if text else first
        except ValueError:
            self.app.notify("Dates are YYYY-MM-DD, e.g. " + zones.today().isoformat(),
                            severity="warning")
            return None

    def action_run(self) -> None:
        days = self._days()
        if days is None:
            return
        kind = self.query_one("#report-kind", Select).value
        run_service(self, figures, kind, *days, self.app.operator, done=self._show,
                    group="report", exclusive=True)

    def _show(self, shown: Figures) -> None:
        self.shown = shown
        table = self.query_one("#report-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*shown.columns)
        for row in shown.rows:  # figures right-aligned, so digits line up
            table.add_row(*(cell if i < shown.text_columns else Text(cell, justify="right")
                            for i, cell in enumerate(row)))
        table.fixed_columns = shown.text_columns  # the names stay while figures scroll
        self.query_one("#report-chart", Static).update(self._chart(shown))

    def _chart(self, shown: Figures) -> Text:
        if not shown.chart:
            return Text("Nothing sold or scheduled in these days.", style="dim")
        width = max(20, min(60, self.app.size.width - 50))
        label = max(len(name) for name, _ in shown.chart)
        fmt = (lambda v: rupees(Decimal(str(v)))) if shown.chart_money else (lambda v: f"{v}%")
        text = Text(shown.chart_title + "\n", style="bold")
        for line in bars(shown.chart, width, scale=None if shown.chart_money else 100,
                         max_label_width=min(label, 40), fmt=fmt):
            text.append(line + "\n")
        return text

    def on_select_changed(self, event: Select.Changed) -> None:
        self.action_run()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_run()

    def action_export(self) -> None:
        if self.shown is None:
            return
        # Beside the saved tickets (the user data folder unless the app was told otherwise).
        run_service(self, export_csv, self.shown, self.app.tickets_dir.parent / "reports",
                    done=lambda path: self.app.notify(f"Saved {path}", timeout=10))
