"""The movie list a manager keeps: adding a title, correcting it, taking it off the bill.

Every change is a manager's action (``by``; None is a script) and writes one audit row of kind
"movie" in its own transaction. A movie is never deleted, only made inactive: shows and sold
tickets keep pointing at it. Changing a movie's duration applies to shows scheduled from then
on; existing shows keep their ``ends_at`` (the screen's timetable was planned around it, and
tickets already printed say when the show ends).
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import peewee as pw

from bmstui.domain.errors import BookingError, NotFound
from bmstui.domain.ids import parse_id
from bmstui.domain.text import clean_text
from bmstui.services import audit
from bmstui.services.catalog import MovieInfo
from bmstui.services.operators import require_manager
from bmstui.store.db import database, is_mysql, transaction
from bmstui.store.models import Movie

# CBFC certificates: U, UA (with its 2024 age bands UA7+, UA13+, UA16+), A, S (specialised).
CERTIFICATES = ("U", "UA", "UA7+", "UA13+", "UA16+", "A", "S")
MAX_DURATION = 600
FIELDS = ("title", "language", "genre", "certificate", "duration", "rating", "synopsis",
          "active")
MAX_SYNOPSIS = 2000


def _info(row: Movie) -> MovieInfo:
    rating = None if row.rating is None else Decimal(str(row.rating)).quantize(Decimal("0.1"))
    return MovieInfo(row.id, row.title, row.language, row.genre, row.certificate,
                     int(row.duration), rating, row.synopsis or "", bool(row.active))


def movies(include_inactive: bool = True) -> list[MovieInfo]:
    """Every movie by title (the manager's list); ``include_inactive=False`` for the bill."""
    query = Movie.select().order_by(Movie.title, Movie.language)
    if not include_inactive:
        query = query.where(Movie.active == True)
    with database.connection_context():
        return [_info(row) for row in query]


def movie(movie_id: int) -> MovieInfo:
    movie_id = parse_id(movie_id, "movie")
    with database.connection_context():
        row = Movie.get_or_none(Movie.id == movie_id)
    if row is None:
        raise NotFound("movie", movie_id)
    return _info(row)


def _text(value, what: str, most: int) -> str:
    if not isinstance(value, str):
        raise BookingError(f"The {what} must be text, not {value!r}"[:120])
    text = " ".join(value.split())  # one line, single spaces: it is shown in lists
    if not text:
        raise BookingError(f"The {what} cannot be empty")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text):
        raise BookingError(f"The {what} cannot contain control characters")
    if len(text) > most:
        raise BookingError(f"The {what} is {len(text)} characters long; at most {most}")
    return text


def _certificate(value) -> str:
    text = str(value or "").upper().replace(" ", "")
    if text not in CERTIFICATES:
        raise BookingError(f"A certificate is one of {', '.join(CERTIFICATES)}, "
                           f"not {str(value)[:20]!r}")
    return text


def _duration(value) -> int:
    try:
        minutes = int(str(value).strip()) if not isinstance(value, bool | float) else None
    except ValueError:
        minutes = None
    if minutes is None or not 1 <= minutes <= MAX_DURATION:
        raise BookingError(f"The duration is whole minutes from 1 to {MAX_DURATION}, "
                           f"not {str(value)[:20]!r}")
    return minutes


def _rating(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        rating = Decimal(str(value).strip()) if not isinstance(value, bool) else None
    except InvalidOperation:
        rating = None
    if rating is None or not rating.is_finite() or not 0 <= rating <= 10:
        raise BookingError(f"A rating is 0 to 10 (or none), not {str(value)[:20]!r}")
    return rating.quantize(Decimal("0.1"), ROUND_HALF_UP)


def _synopsis(value) -> str:
    text = clean_text(value or "").strip()
    if len(text) > MAX_SYNOPSIS:
        raise BookingError(f"The synopsis is {len(text)} characters long; at most {MAX_SYNOPSIS}")
    return text


def _clean(changes: dict) -> dict:
    """Validated values for the fields given; a bad one raises BookingError saying why."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise BookingError(f"A movie has no field {', '.join(unknown)} "
                           f"(it has {', '.join(FIELDS)})")
    checks = {
        "title": lambda v: _text(v, "title", Movie.title.max_length),
        "language": lambda v: _text(v, "language", Movie.language.max_length),
        "genre": lambda v: _text(v, "genre", Movie.genre.max_length),
        "certificate": _certificate, "duration": _duration, "rating": _rating,
        "synopsis": _synopsis, "active": bool,
    }
    return {name: checks[name](value) for name, value in changes.items()}


def _refuse_duplicate(title: str, language: str, movie_id: int | None = None) -> None:
    """(title, language) is unique regardless of case: MariaDB's collation already thinks so,
    and SQLite must agree, or the same import would pass on one backend and fail on the other."""
    query = Movie.select(Movie.id).where((pw.fn.LOWER(Movie.title) == title.lower())
                                         & (pw.fn.LOWER(Movie.language) == language.lower()))
    if movie_id is not None:
        query = query.where(Movie.id != movie_id)
    if query.exists():
        raise BookingError(f"{title} ({language}) is on the list already")


def add_movie(*, title: str, language: str, genre: str, certificate: str, duration,
              rating=None, synopsis: str = "", by=None) -> MovieInfo:
    """A new, active movie; refused with the reason if a field makes no sense or the same
    title in the same language exists."""
    actor = require_manager(by, "adding a movie")
    fields = _clean({"title": title, "language": language, "genre": genre,
                     "certificate": certificate, "duration": duration, "rating": rating,
                     "synopsis": synopsis})

    def attempt() -> MovieInfo:
        _refuse_duplicate(fields["title"], fields["language"])
        movie_id = Movie.insert(**fields, active=True).execute()
        made = _info(Movie.get_by_id(movie_id))
        audit.record("movie", operator_id=actor,
                     detail=f"added #{made.id} {made.title} ({made.language}, "
                            f"{made.certificate}, {made.duration} min)")
        return made

    try:
        return transaction(attempt)
    except pw.IntegrityError:  # a twin added at another counter between check and insert
        raise BookingError(f"{fields['title']} ({fields['language']}) is on the list "
                           "already") from None


def _shown(value) -> str:
    return "none" if value is None else f"{value}"[:40]


def update_movie(movie_id: int, *, by=None, **changes) -> MovieInfo:
    """Change any of title, language, genre, certificate, duration, rating, synopsis and
    active (``active=False`` takes it off the bill; its shows stay). Existing shows keep their
    end times (see the module docstring). Nothing changed writes no audit row."""
    actor = require_manager(by, "changing a movie")
    movie_id = parse_id(movie_id, "movie")
    fields = _clean(changes)

    def attempt() -> MovieInfo:
        query = Movie.select().where(Movie.id == movie_id)
        row = (query.for_update() if is_mysql() else query).first()
        if row is None:
            raise NotFound("movie", movie_id)
        before = _info(row)
        diff = {name: value for name, value in fields.items()
                if getattr(before, name) != value}
        if not diff:
            return before
        if "title" in diff or "language" in diff:
            _refuse_duplicate(fields.get("title", before.title),
                              fields.get("language", before.language), row.id)
        Movie.update(**diff).where(Movie.id == row.id).execute()
        audit.record("movie", operator_id=actor, detail=f"changed #{row.id} {before.title}: "
                     + "; ".join(f"{name} {_shown(getattr(before, name))} -> {_shown(value)}"
                                 for name, value in diff.items()))
        return _info(Movie.get_by_id(row.id))

    try:
        return transaction(attempt)
    except pw.IntegrityError:
        raise BookingError("Another movie has that title in that language") from None
