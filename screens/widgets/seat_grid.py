"""The seat grid: a whole hall drawn by one Line API widget.

A widget per seat would cost seconds to mount in a 1,500-seat hall; here every line is one
``Strip`` built on demand from the layout and cached, and a change repaints only the lines of
the seats that changed. Status reads by glyph as well as colour (NO_COLOR terminals, colour
blind clerks); seat types by colour, the row's price note and the legend.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from bmstui.domain.pricing import rupees
from bmstui.domain.vocabulary import SeatStatus
from bmstui.services.live import LiveSeats
from bmstui.services.seating import SeatState

CELL = 2  # columns per seat: glyph and a space
MARGIN = 4  # row label column on each side
TOP = 2  # the "screen this way" line and a blank one

# (glyph, wheelchair glyph) per status as shown
GLYPHS = {
    SeatStatus.AVAILABLE: ("○", "◇"),
    "selected": ("●", "◆"),  # not stored: the seats this counter is choosing
    SeatStatus.HELD: ("▒", "▒"),
    SeatStatus.BOOKED: ("×", "×"),
    SeatStatus.BLOCKED: ("#", "#"),
}
TYPE_ORDER = ("SILVER", "GOLD", "PLATINUM", "DIAMOND")


class SeatGrid(ScrollView, can_focus=True):
    """Arrow keys move the cursor seat to seat, space selects; a click selects too."""

    BINDINGS = [
        Binding("up", "move(0, -1)", "Up", show=False),
        Binding("down", "move(0, 1)", "Down", show=False),
        Binding("left", "move(-1, 0)", "Left", show=False),
        Binding("right", "move(1, 0)", "Right", show=False),
        Binding("space", "toggle", "Select seat"),
    ]

    COMPONENT_CLASSES = {
        "seat-grid--silver", "seat-grid--gold", "seat-grid--platinum", "seat-grid--diamond",
        "seat-grid--selected", "seat-grid--held", "seat-grid--booked", "seat-grid--blocked",
        "seat-grid--cursor", "seat-grid--label", "seat-grid--screen",
    }

    DEFAULT_CSS = """
    SeatGrid { background: $surface; }
    SeatGrid > .seat-grid--silver { color: $text; }
    SeatGrid > .seat-grid--gold { color: $warning; }
    SeatGrid > .seat-grid--platinum { color: $accent; }
    SeatGrid > .seat-grid--diamond { color: $secondary; }
    SeatGrid > .seat-grid--selected { color: $success; text-style: bold; }
    SeatGrid > .seat-grid--held { color: $error 70%; }
    SeatGrid > .seat-grid--booked { color: $text-disabled; }
    SeatGrid > .seat-grid--blocked { color: $text-disabled; }
    SeatGrid > .seat-grid--cursor { text-style: reverse; }
    SeatGrid > .seat-grid--label { color: $text-muted; }
    SeatGrid > .seat-grid--screen { color: $text-muted; text-style: bold; }
    """

    class SelectionChanged(Message):
        """The clerk's chosen seats changed (ids, in the order chosen)."""

        def __init__(self, grid: SeatGrid, selected: tuple[int, ...]) -> None:
            super().__init__()
            self.grid = grid
            self.selected = selected

    class LimitReached(Message):
        def __init__(self, limit: int) -> None:
            super().__init__()
            self.limit = limit

    def __init__(self, max_seats: int = 10, **kwargs) -> None:
        super().__init__(**kwargs)
        self.max_seats = max_seats
        self.live: LiveSeats | None = None
        self.selected: list[int] = []
        self.cursor: int | None = None
        self._lines: dict[int, Strip] = {}
        self._styles: dict = {}
        self._rows: dict[int, list[int]] = {}  # y -> seat ids by x
        self._band_starts: set[int] = set()
        self._min_x = self._min_y = 0
        self._seats_width = self._note_width = self._short_width = 0
        self._notes: dict[int, tuple[str, str]] = {}  # band's first row y -> (full, short)

    # -- model -------------------------------------------------------------------------------

    def load(self, live: LiveSeats) -> None:
        """Show a hall; keeps the selection of seats that are still free."""
        self.live = live
        rows: dict[int, list[SeatState]] = {}
        for seat in live.seats:
            rows.setdefault(seat.y, []).append(seat)
        self._rows = {y: [s.id for s in sorted(r, key=lambda s: s.x)] for y, r in rows.items()}
        # Rows that begin a band of one seat type and price (nearest the screen first): the
        # type and price are written after them.
        firsts = [live.seat(self._rows[y][0]) for y in sorted(self._rows)]
        self._band_starts = {
            seat.y for before, seat in zip([None, *firsts], firsts, strict=False)
            if before is None or (before.type, before.price) != (seat.type, seat.price)
        }
        xs = [seat.x for seat in live.seats] or [0]
        ys = list(rows) or [0]
        self._min_x, self._min_y = min(xs), min(ys)
        self._seats_width = (max(xs) - self._min_x + 1) * CELL
        self._notes = {}
        for y in self._band_starts:
            first = live.seat(self._rows[y][0])
            price = rupees(first.price)
            self._notes[y] = (f" {first.type.title()} {price}",
                              f" {first.type[:1]} {price.removesuffix('.00')}")
        self._note_width = max((len(full) for full, _ in self._notes.values()), default=0)
        self._short_width = max((len(short) for _, short in self._notes.values()), default=0)
        self._fit_virtual_size()
        self.selected = [i for i in self.selected if i in live.index and live.is_free(i)]
        if self.cursor not in live.index:
            self.cursor = self._first_seat_near_centre()
        self._lines.clear()
        self.refresh()

    def seats_changed(self, ids: Iterable[int], *, drop: bool = True) -> list[str]:
        """Repaint the given seats; with ``drop``, take chosen seats that another counter
        holds or sold out of the choice and return their labels. A seat held by this counter's
        own hold is never "taken" (``LiveSeats.taken``); a caller whose poll cannot tell its own
        hold from another's passes ``drop=False``."""
        assert self.live is not None
        for seat_id in ids:
            if seat_id in self.live.index:
                self._invalidate(seat_id)
        if not drop:
            return []
        dropped = []
        for seat_id in list(self.selected):
            if seat_id in self.live.index and self.live.taken(seat_id):
                self.selected.remove(seat_id)
                dropped.append(self.live.seat(seat_id).label)
                self._invalidate(seat_id)
        if dropped:
            self.post_message(self.SelectionChanged(self, tuple(self.selected)))
        return dropped

    def set_selection(self, ids: Iterable[int]) -> None:
        old = list(self.selected)
        self.selected = list(ids)[: self.max_seats]
        for seat_id in set(old) | set(self.selected):
            self._invalidate(seat_id)
        if self.selected:
            self._move_cursor(self.selected[0])
        self.post_message(self.SelectionChanged(self, tuple(self.selected)))

    def toggle(self, seat_id: int) -> None:
        assert self.live is not None
        if seat_id in self.selected:
            self.selected.remove(seat_id)
        elif not self.live.is_free(seat_id):
            self.app.bell()
            return
        elif len(self.selected) >= self.max_seats:
            self.post_message(self.LimitReached(self.max_seats))
            return
        else:
            self.selected.append(seat_id)
        self._invalidate(seat_id)
        self.post_message(self.SelectionChanged(self, tuple(self.selected)))

    def shown_status(self, seat: SeatState) -> str:
        assert self.live is not None
        status = self.live.status(seat.id)
        if seat.id in self.selected or (status == SeatStatus.HELD and seat.mine):
            return "selected"
        return status

    # -- keys and mouse ----------------------------------------------------------------------

    def action_toggle(self) -> None:
        if self.cursor is not None:
            self.toggle(self.cursor)

    def action_move(self, dx: int, dy: int) -> None:
        if self.live is None or self.cursor is None:
            return
        here = self.live.seat(self.cursor)
        if dx:
            row = self._rows[here.y]
            at = row.index(here.id) + dx
            if 0 <= at < len(row):
                self._move_cursor(row[at])
            return
        ys = sorted(self._rows)
        at = ys.index(here.y) + dy
        if 0 <= at < len(ys):
            row = self._rows[ys[at]]
            nearest = min(row, key=lambda i: abs(self.live.seat(i).x - here.x))
            self._move_cursor(nearest)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < TOP or not MARGIN <= offset.x < MARGIN + self._window():
            return  # a sticky label or the screen marker, not a seat under it
        seat_id = self.seat_at(offset.x + self.scroll_offset.x, offset.y + self.scroll_offset.y)
        if seat_id is not None:
            self._move_cursor(seat_id)
            self.toggle(seat_id)

    def seat_at(self, column: int, line: int) -> int | None:
        """The seat drawn at a position of the whole grid (not of the visible window)."""
        if self.live is None:
            return None
        for seat_id in self._rows.get(line - TOP + self._min_y, ()):
            start = self._column(self.live.seat(seat_id).x)
            if start <= column < start + CELL:
                return seat_id
        return None

    def _move_cursor(self, seat_id: int) -> None:
        old, self.cursor = self.cursor, seat_id
        if old is not None:
            self._invalidate(old)
        self._invalidate(seat_id)
        seat = self.live.seat(seat_id)
        self.scroll_to_region(
            Region(self._column(seat.x), self._line(seat.y), CELL, 1), animate=False, force=True,
            spacing=Spacing(TOP, self._right_width(), 0, MARGIN),  # clear of the sticky parts
        )

    def _first_seat_near_centre(self) -> int | None:
        if not self._rows:
            return None
        ys = sorted(self._rows)
        row = self._rows[ys[(len(ys) * 2) // 3 if len(ys) > 1 else 0]]
        return row[len(row) // 2]

    # -- drawing -----------------------------------------------------------------------------

    def _line(self, y: int) -> int:
        return TOP + y - self._min_y

    def _column(self, x: int) -> int:
        return MARGIN + (x - self._min_x) * CELL

    def _invalidate(self, seat_id: int) -> None:
        line = self._line(self.live.seat(seat_id).y)
        self._lines.pop(line, None)
        self.refresh_line(line)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
        self._styles.clear()

    # The row labels on the left, the screen marker on top and the row labels with the price
    # notes on the right stay put while the seats scroll under them: in a hall wider or deeper
    # than the window the clerk still reads which row the cursor is on and what it costs.

    def _compact(self) -> bool:
        """Short price notes ("G ₹248") when the full ones would leave the seats too little
        room (an 80-column terminal); the legend beside the grid spells them out."""
        room = self.size.width - MARGIN - MARGIN - self._note_width
        return room < min(self._seats_width, 40)

    def _right_width(self) -> int:
        return MARGIN + (self._short_width if self._compact() else self._note_width)

    def _window(self) -> int:
        """How many columns of seats show between the sticky gutters."""
        return max(0, min(self._seats_width, self.size.width - MARGIN - self._right_width()))

    def _fit_virtual_size(self) -> None:
        """The gutters' width depends on the window's (full or short notes)."""
        rows = (max(self._rows) - self._min_y + 1) if self._rows else 1
        self.virtual_size = Size(MARGIN + self._seats_width + self._right_width(), TOP + rows)

    def on_resize(self) -> None:
        self._fit_virtual_size()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self._base()
        if self.live is None:
            return Strip.blank(width, base)
        window = self._window()
        if y < TOP:
            return self._marker_line(y, scroll_x, window).crop_extend(0, width, base)
        line = y + scroll_y
        parts = self._lines.get(line)
        if parts is None:
            parts = self._lines[line] = self._build_parts(line)
        left, seats, right, short = parts
        middle = seats.crop_extend(scroll_x, scroll_x + window, base)
        strip = Strip.join([left, middle, short if self._compact() else right])
        return strip.crop_extend(0, width, base)

    def _marker_line(self, y: int, scroll_x: int, window: int) -> Strip:
        """The screen marker over the seats in view, with arrows in the gutters when seats
        are off to the left or right."""
        base = self._base()
        right_width = self._right_width()
        if y != 0:
            return Strip.blank(MARGIN + window + right_width, base)
        style = base + self.get_component_rich_style("seat-grid--screen")
        text = " SCREEN THIS WAY " if window >= 21 else " SCREEN "
        marker = text.center(window, "▔") if window >= len(text) else "▔" * window
        more_left = "◀" if scroll_x > 0 else " "
        more_right = "▶" if scroll_x + window < self._seats_width else " "
        return Strip([
            Segment(f"  {more_left} ", style), Segment(marker, style),
            Segment(f" {more_right}".ljust(right_width), style),
        ])

    def _base(self) -> Style:
        base = self._styles.get("base")
        if base is None:
            base = self._styles["base"] = self.rich_style
        return base

    def _cell_style(self, seat: SeatState, status: str, cursor: bool) -> Style:
        """The style of a seat's cell, shared by every seat that looks the same, so that Rich
        and Textual's per-style caches hit (a click finds its seat by position instead)."""
        key = (status, seat.type, cursor)
        style = self._styles.get(key)
        if style is None:
            if status == SeatStatus.AVAILABLE:
                style = self.get_component_rich_style(f"seat-grid--{seat.type.lower()}",
                                                      default=Style())
            else:
                style = self.get_component_rich_style(f"seat-grid--{status}")
            style = self._base() + style
            if cursor:
                style += self.get_component_rich_style("seat-grid--cursor")
            self._styles[key] = style
        return style

    def _build_line(self, line: int) -> Strip:
        """A whole row as if nothing scrolled: each seat at its ``_column``."""
        left, seats, right, _ = self._build_parts(line)
        return Strip.join([left, seats, right])

    def _build_parts(self, line: int) -> tuple[Strip, Strip, Strip, Strip]:
        """A row as its left label, its seats (the whole width, cropped when drawn) and its
        right label with the full and the short price note."""
        base = self._base()
        y = line - TOP + self._min_y
        row = self._rows.get(y)
        full, short = MARGIN + self._note_width, MARGIN + self._short_width
        if row is None:
            return (Strip.blank(MARGIN, base), Strip.blank(self._seats_width, base),
                    Strip.blank(full, base), Strip.blank(short, base))
        label_style = base + self.get_component_rich_style("seat-grid--label")
        seats = [self.live.seat(i) for i in row]
        segments = []
        column = MARGIN
        focused = self.has_focus
        for seat in seats:
            start = self._column(seat.x)
            if start > column:
                segments.append(Segment(" " * (start - column), base))
            status = self.shown_status(seat)
            glyph = GLYPHS[status][1 if seat.accessible else 0]
            cursor = focused and seat.id == self.cursor
            segments.append(Segment(glyph + " ", self._cell_style(seat, status, cursor)))
            column = start + CELL
        label = f" {seats[0].row:<3}"
        notes = self._notes.get(y, ("", ""))
        return (
            Strip([Segment(f"{seats[0].row:>3} ", label_style)]),
            Strip(segments).extend_cell_length(self._seats_width, base),
            Strip([Segment(label + notes[0], label_style)]).extend_cell_length(full, base),
            Strip([Segment(label + notes[1], label_style)]).extend_cell_length(short, base),
        )

    def on_focus(self) -> None:
        if self.cursor is not None:
            self._invalidate(self.cursor)

    def on_blur(self) -> None:
        if self.cursor is not None:
            self._invalidate(self.cursor)


def legend_rows(seats: Iterable[SeatState]) -> list[tuple[str, str]]:
    """(seat type, price) pairs present in a hall, cheapest type first."""
    prices: dict[str, set] = {}
    for seat in seats:
        prices.setdefault(seat.type, set()).add(seat.price)
    order = {name: i for i, name in enumerate(TYPE_ORDER)}
    return [
        (kind, " / ".join(rupees(p) for p in sorted(found)))
        for kind, found in sorted(prices.items(), key=lambda kv: order.get(kv[0], 99))
    ]
