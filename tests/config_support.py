"""Helpers shared by the configuration tests: an isolated machine and a one-call loader.

Every load passes ``environ=`` and ``dotenv_path=`` explicitly, the working directory is an empty
temporary folder and the user config file points into it, so nothing of the real machine leaks in.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import bmstui.config as config_module
from bmstui.config import Settings, load_settings


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """An empty cwd and a user config file that does not exist (until a test writes it)."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    user_file = tmp_path / "user-config" / "bmstui" / "bmstui.toml"
    monkeypatch.setattr(config_module, "user_config_file", lambda: user_file)
    return work


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(*, env=None, dotenv=None, config=None, overrides=None) -> Settings:
    return load_settings(
        config=config, overrides=overrides, environ=env or {}, dotenv_path=dotenv
    )
