"""``bmstui catalog import FILE``: cities, theaters, screens and their seats from a catalog file.

The file is read and checked in full first (``bmstui.domain.catalog_file``: every problem, each with its
line). Then, in one transaction, the import is planned against the database with reads only,
which finds what the file alone cannot show (a hall rebuilt under sold tickets, a format dropped
under scheduled shows, a seat type with no price), and only a plan without problems is written.
A refusal, or a failure half-way, leaves the database as it was.

Rows are matched by their natural keys, regardless of case: a city by name, a theater by name in
its city, a screen by name in its theater. Importing the same file again changes nothing and says
so; an edited address, time zone or state, a screen's formats or its layout are updated. A file
never deletes: rows it does not mention stay, so a file may hold one new theater or the whole chain.
Seats are rebuilt only when a screen's seats really differ (its seats are compared, not just the
layout name); that is refused while the screen has ever sold a ticket, because a ticket names its
seat, and then the new hall belongs under a new screen name. A screen whose shows sold nothing
is rebuilt and its shows get the new seats at their own prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import peewee as pw

from bmstui.domain.catalog_file import (
    CatalogFile,
    CatalogImportError,
    CitySpec,
    Problem,
    ScreenSpec,
    TheaterSpec,
)
from bmstui.domain.errors import shown
from bmstui.domain.layouts import SeatSpec
from bmstui.domain.pricing import money, rupees
from bmstui.domain.vocabulary import SeatStatus, ShowStatus
from bmstui.services import audit
from bmstui.services.operators import require_manager
from bmstui.store.catalog_source import read_catalog_file
from bmstui.store.db import db_now, transaction
from bmstui.store.models import (
    SEAT_TYPES,
    BookingSeat,
    City,
    Screen,
    Seat,
    SeatTypePrice,
    Show,
    ShowSeat,
    Theater,
)
from bmstui.store.seeding import ROW_BATCH, create_show_seats

__all__ = ["CatalogImportError", "Counts", "ImportReport", "import_catalog"]

FREE_STATUSES = (SeatStatus.AVAILABLE, SeatStatus.BLOCKED)  # show seats nobody holds or bought


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # seats only: the old seats of a rebuilt screen

    def __str__(self) -> str:
        text = f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f", {self.removed} removed" if self.removed else "")


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do); ``changes`` is one line per row."""

    source: str
    dry_run: bool = False
    cities: Counts = field(default_factory=Counts)
    theaters: Counts = field(default_factory=Counts)
    screens: Counts = field(default_factory=Counts)
    seats: Counts = field(default_factory=Counts)
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def summary(self) -> str:
        return "; ".join(f"{name} {getattr(self, name)}"
                         for name in ("cities", "theaters", "screens", "seats"))


@dataclass
class _Step:
    """One row to add (``row`` None) or change (``changes``), in the order they are written."""

    kind: str  # price | city | theater | screen
    spec: object
    row: pw.Model | None = None
    changes: dict = field(default_factory=dict)
    parent: _Step | None = None
    rebuild: bool = False
    label: str = ""
    id: int | None = None


def _match(query: pw.ModelSelect, column: pw.Field, name: str) -> pw.Model | None:
    return query.where(pw.fn.LOWER(column) == name.lower()).first()


def _seat_key(seat) -> tuple:
    return (seat.label, seat.row, seat.number, seat.type, bool(seat.accessible), seat.x, seat.y)


def insert_seats(screen_id: int, seats: tuple[SeatSpec, ...] | list[SeatSpec]) -> int:
    """Insert a screen's seats in batches; returns how many."""
    rows = [{"screen": screen_id, "row": s.row, "number": s.number, "label": s.label,
             "type": s.type, "accessible": s.accessible, "x": s.x, "y": s.y} for s in seats]
    for start in range(0, len(rows), ROW_BATCH):
        Seat.insert_many(rows[start:start + ROW_BATCH]).execute()
    return len(rows)


class _Planner:
    """Compares the file with the database (reads only) into steps and problems."""

    def __init__(self, catalog: CatalogFile, report: ImportReport):
        self.catalog, self.report = catalog, report
        self.steps: list[_Step] = []
        self.problems: list[Problem] = []
        self.prices = {kind: money(price) for kind, price in
                       SeatTypePrice.select(SeatTypePrice.type, SeatTypePrice.base_price)
                       .tuples()}
        self.now = db_now()

    def add(self, step: _Step, counts: Counts, text: str) -> _Step:
        self.steps.append(step)
        if step.row is None:
            counts.added += 1
            self.report.changes.append(f"+ {step.kind} {step.label}{text}")
        elif step.changes or step.rebuild:
            counts.updated += 1
            self.report.changes.append(f"~ {step.kind} {step.label}: {text}")
        else:
            counts.unchanged += 1
        return step

    def plan(self) -> None:
        for kind, price in self.catalog.seat_types.items():
            if kind not in self.prices:
                self.steps.append(_Step("price", (kind, price), label=kind))
                self.report.changes.append(f"+ base price {kind} {rupees(price)}")
            elif self.prices[kind] != price:
                self.report.notes.append(
                    f"{kind} keeps its base price {rupees(self.prices[kind])} (the file says "
                    f"{rupees(price)}): an import never reprices seats on sale")
        for city in self.catalog.cities:
            self.city(city)

    def city(self, spec: CitySpec) -> None:
        row = _match(City.select(), City.name, spec.name)
        changes = {}
        if row is not None:
            if row.name != spec.name:
                changes["name"] = spec.name
            if spec.state is not None and row.state != spec.state:
                changes["state"] = spec.state
        step = self.add(_Step("city", spec, row, changes, label=spec.name), self.report.cities,
                        f" ({spec.state})" if row is None and spec.state else _diff(row, changes))
        for theater in spec.theaters:
            self.theater(theater, step)

    def theater(self, spec: TheaterSpec, city: _Step) -> None:
        row = None if city.row is None else _match(
            Theater.select().where(Theater.city == city.row.id), Theater.name, spec.name)
        changes = {}
        if row is not None:
            if row.name != spec.name:
                changes["name"] = spec.name
            if spec.address is not None and row.address != spec.address:
                changes["address"] = spec.address
            if spec.timezone is not None and row.timezone != spec.timezone:
                changes["timezone"] = spec.timezone
        step = self.add(_Step("theater", spec, row, changes, city, label=f"{city.spec.name} / "
                              f"{spec.name}"), self.report.theaters, _diff(row, changes))
        for screen in spec.screens:
            self.screen(screen, step)

    def screen(self, spec: ScreenSpec, theater: _Step) -> None:
        label = f"{theater.label} / {spec.name}"
        unpriced = sorted({s.type for s in spec.seats} - set(self.prices)
                          - set(self.catalog.seat_types), key=SEAT_TYPES.index)
        if unpriced:
            self.problems.append(Problem(spec.line, f"screen {spec.name!r}: {', '.join(unpriced)} "
                                 "seats have no base price; add them to [seat_types]"))
        row = None if theater.row is None else _match(
            Screen.select().where(Screen.theater == theater.row.id), Screen.name, spec.name)
        if row is None:
            formats = " ".join(spec.formats or ("2D",))
            self.add(_Step("screen", spec, None, parent=theater, label=label),
                     self.report.screens, f" ({spec.layout}, {len(spec.seats)} seats, {formats})")
            self.report.seats.added += len(spec.seats)
            return
        changes = {}
        if row.name != spec.name:
            changes["name"] = spec.name
        if row.layout != spec.layout:
            changes["layout"] = spec.layout
        if spec.formats is not None and row.formats != ",".join(spec.formats):
            changes["formats"] = ",".join(spec.formats)
            self.dropped_formats(spec, row, label)
        old = {_seat_key(seat) for seat in Seat.select().where(Seat.screen == row.id)}
        rebuild = old != {_seat_key(seat) for seat in spec.seats}
        text = _diff(row, changes)
        if rebuild:
            changes["capacity"] = len(spec.seats)
            text += f"{'; ' if text else ''}seats rebuilt ({len(old)} -> {len(spec.seats)})"
            self.report.seats.added += len(spec.seats)
            self.report.seats.removed += len(old)
            self.sold_under(spec, row, label)
        else:
            self.report.seats.unchanged += len(old)
        self.add(_Step("screen", spec, row, changes, theater, rebuild, label),
                 self.report.screens, text)

    def sold_under(self, spec: ScreenSpec, row: Screen, label: str) -> None:
        """A screen's seats cannot change once a ticket (even a refunded one) names them."""
        sold = (Show.select(pw.fn.COUNT(Show.id.distinct()))
                .join(ShowSeat, on=(ShowSeat.show == Show.id))
                .where((Show.screen == row.id)
                       & ((ShowSeat.status.not_in(FREE_STATUSES)) | pw.fn.EXISTS(
                           BookingSeat.select(BookingSeat.id)
                           .where(BookingSeat.show_seat == ShowSeat.id))))
                .scalar())
        if sold:
            self.problems.append(Problem(spec.line, (
                f"screen {label}: its seats differ from layout {spec.layout!r}, but {sold} of "
                f"its shows {'have' if sold > 1 else 'has'} sold or held seats; seats under "
                "tickets cannot change (import the new hall under a new screen name)")))

    def dropped_formats(self, spec: ScreenSpec, row: Screen, label: str) -> None:
        dropped = sorted(set(row.formats.split(",")) - set(spec.formats or ()))
        if not dropped:
            return
        shows = (Show.select().where((Show.screen == row.id) & (Show.format.in_(dropped))
                                     & (Show.status == ShowStatus.SCHEDULED)
                                     & (Show.starts_at > self.now)).count())
        if shows:
            self.problems.append(Problem(spec.line, (
                f"screen {label}: the formats leave out {', '.join(dropped)}, but {shows} "
                f"coming show{'s are' if shows > 1 else ' is'} scheduled in "
                f"{'them' if len(dropped) > 1 else 'it'}")))


def _diff(row, changes: dict) -> str:
    return "; ".join(f"{name} {getattr(row, name)!r} -> {value!r}"
                     for name, value in changes.items() if name != "capacity")


def _rebuild(step: _Step, source: str) -> None:
    """Replace a screen's seats; its shows get new show seats at their own price factor."""
    spec: ScreenSpec = step.spec
    shows = Show.select(Show.id).where(Show.screen == step.id)
    refused = CatalogImportError(source, [Problem(spec.line, (
        f"screen {step.label}: a seat was sold or held while importing; nothing was imported, "
        "try again"))])
    try:
        ShowSeat.delete().where(ShowSeat.show.in_(shows) & ShowSeat.status.in_(FREE_STATUSES)
                                & ShowSeat.booking.is_null()).execute()
    except pw.IntegrityError:  # a refunded ticket appeared after planning
        raise refused from None
    if ShowSeat.select().where(ShowSeat.show.in_(shows)).exists():
        raise refused
    Seat.delete().where(Seat.screen == step.id).execute()
    insert_seats(step.id, spec.seats)
    create_show_seats([show_id for (show_id,) in shows.tuples()])


def _write(steps: list[_Step], source: str) -> None:
    for step in steps:
        spec = step.spec
        if step.kind == "price":
            kind, price = spec
            SeatTypePrice.insert(type=kind, base_price=price,
                                 rank=SEAT_TYPES.index(kind) + 1).execute()
            continue
        model = {"city": City, "theater": Theater, "screen": Screen}[step.kind]
        if step.row is not None:
            step.id = step.row.id
            if step.rebuild:
                _rebuild(step, source)
            if step.changes:
                model.update(**step.changes).where(model.id == step.id).execute()
        elif step.kind == "city":
            step.id = City.insert(name=spec.name, state=spec.state or "").execute()
        elif step.kind == "theater":
            step.id = Theater.insert(city=step.parent.id, name=spec.name,
                                     address=spec.address or "",
                                     timezone=spec.timezone or "").execute()
        else:
            step.id = Screen.insert(theater=step.parent.id, name=spec.name, layout=spec.layout,
                                    capacity=len(spec.seats),
                                    formats=",".join(spec.formats or ("2D",))).execute()
            insert_seats(step.id, spec.seats)


def _read(path_or_text: str | Path, source: str | None) -> tuple[str, str]:
    """(text, name for messages). A Path, or a str without a newline, is a file's path."""
    source = None if source is None else shown(source, 120) or None
    if isinstance(path_or_text, str) and "\n" in path_or_text:
        return path_or_text, source or "<text>"
    if (not isinstance(path_or_text, str | PathLike) or not str(path_or_text).strip()
            or "\x00" in str(path_or_text)):
        raise CatalogImportError(source or "<catalog>", [Problem(None, (
            f"a catalog is a file's path or its TOML text, not "
            f"{shown(path_or_text, 40, quoted=True)}"))])
    path = Path(path_or_text)
    name = source or shown(path, 120)  # control characters of a typed path escaped
    try:
        return path.read_text(encoding="utf-8"), name
    except OSError as exc:
        raise CatalogImportError(name, [Problem(None, f"cannot read the file: "
                                                      f"{exc.strerror or exc}")]) from None
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise CatalogImportError(name, [Problem(None, "not a UTF-8 text file")]) from None


def import_catalog(path_or_text: str | Path, *, operator=None, dry_run: bool = False,
                   source: str | None = None) -> ImportReport:
    """Import a catalog file (a path, or TOML text containing a newline) in one transaction.

    A manager's action (``operator``; None is the command line). Raises CatalogImportError
    listing every problem with its line, before anything is written. ``dry_run`` plans and
    reports without writing. One audit row of kind "catalog_import" when something changed.
    """
    actor = require_manager(operator, "importing the catalog")
    text, name = _read(path_or_text, source)
    catalog = read_catalog_file(text, name)

    def attempt() -> ImportReport:
        report = ImportReport(name, dry_run)
        planner = _Planner(catalog, report)
        planner.plan()
        if planner.problems:
            raise CatalogImportError(name, planner.problems)
        if dry_run or not report.changed:
            return report
        _write(planner.steps, name)
        audit.record("catalog_import", operator_id=actor,
                     detail=f"{name}: {report.summary()}")
        return report

    try:
        return transaction(attempt)
    except pw.IntegrityError:  # MariaDB: another import added the same row after we planned
        raise CatalogImportError(name, [Problem(None, (
            "another import changed the same cities, theaters or screens meanwhile; nothing "
            "was imported: run it again"))]) from None
