"""Settings for one bmstui terminal, and where each one comes from.

Files and variables read, lowest precedence first (a later layer wins key by key):

1. built-in defaults (the values documented in the shipped ``bmstui.toml``);
2. a TOML file: ``--config PATH``, else ``$BMSTUI_CONFIG``, else ``./bmstui.toml``,
   else ``bmstui.toml`` in the user config directory (``platformdirs``);
3. ``./.env`` (python-dotenv; read, never exported into ``os.environ``);
4. the process environment;
5. command-line flags.

In layers 3 and 4, ``BMSTUI_DATABASE_URL`` replaces the database URL outright, while the classic
``DB_HOST``, ``DB_PORT``, ``DB_USER``, ``DB_PASSWORD`` and ``DB_NAME`` override single parts of
whatever URL the lower layers gave. That keeps secrets out of ``bmstui.toml``: put the URL without a
password there and ``DB_PASSWORD`` in ``.env``. Other ``BMSTUI_*`` variables are listed in ``ENV_KEYS``.
"""

from __future__ import annotations

import math
import os
import socket
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from dotenv import dotenv_values

from bmstui.domain.clock import chain_zone as default_chain_zone
from bmstui.domain.clock import use_chain_zone
from bmstui.domain.errors import ConfigError
from bmstui.paths import default_sqlite_path, user_config_file

LOCKING_STRATEGIES = ("conditional", "pessimistic")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    database_url: str = ""  # empty = embedded SQLite in the user data directory
    pool_size: int = 8
    hold_seconds: float = 480.0
    max_seats: int = 10
    max_extensions: int = 1
    extend_seconds: float = 240.0
    cancellation_cutoff_minutes: int = 60
    refund_tiers: str = "120:100, 60:75"  # "minutes before the show:percent refunded", ...
    allow_cancel_override: bool = False  # past the cutoff, cancel anyway with a recorded reason
    cleaning_gap_minutes: int = 15  # between one show's end and the next start on a screen
    locking: str = "conditional"
    poll_interval: float = 0.25
    terminal: str = field(default_factory=lambda: socket.gethostname() or "counter")
    lock_after_minutes: float = 5.0  # idle counter locks after this long without input; 0 = off
    gateway_latency_ms: int = 400
    gateway_decline_rate: float = 0.0
    # IANA zone of theaters that name none; empty = this machine's (bmstui.domain.clock).
    timezone: str = ""
    log_level: str = "INFO"  # DEBUG, INFO, WARNING, ERROR or CRITICAL
    log_dir: str = ""  # empty = the user log folder (platformdirs)
    # The online channel (bmstui serve, bmstui/api).
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_workers: int = 1
    # Request threads per server process. Most of a sale's time is the bank's (the gateway) or
    # a wait for one of the process's database connections, neither of which uses the CPU.
    api_threads: int = 64
    api_hold_seconds: float = 0.0  # an online hold's time; 0 = booking.hold_seconds
    api_requests_per_second: float = 20.0  # per key (per address without one), each server
    api_max_open_holds: int = 20  # live holds per channel: no bot holds a hall
    api_max_body_bytes: int = 16_384
    api_public_catalog: bool = True  # catalog reads without a key
    source: str = "defaults"  # which config file was read, for `bmstui doctor`

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{default_sqlite_path()}"


# TOML table/key -> Settings attribute.
TOML_KEYS: dict[tuple[str, str], str] = {
    ("database", "url"): "database_url",
    ("database", "pool_size"): "pool_size",
    ("booking", "hold_seconds"): "hold_seconds",
    ("booking", "max_seats"): "max_seats",
    ("booking", "max_extensions"): "max_extensions",
    ("booking", "extend_seconds"): "extend_seconds",
    ("booking", "cancellation_cutoff_minutes"): "cancellation_cutoff_minutes",
    ("cancellation", "cutoff_minutes"): "cancellation_cutoff_minutes",
    ("cancellation", "refund_tiers"): "refund_tiers",
    ("cancellation", "allow_override"): "allow_cancel_override",
    ("booking", "locking"): "locking",
    ("scheduling", "cleaning_gap_minutes"): "cleaning_gap_minutes",
    ("terminal", "name"): "terminal",
    ("terminal", "poll_interval"): "poll_interval",
    ("terminal", "lock_after_minutes"): "lock_after_minutes",
    ("payments", "gateway_latency_ms"): "gateway_latency_ms",
    ("payments", "decline_rate"): "gateway_decline_rate",
    ("cinema", "timezone"): "timezone",
    ("log", "level"): "log_level",
    ("log", "dir"): "log_dir",
    ("api", "host"): "api_host",
    ("api", "port"): "api_port",
    ("api", "workers"): "api_workers",
    ("api", "threads"): "api_threads",
    ("api", "hold_seconds"): "api_hold_seconds",
    ("api", "requests_per_second"): "api_requests_per_second",
    ("api", "max_open_holds"): "api_max_open_holds",
    ("api", "max_body_bytes"): "api_max_body_bytes",
    ("api", "public_catalog"): "api_public_catalog",
}

# Environment / .env variable -> Settings attribute (the database parts are handled apart).
ENV_KEYS: dict[str, str] = {
    "BMSTUI_DATABASE_URL": "database_url",
    "BMSTUI_POOL_SIZE": "pool_size",
    "BMSTUI_HOLD_SECONDS": "hold_seconds",
    "BMSTUI_MAX_SEATS": "max_seats",
    "BMSTUI_LOCKING": "locking",
    "BMSTUI_CANCELLATION_CUTOFF_MINUTES": "cancellation_cutoff_minutes",
    "BMSTUI_REFUND_TIERS": "refund_tiers",
    "BMSTUI_ALLOW_CANCEL_OVERRIDE": "allow_cancel_override",
    "BMSTUI_CLEANING_GAP_MINUTES": "cleaning_gap_minutes",
    "BMSTUI_TERMINAL": "terminal",
    "BMSTUI_POLL_INTERVAL": "poll_interval",
    "BMSTUI_LOCK_AFTER_MINUTES": "lock_after_minutes",
    "BMSTUI_GATEWAY_LATENCY_MS": "gateway_latency_ms",
    "BMSTUI_GATEWAY_DECLINE_RATE": "gateway_decline_rate",
    "BMSTUI_TIMEZONE": "timezone",
    "BMSTUI_LOG_LEVEL": "log_level",
    "BMSTUI_LOG_DIR": "log_dir",
    "BMSTUI_API_HOST": "api_host",
    "BMSTUI_API_PORT": "api_port",
    "BMSTUI_API_WORKERS": "api_workers",
    "BMSTUI_API_THREADS": "api_threads",
    "BMSTUI_API_HOLD_SECONDS": "api_hold_seconds",
    "BMSTUI_API_REQUESTS_PER_SECOND": "api_requests_per_second",
    "BMSTUI_API_MAX_OPEN_HOLDS": "api_max_open_holds",
    "BMSTUI_API_MAX_BODY_BYTES": "api_max_body_bytes",
    "BMSTUI_API_PUBLIC_CATALOG": "api_public_catalog",
}

DB_PART_KEYS = ("DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD", "DB_NAME")


def mask_url(url: str) -> str:
    """The URL with its password replaced by ***, safe to print or log."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable database url>"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]  # host[:port] as written (keeps [::1], bad ports)
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _apply_db_parts(url: str, env: Mapping[str, str]) -> str:
    """Override single parts of a MySQL URL from DB_* variables (see module docstring)."""
    given = {k: env[k] for k in DB_PART_KEYS if env.get(k) not in (None, "")}
    if not given:
        return url
    parts = urlsplit(url) if url else None
    is_mysql = bool(parts and parts.scheme.startswith("mysql"))
    if not is_mysql and not ({"DB_HOST", "DB_NAME"} & given.keys()):
        return url  # a lone DB_PASSWORD means nothing to the embedded SQLite database
    user = given.get("DB_USER", unquote(parts.username) if is_mysql and parts.username else "root")
    password = given.get(
        "DB_PASSWORD", unquote(parts.password) if is_mysql and parts.password else ""
    )
    host = given.get("DB_HOST", parts.hostname if is_mysql and parts.hostname else "127.0.0.1")
    port = given.get("DB_PORT", str(parts.port) if is_mysql and parts.port else "3306")
    name = given.get("DB_NAME", parts.path.lstrip("/") if is_mysql and parts.path else "bmstui")
    scheme = parts.scheme if is_mysql else "mysql"
    auth = quote(user, safe="")
    if password:
        auth += ":" + quote(password, safe="")
    query = parts.query if is_mysql else ""
    return urlunsplit((scheme, f"{auth}@{host}:{port}", "/" + name, query, ""))


TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def _coerce_bool(value: Any, origin: str) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS or word in FALSE_WORDS:
        return word in TRUE_WORDS
    raise ConfigError(f"{origin}: expected true or false, got {value!r}")


def _tiers_text(value: Any) -> Any:
    """TOML may write refund tiers as [[120, 100], [60, 75]]; keep them as "120:100, 60:75"."""
    if isinstance(value, list) and all(isinstance(t, list) and len(t) == 2 for t in value):
        return ", ".join(f"{minutes}:{percent}" for minutes, percent in value)
    return value


def _coerce(attr: str, value: Any, origin: str) -> Any:
    target = next(f for f in fields(Settings) if f.name == attr)
    if str(target.type) == "bool":
        return _coerce_bool(value, origin)
    if attr == "refund_tiers":
        value = _tiers_text(value)
    kind = {"int": int, "float": float, "str": str}[str(target.type)]
    try:
        # TOML booleans are not numbers, and a list or table is not a name or a URL.
        if isinstance(value, bool) or (kind is int and isinstance(value, float)):
            raise ValueError
        if kind is str and not isinstance(value, str):
            raise ValueError
        coerced = kind(value)
        if kind is float and not math.isfinite(coerced):
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(f"{origin}: expected {kind.__name__}, got {value!r}") from None
    return coerced


def find_config_file(explicit: str | os.PathLike | None, env: Mapping[str, str]) -> Path | None:
    """The TOML file to read: --config, $BMSTUI_CONFIG, ./bmstui.toml, the user config dir."""
    for candidate, must_exist in (
        (explicit, True),
        (env.get("BMSTUI_CONFIG"), True),
        ("bmstui.toml", False),
        (user_config_file(), False),
    ):
        if not candidate:
            continue
        path = Path(candidate).expanduser()
        if path.is_file():
            return path
        if must_exist:
            raise ConfigError(f"config file not found: {path}")
    return None


def _toml_layer(path: Path) -> dict[str, Any]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    layer: dict[str, Any] = {}
    for (table, key), attr in TOML_KEYS.items():
        section = doc.get(table, {})
        if not isinstance(section, dict):
            raise ConfigError(f"{path}: [{table}] must be a table, got {section!r}")
        if key in section:
            layer[attr] = _coerce(attr, section[key], f"{path} [{table}] {key}")
    return layer


def _env_layer(env: Mapping[str, str], origin: str) -> dict[str, Any]:
    return {
        attr: _coerce(attr, env[name], f"{origin} {name}")
        for name, attr in ENV_KEYS.items()
        if env.get(name) not in (None, "")
    }


def load_settings(
    *,
    config: str | os.PathLike | None = None,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | os.PathLike | None = ".env",
) -> Settings:
    """Merge every layer into one Settings; ``overrides`` are the command-line flags."""
    env = dict(os.environ if environ is None else environ)
    dotenv = {}
    if dotenv_path and Path(dotenv_path).is_file():
        dotenv = {k: v for k, v in dotenv_values(dotenv_path).items() if v is not None}

    settings = Settings()
    path = find_config_file(config, env)
    if path is not None:
        settings = replace(settings, source=str(path), **_toml_layer(path))
    # DB_* parts merge key by key across .env and the environment (DB_PASSWORD in .env plus
    # DB_HOST in the environment is one URL); a higher layer's BMSTUI_DATABASE_URL replaces the
    # URL outright, lower layers' parts included.
    db_parts: dict[str, str] = {}
    for layer_env, origin in ((dotenv, ".env"), (env, "environment")):
        layer = _env_layer(layer_env, origin)
        if "database_url" in layer:
            db_parts = {}
        db_parts.update({k: layer_env[k] for k in DB_PART_KEYS if layer_env.get(k)})
        settings = replace(settings, **layer)
    settings = replace(settings, database_url=_apply_db_parts(settings.database_url, db_parts))
    flags = {k: v for k, v in (overrides or {}).items() if v is not None}
    for attr, value in flags.items():
        flags[attr] = _coerce(attr, value, f"--{attr.replace('_', '-')}")
    settings = _check_timezone(replace(settings, **flags))
    validate(settings)
    return settings


def _check_timezone(settings: Settings) -> Settings:
    """The chain default zone, checked and stripped; left empty it means this machine's zone,
    looked up when first needed (``bmstui.domain.clock.default_zone_name``)."""
    from bmstui.domain.clock import check_zone

    if not settings.timezone.strip():
        return replace(settings, timezone="")
    try:
        return replace(settings, timezone=check_zone(settings.timezone))
    except ValueError as exc:
        raise ConfigError(f"cinema.timezone: {exc}") from None


def validate(settings: Settings) -> None:
    if settings.locking not in LOCKING_STRATEGIES:
        raise ConfigError(
            f"booking.locking must be one of {', '.join(LOCKING_STRATEGIES)}, "
            f"not {settings.locking!r}"
        )
    for attr in ("hold_seconds", "max_seats", "pool_size", "poll_interval"):
        if getattr(settings, attr) <= 0:
            raise ConfigError(f"{attr} must be positive, got {getattr(settings, attr)}")
    if settings.log_level.strip().upper() not in LOG_LEVELS:
        raise ConfigError(f"log.level must be one of {', '.join(LOG_LEVELS)}, "
                          f"not {settings.log_level!r}")
    if not 0.0 <= settings.gateway_decline_rate <= 1.0:
        raise ConfigError("payments.decline_rate must be between 0 and 1")
    if settings.cancellation_cutoff_minutes < 0:
        raise ConfigError("cancellation.cutoff_minutes cannot be negative")
    if settings.cleaning_gap_minutes < 0:
        raise ConfigError("scheduling.cleaning_gap_minutes cannot be negative")
    if not 0 < settings.api_port < 65536 or not 1 <= settings.api_workers <= 64:
        raise ConfigError("api.port is 1-65535 and api.workers 1-64")
    if not 1 <= settings.api_threads <= 1024:
        raise ConfigError("api.threads is 1-1024")
    for attr in ("api_requests_per_second", "api_max_open_holds", "api_max_body_bytes"):
        if getattr(settings, attr) <= 0:
            raise ConfigError(f"api.{attr.removeprefix('api_')} must be positive")
    if settings.api_hold_seconds < 0:
        raise ConfigError("api.hold_seconds cannot be negative (0 = booking.hold_seconds)")
    if settings.lock_after_minutes < 0:
        raise ConfigError("terminal.lock_after_minutes cannot be negative (0 turns the lock off)")
    from bmstui.domain.refund_policy import parse_tiers

    try:
        parse_tiers(settings.refund_tiers)
    except ValueError as exc:
        raise ConfigError(f"cancellation.refund_tiers: {exc}") from None
    try:
        parts = urlsplit(settings.resolved_database_url)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError as exc:
        raise ConfigError(
            f"invalid database url {mask_url(settings.resolved_database_url)}: {exc}"
        ) from None
    scheme = parts.scheme
    if scheme.split("+")[0] not in ("sqlite", "mysql"):
        raise ConfigError(
            f"unsupported database url {mask_url(settings.resolved_database_url)} "
            "(use sqlite:///path or mysql://user:pass@host:port/db)"
        )


# Settings are loaded by an entry point (the command line, the TUI, the scripting API's
# open_database, the test session) and handed down from there; nothing below reads a file.
# A context's own settings (``settings_scope``: a test, a request) win over the process's.
_scoped: ContextVar[Settings | None] = ContextVar("bmstui_settings", default=None)
_process: Settings | None = None


def get_settings() -> Settings:
    """The settings an entry point handed in. A script that calls a service before
    ``bmstui.open_database()`` gets them loaded once here, as the command line would."""
    current = _scoped.get() or _process
    if current is None:
        current = use_settings(load_settings())
    return current


def use_settings(settings: Settings | None) -> Settings | None:
    """Hand this process its settings (None: forget them); returns them."""
    global _process
    _process = settings
    _scoped.set(None)
    use_chain_zone(settings.timezone if settings else "")
    return settings


@contextmanager
def settings_scope(settings: Settings) -> Iterator[Settings]:
    """Use ``settings`` within this context only (and in tasks it starts), then restore."""
    token = _scoped.set(settings)
    zone_before = default_chain_zone()
    use_chain_zone(settings.timezone)
    try:
        yield settings
    finally:
        _scoped.reset(token)
        use_chain_zone(zone_before)
