"""The platform's daylight-saving rules (config/timezones.py): the gap, the repeated hour and local
days, on the days the clocks move in a few zones, and as a property over every zone zoneinfo knows."""

import datetime as dt
import os
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from config.timezones import (
    DST_GAP,
    DST_NONE,
    DST_REPEATED,
    aware_local,
    local_date,
    local_day_bounds,
    local_span_bounds,
    local_today,
    resolve_local,
)

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "day", "time", "instant", "rule"),
    [
        # New York springs forward 02:00 EST -> 03:00 EDT: 02:30 does not exist.
        ("America/New_York", dt.date(2026, 3, 8), dt.time(2, 30), utc(2026, 3, 8, 7, 0), DST_GAP),
        ("America/New_York", dt.date(2026, 3, 8), dt.time(1, 59), utc(2026, 3, 8, 6, 59), DST_NONE),
        ("America/New_York", dt.date(2026, 3, 8), dt.time(3, 0), utc(2026, 3, 8, 7, 0), DST_NONE),
        # ... and falls back 02:00 EDT -> 01:00 EST: 01:30 happens twice, the first (EDT) counts.
        ("America/New_York", dt.date(2026, 11, 1), dt.time(1, 30), utc(2026, 11, 1, 5, 30), DST_REPEATED),
        ("America/New_York", dt.date(2026, 11, 1), dt.time(2, 0), utc(2026, 11, 1, 7, 0), DST_NONE),
        # London: 01:00 GMT -> 02:00 BST, then 02:00 BST -> 01:00 GMT.
        ("Europe/London", dt.date(2026, 3, 29), dt.time(1, 30), utc(2026, 3, 29, 1, 0), DST_GAP),
        ("Europe/London", dt.date(2026, 10, 25), dt.time(1, 30), utc(2026, 10, 25, 0, 30), DST_REPEATED),
        # Lord Howe moves by half an hour: 02:00 +10:30 -> 02:30 +11:00, and back 02:00 -> 01:30.
        ("Australia/Lord_Howe", dt.date(2026, 10, 4), dt.time(2, 15), utc(2026, 10, 3, 15, 30), DST_GAP),
        ("Australia/Lord_Howe", dt.date(2026, 10, 4), dt.time(2, 30), utc(2026, 10, 3, 15, 30), DST_NONE),
        ("Australia/Lord_Howe", dt.date(2026, 4, 5), dt.time(1, 45), utc(2026, 4, 4, 14, 45), DST_REPEATED),
        ("Australia/Lord_Howe", dt.date(2026, 4, 5), dt.time(1, 15), utc(2026, 4, 4, 14, 15), DST_NONE),
        # Tokyo has no daylight saving.
        ("Asia/Tokyo", dt.date(2026, 3, 8), dt.time(2, 30), utc(2026, 3, 7, 17, 30), DST_NONE),
        ("Asia/Tokyo", dt.date(2026, 11, 1), dt.time(1, 30), utc(2026, 10, 31, 16, 30), DST_NONE),
    ],
)
def test_a_wall_time_is_one_instant_with_the_rule_that_applied(zone, day, time, instant, rule):
    assert resolve_local(day, time, ZoneInfo(zone)) == (instant, rule)
    assert aware_local(day, time, ZoneInfo(zone)) == instant


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        ("America/New_York", dt.date(2026, 3, 8), 23),
        ("America/New_York", dt.date(2026, 11, 1), 25),
        ("America/New_York", dt.date(2026, 7, 1), 24),
        ("Europe/London", dt.date(2026, 3, 29), 23),
        ("Europe/London", dt.date(2026, 10, 25), 25),
        ("Australia/Lord_Howe", dt.date(2026, 10, 4), 23.5),
        ("Australia/Lord_Howe", dt.date(2026, 4, 5), 24.5),
        ("Asia/Tokyo", dt.date(2026, 3, 8), 24),
        ("UTC", dt.date(2026, 3, 29), 24),
    ],
)
def test_a_local_day_lasts_as_long_as_its_clocks_say(zone, day, hours):
    start, end = local_day_bounds(day, ZoneInfo(zone))
    assert (end - start) == dt.timedelta(hours=hours)
    assert start.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == dt.datetime.combine(day, dt.time(0, 0))
    assert start.tzinfo is UTC and end.tzinfo is UTC


def test_a_day_starting_in_a_gap_starts_when_the_clocks_jump():
    # Havana springs forward at midnight: 8 March 2026 begins at 01:00 CDT.
    start, end = local_day_bounds(dt.date(2026, 3, 8), ZoneInfo("America/Havana"))
    assert start == utc(2026, 3, 8, 5, 0)
    assert start.astimezone(ZoneInfo("America/Havana")).time() == dt.time(1, 0)
    assert end - start == dt.timedelta(hours=23)


def test_a_span_runs_from_its_first_midnight_to_the_one_after_its_last_day():
    zone = ZoneInfo("Europe/London")
    start, end = local_span_bounds(dt.date(2026, 3, 23), dt.date(2026, 3, 29), zone)
    assert start == local_day_bounds(dt.date(2026, 3, 23), zone)[0]
    assert end == local_day_bounds(dt.date(2026, 3, 29), zone)[1]
    assert end - start == dt.timedelta(days=7) - HOUR


def test_today_and_the_local_date_follow_the_zone():
    now = utc(2026, 3, 7, 23, 30)
    assert local_today("Asia/Tokyo", now) == dt.date(2026, 3, 8)
    assert local_today(ZoneInfo("America/New_York"), now) == dt.date(2026, 3, 7)
    assert local_date(now, ZoneInfo("UTC")) == dt.date(2026, 3, 7)


ZONES = sorted(available_timezones())
EXAMPLES = int(os.environ.get("GEN_EXAMPLES", 300))


def _next_transition(zone: ZoneInfo, after: dt.datetime) -> dt.datetime | None:
    """The first instant after ``after`` (within about a year) at which ``zone``'s offset changes."""
    offset = after.astimezone(zone).utcoffset()
    low = after
    for _ in range(400):
        high = low + dt.timedelta(days=1)
        if high.astimezone(zone).utcoffset() != offset:
            break
        low = high
    else:
        return None
    while high - low > MINUTE:
        mid = low + (high - low) / 2
        if mid.astimezone(zone).utcoffset() == offset:
            low = mid
        else:
            high = mid
    return high.replace(second=0, microsecond=0)


@st.composite
def wall_times(draw):
    """A zone and a local wall time: anywhere in 2000-2037, or within two hours of a clock change
    (where the gap and the repeated hour are)."""
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    day = draw(st.dates(dt.date(2000, 1, 1), dt.date(2037, 12, 31)))
    time = draw(st.times().map(lambda t: t.replace(second=0, microsecond=0)))
    naive = dt.datetime.combine(day, time)
    if draw(st.booleans()):
        change = _next_transition(zone, naive.replace(tzinfo=UTC))
        if change is not None:
            jump_wall = (change - MINUTE).astimezone(zone).replace(tzinfo=None) + MINUTE
            naive = jump_wall + draw(st.integers(-120, 120)) * MINUTE
    return zone, naive


@settings(max_examples=EXAMPLES, deadline=None)
@given(wall=wall_times())
def test_a_wall_time_reads_back_except_in_a_gap_where_it_is_the_jump(wall):
    zone, naive = wall
    day, time = naive.date(), naive.time()
    instant, rule = resolve_local(day, time, zone)
    event(rule)
    local = instant.astimezone(zone)
    assert instant.tzinfo is UTC
    assert aware_local(day, time, zone) == instant
    if rule == DST_GAP:
        # No instant reads as the wall time; the answer is the first minute after the jump.
        before = (instant - MINUTE).astimezone(zone)
        assert before.utcoffset() < local.utcoffset()
        assert before.replace(tzinfo=None) < naive < local.replace(tzinfo=None)
        return
    assert local.replace(tzinfo=None) == naive
    if rule == DST_REPEATED:
        second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
        assert instant < second
        assert second.astimezone(zone).replace(tzinfo=None) == naive
    else:
        assert naive.replace(tzinfo=zone, fold=1).astimezone(UTC) == instant


@settings(max_examples=EXAMPLES, deadline=None)
@given(zone_name=st.sampled_from(ZONES), day=st.dates(dt.date(2000, 1, 1), dt.date(2037, 12, 31)))
def test_a_local_day_starts_at_its_first_instant_and_ends_at_the_next_days(zone_name, day):
    zone = ZoneInfo(zone_name)
    start, end = local_day_bounds(day, zone)
    assert start <= end
    if start == end:  # a day the zone skipped (Samoa crossing the date line)
        return
    assert local_date(start, zone) == day
    assert local_date(start - MINUTE, zone) < day
    assert local_date(end - MINUTE, zone) == day
    assert local_date(end, zone) > day
