"""Local wall-clock time for people, UTC for the database.

Show times are stored in UTC and shown in this terminal's local time zone; every counter of one
cinema runs in the same zone, so they agree. Decisions never use this module's clock: they use the
database's (``bmstui.db.now_sql``).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone


def local_zone():
    return datetime.now().astimezone().tzinfo


def to_utc(local: datetime) -> datetime:
    """A naive local datetime -> naive UTC."""
    aware = local if local.tzinfo else local.replace(tzinfo=local_zone())
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


def to_local(utc: datetime) -> datetime:
    """A naive UTC datetime -> naive local."""
    return utc.replace(tzinfo=timezone.utc).astimezone(local_zone()).replace(tzinfo=None)


def local_today() -> date:
    return datetime.now().date()


def utc_range_of_local_day(day: date) -> tuple[datetime, datetime]:
    """The UTC [start, end) of a local calendar day."""
    start = to_utc(datetime.combine(day, time.min))
    end = to_utc(datetime.combine(day + timedelta(days=1), time.min))
    return start, end
