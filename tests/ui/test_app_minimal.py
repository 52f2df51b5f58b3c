"""The box-office app opens and ctrl+q closes it (on a demo database of either backend)."""

from __future__ import annotations

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
