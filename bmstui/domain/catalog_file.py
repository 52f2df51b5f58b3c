"""Reading a catalog file in the ``data/`` format, with every mistake tied to its line.

A catalog file is what ``data/catalog.toml`` is: ``[[city]]`` tables holding
``[[city.theater]]`` tables holding ``[[city.theater.screen]]`` tables, and optionally
``[[layout]]`` tables as in ``data/layouts.toml`` and a ``[seat_types]`` table of base prices.
A screen's ``layout`` names a layout of the same file or a built-in one (``data/layouts.toml``).

Everything is checked here before the database is touched, and every problem is collected, not
just the first, each with its line in the file: tomllib reports syntax errors by line, but the
parsed document has no positions, so ``_Lines`` scans the raw text once and maps every table
header and key to its line (arrays of tables are counted the way TOML appends them). A problem
inside a layout map points at the map's own line in the file. Pure Python: no database here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from bmstui.domain.clock import check_zone
from bmstui.domain.errors import BookingError, InvalidAmount
from bmstui.domain.layouts import LayoutError, SeatSpec, parse_layout
from bmstui.domain.money_input import parse_amount
from bmstui.domain.vocabulary import (
    CITY_NAME,
    CITY_STATE,
    LAYOUT_NAME,
    SCREEN_NAME,
    SEAT_TYPES,
    THEATER_ADDRESS,
    THEATER_NAME,
    THEATER_TIMEZONE,
)

FORMATS = ("2D", "3D", "IMAX", "4DX")
# The keys each table may have; anything else is a typo worth a line of its own.
KEYS = {
    "file": ("city", "layout", "seat_types"),
    "city": ("name", "state", "theater"),
    "theater": ("name", "address", "timezone", "screen"),
    "screen": ("name", "layout", "formats"),
    "layout": ("name", "description", "map"),
}


@dataclass(frozen=True, order=True)
class Problem:
    line: int | None  # 1-based in the file; None when nothing in the file can be blamed
    message: str


class CatalogImportError(BookingError):
    """A catalog file that cannot be imported; nothing was written. ``problems`` are sorted by
    line; ``lines()`` renders them as ``FILE:LINE: message`` (the compiler convention editors
    jump to)."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.message))
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{self.source}:{p.line}: {p.message}" if p.line else
                f"{self.source}: {p.message}" for p in self.problems]


@dataclass(frozen=True)
class ScreenSpec:
    name: str
    layout: str
    formats: tuple[str, ...] | None  # None: not given (a new screen gets 2D, an old one keeps)
    seats: tuple[SeatSpec, ...]
    line: int | None


@dataclass(frozen=True)
class TheaterSpec:
    name: str
    address: str | None  # None: not given (kept as it is)
    screens: tuple[ScreenSpec, ...]
    line: int | None
    timezone: str | None = None  # IANA name; None: not given (kept; new: the chain default)


@dataclass(frozen=True)
class CitySpec:
    name: str
    state: str | None
    theaters: tuple[TheaterSpec, ...]
    line: int | None


@dataclass
class CatalogFile:
    cities: list[CitySpec] = field(default_factory=list)
    seat_types: dict[str, Decimal] = field(default_factory=dict)
    seat_types_line: int | None = None


_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_ASSIGN = re.compile(rf"\s*({_DOTTED})\s*=")
_STRINGS = re.compile(r"""\"(?:[^"\\]|\\.)*"|'[^']*'|#.*""")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in re.findall(_KEY, dotted))


def _depth(text: str) -> int:
    """How many brackets ``text`` leaves open (strings and comments ignored)."""
    bare = _STRINGS.sub("", text)
    return bare.count("[") + bare.count("{") - bare.count("]") - bare.count("}")


class _Lines:
    """Line of every table and key of a TOML text, by its path in the parsed document:
    ``("city", 0, "theater", 1, "address")``. Multi-line strings and arrays are skipped."""

    def __init__(self, text: str):
        self.text = text.splitlines()
        self.at: dict[tuple, int] = {}
        counts: dict[tuple, int] = {}  # array-of-tables path -> elements so far
        current: tuple = ()
        closing, depth = None, 0
        for number, line in enumerate(self.text, start=1):
            if closing:
                closing = None if closing in line else closing
                continue
            if depth > 0:
                depth += _depth(line)
                continue
            header = _HEADER.match(line)
            if header:
                concrete: tuple = ()
                *parents, last = _parts(header.group(2))
                for part in parents:
                    concrete += (part,)
                    if concrete in counts:
                        concrete += (counts[concrete] - 1,)
                current = concrete + (last,)
                if header.group(1) == "[[":
                    counts[current] = counts.get(current, 0) + 1
                    current += (counts[current] - 1,)
                self.at.setdefault(current, number)
                continue
            assign = _ASSIGN.match(line)
            if assign:
                self.at.setdefault(current + _parts(assign.group(1)), number)
                rest = line[assign.end():]
                closing = next((d for d in ('"""', "'''") if rest.count(d) % 2), None)
                depth = 0 if closing else max(0, _depth(rest))

    def line(self, path: tuple) -> int | None:
        """The line of ``path``, else of its nearest enclosing table or key that has one."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.at:
                return self.at[path[:end]]
        found = [n for p, n in self.at.items() if p[:1] == path[:1]]
        return min(found) if found else None

    def map_line(self, path: tuple, line_in_map: int | None) -> int | None:
        """The file line of line ``line_in_map`` of the multi-line string at ``path``."""
        start = self.at.get(path)
        if start is None or line_in_map is None:
            return self.line(path)
        value = self.text[start - 1].split("=", 1)[1].strip()
        # TOML drops a newline right after the opening quotes, so the map starts a line lower.
        opens_alone = value in ("'''", '"""')
        return start + line_in_map - (0 if opens_alone else 1)


def _called(kind: str, name: str | None) -> str:
    return f"{kind} {name!r}" if name else f"a {kind}"


def layouts_of(text: str) -> dict[str, tuple[SeatSpec, ...]]:
    """The layouts of a layouts file (the shipped ``data/layouts.toml``), by name."""
    doc = tomllib.loads(text)
    return {lay["name"]: tuple(parse_layout(lay["map"])) for lay in doc.get("layout", [])}


class _Reader:
    """One pass over the parsed document, collecting problems instead of stopping at one."""

    def __init__(self, doc: dict, lines: _Lines, builtin: Mapping[str, tuple[SeatSpec, ...]]):
        self.doc, self.lines, self.builtin = doc, lines, builtin
        self.problems: list[Problem] = []
        self.broken: set[str] = set()  # layouts of the file already reported as wrong

    def problem(self, path: tuple, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(line or self.lines.line(path), message))

    def tables(self, value, path: tuple, what: str) -> list[dict]:
        """``value`` as a list of tables: ``[[city]]`` written as ``[city]`` is refused."""
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return value
        header = ".".join(part for part in path if isinstance(part, str))
        self.problem(path, f"{what} must be written as [[{header}]] tables, one per {what}")
        return []

    def check_keys(self, table: dict, path: tuple, kind: str) -> None:
        for key in table:
            if key not in KEYS[kind]:
                where = f"a {kind}" if kind != "file" else "a catalog file"
                hint = ("; movies are managed in the TUI, not imported"
                        if kind == "file" and key == "movie" else "")
                self.problem(path + (key,), f"unknown key {key!r} in {where} "
                             f"(expected {', '.join(KEYS[kind])}){hint}")

    def text(self, table: dict, path: tuple, key: str, what: str, most: int, *,
             required: bool = True) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.problem(path, f"{what} has no {key} (required)")
            return None
        if not isinstance(value, str):
            self.problem(path + (key,), f"{what}'s {key} must be a string, not "
                         f"{type(value).__name__}")
            return None
        value = " ".join(value.split())
        if required and not value:
            self.problem(path + (key,), f"{what}'s {key} is empty")
            return None
        if len(value) > most:
            self.problem(path + (key,), f"{what}'s {key} is {len(value)} characters long; "
                         f"at most {most}")
            return None
        return value

    def unique(self, seen: dict[str, int | None], table: dict, path: tuple, what: str,
               where: str = "") -> bool:
        """False for a second table of the same name (regardless of case, as MariaDB's
        collation sees it); checked even when the table has other problems."""
        name = table.get("name")
        if not isinstance(name, str) or not name.strip():
            return True  # reported as a missing or bad name already
        name = " ".join(name.split())
        line = self.lines.line(path)
        first = seen.setdefault(name.casefold(), line)
        if first != line:
            self.problem(path, f"duplicate {what} {name!r}{where} (first on line {first})")
            return False
        return True

    def layouts(self) -> dict[str, tuple[SeatSpec, ...]]:
        known = dict(self.builtin)
        builtin = dict(known)
        seen: dict[str, int | None] = {}
        for i, table in enumerate(self.tables(self.doc.get("layout", []), ("layout",),
                                              "layout")):
            path = ("layout", i)
            self.check_keys(table, path, "layout")
            name = self.text(table, path, "name", "a layout", LAYOUT_NAME)
            drawn = table.get("map")
            if not isinstance(drawn, str):
                self.problem(path + ("map",) if "map" in table else path,
                             "a layout needs a map (a multi-line string, see data/layouts.toml)")
                continue
            try:
                seats = tuple(parse_layout(drawn))
            except LayoutError as exc:
                self.broken.add(name or "")
                message = str(exc).removeprefix(f"line {exc.line}: ")
                self.problem(path, f"{_called('layout', name)}: {message}",
                             self.lines.map_line(path + ("map",), exc.line))
                continue
            if name is None or not self.unique(seen, table, path, "layout"):
                continue
            if name in builtin and builtin[name] != seats:
                self.problem(path + ("name",), f"layout {name!r} differs from the built-in "
                             "layout of that name; give yours a name of its own")
                continue
            known[name] = seats
        return known

    def seat_types(self, out: CatalogFile) -> None:
        table = self.doc.get("seat_types")
        if table is None:
            return
        out.seat_types_line = self.lines.line(("seat_types",))
        if not isinstance(table, dict):
            self.problem(("seat_types",), "seat_types must be a table: [seat_types]")
            return
        for kind, price in table.items():
            path = ("seat_types", kind)
            if kind not in SEAT_TYPES:
                self.problem(path, f"unknown seat type {kind!r} (seat types are "
                             f"{', '.join(SEAT_TYPES)})")
            elif isinstance(price, bool) or not isinstance(price, int | float) or price <= 0:
                self.problem(path, f"the base price of {kind} must be a positive number")
            else:
                try:  # a TOML 250.5 is a float; its shortest spelling is what the file says
                    out.seat_types[kind] = parse_amount(
                        repr(price) if isinstance(price, float) else price,
                        f"the base price of {kind}", zero=False)
                except InvalidAmount as exc:
                    self.problem(path, str(exc))
        given = [out.seat_types[k] for k in SEAT_TYPES if k in out.seat_types]
        if given != sorted(set(given)):
            self.problem(("seat_types",), "base prices must rise "
                         + " < ".join(k for k in SEAT_TYPES if k in out.seat_types))

    def formats(self, table: dict, path: tuple) -> tuple[str, ...] | None:
        value = table.get("formats")
        if value is None:
            return None
        path += ("formats",)
        if not isinstance(value, list) or not value:
            self.problem(path, f"formats must be a list such as [\"2D\", \"3D\"] "
                         f"(formats are {', '.join(FORMATS)})")
            return None
        wanted = []
        for item in value:
            name = item.strip().upper() if isinstance(item, str) else None
            if name not in FORMATS:
                self.problem(path, f"bad format {item!r} (formats are {', '.join(FORMATS)})")
                return None
            if name not in wanted:
                wanted.append(name)
        return tuple(wanted)

    def screen(self, table: dict, path: tuple, layouts: dict) -> ScreenSpec | None:
        self.check_keys(table, path, "screen")
        name = self.text(table, path, "name", "a screen", SCREEN_NAME)
        layout = self.text(table, path, "layout", _called("screen", name),
                           LAYOUT_NAME)
        formats = self.formats(table, path)
        if layout is not None and layout not in layouts:
            if layout not in self.broken:
                self.problem(path + ("layout",), f"{_called('screen', name)}: unknown layout "
                             f"{layout!r} (known: {', '.join(sorted(layouts))})")
            return None
        if name is None or layout is None:
            return None
        return ScreenSpec(name, layout, formats, layouts[layout], self.lines.line(path))

    def theater(self, table: dict, path: tuple, layouts: dict) -> TheaterSpec | None:
        self.check_keys(table, path, "theater")
        name = self.text(table, path, "name", "a theater", THEATER_NAME)
        address = self.text(table, path, "address", _called("theater", name),
                            THEATER_ADDRESS, required=False)
        zone = self.text(table, path, "timezone", _called("theater", name),
                         THEATER_TIMEZONE, required=False)
        if zone:
            try:
                zone = check_zone(zone)
            except ValueError as exc:
                self.problem(path + ("timezone",), f"{_called('theater', name)}: {exc}")
                zone = None
        screens, seen = [], {}
        for i, sub in enumerate(self.tables(table.get("screen", []), path + ("screen",),
                                            "screen")):
            spec = self.screen(sub, path + ("screen", i), layouts)
            if self.unique(seen, sub, path + ("screen", i), "screen",
                           f" in {_called('theater', name)}") and spec:
                screens.append(spec)
        if name is None:
            return None
        return TheaterSpec(name, address, tuple(screens), self.lines.line(path), zone)

    def city(self, table: dict, path: tuple, layouts: dict) -> CitySpec | None:
        self.check_keys(table, path, "city")
        name = self.text(table, path, "name", "a city", CITY_NAME)
        state = self.text(table, path, "state", _called("city", name),
                          CITY_STATE, required=False)
        theaters, seen = [], {}
        for i, sub in enumerate(self.tables(table.get("theater", []), path + ("theater",),
                                            "theater")):
            spec = self.theater(sub, path + ("theater", i), layouts)
            if self.unique(seen, sub, path + ("theater", i), "theater",
                           f" in {_called('city', name)}") and spec:
                theaters.append(spec)
        if name is None:
            return None
        return CitySpec(name, state, tuple(theaters), self.lines.line(path))


def read_catalog_file(text: str, source: str = "<text>", *,
                      builtin: Mapping[str, tuple[SeatSpec, ...]] | None = None) -> CatalogFile:
    """The validated content of a catalog file, or CatalogImportError listing every problem.

    ``builtin``: the layouts a file may name without defining them (the shipped ones, which
    ``bmstui.store.catalog_source.read_catalog_file`` passes); none when not given."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", str(exc))
        line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
        message = str(exc)[:found.start()] if found else str(exc)
        column = f" (column {found.group(2)})" if found else ""
        raise CatalogImportError(source, [Problem(line, f"TOML syntax: {message}{column}")]
                                 ) from None
    reader = _Reader(doc, _Lines(text), builtin or {})
    reader.check_keys(doc, (), "file")
    out = CatalogFile()
    reader.seat_types(out)
    layouts = reader.layouts()
    seen: dict[str, int | None] = {}
    for i, table in enumerate(reader.tables(doc.get("city", []), ("city",), "city")):
        spec = reader.city(table, ("city", i), layouts)
        if reader.unique(seen, table, ("city", i), "city") and spec:
            out.cities.append(spec)
    if reader.problems:
        raise CatalogImportError(source, reader.problems)
    return out
