"""Who is calling: the channel a request's ``Authorization: Bearer <key>`` belongs to.

Catalog reads are public (a website shows what is on before anyone logs in), but a key sent
with one is still checked: a wrong or revoked key is told so (401) rather than ignored, so a
misconfigured website finds out on its first request, not at its first sale.
"""

from __future__ import annotations

from fastapi import Header

from bmstui.config import get_settings
from bmstui.domain.actors import OnlineChannel
from bmstui.services import channels


def _key(authorization: str | None) -> str | None:
    if authorization is None:
        return None
    scheme, _, key = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise channels.Unauthenticated("Send the key as: Authorization: Bearer <key>")
    return key.strip()


def reader(authorization: str | None = Header(default=None)) -> OnlineChannel | None:
    """A catalog read: anyone (unless ``api.public_catalog`` is off: a key with "read");
    a key, if sent, must be good."""
    key = _key(authorization)
    if key is None and get_settings().api_public_catalog:
        return None
    channel = channels.authenticate(key)
    channels.require_scope(channel, "read")
    return channel


def channel_with(scope: str):
    """A dependency: the calling channel, which must hold ``scope``."""

    def dependency(authorization: str | None = Header(default=None)) -> OnlineChannel:
        channel = channels.authenticate(_key(authorization))
        channels.require_scope(channel, scope)
        return channel

    return dependency
