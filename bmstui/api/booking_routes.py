"""A channel's bookings: look one up, list a customer's, quote and make a cancellation.

A channel sees only what it sold. Cancelling asks for an ``Idempotency-Key`` like confirm: the
same seats asked again answer the refund already made (200), never a second refund.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse
from pydantic import Field

from bmstui.api import shapes
from bmstui.api.auth import channel_with
from bmstui.api.sale_routes import Strict
from bmstui.domain.actors import OnlineChannel
from bmstui.domain.errors import BookingError
from bmstui.services import online

router = APIRouter()


class CancelRequest(Strict):
    seats: list[str] | None = Field(default=None, max_length=50, examples=[["F8"]])


@router.get("/bookings/{code}", summary="A booking this channel sold")
def booking(code: str, channel: OnlineChannel = Depends(channel_with("read"))) -> dict:
    return shapes.booking(online.booking(channel, code))


@router.get("/bookings", summary="This channel's bookings for a customer's phone number")
def bookings(customer_phone: str, channel: OnlineChannel = Depends(channel_with("read"))
             ) -> list[dict]:
    return [shapes.booking(b) for b in online.bookings(channel, customer_phone)]


@router.get("/bookings/{code}/refund-quote", summary="What cancelling would refund now")
def refund_quote(code: str, seats: str | None = None,
                 channel: OnlineChannel = Depends(channel_with("cancel"))) -> dict:
    labels = [s for s in (seats or "").split(",") if s.strip()] or None
    return shapes.refund_quote(online.refund_quote(channel, code, labels))


@router.post("/bookings/{code}/cancel", status_code=201, summary="Cancel seats and refund",
             responses={200: {"description": "The same request again: the refund it made"}})
def cancel(code: str, body: CancelRequest | None = None,
           channel: OnlineChannel = Depends(channel_with("cancel")),
           idempotency_key: str | None = Header(default=None, max_length=200)) -> JSONResponse:
    if not idempotency_key or not idempotency_key.strip():
        raise BookingError("Send an Idempotency-Key header with a cancel, so a retry never "
                           "refunds twice")
    done, made = online.cancel(channel, code, (body.seats if body else None))
    return JSONResponse(shapes.refund(done), status_code=201 if made else 200)
