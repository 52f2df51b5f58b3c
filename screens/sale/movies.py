"""The movies playing in a city, with filters, and each movie's shows grouped by theater."""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from bmstui.domain.clock import local_today
from bmstui.services import catalog, zones
from screens.background import run_service
from screens.widgets.heading import Heading

FILTERS = ("day", "language", "genre", "certificate", "theater")


def day_name(day: date, today: date) -> str:
    if day == today:
        return "Today"
    if day == today + timedelta(days=1):
        return "Tomorrow"
    return f"{day:%a %d %b}"


def _city_choices(city_id: int):
    """Every theater of the city and every movie playing there: the filters' choices."""
    return catalog.theaters(city_id), catalog.movies(city_id)


class MoviesScreen(Screen):
    BINDINGS = [
        Binding("slash", "search", "Search"),
        Binding("escape", "back", "Back"),
        Binding("x", "clear_filters", "Clear filters"),
    ]

    def __init__(self, city: catalog.CityInfo) -> None:
        super().__init__()
        self.city = city
        self.movies: dict[str, catalog.MovieInfo] = {}
        self.shows: dict[str, catalog.ShowInfo] = {}
        self.playing: list[catalog.MovieInfo] = []  # the city's movies, whatever the filters

    def compose(self) -> ComposeResult:
        yield Heading()
        # The day picker's names (Today, Tomorrow) are the chain's days; the filter itself
        # takes each theater's own local day (catalog.shows/movies).
        today = zones.today()
        with Horizontal(id="movie-filters"):
            yield Input(placeholder="/ search titles", id="search")
            yield Select(
                [(day_name(today + timedelta(days=i), today), (today + timedelta(days=i))
                  .isoformat()) for i in range(7)],
                prompt="Any day", id="day",
            )
            yield Select([], prompt="Language", id="language")
            yield Select([], prompt="Genre", id="genre")
            yield Select([], prompt="Certificate", id="certificate")
            yield Select([], prompt="Any theater", id="theater")
        with Horizontal(id="movies-body"):
            yield OptionList(id="movie-list")
            with Vertical(id="show-side"):
                yield Static(id="movie-info")
                yield OptionList(id="show-list")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.city.name
        self.query_one("#movie-list", OptionList).focus()
        run_service(self, _city_choices, self.city.id, done=self._choices, group="choices")

    def _choices(self, found) -> None:
        theaters, movies = found
        for name, values in (
            ("language", sorted({m.language for m in movies})),
            ("genre", sorted({m.genre for m in movies})),
            ("certificate", sorted({m.certificate for m in movies})),
        ):
            self.query_one(f"#{name}", Select).set_options((value, value) for value in values)
        self.query_one("#theater", Select).set_options((t.name, t.id) for t in theaters)
        self.playing = list(movies)
        self._movies_loaded(movies)

    # -- filters -----------------------------------------------------------------------------

    def _filters(self) -> dict:
        chosen = {}
        for name in FILTERS:
            select = self.query_one(f"#{name}", Select)
            if not select.is_blank():
                chosen[name] = select.value
        if "day" in chosen:
            chosen["day"] = date.fromisoformat(chosen["day"])
        return chosen

    def reload_movies(self) -> None:
        filters = self._filters()
        theater = filters.pop("theater", None)
        query = self.query_one("#search", Input).value
        run_service(
            self, catalog.movies, self.city.id, query=query, theater_id=theater,
            done=lambda movies: self._movies_loaded(movies, query), group="movies",
            exclusive=True, **filters,
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        self.reload_movies()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.reload_movies()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#movie-list", OptionList).focus()

    def action_search(self) -> None:
        # At once, not after the keys already typed: "/kohra" sent in one burst searches.
        self.set_focus(self.query_one("#search", Input))

    def action_clear_filters(self) -> None:
        for name in FILTERS:
            self.query_one(f"#{name}", Select).clear()
        self.query_one("#search", Input).value = ""

    # -- movies and shows --------------------------------------------------------------------

    def _movies_loaded(self, movies: list[catalog.MovieInfo], query: str = "") -> None:
        listing = self.query_one("#movie-list", OptionList)
        self.movies = {str(m.id): m for m in movies}
        listing.clear_options()
        for movie in movies:
            prompt = Text.assemble(
                (movie.title, "bold"), "\n",
                (f"{movie.language} · {movie.genre} · {movie.certificate} · "
                 f"{movie.duration} min", "dim"),
            )
            listing.add_option(Option(prompt, id=str(movie.id)))
        if movies:
            listing.highlighted = 0
        else:
            self.query_one("#movie-info", Static).update(self._why_none(query))
            self.query_one("#show-list", OptionList).clear_options()

    def _why_none(self, query: str) -> str:
        """Blame the search when no title playing here contains it (changing the day or the
        language would not help then); otherwise the filters are what leave nothing."""
        wanted = query.strip().casefold()
        if wanted and self.playing and not any(wanted in m.title.casefold()
                                               for m in self.playing):
            return f"No movie titles match {query.strip()!r}."
        return "No shows match these filters."

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "movie-list" and event.option.id in self.movies:
            self._load_shows(self.movies[event.option.id])

    def _load_shows(self, movie: catalog.MovieInfo) -> None:
        self.query_one("#movie-info", Static).update(Text.assemble(
            (movie.title, "bold"), "  ",
            (f"★ {movie.rating}" if movie.rating else "", "dim"), "\n",
            (movie.synopsis, "italic"),
        ))
        filters = self._filters()
        run_service(self, catalog.shows, movie_id=movie.id, city_id=self.city.id,
                    theater_id=filters.get("theater"), day=filters.get("day"),
                    done=self._shows_loaded, group="shows", exclusive=True)

    def _shows_loaded(self, shows: list[catalog.ShowInfo]) -> None:
        listing = self.query_one("#show-list", OptionList)
        was = listing.highlighted
        listing.clear_options()
        self.shows = {str(s.id): s for s in shows}
        by_theater: dict[str, list[catalog.ShowInfo]] = {}
        for show in shows:
            by_theater.setdefault(show.theater, []).append(show)
        # Columns only as wide as the longest format and hall name listed: a show stays on
        # one line in the 43 columns an 80-column terminal leaves the list.
        fmt = max((len(show.format) for show in shows), default=0)
        hall = max((len(show.screen) for show in shows), default=0)
        for theater, found in sorted(by_theater.items()):
            listing.add_option(Option(Text(theater, style="bold"), disabled=True))
            for show in found:
                start = show.local_start  # the theater's wall clock
                today = local_today(show.timezone)
                left = Text(f"{show.seats_left} left",
                            style="bold red" if show.seats_left == 0 else "")
                listing.add_option(Option(Text.assemble(
                    f" {day_name(start.date(), today):<10} {start:%H:%M} {show.format:<{fmt}} "
                    f"{show.screen:<{hall}}  ", left), id=str(show.id)))
        if not shows:
            listing.add_option(Option("No upcoming shows", disabled=True))
        elif was is not None and was < listing.option_count and listing.has_focus:
            listing.highlighted = was

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "movie-list":
            shows = self.query_one("#show-list", OptionList)
            shows.focus()
            first = next((i for i, option in enumerate(shows.options) if not option.disabled),
                         None)
            shows.highlighted = first
        elif event.option.id in self.shows:
            from screens.sale.seats import SeatScreen

            self.app.push_screen(SeatScreen(self.shows[event.option.id]))

    def action_back(self) -> None:
        if self.focused is not None and self.focused.id != "movie-list":
            self.query_one("#movie-list", OptionList).focus()
        else:
            self.dismiss()

    def on_screen_resume(self) -> None:
        """Back from a sale: the seats-left counts changed, so ask again."""
        listing = self.query_one("#movie-list", OptionList)
        if listing.highlighted is not None and self.movies:
            movie_id = listing.get_option_at_index(listing.highlighted).id
            if movie_id in self.movies:
                self._load_shows(self.movies[movie_id])
