"""The manager's schedule: one day's shows per hall, new shows, cancelling and deleting.

The service refuses overlaps (with the cleaning gap), past times and unsellable formats with a
sentence; the form keeps what was typed and shows that sentence, so nothing is typed twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Select, Static

from bmstui.domain.clock import to_local
from bmstui.domain.pricing import rupees
from bmstui.domain.vocabulary import ShowStatus
from bmstui.services import catalog, movies, scheduling, zones
from screens.background import explain, run_service
from screens.widgets.more_columns import MoreColumns
from screens.widgets.typing_keys import TypingAware


def halls() -> list[tuple[str, int, str]]:
    """(theater/screen, screen id, formats) of every screen, for the new-show form."""
    return [(f"{s.theater} / {s.name}", s.id, s.formats) for s in catalog.screens()]


def showing_movies() -> list[tuple[str, int]]:
    return [(f"{m.title} ({m.language}, {m.duration} min)", m.id)
            for m in movies.movies(include_inactive=False)]


class NewShowForm(ModalScreen[tuple[int, date] | None]):
    """Movie, hall, day, time, format; F10 schedules. Returns (new show id, its local day)."""

    BINDINGS = [Binding("f10,ctrl+s", "save", "Schedule", priority=True),
                Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, day: date, choices: tuple[list, list]) -> None:
        super().__init__()
        self.day = day
        self.movies, self.halls = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="new-show-box", classes="admin-form"):
            yield Static(Text("Schedule a show", style="bold"))
            yield Select(self.movies, prompt="Movie", id="show-movie")
            yield Select([(name, sid) for name, sid, _ in self.halls], prompt="Hall",
                         id="show-hall")
            with Horizontal(classes="form-row"):
                yield Input(self.day.isoformat(), placeholder="YYYY-MM-DD", id="show-day")
                yield Input(placeholder="HH:MM", id="show-time")
                yield Select([("2D", "2D")], value="2D", allow_blank=False, id="show-format")
            yield Static(id="show-status", classes="form-status")
            yield Static(Text("F10: schedule · escape: close", style="dim"))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#show-movie", Select).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "show-hall" or event.value is Select.NULL:
            return
        formats = next(f for _, sid, f in self.halls if sid == event.value).split(",")
        chooser = self.query_one("#show-format", Select)
        chooser.set_options([(f, f) for f in formats])
        chooser.value = formats[0]

    def _status(self, text: str) -> None:
        self.query_one("#show-status", Static).update(Text(text, style="bold red"))

    def action_save(self) -> None:
        movie = self.query_one("#show-movie", Select).value
        hall = self.query_one("#show-hall", Select).value
        if movie is Select.NULL or hall is Select.NULL:
            self._status("Choose the movie and the hall")
            return
        day = self.query_one("#show-day", Input).value.strip()
        hhmm = self.query_one("#show-time", Input).value.strip()
        try:
            local = datetime.fromisoformat(f"{day} {hhmm}").replace(tzinfo=None)
        except ValueError:
            self._status(f"Not a day and time: {day} {hhmm!r} (e.g. {self.day} 18:30)")
            return
        run_service(self, self._create_at_local, movie, hall, local,
                    self.query_one("#show-format", Select).value,
                    done=lambda show_id: self.dismiss((show_id, local.date())),
                    failed=lambda exc: self._status(explain(exc, self)),
                    group="schedule", exclusive=True)

    def _create_at_local(self, movie, hall, local: datetime, fmt: str) -> int:
        """Schedule at wall time ``local`` of the hall's theater (its zone, that date's rules)."""
        return scheduling.create_show(movie, hall, scheduling.local_start(hall, local), fmt,
                                      operator=self.app.operator)


class ConfirmShowAction(ModalScreen[str | None]):
    """Cancel (with a reason) or delete a show; F10 confirms. Returns the reason ("" for a
    delete) or None."""

    BINDINGS = [Binding("f10", "confirm", "Confirm", priority=True),
                Binding("escape", "dismiss(None)", "Keep the show")]

    def __init__(self, show: scheduling.ScheduledShow, *, delete: bool) -> None:
        super().__init__()
        self.show, self.delete = show, delete

    def compose(self) -> ComposeResult:
        s = self.show
        when = to_local(s.starts_at, s.timezone)  # the theater's wall clock
        what = (f"{s.movie} · {s.theater} {s.screen} · {when:%a %d %b %H:%M}"
                f" · {s.sold} of {s.capacity} sold")
        with Vertical(classes="admin-form"):
            if self.delete:
                yield Static(Text.assemble(("Delete this show?\n", "bold"), what))
            else:
                yield Static(Text.assemble(
                    ("Cancel this show?\n", "bold"), what,
                    ("\nSales stop; every booking is refunded in full by its payment method; "
                     "held seats are released.", "yellow")))
                yield Input(placeholder="Reason (on every refund and in the audit trail)",
                            id="show-reason")
            yield Static(id="confirm-status", classes="form-status")
            yield Static(Text("F10: confirm · escape: keep the show", style="dim"))
        yield Footer()

    def action_confirm(self) -> None:
        if self.delete:
            self.dismiss("")
            return
        reason = self.query_one("#show-reason", Input).value.strip()
        if not reason:
            self.query_one("#confirm-status", Static).update(
                Text("Type the reason first", style="bold red"))
            return
        self.dismiss(reason)


class SchedulePane(TypingAware, Vertical):
    BINDINGS = [
        Binding("n", "new_show", "New show"),
        Binding("x", "cancel_show", "Cancel show"),
        Binding("delete", "delete_show", "Delete unsold"),
        Binding("left_square_bracket", "day(-1)", "Day before"),
        Binding("right_square_bracket", "day(1)", "Day after"),
    ]
    TYPED_ACTIONS = frozenset({"new_show", "cancel_show", "delete_show", "day"})

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.day = zones.today()  # the chain's today; each theater's own day is listed
        self.shows: list[scheduling.ScheduledShow] = []

    def compose(self) -> ComposeResult:
        with Horizontal(classes="pane-filters"):
            yield Input(self.day.isoformat(), placeholder="YYYY-MM-DD", id="schedule-day")
            yield Select([], prompt="Every theater", id="schedule-theater")
        table = DataTable(id="schedule-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield MoreColumns(table)
        yield Static(id="schedule-summary", classes="pane-summary")

    def on_mount(self) -> None:
        table = self.query_one("#schedule-table", DataTable)
        table.add_columns("Id", "Theater", "Hall", "Starts", "Ends", "Movie", "Fmt", "Sold",
                          "Status")
        run_service(self, catalog.theaters, done=self._theaters)
        self.load()

    def _theaters(self, theaters) -> None:
        self.query_one("#schedule-theater", Select).set_options(
            [(f"{t.name} ({t.city})", t.id) for t in theaters])

    def load(self, keep: int | None = None) -> None:
        theater = self.query_one("#schedule-theater", Select).value
        run_service(self, scheduling.schedule_of_day, self.day,
                    theater_id=None if theater is Select.NULL else theater,
                    done=lambda shows: self._show(shows, keep), group="schedule-load",
                    exclusive=True)

    def _show(self, shows: list[scheduling.ScheduledShow], keep: int | None = None) -> None:
        self.shows = shows
        table = self.query_one("#schedule-table", DataTable)
        keep = keep if keep is not None else self._current_id()
        table.clear()
        for s in shows:
            status = self._status(s)
            table.add_row(str(s.id), s.theater, s.screen,
                          f"{to_local(s.starts_at, s.timezone):%H:%M}",
                          f"{to_local(s.ends_at, s.timezone):%H:%M}", s.movie, s.format,
                          f"{s.sold}/{s.capacity}", status, key=str(s.id))
        if keep is not None and str(keep) in table.rows:
            table.move_cursor(row=table.get_row_index(str(keep)))
        sold = sum(s.sold for s in shows if s.status == ShowStatus.SCHEDULED)
        self.query_one("#schedule-summary", Static).update(Text(
            f"{self.day:%A %d %B %Y}: {len(shows)} shows, {sold} tickets sold · "
            "n new · x cancel · delete unsold · [ ] other days", style="dim"))

    @staticmethod
    def _status(show: scheduling.ScheduledShow) -> Text:
        """A show that has ended says so (cancelled stays cancelled)."""
        if show.status == ShowStatus.CANCELLED:
            return Text(show.status, style="red")
        if show.ended:
            return Text("ended", style="dim")
        return Text(show.status)

    def _current_id(self) -> int | None:
        table = self.query_one("#schedule-table", DataTable)
        if not self.shows or table.cursor_row is None or table.cursor_row >= table.row_count:
            return None
        return int(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    def _current(self) -> scheduling.ScheduledShow | None:
        current = self._current_id()
        return next((s for s in self.shows if s.id == current), None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "schedule-day":
            try:
                self.day = date.fromisoformat(event.value.strip())
            except ValueError:
                self.app.notify(f"Not a day: {event.value!r} (use {zones.today()})",
                                severity="warning")
                return
            self.load()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "schedule-theater":
            self.load()

    def action_day(self, step: int) -> None:
        self.day += timedelta(days=step)
        self.query_one("#schedule-day", Input).value = self.day.isoformat()
        self.load()

    def action_new_show(self) -> None:
        def scheduled(made: tuple[int, date] | None) -> None:
            if made:
                show_id, self.day = made
                self.query_one("#schedule-day", Input).value = self.day.isoformat()
                self.app.notify(f"Show {show_id} scheduled; its seats are on sale")
                self.load(keep=show_id)

        def open_form(choices) -> None:
            self.app.push_screen(NewShowForm(self.day, choices), scheduled)

        run_service(self, lambda: (showing_movies(), halls()), done=open_form)

    def action_cancel_show(self) -> None:
        show = self._current()
        if show is None or show.status == ShowStatus.CANCELLED:
            self.app.notify("Choose a scheduled show", severity="warning")
            return

        def confirmed(reason: str | None) -> None:
            if reason:
                run_service(self, scheduling.cancel_show, show.id, reason=reason,
                            operator=self.app.operator, done=self._cancelled)

        self.app.push_screen(ConfirmShowAction(show, delete=False), confirmed)

    def _cancelled(self, done: scheduling.ShowCancellation) -> None:
        self.app.notify(f"Show {done.show_id} cancelled: {len(done.refunds)} bookings, "
                        f"{done.seats} seats, {rupees(done.refunded)} refunded", timeout=8)
        self.load()

    def action_delete_show(self) -> None:
        show = self._current()
        if show is None:
            return
        if show.sold:
            self.app.notify("This show has sold seats; cancel it instead (x)",
                            severity="warning")
            return

        def confirmed(reason: str | None) -> None:
            if reason is not None:
                run_service(self, scheduling.delete_show, show.id, operator=self.app.operator,
                            done=lambda _: (self.app.notify(f"Show {show.id} deleted"),
                                            self.load()))

        self.app.push_screen(ConfirmShowAction(show, delete=True), confirmed)
