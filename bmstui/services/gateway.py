"""A simulated payment gateway for card, UPI and netbanking (demos and tests).

It runs *before* the confirm transaction opens, so no lock is held while the customer's bank
thinks; a payment authorised for a hold that then ran out is voided by the caller.
"""

from __future__ import annotations

import random
import secrets
import time
from decimal import Decimal

from bmstui.domain.errors import PaymentDeclined
from bmstui.domain.vocabulary import ELECTRONIC_METHODS

ELECTRONIC = ELECTRONIC_METHODS  # the methods this gateway authorises
_rng = random.Random()


def authorise(method: str, amount: Decimal, *, latency_ms: int, decline_rate: float) -> str:
    """Return a gateway reference, or raise PaymentDeclined (the hold is kept)."""
    if latency_ms > 0:
        time.sleep(_rng.uniform(0.5, 1.5) * latency_ms / 1000.0)
    if decline_rate > 0 and _rng.random() < decline_rate:
        raise PaymentDeclined(
            f"The {method} payment of ₹{amount} was declined by the bank; "
            "the seats stay held, try again or use another method"
        )
    return f"{method.upper()[:3]}-{secrets.token_hex(5).upper()}"
