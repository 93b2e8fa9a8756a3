"""`next_daily_time`: the next local time of day in a zone, including the days the clocks change."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from src.jobs.daily_time import next_daily_time

NEW_YORK = ZoneInfo("America/New_York")


def epoch(text: str, zone: ZoneInfo = NEW_YORK) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()


def test_later_today_or_tomorrow() -> None:
    assert next_daily_time(epoch("2024-06-01T08:00:00"), time(9, 30), NEW_YORK) == \
        datetime(2024, 6, 1, 9, 30, tzinfo=NEW_YORK)
    assert next_daily_time(epoch("2024-06-01T10:00:00"), time(9, 30), NEW_YORK) == \
        datetime(2024, 6, 2, 9, 30, tzinfo=NEW_YORK)


def test_strictly_after_so_a_run_at_the_time_is_not_repeated() -> None:
    at_the_time = epoch("2024-06-01T09:30:00")
    assert next_daily_time(at_the_time, time(9, 30), NEW_YORK) == datetime(2024, 6, 2, 9, 30, tzinfo=NEW_YORK)
    assert next_daily_time(at_the_time - 0.001, time(9, 30), NEW_YORK).timestamp() == at_the_time


def test_the_zone_decides_the_day_not_utc() -> None:
    # 02:00 UTC on 1 June is still 31 May in New York: 23:00 New York time is later that same local evening.
    now = datetime(2024, 6, 1, 2, 0, tzinfo=UTC).timestamp()
    assert next_daily_time(now, time(23, 0), NEW_YORK) == datetime(2024, 5, 31, 23, 0, tzinfo=NEW_YORK)
    assert next_daily_time(now, time(23, 0), ZoneInfo("UTC")) == datetime(2024, 6, 1, 23, 0, tzinfo=UTC)


def test_spring_forward_a_time_in_the_gap_runs_just_after_it_once() -> None:
    # 10 March 2024: New York clocks jump from 02:00 EST to 03:00 EDT; 02:30 does not exist that day.
    run = next_daily_time(epoch("2024-03-10T00:00:00"), time(2, 30), NEW_YORK)
    assert run.timestamp() == datetime(2024, 3, 10, 7, 30, tzinfo=UTC).timestamp()
    assert (run.hour, run.minute, run.utcoffset()) == (3, 30, timedelta(hours=-4))
    following = next_daily_time(run.timestamp(), time(2, 30), NEW_YORK)
    assert following == datetime(2024, 3, 11, 2, 30, tzinfo=NEW_YORK)
    assert following.timestamp() - run.timestamp() == 23 * 3600


def test_fall_back_a_repeated_time_runs_at_its_first_occurrence_only() -> None:
    # 3 November 2024: 01:00-02:00 happens twice (EDT, then EST).
    first = next_daily_time(epoch("2024-11-03T00:00:00"), time(1, 30), NEW_YORK)
    assert first.timestamp() == datetime(2024, 11, 3, 5, 30, tzinfo=UTC).timestamp()  # 01:30 EDT
    following = next_daily_time(first.timestamp(), time(1, 30), NEW_YORK)
    assert following == datetime(2024, 11, 4, 1, 30, tzinfo=NEW_YORK)  # not 01:30 EST an hour later
    assert following.timestamp() - first.timestamp() == 25 * 3600


def test_every_ordinary_day_is_24_hours_apart() -> None:
    moment = epoch("2024-07-01T00:00:00")
    runs = []
    for _ in range(5):
        run = next_daily_time(moment, time(12, 0, 5), NEW_YORK)
        runs.append(run)
        moment = run.timestamp()
    assert [b.timestamp() - a.timestamp() for a, b in itertools.pairwise(runs)] == [86400.0] * 4
    assert all((run.hour, run.minute, run.second) == (12, 0, 5) for run in runs)
