"""The next occurrence of a local time of day, in a time zone, across daylight-saving changes.

A daily job at 02:30 in a zone that springs forward from 02:00 to 03:00 runs at 03:30 local that day (the wall
clock never shows 02:30); on the day the clocks fall back and 01:30 happens twice, it runs at the first 01:30
only. Every other day it runs at exactly the local time, so consecutive runs are 23, 24 or 25 hours apart.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo


def next_daily_time(after: float, at: time, tz: tzinfo) -> datetime:
    """The first moment strictly after `after` (Unix seconds) at which the local time in `tz` is `at`."""
    local_day = datetime.fromtimestamp(after, tz).date()
    for days in range(3):
        # fold=0: an ambiguous time means its first occurrence, a non-existent one is read with the offset in
        # force before the change (so it lands just after the gap).
        candidate = datetime.combine(local_day + timedelta(days=days), at.replace(tzinfo=None, fold=0), tzinfo=tz)
        moment = candidate.timestamp()
        if moment > after:
            return datetime.fromtimestamp(moment, tz)
    raise AssertionError("unreachable: a local time occurs at least once within any three days")
