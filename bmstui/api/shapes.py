"""What the services' answers look like as JSON.

Money is a string with two decimals ("220.00"): a JSON number is a binary float in most
clients, and paise must not drift. Times are ISO 8601 in UTC with a ``Z``; a show also says its
start on the theater's wall clock and that clock's zone.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

from bmstui.services import catalog, quotes
from bmstui.services.bookings import Booking
from bmstui.services.seating import Hold, SeatState


def money(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def city(info: catalog.CityInfo) -> dict:
    return {"id": info.id, "name": info.name, "state": info.state}


def theater(info: catalog.TheaterInfo) -> dict:
    return {"id": info.id, "name": info.name, "address": info.address,
            "city_id": info.city_id, "city": info.city, "timezone": info.timezone}


def movie(info: catalog.MovieInfo) -> dict:
    return {"id": info.id, "title": info.title, "language": info.language,
            "genre": info.genre, "certificate": info.certificate,
            "duration_minutes": info.duration,
            "rating": None if info.rating is None else str(info.rating),
            "synopsis": info.synopsis}


def show(info: catalog.ShowInfo) -> dict:
    return {"id": info.id, "movie_id": info.movie_id, "title": info.title,
            "language": info.language, "certificate": info.certificate,
            "theater_id": info.theater_id, "theater": info.theater, "city_id": info.city_id,
            "screen_id": info.screen_id, "screen": info.screen, "format": info.format,
            "starts_at": utc(info.starts_at), "ends_at": utc(info.ends_at),
            "local_start": info.local_start.replace(tzinfo=None).isoformat(timespec="minutes"),
            "timezone": info.timezone, "capacity": info.capacity,
            "seats_left": info.seats_left}


def seat(state: SeatState) -> dict:
    return {"label": state.label, "row": state.row, "number": state.number,
            "type": state.type, "price": money(state.price), "accessible": state.accessible,
            "status": state.status}


class SeatMapWriter:
    """A seat map's JSON, fast: each seat's fixed part (label, row, type, price...) is encoded
    once per show and only its status joined in per answer. Building a 2,000-seat map seat by
    seat through dicts and json.dumps was most of a rush server's CPU; this is byte for byte
    the same document."""

    def __init__(self, most: int = 64) -> None:
        self.most = most
        self.fragments: dict[int, tuple[tuple[int, ...], tuple[str, ...]]] = {}

    def _parts(self, show_id: int, seats: list[SeatState]) -> tuple[str, ...]:
        ids = tuple(seat.id for seat in seats)
        known = self.fragments.get(show_id)
        if known is not None and known[0] == ids:
            return known[1]
        parts = tuple(json.dumps({**seat(state), "status": ""}, separators=(",", ":"))[:-3]
                      for state in seats)  # each up to its status: {...,"status":
        if len(self.fragments) >= self.most:
            self.fragments.clear()
        self.fragments[show_id] = (ids, parts)
        return parts

    def body(self, info: catalog.ShowInfo, seats: list[SeatState]) -> bytes:
        parts = self._parts(info.id, seats)
        head = json.dumps({**show(info), "seats": []}, separators=(",", ":"))[:-2]  # ...:[
        listed = ",".join(f'{part}{json.dumps(state.status)}}}'
                          for part, state in zip(parts, seats))
        return f"{head}{listed}]}}".encode()


def hold(held: Hold) -> dict:
    return {"token": held.token, "show_id": held.show_id, "expires_at": utc(held.expires_at),
            "seconds_left": int(held.seconds_left), "seats": list(held.labels),
            "total": money(held.total), "status": "held"}


def sold_hold(token: str, sold: Booking) -> dict:
    """A hold that was confirmed: no time left to run, and the booking it became."""
    return {"token": token, "show_id": sold.show_id, "expires_at": None, "seconds_left": 0,
            "seats": list(sold.labels), "total": money(sold.total), "status": "confirmed",
            "booking": sold.code}


def quote(found: quotes.Quote) -> dict:
    return {"token": found.token, "show_id": found.show_id,
            "seats": [{"label": line.label, "type": line.type, "price": money(line.price)}
                      for line in found.lines],
            "subtotal": money(found.subtotal), "discount": money(found.discount),
            "total": money(found.total),
            "coupon": found.coupon.code if found.coupon is not None else None}


def booking(sold: Booking) -> dict:
    return {"code": sold.code, "show_id": sold.show_id, "status": sold.status,
            "seats": list(sold.labels), "cancelled_seats": list(sold.cancelled),
            "subtotal": money(sold.subtotal), "discount": money(sold.discount),
            "total": money(sold.total), "refunded": money(sold.refunded),
            "coupon": sold.coupon or None, "channel": sold.terminal.removeprefix("online:"),
            "created_at": utc(sold.created_at),
            "payment": {"method": sold.payment.method, "amount": money(sold.payment.amount),
                        "reference": sold.payment.reference}}


def refund_quote(found) -> dict:
    return {"booking_code": found.booking_code, "seats": list(found.labels),
            "allowed": found.allowed, "percent": f"{found.percent.normalize():f}",
            "amount": money(found.amount), "method": found.method, "why": found.why}


def refund(done) -> dict:
    return {"booking_code": done.booking_code, "seats": list(done.seats),
            "amount": money(done.amount), "method": done.method,
            "booking_status": done.booking_status, "created_at": utc(done.created_at)}
