"""The last resort: a bug in a screen is logged with its traceback and shown, and the app and
that screen go on working (screens/last_resort.py)."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from bmstui import logs
from bmstui.config import get_settings
from screens.background import run_service
from tests.ui_support import make_app, noticed, wait_for


class Broken(Exception):
    pass


class BuggyScreen(Screen):
    """Every way a screen's code runs, each with a bug on demand."""

    BINDINGS = [Binding("b", "boom", "Boom"), Binding("k", "fine", "Fine"),
                Binding("w", "worker_boom", "Worker")]

    def __init__(self) -> None:
        super().__init__()
        self.fine = 0
        self.ticks = 0

    def compose(self) -> ComposeResult:
        yield Static("buggy")
        yield Input(id="typed")

    def on_mount(self) -> None:
        self.set_interval(0.01, self._tick)

    def _tick(self) -> None:
        self.ticks += 1
        if self.ticks == 3:
            raise Broken("timer bug")

    def action_boom(self) -> None:
        raise Broken("action bug with mysql://root:s3cret@db:3306/x in it")

    def action_fine(self) -> None:
        self.fine += 1

    def action_worker_boom(self) -> None:
        run_service(self, lambda: 42, done=self._done)

    def _done(self, value) -> None:
        raise Broken(f"callback bug after {value}")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.value == "x":
            raise Broken("handler bug")


async def test_a_bug_in_a_screen_is_logged_shown_and_survived(demo_db, tmp_path):
    log_path = logs.setup(replace(get_settings(), log_dir=str(tmp_path / "logs")))
    app = make_app(tmp_path, strict_errors=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = BuggyScreen()
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.ticks > 5, what="the timer to go on after its bug")
        screen.set_focus(None)  # keys go to the screen's bindings until the input is focused

        await pilot.press("b")
        await wait_for(pilot, lambda: noticed(app, "action bug"), what="the notice")
        await pilot.press("k")  # the screen still takes keys
        await wait_for(pilot, lambda: screen.fine == 1, what="the next key")

        screen.query_one("#typed", Input).focus()
        await pilot.press("x")  # its handler raises
        await pilot.press("k")
        await wait_for(pilot, lambda: noticed(app, "handler bug"), what="the handler's notice")
        await pilot.press("y")  # the input still reads keys after its screen's handler failed
        await wait_for(pilot, lambda: screen.query_one("#typed", Input).value == "xky")

        screen.set_focus(None)
        await pilot.press("w")
        await wait_for(pilot, lambda: noticed(app, "callback bug after 42"), what="callback")
        assert app.is_running and app.screen is screen
        assert app.return_code is None
    assert [str(e) for e in app.unexpected.errors][:1] == ["timer bug"]
    assert not any("s3cret" in str(n.message) for n in app._notifications)
    text = log_path.read_text(encoding="utf-8")
    for bug in ("timer bug", "action bug", "handler bug", "callback bug after 42"):
        assert bug in text
    assert text.count("Traceback (most recent call last)") >= 4
    assert "in action_boom" in text and "raise Broken" in text
    assert "s3cret" not in text and "root:***@db" in text


async def test_a_repeating_bug_is_written_once_in_full_then_counted(demo_db, tmp_path):
    log_path = logs.setup(replace(get_settings(), log_dir=str(tmp_path / "logs")))
    app = make_app(tmp_path, strict_errors=False)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = BuggyScreen()
        await app.push_screen(screen)
        await pilot.pause()
        screen.set_focus(None)
        for _ in range(8):
            await pilot.press("b")
        await wait_for(pilot, lambda: len(app.unexpected.errors) >= 8, what="eight reports")
        assert sum("action bug" in str(n.message) for n in app._notifications) == 1
    text = log_path.read_text(encoding="utf-8")
    assert text.count("in action_boom") == 1  # one traceback of it (the timer has its own)
    assert "again (8 times so far)" in text


async def test_tests_still_fail_on_an_unexpected_error(demo_db, tmp_path):
    app = make_app(tmp_path)  # strict, as every other UI test
    raised = None
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = BuggyScreen()
            await app.push_screen(screen)
            await pilot.pause()
            screen.set_focus(None)
            await pilot.press("b")
            await wait_for(pilot, lambda: noticed(app, "action bug"), what="the notice")
            assert app.is_running  # the app went on ...
    except Broken as exc:  # ... and the test learns of the bug at the end
        raised = exc
    assert isinstance(raised, Broken)  # the first one (the timer's, which comes first)
