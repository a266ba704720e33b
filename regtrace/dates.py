"""Date arithmetic the trace relies on: calendar months back from a date, clamped to the month's end."""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache


@lru_cache(maxsize=8192)  # a trace asks for the same few (date, window) pairs thousands of times
def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (31 March minus one month is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def days_between(start: dt.date, end: dt.date) -> int:
    return (end - start).days
