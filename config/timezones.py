"""Local wall-clock times in IANA zones: the platform's one set of daylight-saving rules.

A date and a wall-clock time in a zone name an instant, except on the two days a year the clocks
move:

* **the gap** (clocks go forward): a wall time inside the skipped hour (half hour on Lord Howe)
  does not exist. It moves to the first valid minute after the gap, i.e. the instant the clocks
  jumped: 02:30 on a spring-forward day in New York is 03:00 EDT.
* **the repeated hour** (clocks go back): a wall time inside it happens twice. It is its first
  occurrence (``fold=0``): 01:30 on a fall-back day in New York is 01:30 EDT, never 01:30 EST.

Training sessions, notification times, progress analytics and the calendar all read times through
``aware_local`` (or ``resolve_local`` when they also record which rule applied), and cut local days
with ``local_day_bounds``. Instants come back in UTC.
"""

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.utils import timezone

UTC = dt.UTC

# How a wall time was read (kept in notification decisions as written here).
DST_NONE = "none"
DST_GAP = "gap_moved_forward"
DST_REPEATED = "repeated_hour_first"


@cache
def zone_names() -> frozenset[str]:
    """Every IANA zone name zoneinfo knows (``Europe/Berlin``, ``UTC``)."""
    return frozenset(available_timezones())


def is_time_zone(name: str) -> bool:
    return name in zone_names()


def resolve_local(day: dt.date, time: dt.time, zone: ZoneInfo) -> tuple[dt.datetime, str]:
    """``day`` at wall-clock ``time`` in ``zone`` as an aware UTC instant, and the rule applied:
    ``DST_NONE``, ``DST_GAP`` (the time does not exist that day; moved to the end of the gap) or
    ``DST_REPEATED`` (it exists twice; the first occurrence)."""
    naive = dt.datetime.combine(day, time)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    as_utc = first.astimezone(UTC)
    if first.utcoffset() == second.utcoffset():
        return as_utc, DST_NONE
    if as_utc.astimezone(zone).replace(tzinfo=None) == naive:
        return as_utc, DST_REPEATED
    return _end_of_gap(as_utc, second.astimezone(UTC), zone), DST_GAP


def aware_local(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """``day`` at wall-clock ``time`` in ``zone`` as an aware UTC datetime.

    An ambiguous wall time (the repeated hour when clocks go back) is its first occurrence
    (``fold=0``). A wall time that does not exist (the hour skipped when clocks go forward) moves
    to the first valid minute after the gap, i.e. the instant the clocks jumped.
    """
    return resolve_local(day, time, zone)[0]


def _end_of_gap(one: dt.datetime, other: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The instant the clocks jumped: the transition lies between the two UTC readings of a
    wall time inside the gap (one per offset); the first minute with the later offset."""
    low, high = min(one, other), max(one, other)
    after = high.astimezone(zone).utcoffset()
    low_min, high_min = 0, int((high - low).total_seconds() // 60)
    while low_min < high_min:
        mid = (low_min + high_min) // 2
        if (low + dt.timedelta(minutes=mid)).astimezone(zone).utcoffset() == after:
            high_min = mid
        else:
            low_min = mid + 1
    return low + dt.timedelta(minutes=low_min)


def local_day_bounds(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants a local day starts and ends (``[start, end)``): 23 hours on a
    spring-forward day, 25 on a fall-back day; a midnight inside a gap starts at the jump."""
    return local_span_bounds(day, day, zone)


def local_span_bounds(first: dt.date, last: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants the local days ``first`` to ``last`` (inclusive) start and end."""
    midnight = dt.time(0, 0)
    return aware_local(first, midnight, zone), aware_local(last + dt.timedelta(days=1), midnight, zone)


def local_date(instant: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The local date of an aware instant in ``zone``."""
    return instant.astimezone(zone).date()


def local_today(zone: ZoneInfo | str, now: dt.datetime | None = None) -> dt.date:
    """Today's date in ``zone`` (a ``ZoneInfo`` or its name), at ``now`` (default: now)."""
    if isinstance(zone, str):
        zone = ZoneInfo(zone)
    return local_date(now or timezone.now(), zone)
