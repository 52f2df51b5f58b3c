"""The movies screen says why its list is empty: a title search that matches nothing playing in
the city is not the filters' doing, and the clerk should not go changing the day or language."""

from __future__ import annotations

from textual.widgets import Input, Select

from screens.sale.movies import MoviesScreen
from tests.ui_support import choose, make_app, wait_for, wait_for_screen


def info(screen) -> str:
    return str(screen.query_one("#movie-info").render())


async def test_an_empty_list_blames_the_search_or_the_filters(demo_db, tmp_path):
    from bmstui.services import catalog

    city = catalog.cities()[0]
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await choose(pilot, "city-list", city.id)
        screen = await wait_for_screen(pilot, MoviesScreen)
        await wait_for(pilot, lambda: screen.playing and screen.movies, what="the movies")

        await pilot.press("slash", *"zzqx")
        await wait_for(pilot, lambda: not screen.movies, what="an empty list")
        await wait_for(pilot, lambda: info(screen) == "No movie titles match 'zzqx'.",
                       what="the search blamed", timeout=5)

        # A title that is playing, in a language it is not shown in: the filters are the cause.
        movie = screen.playing[0]
        other = next(m.language for m in screen.playing if m.language != movie.language)
        screen.query_one("#search", Input).value = movie.title
        await wait_for(pilot, lambda: str(movie.id) in screen.movies, what="the title found")
        screen.query_one("#language", Select).value = other
        await wait_for(pilot, lambda: not screen.movies, what="nothing in that language")
        await wait_for(pilot, lambda: info(screen) == "No shows match these filters.",
                       what="the filters blamed", timeout=5)
