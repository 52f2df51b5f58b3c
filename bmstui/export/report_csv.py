"""Any report's lines as CSV, for a spreadsheet or the accountant (``reports.to_csv``)."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime
from decimal import Decimal

from bmstui.domain.vocabulary import PAYMENT_METHODS


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def to_csv(lines, kind: type | None = None) -> str:
    """Any report's lines as CSV: a header of the dataclass's field names, then one row per
    line. A dict field (money per payment method) becomes one column per key, ``sales_cash``,
    ``sales_card``...; Decimals are plain numbers (``1234.50``), dates ISO. ``kind`` gives the
    header when there are no lines (otherwise an empty report is an empty string)."""
    lines = list(lines)
    if not lines and kind is None:
        return ""
    kind = kind or type(lines[0])
    columns: list[tuple[str, list | None]] = []  # (field, its dict's keys or None)
    for field in dataclasses.fields(kind):
        if lines and isinstance(getattr(lines[0], field.name), dict):
            columns.append((field.name, list(getattr(lines[0], field.name))))
        elif not lines and "dict" in str(field.type):
            columns.append((field.name, list(PAYMENT_METHODS)))
        else:
            columns.append((field.name, None))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([column for name, keys in columns
                     for column in ([f"{name}_{key}" for key in keys] if keys else [name])])
    for line in lines:
        row: list[str] = []
        for name, keys in columns:
            value = getattr(line, name)
            row += [_cell(value.get(key)) for key in keys] if keys else [_cell(value)]
        writer.writerow(row)
    return out.getvalue()
