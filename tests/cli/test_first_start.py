"""First start on a new machine: the demo operators' passwords are shown once, and the clerk is
told how to set new ones, since the passwords are wiped from the screen once noted."""

from __future__ import annotations

import sys


def test_first_start_without_a_terminal_shows_the_passwords_and_how_to_reset_them(
        settings, monkeypatch, tmp_path, capsys):
    from bmstui.cli import core
    from bmstui.paths import default_sqlite_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings(database_url="")
    asked = []
    monkeypatch.setattr("builtins.input", lambda *a: asked.append(a))
    assert not sys.stdin.isatty()

    core.ensure_ready_for_tui()

    out = capsys.readouterr().out
    assert default_sqlite_path().is_file()
    assert "Demo operators" in out
    assert "\x1b[3J" not in out and not asked  # nothing waits, nothing is wiped
    assert out.rstrip().splitlines()[-1] == core.PASSWORD_HINT
    assert "bmstui operator password NAME" in core.PASSWORD_HINT

    core.ensure_ready_for_tui()  # the next start: no passwords, no hint
    assert "Demo operators" not in capsys.readouterr().out


def test_first_start_at_a_terminal_waits_then_wipes_the_passwords(
        settings, monkeypatch, tmp_path):
    import io

    from rich.console import Console

    from bmstui.cli import core

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings(database_url="")
    screen = io.StringIO()
    monkeypatch.setattr(core, "console", Console(file=screen, force_terminal=True, width=120))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt="": asked.append(screen.getvalue()))

    core.ensure_ready_for_tui()

    shown = screen.getvalue()
    assert asked and "Demo operators" in asked[0]  # the passwords were on screen while asked
    after = shown[len(asked[0]):]
    assert after.index("\x1b[2J") < after.index("\x1b[3J")  # screen, then the scrollback
    assert "Demo operators" not in after
    assert core.PASSWORD_HINT in after
