"""Settings are loaded by an entry point and handed down: no service reads a file or the
environment to find them, and a scope's own settings win over the process's."""

from __future__ import annotations

from dataclasses import replace

import pytest
from actor_support import ADMIN

from bmstui import config
from bmstui.domain import clock
from bmstui.services import catalog, reports, sales, seating, zones


def test_services_never_load_settings_themselves(new_show, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a service loaded settings from files")

    monkeypatch.setattr(config, "load_settings", refuse)
    show = new_show()
    held = seating.hold(show, ["A1", "A2"])
    booking = sales.confirm(held.token, method="card")
    assert booking.code
    assert catalog.cities() and zones.today()
    reports.occupancy(day_from=zones.today(), day_to=zones.today(), by=ADMIN)


def test_a_scope_wins_over_the_process_and_is_undone(test_settings):
    scoped = replace(test_settings, terminal="scoped-counter", timezone="America/New_York")
    with config.settings_scope(scoped):
        assert config.get_settings().terminal == "scoped-counter"
        assert clock.default_zone_name() == "America/New_York"
    assert config.get_settings() is test_settings
    assert clock.chain_zone() == test_settings.timezone


def test_the_entry_point_hands_the_chain_zone_to_the_clock(test_settings):
    config.use_settings(replace(test_settings, timezone="Europe/Berlin"))
    try:
        assert clock.default_zone_name() == "Europe/Berlin"
    finally:
        config.use_settings(test_settings)


def test_with_nothing_handed_in_the_settings_are_loaded_once(monkeypatch, test_settings):
    calls = []

    def load(*args, **kwargs):
        calls.append(1)
        return test_settings

    config.use_settings(None)
    monkeypatch.setattr(config, "load_settings", load)
    try:
        assert config.get_settings() is test_settings
        assert config.get_settings() is test_settings
        assert calls == [1]
    finally:
        config.use_settings(test_settings)


@pytest.mark.parametrize("module", ["bmstui.services", "bmstui.domain", "bmstui.store"])
def test_no_service_store_or_rule_reads_a_settings_file(module):
    """Only bmstui.config reads bmstui.toml and .env: nothing below it names them."""
    import importlib
    import pkgutil
    from pathlib import Path

    package = importlib.import_module(module)
    for info in pkgutil.walk_packages(package.__path__, module + "."):
        source = Path(importlib.import_module(info.name).__file__).read_text(encoding="utf-8")
        for needle in ("load_settings(", "dotenv", "tomllib.load(open"):
            assert needle not in source, f"{info.name} uses {needle}"
