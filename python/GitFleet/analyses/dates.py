"""Dates the analyses share: figures are dated from the analysed commit, in UTC."""

from __future__ import annotations

import calendar
import datetime as dt
import functools

__all__ = ["day", "month", "months_before"]

_DAY = 86400


def day(ts: int | None) -> str:
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d") if ts is not None else ""


def month(ts: int) -> str:
    return _month_of_day(ts // _DAY)


@functools.lru_cache(maxsize=4096)
def _month_of_day(days: int) -> str:
    """A UTC day's month: a history has a few thousand days, and each commit asks twice."""
    return dt.datetime.fromtimestamp(days * _DAY, dt.timezone.utc).strftime("%Y-%m")


def months_before(ts: int, months: int) -> int:
    """The same moment `months` calendar months earlier (the day clamped to the month's end)."""
    t = dt.datetime.fromtimestamp(ts, dt.timezone.utc)
    y, m = divmod(t.year * 12 + t.month - 1 - months, 12)
    d = min(t.day, calendar.monthrange(y, m + 1)[1])
    return int(t.replace(year=y, month=m + 1, day=d).timestamp())
