"""The words the system stores and compares: statuses, payment methods, roles, seat types, and
the longest text each stored name may have.

Each status is a ``StrEnum``: its members *are* the strings stored in the database (so a row's
``"held"`` equals ``SeatStatus.HELD`` and old code comparing strings keeps working), and each
has one display ``title()`` for every screen, report and CSV.
"""

from __future__ import annotations

from enum import StrEnum


class _Titled(StrEnum):
    def title(self) -> str:
        """The one display title (``str.title`` kept as a method, so code that titles a stored
        string gets the same words: "UPI", not "Upi")."""
        return _TITLES.get(self, self.value.replace("_", " ").capitalize())


class SeatStatus(_Titled):
    AVAILABLE = "available"
    HELD = "held"
    BOOKED = "booked"
    BLOCKED = "blocked"


class HoldState(_Titled):
    ACTIVE = "active"
    RELEASED = "released"
    CONFIRMED = "confirmed"
    EXPIRED = "expired"


class BookingStatus(_Titled):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    PARTIALLY_CANCELLED = "partially_cancelled"


class TicketStatus(_Titled):
    """A booked seat's own state."""

    SOLD = "sold"
    CANCELLED = "cancelled"


class ShowStatus(_Titled):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class PaymentMethod(_Titled):
    CASH = "cash"
    CARD = "card"
    UPI = "upi"
    NETBANKING = "netbanking"


class Role(_Titled):
    CASHIER = "cashier"
    MANAGER = "manager"


_TITLES: dict[StrEnum, str] = {
    PaymentMethod.UPI: "UPI",
    PaymentMethod.NETBANKING: "Netbanking",
}

SEAT_TYPES = ("SILVER", "GOLD", "PLATINUM", "DIAMOND")  # cheapest first
SEAT_STATUSES = tuple(SeatStatus)
BOOKING_STATUSES = tuple(BookingStatus)
PAYMENT_METHODS = tuple(PaymentMethod)
ELECTRONIC_METHODS = (PaymentMethod.CARD, PaymentMethod.UPI, PaymentMethod.NETBANKING)
ROLES = tuple(Role)

# The longest stored text of each name (the model's column widths; files are checked with them).
CITY_NAME = 80
CITY_STATE = 80
THEATER_NAME = 120
THEATER_ADDRESS = 200
THEATER_TIMEZONE = 64
SCREEN_NAME = 40
LAYOUT_NAME = 60
