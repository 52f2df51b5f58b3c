"""load_settings: the layers (flags > environment > .env > bmstui.toml > defaults), config file
discovery and the DB_* parts of the database URL. Invalid values and mask_url are in
test_config_errors.py.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from config_support import isolated, load, write  # noqa: F401  (isolated: autouse fixture)

import bmstui.config as config_module
from bmstui.config import (
    ENV_KEYS,
    TOML_KEYS,
    ConfigError,
    Settings,
    load_settings,
    mask_url,
)
from bmstui.store.db import make_database

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED_TOML = REPO_ROOT / "bmstui.toml"


@pytest.fixture
def user_file(tmp_path) -> Path:
    path = tmp_path / "user-config" / "bmstui" / "bmstui.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# --- defaults ------------------------------------------------------------------------------------


def test_nothing_configured_gives_the_defaults():
    settings = load()
    assert settings == Settings(terminal=settings.terminal)
    assert settings.source == "defaults"
    assert settings.database_url == ""
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.resolved_database_url.endswith("bmstui.db")
    assert settings.hold_seconds == 480
    assert settings.max_seats == 10
    assert settings.cancellation_cutoff_minutes == 60
    assert settings.locking == "conditional"
    assert settings.terminal  # the host name, never empty


def _shipped_doc() -> dict:
    assert SHIPPED_TOML.is_file(), f"the shipped {SHIPPED_TOML.name} is missing at the repo root"
    return tomllib.loads(SHIPPED_TOML.read_text(encoding="utf-8"))


def test_shipped_bmstui_toml_documents_the_defaults():
    doc = _shipped_doc()
    defaults = Settings()
    documented = {
        (table, key): value
        for table, section in doc.items()
        if isinstance(section, dict)
        for key, value in section.items()
    }
    unknown = sorted(f"[{t}] {k}" for t, k in documented if (t, k) not in TOML_KEYS)
    assert not unknown, f"bmstui.toml documents keys bmstui does not read: {unknown}"
    for must in (
        ("booking", "hold_seconds"),
        ("booking", "max_seats"),
        ("cancellation", "cutoff_minutes"),
        ("cancellation", "refund_tiers"),
        ("cancellation", "allow_override"),
        ("booking", "locking"),
    ):
        assert must in documented, f"bmstui.toml does not document [{must[0]}] {must[1]}"
    for (table, key), value in documented.items():
        attr = TOML_KEYS[(table, key)]
        if attr == "terminal":
            continue  # the default is this machine's host name
        assert value == getattr(defaults, attr), (
            f"bmstui.toml says [{table}] {key} = {value!r}, the built-in default is "
            f"{getattr(defaults, attr)!r}"
        )


def test_shipped_bmstui_toml_loads_to_the_defaults():
    _shipped_doc()
    settings = load(config=SHIPPED_TOML)
    assert settings.source == str(SHIPPED_TOML)
    expected = Settings(terminal=settings.terminal, source=str(SHIPPED_TOML))
    assert settings == expected


# --- precedence, key by key ----------------------------------------------------------------------


def test_each_layer_wins_only_the_keys_it_sets(isolated):
    toml = write(
        isolated / "layers.toml",
        """
[database]
pool_size = 3
[booking]
hold_seconds = 100
max_seats = 4
locking = "pessimistic"
cancellation_cutoff_minutes = 30
[terminal]
name = "from-toml"
poll_interval = 0.5
[payments]
gateway_latency_ms = 11
decline_rate = 0.1
""",
    )
    dotenv = write(
        isolated / "layers.env",
        "BMSTUI_HOLD_SECONDS=200\nBMSTUI_MAX_SEATS=5\nBMSTUI_TERMINAL=from-dotenv\n"
        "BMSTUI_GATEWAY_LATENCY_MS=22\n",
    )
    env = {"BMSTUI_MAX_SEATS": "6", "BMSTUI_TERMINAL": "from-env", "BMSTUI_POOL_SIZE": "5"}
    settings = load(
        config=toml, dotenv=dotenv, env=env, overrides={"terminal": "from-flag", "locking": None}
    )
    assert settings.terminal == "from-flag"  # flag > env > .env > toml
    assert settings.max_seats == 6  # env > .env > toml
    assert settings.pool_size == 5  # env > toml
    assert settings.hold_seconds == 200  # .env > toml
    assert settings.gateway_latency_ms == 22  # .env > toml
    assert settings.locking == "pessimistic"  # toml (a None flag is "not given")
    assert settings.cancellation_cutoff_minutes == 30  # toml only
    assert settings.poll_interval == 0.5
    assert settings.gateway_decline_rate == 0.1
    assert settings.max_extensions == Settings().max_extensions  # nobody set it: default
    assert settings.extend_seconds == 240
    assert settings.source == str(toml)


@pytest.mark.parametrize("name, attr", sorted(ENV_KEYS.items()))
def test_every_env_key_beats_dotenv_which_beats_toml(isolated, name, attr):
    values = {
        "database_url": ("sqlite:///toml.db", "sqlite:///dotenv.db", "sqlite:///env.db"),
        "pool_size": ("2", "3", "4"),
        "hold_seconds": ("100", "200", "300"),
        "max_seats": ("2", "3", "4"),
        "locking": ("conditional", "pessimistic", "conditional"),
        "terminal": ("t-toml", "t-dotenv", "t-env"),
        "poll_interval": ("0.5", "0.75", "1.5"),
        "gateway_latency_ms": ("1", "2", "3"),
        "gateway_decline_rate": ("0.1", "0.2", "0.3"),
        "cancellation_cutoff_minutes": ("30", "45", "90"),
        "refund_tiers": ("120:100", "90:50", "60:75, 30:10"),
        "allow_cancel_override": ("false", "true", "false"),
        "cleaning_gap_minutes": ("10", "20", "30"),
        "timezone": ("Europe/London", "Asia/Kolkata", "America/New_York"),
        "lock_after_minutes": ("0", "2.5", "10"),
        "log_level": ("DEBUG", "WARNING", "ERROR"),
        "log_dir": ("/tmp/log-toml", "/tmp/log-dotenv", "/tmp/log-env"),
        "api_host": ("0.0.0.0", "127.0.0.2", "::1"),
        "api_port": ("8001", "8002", "8003"),
        "api_workers": ("2", "3", "4"),
        "api_threads": ("8", "16", "32"),
        "api_hold_seconds": ("60", "90", "120"),
        "api_requests_per_second": ("5", "7.5", "50"),
        "api_max_open_holds": ("3", "4", "5"),
        "api_max_body_bytes": ("1000", "2000", "3000"),
        "api_public_catalog": ("false", "true", "false"),
    }[attr]
    table, key = next(tk for tk, a in TOML_KEYS.items() if a == attr)
    raw = values[0]
    kind = type(getattr(Settings(), attr))
    toml_value = f'"{raw}"' if kind is str else raw
    if kind is bool:
        kind = "true".__eq__
    toml = write(isolated / "c.toml", f"[{table}]\n{key} = {toml_value}\n")
    dotenv = write(isolated / "d.env", f"{name}={values[1]}\n")

    assert getattr(load(config=toml), attr) == kind(values[0])
    assert getattr(load(config=toml, dotenv=dotenv), attr) == kind(values[1])
    assert getattr(load(config=toml, dotenv=dotenv, env={name: values[2]}), attr) == kind(
        values[2]
    )


def test_flags_are_coerced_and_beat_everything(isolated):
    dotenv = write(isolated / "d.env", "BMSTUI_DATABASE_URL=sqlite:///dotenv.db\n")
    settings = load(
        dotenv=dotenv,
        env={"BMSTUI_DATABASE_URL": "sqlite:///env.db", "BMSTUI_HOLD_SECONDS": "10"},
        overrides={"database_url": "sqlite:///flag.db", "hold_seconds": "30"},
    )
    assert settings.database_url == "sqlite:///flag.db"
    assert settings.hold_seconds == 30.0 and isinstance(settings.hold_seconds, float)


def test_empty_variables_count_as_unset(isolated):
    toml = write(isolated / "c.toml", "[booking]\nmax_seats = 7\n")
    settings = load(config=toml, env={"BMSTUI_MAX_SEATS": "", "BMSTUI_DATABASE_URL": ""})
    assert settings.max_seats == 7
    assert settings.database_url == ""


def test_dotenv_is_read_but_never_exported(isolated, monkeypatch):
    monkeypatch.delenv("BMSTUI_LEAK_CHECK", raising=False)
    dotenv = write(isolated / "d.env", "BMSTUI_TERMINAL=dot\nBMSTUI_LEAK_CHECK=1\n")
    import os

    assert load(dotenv=dotenv).terminal == "dot"
    assert "BMSTUI_LEAK_CHECK" not in os.environ


def test_missing_dotenv_file_is_fine():
    assert load(dotenv="does-not-exist.env").max_seats == 10


def test_dotenv_default_path_is_dot_env_in_the_cwd(isolated):
    write(isolated / ".env", "BMSTUI_TERMINAL=cwd-dotenv\n")
    settings = load_settings(environ={})  # dotenv_path left at its default ".env"
    assert settings.terminal == "cwd-dotenv"


# --- config file discovery -----------------------------------------------------------------------


def _toml_naming(terminal: str) -> str:
    return f'[terminal]\nname = "{terminal}"\n'


def test_discovery_order(isolated, user_file, tmp_path):
    explicit = write(tmp_path / "explicit.toml", _toml_naming("explicit"))
    from_env = write(tmp_path / "from-env.toml", _toml_naming("from-env"))
    write(isolated / "bmstui.toml", _toml_naming("cwd"))
    write(user_file, _toml_naming("user"))
    env = {"BMSTUI_CONFIG": str(from_env)}

    assert load(config=explicit, env=env).terminal == "explicit"
    assert load(env=env).terminal == "from-env"
    settings = load()
    assert settings.terminal == "cwd"
    assert Path(settings.source).resolve() == (isolated / "bmstui.toml").resolve()
    (isolated / "bmstui.toml").unlink()
    settings = load()
    assert settings.terminal == "user"
    assert settings.source == str(user_file)
    user_file.unlink()
    settings = load()
    assert settings.source == "defaults"


def test_user_config_dir_comes_from_platformdirs(tmp_path, monkeypatch):
    import bmstui.paths

    # The real bmstui.config.user_config_file again, over a fake platformdirs.
    monkeypatch.setattr(config_module, "user_config_file", bmstui.paths.user_config_file)

    config_home = tmp_path / "xdg-config"
    monkeypatch.setattr(
        bmstui.paths.platformdirs,
        "user_config_dir",
        lambda appname, appauthor=None, **_: str(config_home / appname),
    )
    write(config_home / "bmstui" / "bmstui.toml", _toml_naming("platformdirs"))
    settings = load()
    assert settings.terminal == "platformdirs"
    assert settings.source == str(config_home / "bmstui" / "bmstui.toml")


def test_explicit_config_that_is_missing_is_an_error(tmp_path, isolated):
    write(isolated / "bmstui.toml", _toml_naming("cwd"))  # must not be used as a fallback
    missing = tmp_path / "nope" / "bmstui.toml"
    with pytest.raises(ConfigError, match="config file not found") as info:
        load(config=missing)
    assert str(missing) in str(info.value)


def test_bmstui_config_variable_that_is_missing_is_an_error(tmp_path, isolated):
    write(isolated / "bmstui.toml", _toml_naming("cwd"))
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="config file not found") as info:
        load(env={"BMSTUI_CONFIG": str(missing)})
    assert str(missing) in str(info.value)


def test_explicit_config_wins_over_a_missing_bmstui_config(tmp_path):
    explicit = write(tmp_path / "explicit.toml", _toml_naming("explicit"))
    settings = load(config=explicit, env={"BMSTUI_CONFIG": str(tmp_path / "nope.toml")})
    assert settings.terminal == "explicit"


def test_config_path_expands_the_home_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    write(tmp_path / "cfg" / "b.toml", _toml_naming("home"))
    assert load(config="~/cfg/b.toml").terminal == "home"


# --- the database URL and DB_* parts -------------------------------------------------------------


def test_bmstui_database_url_replaces_the_toml_url(isolated):
    toml = write(isolated / "c.toml", '[database]\nurl = "mysql://app@db1:3306/bmstui"\n')
    settings = load(config=toml, env={"BMSTUI_DATABASE_URL": "sqlite:///elsewhere.db"})
    assert settings.database_url == "sqlite:///elsewhere.db"


def test_db_parts_build_a_mysql_url_from_nothing():
    settings = load(
        env={
            "DB_HOST": "db.local",
            "DB_PORT": "3307",
            "DB_USER": "counter",
            "DB_PASSWORD": "pw",
            "DB_NAME": "cinema",
        }
    )
    assert settings.database_url == "mysql://counter:pw@db.local:3307/cinema"


def test_db_host_alone_gives_mysql_with_defaults():
    url = urlsplit(load(env={"DB_HOST": "db.local"}).database_url)
    assert url.scheme == "mysql"
    assert (url.username, url.password, url.hostname, url.port, url.path) == (
        "root",
        None,
        "db.local",
        3306,
        "/bmstui",
    )


def test_toml_url_without_password_plus_dotenv_password(isolated):
    toml = write(
        isolated / "c.toml", '[database]\nurl = "mysql://counter@db.local:3307/cinema"\n'
    )
    dotenv = write(isolated / "d.env", "DB_PASSWORD=from-dotenv\n")
    assert load(config=toml).database_url == "mysql://counter@db.local:3307/cinema"
    settings = load(config=toml, dotenv=dotenv)
    assert settings.database_url == "mysql://counter:from-dotenv@db.local:3307/cinema"


def test_db_parts_override_single_parts_layer_by_layer(isolated):
    toml = write(
        isolated / "c.toml",
        '[database]\nurl = "mysql://counter:old@db.local:3307/cinema?charset=utf8mb4"\n',
    )
    dotenv = write(isolated / "d.env", "DB_PASSWORD=dotenv-pw\nDB_HOST=dotenv-host\n")
    settings = load(config=toml, dotenv=dotenv, env={"DB_HOST": "env-host", "DB_NAME": "other"})
    url = urlsplit(settings.database_url)
    assert url.username == "counter"  # toml
    assert url.password == "dotenv-pw"  # .env beats toml
    assert url.hostname == "env-host"  # environment beats .env
    assert url.port == 3307  # toml
    assert url.path == "/other"  # environment
    assert url.query == "charset=utf8mb4"  # kept


def test_dotenv_password_survives_a_host_from_the_environment(isolated):
    dotenv = write(isolated / "d.env", "DB_PASSWORD=from-dotenv\nDB_USER=counter\n")
    settings = load(dotenv=dotenv, env={"DB_HOST": "db.local", "DB_USER": "env-user"})
    assert settings.database_url == "mysql://env-user:from-dotenv@db.local:3306/bmstui"


def test_environment_password_applies_to_a_dotenv_url(isolated):
    dotenv = write(isolated / "d.env", "BMSTUI_DATABASE_URL=mysql://app@db:3306/cinema\n")
    settings = load(dotenv=dotenv, env={"DB_PASSWORD": "env-pw"})
    assert settings.database_url == "mysql://app:env-pw@db:3306/cinema"


def test_environment_url_replaces_lower_layers_outright(isolated):
    toml = write(isolated / "c.toml", '[database]\nurl = "mysql://t:toml-pw@toml-host/t"\n')
    dotenv = write(isolated / "d.env", "DB_PASSWORD=dotenv-pw\nDB_HOST=dotenv-host\n")
    settings = load(
        config=toml, dotenv=dotenv, env={"BMSTUI_DATABASE_URL": "mysql://app@db:3306/cinema"}
    )
    assert settings.database_url == "mysql://app@db:3306/cinema"


def test_db_parts_apply_on_top_of_bmstui_database_url_in_the_same_layer():
    settings = load(
        env={"BMSTUI_DATABASE_URL": "mysql://app@db:3306/bmstui", "DB_PASSWORD": "pw"}
    )
    assert settings.database_url == "mysql://app:pw@db:3306/bmstui"


@pytest.mark.parametrize("lonely", ["DB_PASSWORD", "DB_USER", "DB_PORT"])
def test_lone_credentials_do_not_turn_sqlite_into_mysql(isolated, lonely):
    value = "3307" if lonely == "DB_PORT" else "x"
    assert load(env={lonely: value}).database_url == ""
    toml = write(isolated / "c.toml", '[database]\nurl = "sqlite:///kept.db"\n')
    assert load(config=toml, env={lonely: value}).database_url == "sqlite:///kept.db"
    assert load(env={lonely: value}).resolved_database_url.startswith("sqlite:///")


@pytest.mark.parametrize("password", ["p@ss:w/rd", "100% sure#?&=", "pä$$wörd"])
def test_special_password_is_quoted_and_round_trips(isolated, password):
    dotenv = write(isolated / "d.env", f"DB_PASSWORD='{password}'\n")
    settings = load(dotenv=dotenv, env={"DB_HOST": "db.local", "DB_USER": "us@er"})
    url = urlsplit(settings.database_url)
    assert url.hostname == "db.local" and url.port == 3306 and url.path == "/bmstui"
    assert unquote(url.password) == password
    assert unquote(url.username) == "us@er"
    # The driver gets the password back verbatim.
    db = make_database(settings.database_url)
    assert db.connect_params["password"] == password
    assert db.connect_params["user"] == "us@er"
    assert db.connect_params["host"] == "db.local"
    # A later DB_* override keeps the quoted password intact (unquote, then quote again).
    again = load(
        config=write(isolated / "c.toml", f'[database]\nurl = "{settings.database_url}"\n'),
        env={"DB_NAME": "other"},
    )
    assert make_database(again.database_url).connect_params["password"] == password
    assert make_database(again.database_url).database == "other"
    assert password not in mask_url(settings.database_url)
    assert url.password not in mask_url(settings.database_url)


def test_non_numeric_db_port_is_a_config_error():
    with pytest.raises(ConfigError, match="abc"):
        load(env={"DB_HOST": "db.local", "DB_PORT": "abc"})


def test_refund_tiers_read_from_a_toml_array_and_checked(isolated):
    toml = write(isolated / "c.toml",
                 "[cancellation]\nrefund_tiers = [[180, 100], [60, 50]]\nallow_override = true\n")
    settings = load(config=toml)
    assert settings.refund_tiers == "180:100, 60:50"
    assert settings.allow_cancel_override is True
    bad = write(isolated / "bad.toml", '[cancellation]\nrefund_tiers = "120:150"\n')
    with pytest.raises(ConfigError, match="refund_tiers"):
        load(config=bad)
    with pytest.raises(ConfigError, match="true or false"):
        load(env={"BMSTUI_ALLOW_CANCEL_OVERRIDE": "maybe"})
