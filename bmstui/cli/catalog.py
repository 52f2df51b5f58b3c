"""``bmstui catalog import FILE``: cities, theaters and screens from a data/-format file.

A refused file prints one ``FILE:LINE: message`` line per problem on stderr (the form editors
and CI logs link to the line) and exits 1, like every refused action of ``bmstui``.
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

import bmstui
from bmstui.cli.registry import EXIT_REFUSED, command
from bmstui.domain.actors import administrator

console = Console()


def add_parsers(sub, common: argparse.ArgumentParser) -> None:
    catalog = sub.add_parser("catalog", parents=[common],
                             help="import cities, theaters and screens")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    load = catalog_sub.add_parser(
        "import", parents=[common],
        help="add or update cities, theaters, screens and seats from a file in the data/ "
             "format (see data/examples/new-theater.toml); idempotent, all or nothing")
    load.add_argument("file", metavar="FILE")
    load.add_argument("--dry-run", action="store_true",
                      help="check the file and say what would change, without writing")


@command("catalog import")
def catalog_import(args) -> int:
    from bmstui.services.catalog_import import CatalogImportError, import_catalog

    bmstui.open_database()
    try:
        report = import_catalog(args.file, dry_run=args.dry_run, operator=administrator())
    except CatalogImportError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        print(f"bmstui: {len(exc.problems)} problem{'s' if len(exc.problems) > 1 else ''}; "
              "nothing was imported", file=sys.stderr)
        return EXIT_REFUSED
    for line in report.changes:
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    for note in report.notes:
        console.print(f"note: {note}", highlight=False, markup=False, soft_wrap=True)
    for name in ("cities", "theaters", "screens", "seats"):
        console.print(f"{name.title()}: {getattr(report, name)}", highlight=False)
    if not report.changed:
        console.print("Nothing to change: the database already matches the file.")
    elif report.dry_run:
        console.print("Dry run: nothing was written.")
    return 0
