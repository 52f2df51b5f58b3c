"""Online channels: the websites and apps that sell through the REST API, each with its key.

A key is ``bms_<key id>_<secret>``: the key id (public, unique) finds the channel's row, and the
secret is compared with the stored SHA-256 of it in constant time (``hmac.compare_digest``). The
secret has 256 random bits, so a fast hash is enough (a password hash would cost every request
the 150 ms of CPU the peer's basic auth did); only the hash is stored, the key is shown once.
Adding and revoking a channel are manager actions, audited (kind "channel").
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from bmstui.domain.actors import SCOPES, OnlineChannel
from bmstui.domain.errors import BookingError, NotAuthorized, shown
from bmstui.services import audit
from bmstui.services.operators import require_manager
from bmstui.store.db import database, now_sql, parse_db_datetime, transaction
from bmstui.store.models import ApiChannel

KEY_PATTERN = re.compile(r"bms_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})")
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,39}")


class Unauthenticated(NotAuthorized):
    """No key, a key in no known shape, an unknown, revoked or wrong key: all one answer, so a
    caller learns nothing about which part was wrong."""

    def __init__(self, message: str = "A valid API key is needed (Authorization: Bearer …)"):
        super().__init__("using the API", None, message)


@dataclass(frozen=True)
class ChannelInfo:
    name: str
    key_id: str
    scopes: tuple[str, ...]
    active: bool
    created_at: datetime
    revoked_at: datetime | None


def _info(row: ApiChannel) -> ChannelInfo:
    return ChannelInfo(row.name, row.key_id, tuple(row.scopes.split(",")), bool(row.active),
                       parse_db_datetime(row.created_at), parse_db_datetime(row.revoked_at)
                       if row.revoked_at else None)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(scopes) -> tuple[str, ...]:
    """Scopes from "read,sell" or a list; refused unless each is one of SCOPES."""
    items = scopes.split(",") if isinstance(scopes, str) else list(scopes or ())
    chosen = [str(s).strip().lower() for s in items if str(s).strip()]
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown or not chosen:
        raise BookingError(f"Scopes are some of {', '.join(SCOPES)}; got "
                           f"{shown(','.join(unknown) or 'none', 40, quoted=True)}")
    return tuple(s for s in SCOPES if s in chosen)


def add(name: str, *, scopes=SCOPES, by=None) -> tuple[ChannelInfo, str]:
    """A new channel and its key (the only time the key is seen)."""
    actor = require_manager(by, "adding an online channel")
    name = str(name).strip().lower()
    if not NAME_PATTERN.fullmatch(name):
        raise BookingError(f"A channel name is 1-40 of a-z 0-9 . _ - (starting with a letter "
                           f"or digit); got {shown(name, 40, quoted=True)}")
    chosen = parse_scopes(scopes)
    key_id = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
                     for _ in range(12))
    secret = secrets.token_urlsafe(32)

    def work() -> ApiChannel:
        if ApiChannel.select().where(ApiChannel.name == name).exists():
            raise BookingError(f"A channel named {name} exists; revoke it or choose another name")
        ApiChannel.insert(name=name, key_id=key_id, secret_hash=_digest(secret),
                          scopes=",".join(chosen), active=True, created_at=now_sql()).execute()
        audit.record("channel", operator_id=actor, detail=f"added {name} ({','.join(chosen)})")
        return ApiChannel.get(ApiChannel.name == name)

    row = transaction(work)
    return _info(row), f"bms_{key_id}_{secret}"


def channels() -> list[ChannelInfo]:
    with database.connection_context():
        return [_info(row) for row in ApiChannel.select().order_by(ApiChannel.name)]


def revoke(name: str, *, by=None) -> ChannelInfo:
    """The channel's key stops working at once (its holds run out as any hold does)."""
    actor = require_manager(by, "revoking an online channel")
    name = str(name).strip().lower()

    def work() -> ApiChannel:
        row = ApiChannel.get_or_none(ApiChannel.name == name)
        if row is None:
            raise BookingError(f"No channel named {shown(name, 40, quoted=True)}")
        if row.active:
            ApiChannel.update(active=False, revoked_at=now_sql()).where(
                ApiChannel.id == row.id).execute()
            audit.record("channel", operator_id=actor, detail=f"revoked {name}")
        return ApiChannel.get_by_id(row.id)

    return _info(transaction(work))


def authenticate(key: str | None) -> OnlineChannel:
    """The channel a request's key belongs to; Unauthenticated for anything else."""
    found = KEY_PATTERN.fullmatch(key or "")
    if not found:
        raise Unauthenticated()
    key_id, secret = found.groups()
    with database.connection_context():
        row = ApiChannel.get_or_none(ApiChannel.key_id == key_id)
    expected = row.secret_hash if row is not None else _digest("no such key")
    matches = hmac.compare_digest(_digest(secret), expected)
    if row is None or not matches or not row.active:
        raise Unauthenticated()
    return OnlineChannel(row.name, frozenset(row.scopes.split(",")))


def require_scope(channel: OnlineChannel, scope: str) -> None:
    if scope not in channel.scopes:
        raise NotAuthorized(f"{scope} through the API", "channel",
                            f"This key may not {scope} (its scopes: "
                            f"{', '.join(sorted(channel.scopes)) or 'none'})")
