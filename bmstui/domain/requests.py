"""What a caller asked the seat protocol for, checked before any database work: seat labels,
hold tokens, show ids and durations. Pure: a bad request is refused without a round trip.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from bmstui.domain.errors import HoldNotFound, InvalidSeats, join_labels, shown
from bmstui.domain.ids import parse_id


def normalise_labels(labels: Iterable[str] | str) -> list[str]:
    """Upper-cased, stripped labels; refuses non-strings, empty lists and duplicates."""
    if isinstance(labels, str):
        labels = [part for part in labels.replace(",", " ").split()]
    try:
        items = list(labels)
    except TypeError:
        raise InvalidSeats(message="Seats must be given as labels like 'F7'") from None
    if not items:
        raise InvalidSeats(message="No seats chosen")
    clean = []
    for item in items:
        if not isinstance(item, str) or not item.strip() or len(item.strip()) > 8:
            raise InvalidSeats(message=f"Not a seat label: {shown(item, 20, quoted=True)}")
        clean.append(item.strip().upper())
    dupes = sorted(label for label, n in Counter(clean).items() if n > 1)
    if dupes:
        raise InvalidSeats(dupes, f"Seat {join_labels(dupes)} chosen twice")
    return clean


def check_show_id(show_id) -> int:
    """A show id (``bmstui.domain.ids.parse_id``); anything else raises ShowNotFound."""
    return parse_id(show_id, "show")


def check_token(token) -> str:
    if (not isinstance(token, str) or not token or len(token) > 32 or not token.isascii()
            or not token.isprintable()):
        raise HoldNotFound("That is not a hold token")
    return token


def seconds_of(value, what: str, error: type[Exception]) -> float:
    """A duration a caller gave (int, float, Decimal, numeric text) in seconds, or ``error``."""
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise error(message=f"{what} is a number of seconds, "
                    f"not {shown(value, 20, quoted=True)}") from None
