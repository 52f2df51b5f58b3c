"""Choosing seats for one show on a live grid, then taking the hold and going to checkout."""

from __future__ import annotations

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from bmstui.domain.best_seats import best_available
from bmstui.domain.errors import SeatsUnavailable
from bmstui.domain.pricing import rupees, subtotals
from bmstui.domain.vocabulary import SeatStatus
from bmstui.services import seating
from bmstui.services.catalog import ShowInfo
from bmstui.services.live import LiveSeats, Poll
from bmstui.services.sales import Booking
from screens.background import explain, run_service, sentence
from screens.offline import OfflineSign, back_online, went_offline
from screens.sale.heading import show_heading
from screens.widgets.heading import Heading
from screens.widgets.seat_grid import GLYPHS, SeatGrid, legend_rows


class SeatScreen(Screen):
    """The live seat grid of one show."""

    BINDINGS = [
        Binding("enter", "checkout", "Hold & pay"),
        # one footer entry stands for all nine digit keys
        *[Binding(str(n), f"best({n})", "Best seats", show=n == 2, key_display="1-9")
          for n in range(1, 10)],
        Binding("c", "clear", "Clear"),
        Binding("r", "reload", "Reload"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, show: ShowInfo) -> None:
        super().__init__()
        self.show = show
        self.live: LiveSeats | None = None
        self._polling = False
        self._offline = False
        self._holding = False

    def compose(self) -> ComposeResult:
        yield Heading()
        yield Static(show_heading(self.show), id="show-heading")
        yield OfflineSign(self.show.timezone, id="offline-sign")
        with Horizontal(id="seat-body"):
            yield SeatGrid(max_seats=self.app.settings.max_seats, id="grid")
            with Vertical(id="seat-side"):
                yield Static(id="legend")
                yield Static(id="summary")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "seats"
        self.query_one("#summary", Static).update("Loading seats…")
        self._timer = self.set_interval(self.app.settings.poll_interval, self._tick, pause=True)
        self.action_reload()

    # -- loading and the live feed -----------------------------------------------------------

    def action_reload(self) -> None:
        run_service(self, LiveSeats.open, self.show.id, self.app.clock, done=self._loaded,
                    group="load", exclusive=True, moves_on=True)

    def _loaded(self, live: LiveSeats) -> None:
        self.live = live
        back_online(self.app, live.db_now)
        grid = self.query_one(SeatGrid)
        grid.load(live)
        grid.focus()
        self._show_legend()
        self._show_summary()
        self._timer.resume()

    def _tick(self) -> None:
        if self.live is not None and self.live.poll_due():
            self._poll()

    def _poll(self) -> None:
        if self._polling or self.live is None:
            return
        self._polling = True
        run_service(self, self.live.fetch, done=self._polled, failed=self._poll_failed,
                    group="poll")

    def poll_now(self) -> None:
        self._polling = False
        self._poll()

    def _polled(self, result: Poll) -> None:
        self._polling = False
        back_online(self.app, result.db_now)
        if self._offline:
            self._offline = False
            self.notify("Connected again; the grid is live.", timeout=3)
        changed = self.live.apply(result)
        # A poll tells this counter's seats from others' only by the hold it asked about: one
        # asked before our hold was known (or while it is being made) would call our own
        # seats another counter's. Such a poll repaints, but takes nothing out of the choice.
        trusted = result.token == self.live.token and not self._holding
        if changed or trusted:
            dropped = self.query_one(SeatGrid).seats_changed(changed, drop=trusted)
            if dropped:
                self.notify(f"{', '.join(dropped)} just went to another counter",
                            severity="warning")
            if changed or dropped:
                self._show_summary()
        if self.live.wants_sweep():
            run_service(self, seating.sweep, self.show.id, group="sweep",
                        failed=lambda exc: None)

    def _poll_failed(self, exc: BaseException) -> None:
        self._polling = False
        went_offline(self.app, exc)  # the lasting sign; the notice below says why, once
        if not self._offline:
            self._offline = True
            self.notify(f"{sentence(explain(exc, self))} The grid may be stale until it "
                        "reconnects.",
                        severity="error", timeout=8)

    def on_screen_suspend(self) -> None:
        self._timer.pause()

    def on_screen_resume(self) -> None:
        if self.live is not None:
            self._timer.resume()
            self.poll_now()

    # -- choosing ----------------------------------------------------------------------------

    def action_best(self, n: int) -> None:
        if self.live is None:
            return
        n = min(n, self.app.settings.max_seats)
        picked = best_available(self.live.seats, n, self.live.free_ids())
        if not picked:
            self.notify(f"Fewer than {n} seats are free for this show", severity="warning")
            return
        self.query_one(SeatGrid).set_selection(picked)

    def action_clear(self) -> None:
        self.query_one(SeatGrid).set_selection([])

    def action_back(self) -> None:
        self.dismiss()

    def on_seat_grid_selection_changed(self, event: SeatGrid.SelectionChanged) -> None:
        self._show_summary()

    def on_seat_grid_limit_reached(self, event: SeatGrid.LimitReached) -> None:
        self.notify(f"At most {event.limit} seats per booking", severity="warning")

    def _selected_seats(self):
        grid = self.query_one(SeatGrid)
        seats = [self.live.seat(i) for i in grid.selected]
        return sorted(seats, key=lambda s: (s.y, s.x))

    def _show_legend(self) -> None:
        table = Table.grid(padding=(0, 1))
        for status, label in ((SeatStatus.AVAILABLE, "free"), ("selected", "chosen here"),
                              (SeatStatus.HELD, "held: counter or online"),
                              (SeatStatus.BOOKED, "sold"),
                              (SeatStatus.BLOCKED, "not for sale")):
            table.add_row(GLYPHS[status][0], label)
        table.add_row(GLYPHS[SeatStatus.AVAILABLE][1], "wheelchair space")
        table.add_row("", "")
        grid = self.query_one(SeatGrid)
        for kind, price in legend_rows(self.live.seats):
            style = grid.get_component_rich_style(f"seat-grid--{kind.lower()}", default=Style())
            table.add_row(Text(GLYPHS[SeatStatus.AVAILABLE][0], style=style),
                          Text(f"{kind.title():<9} {price}", style=style))
        self.query_one("#legend", Static).update(table)

    def _show_summary(self) -> None:
        seats = self._selected_seats() if self.live else []
        free = len(self.live.free_ids()) if self.live else 0
        lines = Table.grid(padding=(0, 1))
        lines.add_row(Text(f"{free} of {len(self.live.seats)} seats free", style="dim"))
        if not seats:
            lines.add_row("No seats chosen.")
            lines.add_row(Text("1-9 best seats · space picks", style="dim"))
        else:
            lines.add_row(Text("Chosen: " + ", ".join(s.label for s in seats), style="bold"))
            total = 0
            for kind, count, price, amount in subtotals((s.type, s.price) for s in seats):
                lines.add_row(f"{count} × {kind.title()} {rupees(price)} = {rupees(amount)}")
                total += amount
            lines.add_row(Text(f"Subtotal {rupees(total)}", style="bold"))
            lines.add_row(Text("enter: hold & pay", style="dim"))
        self.query_one("#summary", Static).update(lines)

    # -- to checkout and back ----------------------------------------------------------------

    def action_checkout(self) -> None:
        if self.live is None or self._holding:
            return
        seats = self._selected_seats()
        if not seats:
            self.notify("Choose seats first: 1-9 for the best seats, or space on a seat")
            return
        self._holding = True
        run_service(self, seating.hold, self.show.id, [s.label for s in seats],
                    terminal=self.app.settings.terminal, operator=self.app.operator,
                    done=lambda hold: self._held(hold, seats), failed=self._hold_failed,
                    group="hold", moves_on=True)

    def _held(self, hold: seating.Hold, seats) -> None:
        from screens.sale.checkout import CheckoutScreen

        self._holding = False
        self.live.token = hold.token
        self.app.push_screen(CheckoutScreen(hold, self.show, seats), self._after_checkout)

    def _hold_failed(self, exc: BaseException) -> None:
        self._holding = False
        self.notify(explain(exc, self), severity="warning", timeout=6)
        if isinstance(exc, SeatsUnavailable):
            self.poll_now()

    def _after_checkout(self, result) -> None:
        assert self.live is not None
        # The hold's token stays until the next hold replaces it: its release may still be on
        # its way, and until then a poll must see those seats as ours, not another counter's.
        grid = self.query_one(SeatGrid)
        if isinstance(result, Booking):
            from screens.sale.ticket import TicketScreen

            grid.set_selection([])
            self.app.switch_screen(TicketScreen(result, self.show))
            return
        if result == "expired":
            grid.set_selection([])
            self.notify("Time ran out: the seats were released. Choose again when the "
                        "customer is ready.", severity="warning", timeout=8)
        self.poll_now()
