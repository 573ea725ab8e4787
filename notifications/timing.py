"""Wall-clock times in the user's zone: daylight saving and quiet hours. Pure functions.

Every notification time is meant as a local wall-clock time on a local date. On the day clocks
go forward a local time inside the skipped hour does not exist: it moves to the first valid
minute after the gap. On the day clocks go back a time in the repeated hour happens twice: it
fires once, at its first occurrence (``fold=0``).
"""

import datetime as dt
from zoneinfo import ZoneInfo

from training.models import aware_local

UTC = dt.UTC


def minute_to_time(minute: int) -> dt.time:
    minute %= 1440
    return dt.time(minute // 60, minute % 60)


def time_to_minute(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def dst_handling(day: dt.date, time: dt.time, zone: ZoneInfo) -> str:
    """``none``, ``gap_moved_forward`` (the time does not exist that day) or
    ``repeated_hour_first`` (it exists twice; the first is used)."""
    naive = dt.datetime.combine(day, time)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return "none"
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        return "gap_moved_forward"
    return "repeated_hour_first"


def local_instant(day: dt.date, time: dt.time, zone: ZoneInfo) -> tuple[dt.datetime, str]:
    """``day`` at ``time`` in ``zone`` as an aware UTC instant, and how daylight saving was handled."""
    return aware_local(day, time, zone), dst_handling(day, time, zone)


def in_quiet_hours(local_time: dt.time, start: dt.time, end: dt.time) -> bool:
    """Whether a local time lies in quiet hours ``[start, end)``; they may cross midnight."""
    if start == end:
        return False
    if start < end:
        return start <= local_time < end
    return local_time >= start or local_time < end


def quiet_hours_end_after(
    instant: dt.datetime, zone: ZoneInfo, start: dt.time, end: dt.time
) -> dt.datetime | None:
    """The UTC instant quiet hours end, if ``instant`` falls inside them; else None."""
    local = instant.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if not in_quiet_hours(wall, start, end):
        return None
    end_day = local.date()
    if start > end and wall >= start:  # the evening part of overnight quiet hours
        end_day += dt.timedelta(days=1)
    return aware_local(end_day, end, zone)


def local_date_of(instant: dt.datetime, zone: ZoneInfo) -> dt.date:
    return instant.astimezone(zone).date()


def local_label(instant: dt.datetime, zone: ZoneInfo) -> str:
    """``2026-03-29T03:00+02:00``: the local reading with its offset."""
    return instant.astimezone(zone).isoformat(timespec="minutes")
