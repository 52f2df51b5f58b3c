"""Nobody acts at the counter without signing in, and a cashier never reaches a manager's desk.

The walks are structural, so a key, a palette entry or an action added later is walked too:
every key bound on the app and on the screen, every app action (``action_*``), every palette
entry, every footer key clicked, and the screens pushed directly. Every screen that reaches
the stack on the way is recorded (a spy on Textual's own push/switch, under the app's gate),
so even one shown for an instant counts.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from textual.app import App
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widgets._footer import FooterKey

import screens
from bmstui.services import operators
from screens.app import BoxOfficeApp
from screens.desk.manager import ManagerScreen
from screens.help import HelpScreen
from screens.login import LoginScreen
from screens.lookup.find import LookupScreen
from screens.lookup.refund import RefundScreen
from screens.sale.city import CityScreen
from screens.widgets.admin_form import FormScreen
from tests.ui_support import make_app, noticed, wait_for, wait_for_screen

QUITTING = {"quit", "suspend_process"}  # would end the run; quit is tested on its own
SIGNED_OUT_SCREENS = (LoginScreen, HelpScreen, CommandPalette)
MANAGER_SCREENS = (ManagerScreen, RefundScreen, FormScreen)


@pytest.fixture
def seen(monkeypatch) -> list[Screen]:
    """Every screen Textual is asked to show, after the app's gate let it through."""
    shown: list[Screen] = []
    push, switch = App.push_screen, App.switch_screen

    def spy_push(self, screen, *args, **kwargs):
        shown.append(screen)
        return push(self, screen, *args, **kwargs)

    def spy_switch(self, screen, *args, **kwargs):
        shown.append(screen)
        return switch(self, screen, *args, **kwargs)

    monkeypatch.setattr(App, "push_screen", spy_push)
    monkeypatch.setattr(App, "switch_screen", spy_switch)
    return shown


def app_actions(app: App, *, runnable: bool = False) -> set[str]:
    """The app's actions; ``runnable``: only those that need no parameters."""
    names = {name for name in dir(app) if name.startswith("action_")}
    if runnable:
        names = {name for name in names
                 if not any(p.default is p.empty for p in
                            inspect.signature(getattr(app, name)).parameters.values())}
    return {name.removeprefix("action_") for name in names}


def bound_keys(app: App) -> set[str]:
    """Every key bound on the app and on the current screen, and every key active now."""
    keys = set(app._bindings.key_to_bindings) | set(app.screen._bindings.key_to_bindings)
    keys |= set(app.screen.active_bindings)
    return {key for key in keys
            if not any(b.action.removeprefix("app.") in QUITTING
                       for node in (app, app.screen)
                       for b in node._bindings.key_to_bindings.get(key, []))}


def check_signed_out(app: BoxOfficeApp, seen: list[Screen], after: str) -> None:
    stack = [type(s).__name__ for s in app.screen_stack]
    assert app.operator is None, after
    for screen in [*app.screen_stack, *seen]:
        assert type(screen) is Screen or isinstance(screen, SIGNED_OUT_SCREENS), (
            f"{after}: {type(screen).__name__} reached while signed out (stack {stack})")


async def back_to(pilot, screen_type) -> None:
    app = pilot.app
    while not isinstance(app.screen, screen_type):
        await app.pop_screen()
        await pilot.pause()


@pytest.mark.slow  # a walk of every key from every focus: the system tier
async def test_signed_out_only_sign_in_help_and_quit_exist(demo_db, tmp_path, seen):
    app = make_app(tmp_path, login=True)
    async with app.run_test(size=(80, 24)) as pilot:
        login = await wait_for_screen(pilot, LoginScreen)

        keys = bound_keys(app)
        assert {"f9", "ctrl+f", "f1", "ctrl+p"} <= keys  # the walk covers the known holes
        for focus in (login.query_one("#login-name"), None):
            for key in sorted(keys):
                login.set_focus(focus)
                await pilot.press(key)
                await pilot.pause()
                check_signed_out(app, seen, f"key {key}")
                await back_to(pilot, LoginScreen)

        actions = app_actions(app) - QUITTING
        assert {"manager", "lookup", "change_city", "sign_out"} <= actions
        for action in sorted(actions):
            allowed = app.check_action(action, ())
            assert allowed is (action in {"help", "help_quit", "command_palette", "bell",
                                          "focus_next", "focus_previous"}), action
            await app.run_action(action)
            await pilot.pause()
            check_signed_out(app, seen, f"action {action}")
            await back_to(pilot, LoginScreen)
        # Screen actions bound on the sign-in screen (namespaced ones go to the app).
        for bindings in login._bindings.key_to_bindings.values():
            for binding in bindings:
                if binding.action.removeprefix("app.") not in QUITTING:
                    await app.run_action(binding.action, login)
                    check_signed_out(app, seen, f"screen action {binding.action}")

        commands = list(app.get_system_commands(app.screen))
        assert {c.title for c in commands} == {"Keys", "Theme", "Quit"}
        for command in commands:
            if command.title != "Quit":
                command.callback()
                await pilot.pause()
                check_signed_out(app, seen, f"palette {command.title}")
                await back_to(pilot, LoginScreen)
        # The palette as a clerk uses it: nothing but those answers "manager" or "find".
        for words in ("manager", "find booking", "change city", "sign out"):
            await pilot.press("ctrl+p")
            await wait_for_screen(pilot, CommandPalette)
            await pilot.press(*words, "enter")
            await pilot.pause()
            check_signed_out(app, seen, f"palette search {words!r}")
            await back_to(pilot, LoginScreen)

        for key in list(app.screen.query(FooterKey)):
            if key.action.removeprefix("app.") not in QUITTING:
                await pilot.click(key)
                await pilot.pause()
                check_signed_out(app, seen, f"click on footer {key.key}")
                await back_to(pilot, LoginScreen)
        await pilot.click("HeaderIcon")
        await pilot.pause()
        check_signed_out(app, seen, "click on the header icon")
        await back_to(pilot, LoginScreen)

        # A screen pushed by any code path at all is refused by the gate.
        for screen in (ManagerScreen(), LookupScreen(), CityScreen()):
            app.push_screen(screen)
            await app.switch_screen(CityScreen())
        await pilot.pause()
        assert noticed(app, "Sign in first")
        check_signed_out(app, seen, "direct pushes")
        assert isinstance(app.screen, LoginScreen)

        await pilot.press("ctrl+q")  # and quit exists
        await wait_for(pilot, lambda: app.return_code == 0, what="the exit")


async def test_a_cashier_never_reaches_the_managers_desk(demo_db, tmp_path, seen):
    cashier = operators.get("cashier1")
    app = make_app(tmp_path, operator=cashier)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, CityScreen)

        def check(after: str) -> None:
            for screen in [*app.screen_stack, *seen]:
                assert not isinstance(screen, MANAGER_SCREENS), f"{after}: {screen}"
            assert app.operator == cashier

        for key in sorted(bound_keys(app)):
            await pilot.press(key)
            await pilot.pause()
            check(f"key {key}")
            await back_to(pilot, CityScreen)
        assert app.check_action("manager", ()) is False  # not in the footer either
        for action in sorted(app_actions(app, runnable=True) - QUITTING
                             - {"sign_out", "pop_screen", "back"}):  # these leave
            await app.run_action(action)
            await pilot.pause()
            check(f"action {action}")
            await back_to(pilot, CityScreen)
        app.action_manager()  # even called directly, with a reason
        await wait_for(pilot, lambda: noticed(app, "The manager's desk is for managers"))

        commands = list(app.get_system_commands(app.screen))
        assert "Manager's desk" not in {c.title for c in commands}
        for command in commands:
            if command.title not in ("Quit", "Sign out"):
                command.callback()
                await pilot.pause()
                check(f"palette {command.title}")
                await back_to(pilot, CityScreen)

        # Find booking: the money-back key of managers is not there for a cashier.
        await pilot.press("ctrl+f")
        lookup = await wait_for_screen(pilot, LookupScreen)
        assert lookup.check_action("refund_money", ()) is False
        assert "f7" not in app.screen.active_bindings
        await pilot.press("f7")
        await pilot.pause()
        check("f7 on Find booking")

        for screen in (ManagerScreen(), FormScreen("x", [], lambda values: None)):
            app.push_screen(screen)
        await pilot.pause()
        assert noticed(app, "That is for managers")
        check("direct pushes")


async def test_a_manager_opens_the_desk(demo_db, tmp_path):
    app = make_app(tmp_path)  # the demo manager
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, CityScreen)
        assert "Manager's desk" in {c.title for c in app.get_system_commands(app.screen)}
        await pilot.press("f9")
        await wait_for_screen(pilot, ManagerScreen)



def service_calls_in_screens():
    """Every call of a service function in screens/, directly or through ``run_service``:
    (where, the function, the actor keywords it takes, the actor keywords given)."""
    folder = Path(screens.__file__).parent
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(folder).with_suffix("").parts
        module = importlib.import_module(".".join(("screens", *parts)).removesuffix(".__init__"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            target = node.func
            if isinstance(target, ast.Name) and target.id == "run_service" and len(node.args) > 1:
                target = node.args[1]
            fn = resolve(module, target)
            if not callable(fn) or not (getattr(fn, "__module__", None) or "").startswith(
                    "bmstui.services"):
                continue
            takes = {"operator", "by"} & set(inspect.signature(fn).parameters)
            given = {kw.arg: ast.unparse(kw.value) for kw in node.keywords if kw.arg in takes}
            yield f"{path.relative_to(folder)}:{node.lineno}", fn, takes, given


def resolve(module, node):
    if isinstance(node, ast.Name):
        return getattr(module, node.id, None)
    if isinstance(node, ast.Attribute):
        owner = resolve(module, node.value)
        return getattr(owner, node.attr, None) if owner is not None else None
    return None


def test_every_service_call_of_the_app_names_the_signed_in_operator():
    calls = list(service_calls_in_screens())
    acting = [call for call in calls if call[2]]
    assert len(acting) >= 15  # holds, sales, cancellations, refunds, desk actions, reports
    for where, fn, takes, given in acting:
        if fn.__qualname__ == "events":  # the audit trail's operator is a filter, not an actor
            continue
        assert given, f"{where}: {fn.__module__}.{fn.__qualname__} called without {takes}"
        for keyword, value in given.items():
            assert value in {"self.app.operator", "by", "self.by"}, (
                f"{where}: {keyword}={value} is not the signed-in operator")
