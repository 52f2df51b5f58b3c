"""The box-office app opens and ctrl+q closes it (on a demo database of either backend)."""

from __future__ import annotations

from ui_support import make_app

from screens.app import BoxOfficeApp


async def test_app_opens_and_ctrl_q_quits(demo_db, settings):
    app = BoxOfficeApp(settings=settings(terminal="counter-pilot"))
    assert app.settings.terminal == "counter-pilot"
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.is_running
        assert app.return_code is None  # not on its way out
        assert app.screen is not None
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code == 0  # quit asked for a clean exit
    assert not app.is_running
    assert app.return_code == 0


async def test_a_header_losing_its_title_part_does_not_stop_the_app(demo_db, tmp_path):
    """A title change reaching a header whose parts are already gone (a screen being
    replaced as the clerk signs in) is nothing to redraw, not an error in a watcher."""
    from textual.widgets._header import HeaderTitle

    from screens.widgets.heading import Heading

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = app.screen.query_one(Heading)
        await header.query_one(HeaderTitle).remove()
        app.title = "bmstui · someone else"
        await pilot.pause()
        app.sub_title = "still running"
        await pilot.pause()
        assert app.is_running and app.return_code is None
