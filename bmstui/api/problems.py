"""Refusals as RFC 9457 problem documents (``application/problem+json``).

Each refusal a service raises has a ``type`` a website can branch on (``seats-unavailable``,
``hold-expired``, …), the HTTP status that goes with it, and the sentence a clerk would read as
``detail``. An error nobody foresaw is logged with its traceback under a short id and answered
as a problem naming that id: a customer never sees a traceback, the operator finds the entry.
"""

from __future__ import annotations

import logging
import secrets

from bmstui.domain import errors
from bmstui.services.channels import Unauthenticated

log = logging.getLogger("bmstui.api")

PROBLEM_JSON = "application/problem+json"

# Most specific first: the first class an error is an instance of decides.
KINDS: tuple[tuple[type[BaseException], str, int], ...] = (
    (Unauthenticated, "unauthenticated", 401),
    (errors.SeatsUnavailable, "seats-unavailable", 409),
    (errors.HoldExpired, "hold-expired", 410),
    (errors.HoldNotFound, "hold-not-found", 404),
    (errors.TooManySeats, "too-many-seats", 422),
    (errors.TooManyHolds, "too-many-holds", 409),
    (errors.InvalidSeats, "invalid-seats", 422),
    (errors.BookingClosed, "booking-closed", 409),
    (errors.CouponInvalid, "coupon-invalid", 422),
    (errors.PaymentDeclined, "payment-declined", 402),
    (errors.CancellationClosed, "cancellation-closed", 409),
    (errors.NotAuthorized, "not-authorized", 403),
    (errors.BookingNotFound, "booking-not-found", 404),
    (errors.NotFound, "not-found", 404),
    (errors.TryAgain, "try-again", 503),
    (errors.DatabaseUnavailable, "try-again", 503),
    (errors.InvalidDay, "invalid-request", 422),
    (errors.InvalidAmount, "invalid-request", 422),
    (errors.InvalidPhone, "invalid-request", 422),
    (errors.BookingError, "invalid-request", 422),
)
TITLES = {
    "seats-unavailable": "Seats unavailable", "hold-expired": "Hold expired",
    "hold-not-found": "Hold not found", "too-many-seats": "Too many seats",
    "invalid-seats": "Invalid seats", "too-many-holds": "Too many holds", "booking-closed": "Booking closed",
    "coupon-invalid": "Coupon invalid", "payment-declined": "Payment declined",
    "cancellation-closed": "Cancellation closed", "not-authorized": "Not authorized",
    "booking-not-found": "Booking not found", "not-found": "Not found",
    "try-again": "Try again", "invalid-request": "Invalid request",
    "unauthenticated": "Unauthenticated", "rate-limited": "Rate limited",
    "internal-error": "Internal error", "request-too-large": "Request too large",
}
RETRY_AFTER_SECONDS = 2  # what a 503 tells the client to wait


def problem(kind: str, status: int, detail: str, **extra) -> dict:
    """The problem document for ``kind``."""
    return {"type": kind, "title": TITLES.get(kind, kind), "status": status, "detail": detail,
            **extra}


def problem_of(error: BaseException) -> dict:
    """The problem document for a service's refusal, or for an error nobody foresaw."""
    for cls, kind, status in KINDS:
        if isinstance(error, cls):
            extra = {}
            if isinstance(error, errors.SeatsUnavailable):
                extra["seats"] = list(error.labels)
            if isinstance(error, errors.CouponInvalid):
                extra["reason"] = error.reason
            return problem(kind, status, str(error), **extra)
    incident = secrets.token_hex(4)
    log.error("Unexpected %s (incident %s): %s", type(error).__name__, incident, error,
              exc_info=(type(error), error, error.__traceback__))
    return problem("internal-error", 500, "Something went wrong on our side; nothing was "
                   f"changed by this request. Quote incident {incident} when asking.",
                   incident=incident)
