"""The movie list on the manager's desk: add a title, correct one, take it off the bill.

A movie is never deleted (shows and sold tickets point at it); ``a`` takes it off the bill or
puts it back. The service checks every field and the role; the form shows what it refused.
"""

from __future__ import annotations

from textual.binding import Binding

from bmstui.services import movies
from screens.widgets.admin_form import AdminPane, Field, FormScreen


def movie_fields(movie: movies.MovieInfo | None = None) -> list[Field]:
    def now(name: str):
        return None if movie is None else getattr(movie, name)

    return [
        Field("title", "Title", value=now("title")),
        Field("language", "Language", value=now("language"), placeholder="e.g. Hindi"),
        Field("genre", "Genre", value=now("genre"), placeholder="e.g. Drama"),
        Field("certificate", "Certificate", "choice", value=now("certificate") or "UA",
              choices=tuple((c, c) for c in movies.CERTIFICATES)),
        Field("duration", "Duration (min)", "int", value=now("duration"),
              placeholder=f"whole minutes, 1 to {movies.MAX_DURATION}"),
        Field("rating", "Rating", "amount", value=now("rating"),
              placeholder="0 to 10, blank for none"),
        Field("synopsis", "Synopsis", "long", value=now("synopsis")),
    ]


class MoviesPane(AdminPane):
    BINDINGS = [Binding("a", "toggle_active", "On/off bill")]
    COLUMNS = ("Title", "Language", "Genre", "Cert", "Min", "Rating", "Bill")
    NOUN = "movie"

    def fetch(self) -> list[movies.MovieInfo]:
        return movies.movies(include_inactive=True)

    def key(self, movie: movies.MovieInfo) -> str:
        return str(movie.id)

    def cells(self, movie: movies.MovieInfo) -> tuple:
        rating = "–" if movie.rating is None else f"{movie.rating}"
        return (movie.title, movie.language, movie.genre, movie.certificate,
                str(movie.duration), rating, "on" if movie.active else "off")

    def summary(self, items: list[movies.MovieInfo]) -> str:
        if not items:
            return super().summary(items)
        on = sum(1 for m in items if m.active)
        return f"{len(items)} movies, {on} on the bill · a takes one off the bill or back on"

    def action_new(self) -> None:
        by = self.by

        def save(values: dict) -> movies.MovieInfo:
            return movies.add_movie(**values, by=by)

        self.open_form(FormScreen("New movie", movie_fields(), save),
                       lambda m: f"Saved {m.title} ({m.language}); it is on the bill")

    def action_edit(self) -> None:
        movie = self.chosen()
        if movie is None:
            return
        by = self.by

        def save(values: dict) -> movies.MovieInfo:
            return movies.update_movie(movie.id, by=by, **values)

        self.open_form(FormScreen(f"Movie #{movie.id}: {movie.title}", movie_fields(movie),
                                  save, changes_only=True,
                                  note="shows already scheduled keep their end time"),
                       lambda m: f"Saved {m.title} ({m.language})")

    def action_toggle_active(self) -> None:
        movie = self.chosen()
        if movie is None:
            return
        self.change(movies.update_movie, movie.id, active=not movie.active,
                    message=lambda m: f"Saved {m.title}: "
                    + ("back on the bill" if m.active else "off the bill"))
