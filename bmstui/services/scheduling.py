"""Putting a show on a screen, priced by today's rules.

Every show seat is created with its price (base price of its type times the show's factor) in
one server-side statement, so the price a clerk sells at is fixed the moment the show exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bmstui.db import database, transaction
from bmstui.errors import BookingError
from bmstui.models import Movie, Screen, Show, Theater
from bmstui.seeding import create_show_seats
from bmstui.services import prices
from bmstui.services.operators import require_manager


def create_show(movie_id: int, screen_id: int, starts_at: datetime, format: str = "2D", *,
                operator=None) -> int:
    """A new show (``starts_at`` naive UTC) with its seats priced; returns its id. A manager's
    action (``operator``)."""
    require_manager(operator, "scheduling a show")
    format = str(format).strip().upper()
    with database.connection_context():
        movie = Movie.get_or_none(Movie.id == movie_id)
        screen = (Screen.select(Screen, Theater).join(Theater)
                  .where(Screen.id == screen_id).first())
    if movie is None:
        raise BookingError(f"No such movie: {movie_id}")
    if screen is None:
        raise BookingError(f"No such screen: {screen_id}")
    if format not in screen.formats.split(","):
        raise BookingError(f"{screen.theater.name} {screen.name} cannot show {format} "
                           f"(it shows {screen.formats.replace(',', ', ')})")
    factor, _ = prices.factor_for(movie.title, screen.theater.name, format, starts_at)

    def attempt() -> int:
        if Show.select().where((Show.screen == screen.id)
                               & (Show.starts_at == starts_at)).exists():
            raise BookingError(f"{screen.name} already has a show at that time")
        show_id = Show.insert(
            movie=movie.id, screen=screen.id, starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=movie.duration), format=format,
            price_factor=factor,
        ).execute()
        create_show_seats([show_id])
        return show_id

    return transaction(attempt)
