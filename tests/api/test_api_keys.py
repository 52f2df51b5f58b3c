"""The online channel's keys: added once and shown once, stored as a hash, checked on every
request that sends one, revoked at once; only a manager (or the administrator) manages them."""

from __future__ import annotations

import secrets

import httpx
import pytest
from actor_support import ADMIN
from test_cli import run  # noqa: F401 -- the clean-environment subprocess fixture

from bmstui.api import create_app
from bmstui.config import get_settings
from bmstui.domain.errors import BookingError, NotAuthorized
from bmstui.services import audit, channels, operators
from bmstui.store.db import database
from bmstui.store.models import ApiChannel


def unique(name: str) -> str:
    """Channel names are unique in the test database shared by the module's tests."""
    return f"{name}{secrets.token_hex(3)}"


@pytest.fixture
async def api(demo_db):
    transport = httpx.ASGITransport(app=create_app(get_settings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test/api/v1") as client:
        yield client


def test_a_key_is_shown_once_and_only_its_hash_is_kept(demo_db):
    name = unique("website")
    info, key = channels.add(name, scopes="read,sell", by=ADMIN)
    assert info.scopes == ("read", "sell") and info.active
    assert key.startswith(f"bms_{info.key_id}_")
    with database.connection_context():
        row = ApiChannel.get(ApiChannel.name == name)
    assert key.split("_", 2)[2] not in row.secret_hash and key not in str(row.__data__)
    assert channels.authenticate(key).name == name
    assert channels.authenticate(key).scopes == frozenset({"read", "sell"})
    assert audit.events(kind="channel")[0].detail == f"added {name} (read,sell)"


def test_wrong_unknown_and_revoked_keys_are_one_refusal(demo_db):
    name = unique("app")
    _, key = channels.add(name, by=ADMIN)
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    other_id = key.replace(key.split("_")[1], "x" * 12)
    for bad in (None, "", "hello", tampered, other_id, key + "x", f"Bearer {key}"):
        with pytest.raises(channels.Unauthenticated):
            channels.authenticate(bad)
    channels.revoke(name, by=ADMIN)
    with pytest.raises(channels.Unauthenticated):
        channels.authenticate(key)
    assert [c.active for c in channels.channels() if c.name == name] == [False]


def test_only_a_manager_manages_channels(demo_db):
    cashier = operators.get("cashier1")
    name = unique("shop")
    for call in (lambda: channels.add(name, by=cashier), lambda: channels.add(name),
                 lambda: channels.revoke(name, by=cashier)):
        with pytest.raises(NotAuthorized):
            call()
    channels.add(name, by=operators.get("manager"))
    with pytest.raises(BookingError, match="exists"):
        channels.add(name, by=ADMIN)


@pytest.mark.parametrize("name", ["", " ", "Shop Front", "a" * 41, "-x", "naïve", "x/y"])
def test_a_channel_name_is_a_plain_word(demo_db, name):
    with pytest.raises(BookingError):
        channels.add(name, by=ADMIN)


@pytest.mark.parametrize("scopes", ["", "fly", "read,fly", ","])
def test_scopes_are_read_sell_cancel(demo_db, scopes):
    with pytest.raises(BookingError):
        channels.add("web", scopes=scopes, by=ADMIN)


async def test_a_bad_key_on_a_public_read_is_told_not_ignored(api):
    name = unique("site")
    _, key = channels.add(name, by=ADMIN)
    assert (await api.get("/cities")).status_code == 200
    assert (await api.get("/cities", headers={"Authorization": f"Bearer {key}"})
            ).status_code == 200
    for header in (f"Bearer {key}x", "Basic dXNlcjpwYXNz", "Bearer", key):
        answer = await api.get("/cities", headers={"Authorization": header})
        assert answer.status_code == 401, header
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["type"] == "unauthenticated"
    channels.revoke(name, by=ADMIN)
    answer = await api.get("/cities", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 401


def test_channel_commands_add_list_and_revoke(demo_db, run):  # noqa: F811
    from test_cli_money import refused

    name = unique("kiosk")
    added = run("--db", demo_db, "channel", "add", name, "--scopes", "read,sell")
    assert added.returncode == 0, added.stderr
    key = added.stdout.strip().splitlines()[-1]
    assert channels.authenticate(key).name == name
    listed = run("--db", demo_db, "channel", "list")
    assert name in listed.stdout and "read,sell" in listed.stdout
    assert key.split("_", 2)[2] not in listed.stdout  # the secret is never shown again
    assert run("--db", demo_db, "channel", "revoke", name).returncode == 0
    assert "revoked" in run("--db", demo_db, "channel", "list").stdout
    assert "No channel named" in refused(run("--db", demo_db, "channel", "revoke", "nobody"))
    assert "Scopes" in refused(run("--db", demo_db, "channel", "add", "k2", "--scopes", "fly"))
    assert audit.events(kind="channel")[0].operator.startswith("admin:")
