"""The manager's desk catalogue: movies, coupons and operators added and changed in the forms,
refusals shown in the form with what was typed still there, and the role checked by the app
(a cashier never gets the form) and again by the service."""

from __future__ import annotations

import secrets

import pytest
from actor_support import ADMIN

from bmstui.domain.errors import LoginFailed, NotAuthorized
from bmstui.services import coupons, movies, operators
from bmstui.store.models import Movie
from screens.desk.manager import ManagerScreen
from screens.widgets.admin_form import AdminPane, FormScreen
from tests.ui_support import make_app, noticed, wait_for, wait_for_screen

PASSWORD = "desk-key-2024"


def token() -> str:
    return secrets.token_hex(3)


def manager() -> operators.OperatorInfo:
    return operators.add(f"mgr{token()}", PASSWORD, role="manager", by=ADMIN)


def status_of(form: FormScreen) -> str:
    return str(form.query_one("#form-status").render())


def field(form: FormScreen, name: str):
    return form.query_one(f"#field-{name}")


async def open_pane(pilot, tab: str, key: str | None = None) -> AdminPane:
    """The desk on ``tab``, its list loaded (and holding the row ``key``, if given)."""
    await pilot.app.push_screen(ManagerScreen(tab=tab))
    screen = await wait_for_screen(pilot, ManagerScreen)
    pane = screen.query_one(f"#{tab}-pane", AdminPane)
    await wait_for(pilot, lambda: pane.items and (key is None or key in pane.table.rows),
                   what=f"the {tab} list")
    await wait_for(pilot, lambda: screen.focused is pane.table, what="the list to take keys")
    return pane


async def highlight(pilot, pane: AdminPane, key: str) -> None:
    await wait_for(pilot, lambda: key in pane.table.rows, what=f"row {key}")
    pane.table.move_cursor(row=pane.table.get_row_index(key))
    await pilot.pause()


async def open_form(pilot, key: str) -> FormScreen:
    await pilot.press(key)
    form = await wait_for_screen(pilot, FormScreen)
    await wait_for(pilot, lambda: form.focused is not None, what="the form to take keys")
    return form


async def type_into(pilot, form: FormScreen, name: str, text: str) -> None:
    """Clear a field and type into it as a clerk does."""
    widget = field(form, name)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)
    await wait_for(pilot, lambda: widget.value == text, what=f"{text!r} in {name}")


async def save(pilot, form: FormScreen, *, refusal: str | None = None) -> None:
    """F10; then the form closes, or shows ``refusal`` and stays."""
    await pilot.press("f10")
    if refusal is None:
        await wait_for(pilot, lambda: not form.is_attached, what="the form to close")
    else:
        await wait_for(pilot, lambda: refusal in status_of(form), what=f"refusal {refusal!r}")
        assert form.is_attached


async def test_manager_adds_a_movie_after_fixing_a_bad_duration(demo_db, tmp_path):
    title = f"Monsoon Ledger {token()}"
    app = make_app(tmp_path, operator=manager())
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, "movies")
        form = await open_form(pilot, "n")
        await type_into(pilot, form, "title", title)
        await type_into(pilot, form, "language", "Marathi")
        await type_into(pilot, form, "genre", "Drama")
        await type_into(pilot, form, "duration", "9999")
        await type_into(pilot, form, "rating", "7.5")
        await save(pilot, form, refusal="The duration is whole minutes from 1 to 600")
        # Nothing typed is lost; nothing reached the database.
        assert [field(form, n).value for n in ("title", "language", "genre", "duration")] == [
            title, "Marathi", "Drama", "9999"]
        assert not Movie.select().where(Movie.title == title).exists()

        await type_into(pilot, form, "duration", "132")
        await save(pilot, form)
        made = next(m for m in movies.movies() if m.title == title)
        assert (made.language, made.genre, made.duration, str(made.rating), made.active) == (
            "Marathi", "Drama", 132, "7.5", True)
        assert made.certificate == "UA"  # the form's default choice
        await wait_for(pilot, lambda: pane.current_key() == str(made.id),
                       what="the cursor on the new movie")
        assert noticed(app, f"Saved {title}")

        # a takes it off the bill (and the list says so), edit changes a field.
        await pilot.press("a")
        await wait_for(pilot, lambda: not movies.movie(made.id).active, what="off the bill")
        await wait_for(pilot, lambda: pane.table.get_row(str(made.id))[-1] == "off")
        form = await open_form(pilot, "e")
        assert field(form, "title").value == title
        await type_into(pilot, form, "genre", "Thriller")
        await save(pilot, form)
        assert movies.movie(made.id).genre == "Thriller"
        assert pane.current_key() == str(made.id)


async def test_manager_changes_a_coupons_usage_limit(demo_db, tmp_path):
    code = f"DESK{token().upper()}"
    coupons.create(code, "flat", 50, usage_limit=10, by=ADMIN)
    app = make_app(tmp_path, operator=manager())
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, "coupons", code)
        await highlight(pilot, pane, code)
        form = await open_form(pilot, "enter")
        assert field(form, "code").disabled and field(form, "code").value == code
        assert field(form, "usage_limit").value == "10"
        await type_into(pilot, form, "usage_limit", "0")
        await save(pilot, form, refusal="The usage limit must be a whole number of at least 1")
        assert coupons.get(code).usage_limit == 10
        await type_into(pilot, form, "usage_limit", "3")
        await save(pilot, form)
        assert coupons.get(code).usage_limit == 3
        assert coupons.get(code).value == 50  # untouched fields are not sent, nor changed
        await wait_for(pilot, lambda: pane.table.get_row(code)[2] == "0 / 3",
                       what="the new limit in the list")
        assert pane.current_key() == code


async def test_manager_adds_an_operator_with_the_password_typed_twice(demo_db, tmp_path):
    name = f"clerk{token()}"
    app = make_app(tmp_path, operator=manager())
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, "operators")
        form = await open_form(pilot, "n")
        await type_into(pilot, form, "name", name)
        await type_into(pilot, form, "password", "first-try-123")
        await type_into(pilot, form, "password-again", "first-try-124")
        await save(pilot, form, refusal="The two passwords differ")
        assert field(form, "password").value == field(form, "password-again").value == ""
        assert field(form, "name").value == name  # the rest stays
        assert name not in [o.name for o in operators.operators()]

        await type_into(pilot, form, "password", PASSWORD)
        await type_into(pilot, form, "password-again", PASSWORD)
        await save(pilot, form)
        await wait_for(pilot, lambda: pane.current_key() == name, what="the new operator")
    signed_in = operators.login(name, PASSWORD)
    assert (signed_in.name, signed_in.role) == (name, "cashier")


async def test_manager_disables_an_operator_changes_a_role_and_resets_a_password(
        demo_db, tmp_path):
    clerk = operators.add(f"clerk{token()}", PASSWORD, by=ADMIN)
    app = make_app(tmp_path, operator=manager())
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, "operators", clerk.name)
        await highlight(pilot, pane, clerk.name)
        await pilot.press("d")
        await wait_for(pilot, lambda: not operators.get(clerk.name).active, what="disabled")
        await wait_for(pilot, lambda: pane.table.get_row(clerk.name)[2] == "disabled")
        try:
            operators.login(clerk.name, PASSWORD)
            raise AssertionError("a disabled operator signed in")
        except LoginFailed as refused:
            assert "disabled" in str(refused)

        await pilot.press("d")
        await wait_for(pilot, lambda: operators.get(clerk.name).active, what="enabled again")

        form = await open_form(pilot, "r")
        role = field(form, "role")
        role.focus()
        await pilot.press("enter", "down", "enter")
        await wait_for(pilot, lambda: role.value == "manager", what="manager chosen")
        await save(pilot, form)
        assert operators.get(clerk.name).role == "manager"

        form = await open_form(pilot, "p")
        await type_into(pilot, form, "password", "new-key-2025")
        await type_into(pilot, form, "password-again", "new-key-2025")
        await save(pilot, form)
        assert pane.current_key() == clerk.name
    assert operators.login(clerk.name, "new-key-2025").role == "manager"


async def test_a_manager_cannot_disable_themselves(demo_db, tmp_path):
    me = manager()
    app = make_app(tmp_path, operator=me)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, "operators", me.name)
        await highlight(pilot, pane, me.name)
        assert pane.table.get_row(me.name)[0] == f"{me.name} (you)"
        await pilot.press("d")
        await wait_for(pilot, lambda: noticed(app, "You cannot disable your own account"),
                       what="the refusal")
    assert operators.get(me.name).active


async def test_a_cashier_never_reaches_the_form_and_the_service_refuses_them(demo_db, tmp_path):
    cashier = operators.add(f"till{token()}", PASSWORD, by=ADMIN)
    title = f"Cashier Cut {token()}"
    values = dict(title=title, language="Hindi", genre="Drama", certificate="U", duration=120)
    app = make_app(tmp_path, operator=cashier)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # Even pushed directly (no key or palette entry offers them), the app refuses both.
        app.push_screen(ManagerScreen(tab="movies"))
        app.push_screen(FormScreen("New movie", [], lambda v: movies.add_movie(**values)))
        await wait_for(pilot, lambda: noticed(app, "That is for managers"), what="the refusal")
        assert not any(isinstance(s, ManagerScreen | FormScreen) for s in app.screen_stack)
    # And the service, the real guard, refuses the cashier whatever the app does.
    with pytest.raises(NotAuthorized, match="Adding a movie is a manager action"):
        movies.add_movie(**values, by=cashier)
    assert not Movie.select().where(Movie.title == title).exists()
