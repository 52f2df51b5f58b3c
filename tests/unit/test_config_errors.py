"""Configuration that cannot be used: clear ConfigErrors naming where the bad value came from,
and mask_url, which keeps passwords out of every message."""

from __future__ import annotations

from dataclasses import fields
from urllib.parse import unquote

import pytest
from config_support import isolated, load, write  # noqa: F401  (isolated: autouse fixture)

from bmstui.config import ConfigError, Settings, mask_url

# --- invalid values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "toml_text, words",
    [
        ('[booking]\nlocking = "bogus"\n', ["locking", "bogus", "conditional", "pessimistic"]),
        ("[booking]\nhold_seconds = -1\n", ["hold_seconds", "positive", "-1"]),
        ("[booking]\nhold_seconds = 0\n", ["hold_seconds", "positive"]),
        ("[booking]\nmax_seats = 0\n", ["max_seats", "positive"]),
        ("[database]\npool_size = -2\n", ["pool_size", "positive"]),
        ("[terminal]\npoll_interval = 0\n", ["poll_interval", "positive"]),
        ("[terminal]\nlock_after_minutes = -1\n", ["lock_after_minutes", "negative"]),
        ("[payments]\ndecline_rate = 1.5\n", ["decline_rate", "between 0 and 1"]),
        ('[booking]\nmax_seats = "ten"\n', ["[booking] max_seats", "expected int", "ten"]),
        ("[booking]\nmax_seats = 2.5\n", ["[booking] max_seats", "expected int", "2.5"]),
        ("[booking]\nmax_seats = true\n", ["[booking] max_seats", "expected int"]),
        ("[booking]\nhold_seconds = [1, 2]\n", ["[booking] hold_seconds", "expected float"]),
        ("[booking]\nhold_seconds = nan\n", ["[booking] hold_seconds", "nan"]),
        ("[booking]\nhold_seconds = inf\n", ["[booking] hold_seconds", "inf"]),
        ("[terminal]\nname = 5\n", ["[terminal] name", "expected str"]),
        ("[terminal]\nname = { a = 1 }\n", ["[terminal] name", "expected str"]),
        ("booking = 3\n", ["[booking]", "table"]),
        ('[database]\nurl = "postgres://x@y/z"\n', ["unsupported database url", "postgres"]),
        ('[database]\nurl = "mysql://u:pw@h:abc/db"\n', ["database url", "abc"]),
        ('[log]\nlevel = "chatty"\n', ["log.level", "chatty", "DEBUG", "CRITICAL"]),
        ("[log]\nlevel = 10\n", ["[log] level", "expected str"]),
        ("[booking\nmax_seats = 3\n", ["line 1"]),
        ("[booking]\nmax_seats = \n", ["line 2"]),
    ],
)
def test_invalid_toml_values_are_config_errors(isolated, toml_text, words):
    toml = write(isolated / "bad.toml", toml_text)
    with pytest.raises(ConfigError) as info:
        load(config=toml)
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert ":pw@" not in message  # the bad-port url is masked too


def test_invalid_toml_names_the_file(isolated):
    toml = write(isolated / "broken.toml", "this is not toml\n")
    with pytest.raises(ConfigError, match="broken.toml"):
        load(config=toml)


def test_explicit_config_that_is_a_directory_is_an_error(isolated):
    folder = isolated / "dir.toml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="not found"):
        load(config=folder)


@pytest.mark.parametrize(
    "env, words",
    [
        ({"BMSTUI_LOCKING": "bogus"}, ["locking", "bogus"]),
        ({"BMSTUI_HOLD_SECONDS": "-1"}, ["hold_seconds", "positive"]),
        ({"BMSTUI_HOLD_SECONDS": "soon"}, ["environment BMSTUI_HOLD_SECONDS", "expected float"]),
        ({"BMSTUI_MAX_SEATS": "2.5"}, ["environment BMSTUI_MAX_SEATS", "expected int"]),
        ({"BMSTUI_GATEWAY_DECLINE_RATE": "-0.1"}, ["decline_rate"]),
        ({"BMSTUI_LOG_LEVEL": "verbose"}, ["log.level", "verbose"]),
    ],
)
def test_invalid_environment_values_are_config_errors(env, words):
    with pytest.raises(ConfigError) as info:
        load(env=env)
    for word in words:
        assert word in str(info.value)


def test_invalid_dotenv_value_names_dotenv(isolated):
    dotenv = write(isolated / "d.env", "BMSTUI_MAX_SEATS=many\n")
    with pytest.raises(ConfigError, match=r"^\.env BMSTUI_MAX_SEATS: expected int"):
        load(dotenv=dotenv)


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"locking": "bogus"}, ["locking", "bogus"]),
        ({"hold_seconds": "x"}, ["--hold-seconds", "expected float"]),
        ({"database_url": "ftp://x/y"}, ["unsupported database url"]),
    ],
)
def test_invalid_flags_are_config_errors(overrides, words):
    with pytest.raises(ConfigError) as info:
        load(overrides=overrides)
    for word in words:
        assert word in str(info.value)


def test_a_lower_layer_invalid_value_can_be_fixed_by_a_higher_one(isolated):
    toml = write(isolated / "c.toml", '[booking]\nlocking = "bogus"\n')
    assert load(config=toml, env={"BMSTUI_LOCKING": "pessimistic"}).locking == "pessimistic"


def test_toml_values_keep_their_types(isolated):
    toml = write(
        isolated / "c.toml",
        "[booking]\nhold_seconds = 90\nmax_seats = 3\n[payments]\ndecline_rate = 0\n",
    )
    settings = load(config=toml)
    for f in fields(Settings):
        value = getattr(settings, f.name)
        assert type(value).__name__ == f.type, f"{f.name} is {type(value).__name__}"


# --- mask_url ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, masked, secret",
    [
        ("mysql://root:s3cret@127.0.0.1:3306/bmstui", "mysql://root:***@127.0.0.1:3306/bmstui",
         "s3cret"),
        ("mysql://root:s3cret@db.local/bmstui", "mysql://root:***@db.local/bmstui", "s3cret"),
        ("mysql://counter:p%40ss%3Aw%2Frd@db:3307/cinema?charset=utf8mb4",
         "mysql://counter:***@db:3307/cinema?charset=utf8mb4", "p%40ss%3Aw%2Frd"),
        ("mysql+pymysql://u:hunter2@h:1/d", "mysql+pymysql://u:***@h:1/d", "hunter2"),
        ("mysql://u:pa@ss@h:3306/d", "mysql://u:***@h:3306/d", "pa@ss"),
        ("mysql://u:hunter2@[::1]:3306/d", "mysql://u:***@[::1]:3306/d", "hunter2"),
        ("mysql://u:hunter2@h:notaport/d", "mysql://u:***@h:notaport/d", "hunter2"),
    ],
)
def test_mask_url_hides_the_password(url, masked, secret):
    out = mask_url(url)
    assert out == masked
    assert secret not in out
    assert unquote(secret) not in out


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////var/lib/bmstui/bmstui.db",
        "sqlite:///relative.db",
        "mysql://root@127.0.0.1:3306/bmstui",
        "mysql://db.local/bmstui",
    ],
)
def test_mask_url_leaves_urls_without_password_alone(url):
    assert mask_url(url) == url


def test_mask_url_of_an_unparseable_url_reveals_nothing():
    out = mask_url("mysql://root:s3cret@[::1/bmstui")
    assert "s3cret" not in out


def test_unsupported_url_error_is_masked():
    with pytest.raises(ConfigError) as info:
        load(env={"BMSTUI_DATABASE_URL": "postgres://app:s3cret@db/x"})
    assert "s3cret" not in str(info.value)
    assert "app:***@db" in str(info.value)
