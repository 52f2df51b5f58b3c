"""Every refusal a caller of bmstui can get, each with a message a clerk understands.

``BookingError`` covers business refusals (never retried); ``DatabaseUnavailable`` and
``ConfigError`` cover the set-up, and carry a masked URL and a hint instead of a traceback.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def shown(value: object, most: int = 40, *, quoted: bool = False) -> str:
    """What a caller typed, as a message may quote it: at most ``most`` characters (a
    10,000-character input is not echoed back whole), control characters, lone surrogates and
    bidi overrides escaped; ``quoted`` gives it as a Python literal in quotes, as ``!r`` would."""
    raw = str(value)
    cut = raw[: most - 1] + "…" if len(raw) > most else raw
    if quoted:
        return repr(cut)
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS else ch
        for ch in cut
    )


# Embedding, override and isolate marks: echoed raw they would reverse the rest of the line.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class BmstuiError(Exception):
    """Base of everything bmstui raises on purpose."""


class ConfigError(BmstuiError):
    """The configuration cannot be used as written."""


class DatabaseUnavailable(BmstuiError):
    """The database cannot be reached or used; the message names the masked URL."""

    def __init__(self, masked_url: str, reason: str, hint: str = ""):
        self.masked_url = masked_url
        self.reason = reason
        self.hint = hint
        text = f"cannot use database {masked_url}: {reason}"
        if hint:
            text += f" (hint: {hint})"
        super().__init__(text)


class BookingError(BmstuiError):
    """A refusal of a box-office action; safe to show to the clerk as it is."""


def join_labels(labels: Iterable[str], most: int = 10) -> str:
    """Seat labels for a message: the first ``most``, then how many more."""
    labels = [shown(label, 12) for label in labels]
    text = ", ".join(labels[:most])
    if len(labels) > most:
        text += f" and {len(labels) - most:,} more"
    return text


class InvalidAmount(BookingError):
    """Money that cannot be taken as typed (see ``bmstui.domain.money_input``); names the field."""

    def __init__(self, field: str, value: object, reason: str):
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {shown(value, 20, quoted=True)} {reason}")


class SeatsUnavailable(BookingError):
    def __init__(self, labels: Iterable[str], message: str | None = None):
        self.labels = tuple(labels)
        n = len(self.labels)
        super().__init__(
            message
            or f"{'Seat' if n == 1 else 'Seats'} {join_labels(self.labels)} "
            f"{'was' if n == 1 else 'were'} just taken at another counter"
        )


class InvalidSeats(BookingError):
    def __init__(self, labels: Iterable[str] = (), message: str | None = None):
        self.labels = tuple(labels)
        super().__init__(message or f"No such seat in this show: {join_labels(self.labels)}")


class TooManySeats(BookingError):
    def __init__(self, requested: int, limit: int):
        self.requested = requested
        self.limit = limit
        super().__init__(f"At most {limit} seats per booking ({requested} asked)")


class TooManyHolds(BookingError):
    """An online channel already has as many live holds as it may (anti-hoarding)."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"This channel already has {limit} holds open; confirm or release "
                         f"one first")


class HoldExpired(BookingError):
    def __init__(self, message: str = "The hold ran out; the seats were released"):
        super().__init__(message)


class HoldNotFound(BookingError):
    def __init__(self, message: str = "No such hold (already released or never made)"):
        super().__init__(message)


class BookingClosed(BookingError):
    def __init__(self, message: str = "Booking is closed for this show"):
        super().__init__(message)


class PaymentDeclined(BookingError):
    def __init__(self, message: str = "Payment declined; the seats stay held, try another method"):
        super().__init__(message)


class TenderedInvalid(InvalidAmount, PaymentDeclined):
    """Cash tendered that cannot be taken: an amount refusal and, as before, a payment refusal
    (the hold is kept)."""


class NotFound(BookingError):
    """No row of this kind has that id (or what was given is not an id at all: see
    ``bmstui.domain.ids``); ``what`` names the kind ("movie", "screen", …), ``value`` what was given."""

    def __init__(self, what: str, value: object):
        self.what = what
        self.value = value
        super().__init__(f"No such {what}: {shown(value, 24)}")


class ShowNotFound(NotFound):
    def __init__(self, show_id: object):
        self.show_id = show_id
        super().__init__("show", show_id)


class InvalidDay(BookingError):
    """A day that is neither a ``datetime.date`` nor ISO text, or a time that is not a
    ``datetime`` (``bmstui.domain.ids.parse_day`` and ``parse_moment``)."""


class BookingNotFound(BookingError):
    def __init__(self, code: str):
        self.code = code
        super().__init__(f"No booking with code {str(code)[:24]!r}")


class TryAgain(BookingError):
    def __init__(self, message: str = "The database is very busy right now; please try again"):
        super().__init__(message)


class ConnectionLost(TryAgain):
    """The database could not be reached (restarting, network down); nothing was changed."""

    def __init__(self, message: str = "The database cannot be reached right now; nothing "
                 "was changed. Try again in a moment"):
        super().__init__(message)


class OutcomeUnknown(ConnectionLost):
    """The connection dropped while COMMIT was under way: the change may or may not be saved.

    Only an action with its own idempotency key can settle it (confirm does, by the hold token);
    everything else tells the clerk to look before repeating."""

    def __init__(self, message: str = "The connection to the database dropped while saving; "
                 "check whether the change was made before repeating it"):
        super().__init__(message)


class CouponInvalid(BookingError):
    """A coupon that cannot be used for this sale; ``reason`` is one of REASONS."""

    REASONS = ("unknown", "inactive", "not_yet_valid", "expired", "used_up", "below_minimum",
               "customer_limit", "needs_phone")

    def __init__(self, code: str, reason: str, message: str):
        self.code = code
        self.reason = reason
        super().__init__(message)


class CancellationClosed(BookingError):
    """Too close to (or past) the show to cancel; ``minutes_left`` is by the database clock."""

    def __init__(self, message: str, minutes_left: float | None = None):
        self.minutes_left = minutes_left
        super().__init__(message)


class UnknownTimeZone(BookingError, ValueError):
    """Not an IANA time zone this machine knows (also a ValueError, for configuration readers)."""


class NotAuthorized(BookingError):
    """Nobody named, or a role that does not allow this action (cashiers sell, managers also
    manage). ``role`` is None when no actor was given at all."""

    def __init__(self, action: str, role: str | None = "cashier", message: str | None = None):
        self.action = action = shown(action, 80)
        self.role = role
        what = f"{action[:1].upper()}{action[1:]}"
        if message is None:
            message = (f"{what} needs a signed-in operator (a script acts as "
                       f"bmstui.administrator())" if role is None
                       else f"{what} is a manager action; a {role} cannot do it")
        super().__init__(message)


class LoginFailed(BookingError):
    """Wrong name or password, a locked operator, or a disabled one; the message says which."""


class InvalidPhone(BookingError):
    """A customer phone number that is not one (see ``bmstui.domain.phones``)."""

    def __init__(self, value: object, reason: str):
        self.value = value
        self.reason = reason
        super().__init__(f"Customer phone: {shown(value, 20, quoted=True)} {reason}")
