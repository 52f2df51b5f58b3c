"""Local wall-clock time for people, UTC for the database, one IANA zone per theater.

Show times are stored in UTC (naive datetimes). People see and type them in the zone of the
theater the show plays at (``Theater.timezone``; empty means the chain default, the
``[cinema] timezone`` setting, itself defaulting to this machine's zone). A conversion uses the
rules of the date being converted, never today's offset: 18:00 on 1 July in Europe/London is
17:00 UTC even when it is typed in November. Decisions never use this module's clock: they use
the database's (``bmstui.store.db.now_sql``).

Every function takes the zone explicitly (a ``ZoneInfo``/``tzinfo`` or an IANA name; ``""`` or
``None`` mean the chain default), so no caller can silently fall back to the machine's zone
when a theater elsewhere is meant.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bmstui.domain.errors import InvalidDay, UnknownTimeZone, shown

Zone = tzinfo | str | None


@lru_cache(maxsize=64)
def _load(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def check_zone(name) -> str:
    """The IANA zone name ``name``, stripped, if this machine knows it; else UnknownTimeZone (a
    ValueError and a BookingError) saying what is wrong (the caller adds where it came from)."""
    text = str(name).strip() if isinstance(name, str) else ""
    if not text:
        raise UnknownTimeZone(f"a time zone is an IANA name such as Asia/Kolkata, "
                              f"not {shown(name, 40, quoted=True)}")
    try:
        _load(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownTimeZone(f"unknown time zone {shown(text, 40, quoted=True)} (use an IANA "
                              "name such as Asia/Kolkata, Europe/London or America/New_York)"
                              ) from None
    return text


def machine_zone_name(environ=None) -> str:
    """This machine's IANA zone: $TZ if it names one, else /etc/timezone, else the target of
    the /etc/localtime link; UTC when none of them says (a zone must never be guessed from
    today's offset, which is the same for many zones with different rules)."""
    env = os.environ if environ is None else environ
    candidates = [str(env.get("TZ", "")).lstrip(":")]
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    try:
        target = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for candidate in candidates:
        if candidate.startswith("/") and "zoneinfo/" in candidate:
            candidate = candidate.split("zoneinfo/", 1)[1]
        try:
            return check_zone(candidate)
        except ValueError:
            continue
    return "UTC"


_chain_zone = ""


def use_chain_zone(name: str | None) -> None:
    """Set the chain default zone (``[cinema] timezone``; empty: this machine's). The settings
    hand it in when an entry point loads them (``bmstui.config.use_settings``): time rules read
    no configuration of their own."""
    global _chain_zone
    _chain_zone = (name or "").strip()


def chain_zone() -> str:
    """The chain default zone as set (empty: this machine's)."""
    return _chain_zone


def default_zone_name() -> str:
    """The chain default zone: ``[cinema] timezone``, else this machine's."""
    return _chain_zone or _machine_zone()


@lru_cache(maxsize=1)
def _machine_zone() -> str:
    return machine_zone_name()


def zone(which: Zone = None) -> tzinfo:
    """A tzinfo for a zone given as a tzinfo, an IANA name, or ``""``/``None`` (chain default)."""
    if isinstance(which, tzinfo):
        return which
    name = (which or "").strip() if isinstance(which, str) else ""
    return _load(check_zone(name or default_zone_name()))


def zone_name(which: Zone = None) -> str:
    """The IANA name of a zone (``""``/``None``: the chain default's)."""
    resolved = zone(which)
    return getattr(resolved, "key", None) or str(resolved)


def to_utc(local: datetime, where: Zone) -> datetime:
    """A naive local datetime of zone ``where`` -> naive UTC, by the rules of that date.

    A wall time that does not exist (skipped when clocks go forward) or exists twice (repeated
    when they go back) is read with ``fold=0``: the offset in force before the change. So
    02:30 on the spring-forward night reads as 02:30 of the old offset (03:30 of the new), and
    01:30 on the fall-back night as the first 01:30. An aware datetime is converted as is.
    """
    aware = local if local.tzinfo else local.replace(tzinfo=zone(where), fold=0)
    try:
        return aware.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # 1 Jan of year 1 east of Greenwich, 31 Dec 9999 west of it
        raise InvalidDay(f"{local:%Y-%m-%d %H:%M} is outside the calendar") from None


def to_local(utc: datetime, where: Zone) -> datetime:
    """A naive UTC datetime -> naive wall time of zone ``where``, by the rules of that date."""
    return utc.replace(tzinfo=UTC).astimezone(zone(where)).replace(tzinfo=None,
                                                                            fold=0)


def local_today(where: Zone) -> date:
    """Today's date in zone ``where`` (a day picker's default; never a decision)."""
    return datetime.now(UTC).astimezone(zone(where)).date()


def utc_range_of_local_day(day: date, where: Zone) -> tuple[datetime, datetime]:
    """The UTC [start, end) of a calendar day of zone ``where``: 23 or 25 hours long on the
    days the clocks change."""
    start = to_utc(datetime.combine(day, time.min), where)
    try:
        following = day + timedelta(days=1)
    except OverflowError:  # 31 Dec 9999 has no next day to end at
        raise InvalidDay(f"{day:%Y-%m-%d} is outside the calendar") from None
    return start, to_utc(datetime.combine(following, time.min), where)
