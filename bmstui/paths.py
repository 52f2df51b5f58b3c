"""Where bmstui keeps things on disk: the demo catalog, the embedded database, user config."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "bmstui"


def data_dir() -> Path:
    """The demo catalog: bmstui/data inside an installed wheel, else data/ of the source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "data", here.parent / "data"):
        if (candidate / "catalog.toml").is_file():
            return candidate
    raise FileNotFoundError("bmstui demo catalog (data/catalog.toml) is missing from this install")


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def user_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def user_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "bmstui.toml"


def default_sqlite_path() -> Path:
    return user_data_dir() / "bmstui.db"


def terminal_state_file() -> Path:
    """Small per-terminal memory (last city and such); never shared between counters."""
    return user_data_dir() / "terminal.json"
