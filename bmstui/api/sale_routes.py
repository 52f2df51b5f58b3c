"""Selling online: hold seats, look at the hold, quote it, confirm it, or release it.

Every route here needs a key with the "sell" scope; a channel reaches only its own holds.
Confirm asks for an ``Idempotency-Key`` header: a retried confirm (a timeout, a dropped
connection) answers the booking the first one made (200) instead of selling again.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bmstui.api import shapes
from bmstui.api.auth import channel_with
from bmstui.domain.actors import OnlineChannel
from bmstui.domain.errors import BookingError
from bmstui.services import online
from bmstui.services.bookings import Booking

router = APIRouter()
seller = channel_with("sell")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HoldRequest(Strict):
    seats: list[str] | None = Field(default=None, max_length=50,
                                    examples=[["F7", "F8"]])
    best: int | None = Field(default=None, ge=1, le=50, examples=[2])


class Customer(Strict):
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    name: str | None = Field(default=None, max_length=80)


class QuoteRequest(Strict):
    coupon: str | None = Field(default=None, max_length=40)
    customer: Customer | None = None


class ConfirmRequest(QuoteRequest):
    method: str = Field(max_length=20, examples=["card"])


def _customer(customer: Customer | None) -> dict | None:
    if customer is None:
        return None
    return {"phone": customer.phone, "name": customer.name}


@router.post("/shows/{show_id}/holds", status_code=201, summary="Hold seats of a show")
def hold(show_id: str, body: HoldRequest,
         channel: OnlineChannel = Depends(seller)) -> dict:
    held = online.hold(channel, show_id, seats=body.seats, best=body.best)
    return shapes.hold(held)


@router.get("/holds/{token}", summary="A hold of this channel, with its time left (or, once "
            "sold, its booking)")
def get_hold(token: str, channel: OnlineChannel = Depends(seller)) -> dict:
    found = online.get_hold(channel, token)
    if isinstance(found, Booking):  # sold: the hold's answer says so, and names the booking
        return shapes.sold_hold(token, found)
    return shapes.hold(found)


@router.delete("/holds/{token}", summary="Release a hold: its seats go back on sale")
def release(token: str, channel: OnlineChannel = Depends(seller)) -> dict:
    return {"token": token, "released": online.release(channel, token)}


@router.post("/holds/{token}/quote", summary="The price of a hold, with a coupon if given")
def quote(token: str, body: QuoteRequest | None = None,
          channel: OnlineChannel = Depends(seller)) -> dict:
    body = body or QuoteRequest()
    customer = _customer(body.customer)
    return shapes.quote(online.quote(channel, token, body.coupon,
                                     customer.get("phone") if customer else None))


@router.post("/holds/{token}/confirm", status_code=201, summary="Pay and sell a hold",
             responses={200: {"description": "The same request again: the booking it made"}})
def confirm(token: str, body: ConfirmRequest, channel: OnlineChannel = Depends(seller),
            idempotency_key: str | None = Header(default=None, max_length=200)) -> JSONResponse:
    if not idempotency_key or not idempotency_key.strip():
        raise BookingError("Send an Idempotency-Key header with a confirm, so a retry never "
                           "sells twice")
    booking, made = online.confirm(channel, token, method=body.method, coupon=body.coupon,
                                   customer=_customer(body.customer))
    return JSONResponse(shapes.booking(booking), status_code=201 if made else 200)
