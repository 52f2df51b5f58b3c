"""Taking the customer's money while the hold's countdown runs.

The countdown starts from the time left that the database measured when the hold was made,
so every counter agrees, and runs on the app's injectable monotonic clock (tests move it
instead of sleeping). At 0:00 the hold is released and the clerk is sent back to the grid;
leaving checkout releases it too. A confirm is safe to repeat after a failure: the hold token
makes sure it never sells twice.

The bill comes from ``sales.quote``: how each seat type's price was formed (base price times
the show's rules) and, when the clerk applies a coupon, its discount or the reason it gives
none. The confirm charges exactly the quoted total; if the coupon's last use went to another
counter meanwhile, nothing is sold and the clerk sees why, with the seats still held.

Enter confirms from every field, like F10. A coupon code typed but not yet on the bill is
applied first (by enter or F10 alike), so the total charged is the one shown; the line under the
fields always says which of the two the next enter does. The phone is read by the one phone
parser as it is typed and refused beside the field, never sent on to be stored.
"""

from __future__ import annotations

import math
from decimal import Decimal

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Digits, Footer, Input, RadioButton, RadioSet, Static

from bmstui.domain.errors import (
    CouponInvalid,
    HoldExpired,
    HoldNotFound,
    InvalidAmount,
    InvalidPhone,
)
from bmstui.domain.money_input import parse_optional_amount
from bmstui.domain.phones import parse_phone
from bmstui.domain.pricing import rupees, subtotals
from bmstui.domain.vocabulary import PaymentMethod
from bmstui.services import live, sales, seating
from bmstui.services.catalog import ShowInfo
from screens.background import explain, run_service
from screens.offline import OfflineSign, back_online, went_offline
from screens.sale.heading import show_heading
from screens.sale.methods import MethodSet
from screens.widgets.heading import Heading

WARN_BELOW = 60  # seconds: the countdown turns to a warning colour
PROBE_EVERY = 1.0  # seconds between checks that the database answers (the offline sign)
CONFIRM_HELP = "enter or F10: confirm the sale"


def clock_text(seconds: float) -> str:
    whole = max(0, math.ceil(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def same_code(a: str | None, b: str | None) -> bool:
    return (a or "").upper().replace(" ", "") == (b or "").upper().replace(" ", "")


class CheckoutScreen(Screen):
    BINDINGS = [
        Binding("f2", f"method('{PaymentMethod.CASH}')", PaymentMethod.CASH.title()),
        Binding("f3", f"method('{PaymentMethod.CARD}')", PaymentMethod.CARD.title()),
        Binding("f4", f"method('{PaymentMethod.UPI}')", PaymentMethod.UPI.title()),
        Binding("f5", f"method('{PaymentMethod.NETBANKING}')", PaymentMethod.NETBANKING.title()),
        Binding("f10", "confirm", "Confirm", priority=True),
        Binding("f6", "extend", "Extend time"),
        Binding("escape", "leave", "Release & back"),
    ]

    def __init__(self, hold: seating.Hold, show: ShowInfo, seats) -> None:
        super().__init__()
        self.hold = hold
        self.show = show
        self.seats = list(seats)
        self.method: str = PaymentMethod.CASH
        self._confirming = False
        self._finished = False
        self._started = 0.0
        self._remaining = hold.remaining_at_start
        self.quote: sales.Quote | None = None
        self.coupon: str | None = None  # applied and accepted
        self._pending: object = None  # the result to leave with once nothing covers this screen

    def compose(self) -> ComposeResult:
        yield Heading()
        yield Static(show_heading(self.show), id="checkout-heading")
        yield OfflineSign(self.show.timezone, id="offline-sign")
        with Horizontal(id="checkout-body"):
            with Vertical(id="countdown-box"):
                yield Static("Time left to pay", classes="caption")
                yield Digits(clock_text(self.hold.remaining_at_start), id="countdown")
                yield Static(id="countdown-note")
                yield Static(id="breakdown")
            with Vertical(id="pay-box"):
                yield MethodSet(PaymentMethod.CASH, id="method")
                # Text, not type="number": the one money parser says what it refuses, in place
                yield Input(placeholder="Cash tendered (blank = exact amount)", id="tendered")
                yield Static(id="change")
                yield Input(placeholder="Customer phone (optional)", id="phone")
                yield Static(id="phone-status")
                yield Input(placeholder="Coupon (enter applies it)", id="coupon")
                yield Static(id="coupon-status")
                yield Static(CONFIRM_HELP, id="pay-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "checkout"
        self.app.open_holds.add(self.hold.token)  # released if the app ends meanwhile
        self._started = self.app.clock()
        self._show_breakdown()
        run_service(self, sales.quote, self.hold.token, done=self._quoted, failed=lambda _: None,
                    group="quote")
        self._show_note()
        self._show_change()
        self._timer = self.set_interval(0.25, self._tick)
        # The grid below stops polling; this probe keeps the offline sign true meanwhile.
        self._probing = False
        self.set_interval(PROBE_EVERY, self._probe)
        self.query_one("#tendered", Input).focus()

    @property
    def total(self) -> Decimal:
        return self.quote.total if self.quote is not None else self.hold.total

    def _probe(self) -> None:
        if self._probing or self._finished:
            return
        self._probing = True
        run_service(self, live.ping, done=self._answered, failed=self._unanswered,
                    group="probe")

    def _answered(self, db_now) -> None:
        self._probing = False
        back_online(self.app, db_now)

    def _unanswered(self, exc: BaseException) -> None:
        self._probing = False
        went_offline(self.app, exc)

    # -- countdown ---------------------------------------------------------------------------

    def seconds_left(self) -> float:
        return self._remaining - (self.app.clock() - self._started)

    def _tick(self) -> None:
        left = self.seconds_left()
        countdown = self.query_one("#countdown", Digits)
        countdown.update(clock_text(left))
        warning = left <= WARN_BELOW
        if warning != countdown.has_class("-warning"):  # said in words too (NO_COLOR)
            countdown.set_class(warning, "-warning")
            self._show_note()
        if left <= 0 and not self._confirming and not self._finished:
            self._expire()

    def _end(self) -> None:
        """No more countdown, and nothing for the app to release on exit."""
        self._finished = True
        self._timer.stop()
        self.app.open_holds.discard(self.hold.token)

    def _leave_with(self, result) -> None:
        """Back to the grid; if the idle lock covers this screen, once it is unlocked (a
        dismiss now would take the lock away instead)."""
        if self.is_active:
            self.dismiss(result)
        else:
            self._pending = result

    def on_screen_resume(self) -> None:
        if self._pending is not None:
            result, self._pending = self._pending, None
            self.dismiss(result)

    def abandon(self) -> None:
        """The operator is signed out from the lock: their hold goes back on sale."""
        if not self._finished:
            self._end()
            run_service(self.app, seating.release, self.hold.token, failed=lambda exc: None,
                        group="release")

    def _expire(self) -> None:
        self._end()
        run_service(self.app, seating.release, self.hold.token, failed=lambda exc: None,
                    group="release")
        self._leave_with("expired")

    def action_extend(self) -> None:
        if self._finished:
            return
        run_service(self, seating.extend, self.hold.token, done=self._extended, group="extend")

    def _extended(self, hold: seating.Hold) -> None:
        added = hold.remaining_at_start - self.seconds_left()
        self.hold = hold
        self._remaining = hold.remaining_at_start
        self._started = self.app.clock()
        self._show_note()
        self.notify(f"Extended by {clock_text(added)}; "
                    f"{clock_text(hold.remaining_at_start)} left to pay")

    def _show_note(self) -> None:
        limit = self.app.settings.max_extensions
        left = max(0, limit - self.hold.extensions)
        note = ("F6 extends the time once (customer fetching a card)" if left
                else "No extension left")
        if left and limit > 1:
            note = f"F6 extends the time ({left} left)"
        if self.query_one("#countdown", Digits).has_class("-warning"):
            note = f"⚠ Under a minute left. {note}"
        self.query_one("#countdown-note", Static).update(Text(note, style="dim"))

    # -- payment -----------------------------------------------------------------------------

    def _show_breakdown(self) -> None:
        # Two columns: the seats and their price wrap, the amounts never do, so the total is
        # read whole even in the 36 columns an 80-column terminal leaves this side.
        table = Table(box=None, show_header=True, header_style="bold", expand=False,
                      pad_edge=False)
        table.add_column("Seats")
        table.add_column("Amount", justify="right", no_wrap=True)
        for kind, count, price, amount in subtotals((s.type, s.price) for s in self.seats):
            labels = ", ".join(s.label for s in self.seats if s.type == kind and s.price == price)
            table.add_row(Text.assemble(f"{count} × {kind.title()} {rupees(price)}\n",
                                        (labels, "dim")), rupees(amount))
        quote = self.quote
        right = {"justify": "right"}
        if quote is not None and quote.coupon is not None:
            table.add_row(Text("Subtotal", **right), rupees(quote.subtotal))
            table.add_row(Text(f"Coupon {quote.coupon.code}", style="green", **right),
                          Text(f"-{rupees(quote.discount)}", style="green"))
        table.add_row(Text("Total", style="bold", **right),
                      Text(rupees(self.total), style="bold"))
        parts = [table]
        if quote is not None:
            how = Text("\nHow the price was formed\n", style="bold")
            for kind, _, price, _ in quote.groups:
                how.append(quote.pricing.formula(kind, price) + "\n", style="dim")
            parts.append(how)
        self.query_one("#breakdown", Static).update(Group(*parts))

    def _quoted(self, quote: sales.Quote) -> None:
        self.quote = quote
        self._show_breakdown()
        self._show_change()

    def _apply_coupon(self) -> None:
        code = self.query_one("#coupon", Input).value.strip()
        phone = self.query_one("#phone", Input).value.strip()
        status = self.query_one("#coupon-status", Static)
        if not code:
            self.coupon = None
            status.update("")
        else:
            status.update(Text(f"Checking {code.upper()}…", style="dim"))
        run_service(self, sales.quote, self.hold.token, code or None,
                    customer={"phone": phone} if phone else None,
                    done=lambda quote: self._coupon_applied(quote, code),
                    failed=self._coupon_refused, group="quote", exclusive=True)

    def _coupon_applied(self, quote: sales.Quote, code: str) -> None:
        self.coupon = code or None
        self._show_help()
        if quote.coupon is not None:
            self.query_one("#coupon-status", Static).update(Text(
                f"✓ {quote.coupon.code}: {quote.coupon.describe}, -{rupees(quote.discount)}",
                style="green"))
        self._quoted(quote)

    def _coupon_refused(self, exc: BaseException) -> None:
        self.coupon = None
        self._show_help()
        if isinstance(exc, CouponInvalid):  # off the bill; the status line says why
            self.query_one("#coupon", Input).value = ""
        self.query_one("#coupon-status", Static).update(
            Text(f"✗ {explain(exc, self)}", style="bold red"))
        run_service(self, sales.quote, self.hold.token, done=self._quoted,
                    failed=lambda _: None, group="quote")

    def action_method(self, method: str) -> None:
        for button in self.query(RadioButton):
            if button.name == method:
                button.value = True
        self._set_method(method)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        # Arrowing through the methods keeps the focus there; a pick from elsewhere moves on.
        self._set_method(event.pressed.name or PaymentMethod.CASH,
                         move_on=not event.radio_set.has_focus)

    def _set_method(self, method: str, move_on: bool = True) -> None:
        self.method = method
        self.query_one(MethodSet).mark(method)
        tendered = self.query_one("#tendered", Input)
        tendered.disabled = method != PaymentMethod.CASH
        self._show_change()
        if method != PaymentMethod.CASH and move_on:
            self.query_one("#phone", Input).focus()

    def _tendered(self) -> Decimal | None:
        """The cash typed (None: blank, the exact amount); InvalidAmount if it is no amount."""
        return parse_optional_amount(self.query_one("#tendered", Input).value, "Cash tendered")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "tendered":
            self._show_change()
        elif event.input.id == "phone":
            self._show_phone()
        elif event.input.id == "coupon":
            self._show_help()

    def _phone(self) -> str | None:
        """The phone typed, as stored (None: blank); InvalidPhone if it is no phone number."""
        typed = self.query_one("#phone", Input).value.strip()
        return parse_phone(typed) if typed else None

    def _show_phone(self) -> None:
        status = self.query_one("#phone-status", Static)
        try:
            self._phone()
        except InvalidPhone as exc:  # said here, beside the field, as it is typed
            status.update(Text(f"✗ {exc.reason}", style="bold red"))
        else:
            status.update("")

    def _coupon_changed(self) -> bool:
        """True when the typed coupon is not the one on the bill: enter or F10 applies it."""
        return not same_code(self.query_one("#coupon", Input).value.strip(), self.coupon)

    def _show_help(self) -> None:
        """Says what enter (and F10) does now: apply a newly typed coupon, or confirm."""
        if self._confirming:
            return
        help_text = CONFIRM_HELP
        if self._coupon_changed():
            typed = self.query_one("#coupon", Input).value.strip()
            what = f"apply coupon {typed.upper()}" if typed else "remove the coupon"
            help_text = f"enter or F10: {what}, then again to confirm the sale"
        self.query_one("#pay-status", Static).update(help_text)

    def _show_change(self) -> None:
        change = self.query_one("#change", Static)
        if self.method != PaymentMethod.CASH:
            change.update(Text(f"{PaymentMethod(self.method).title()}: {rupees(self.total)} "
                               "charged on confirm", style="dim"))
            return
        try:
            tendered = self._tendered()
        except InvalidAmount as exc:  # said here, beside the field, as it is typed
            change.update(Text(f"✗ {exc}", style="bold red"))
            return
        if tendered is None:
            change.update(Text(f"Exact amount {rupees(self.total)}", style="dim"))
        elif tendered < self.total:
            change.update(Text(f"Short by {rupees(self.total - tendered)}", style="bold red"))
        else:
            change.update(Text(f"Change to give: {rupees(tendered - self.total)}", style="bold"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter confirms from every field; in the coupon field a newly typed code is applied
        first (the line under the fields says which)."""
        if event.input.id == "coupon" and self._coupon_changed():
            self._apply_coupon()
            return
        self.action_confirm()

    def action_confirm(self) -> None:
        if self._confirming or self._finished:
            return
        try:
            phone = self._phone()
        except InvalidPhone:
            self._show_phone()  # the reason is beside the field; never stored
            self.query_one("#phone", Input).focus()
            return
        if self._coupon_changed():
            # The total on screen must be the one charged: apply what was typed first.
            self._apply_coupon()
            self.notify("Coupon checked first: confirm again once the total shows it")
            return
        try:
            tendered = self._tendered() if self.method == PaymentMethod.CASH else None
        except InvalidAmount:
            self._show_change()  # the reason is beside the field already; keep it in view
            self.query_one("#tendered", Input).focus()
            return
        if tendered is not None and tendered < self.total:
            self.notify(f"Cash tendered is less than {rupees(self.total)}", severity="warning")
            return
        self._confirming = True
        status = "Recording the sale…" if self.method == PaymentMethod.CASH else (
            f"Authorising {PaymentMethod(self.method).title()} payment…")
        self.query_one("#pay-status", Static).update(status)
        run_service(
            self, sales.confirm, self.hold.token, method=self.method, tendered=tendered,
            coupon=self.coupon, customer={"phone": phone} if phone else None, operator=self.app.operator,
            done=self._sold, failed=self._confirm_failed, group="confirm", moves_on=True,
        )

    def _sold(self, booking: sales.Booking) -> None:
        self._end()
        self._leave_with(booking)

    def _confirm_failed(self, exc: BaseException) -> None:
        self._confirming = False
        self._show_help()
        if isinstance(exc, HoldExpired | HoldNotFound):
            self._end()
            self.app.notify(explain(exc, self), severity="warning", timeout=8)
            self._leave_with("lost")
            return
        if isinstance(exc, CouponInvalid):
            self._coupon_refused(exc)
        self.notify(explain(exc, self), severity="warning", timeout=8)
        if self.seconds_left() <= 0:
            self._expire()

    def action_leave(self) -> None:
        if self._confirming:
            self.notify("The payment is being recorded; wait a moment")
            return
        self._end()
        run_service(self.app, seating.release, self.hold.token, group="release")
        self.dismiss("back")
