"""Wall-clock times in the user's zone: quiet hours and labels. Pure functions.

Every notification time is meant as a local wall-clock time on a local date, read with the
platform's daylight-saving rules (``config.timezones``): a time in the skipped hour moves to the
end of the gap; a time in the repeated hour fires once, at its first occurrence.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from config.timezones import aware_local


def minute_to_time(minute: int) -> dt.time:
    minute %= 1440
    return dt.time(minute // 60, minute % 60)


def time_to_minute(value: dt.time) -> int:
    return value.hour * 60 + value.minute


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


def local_label(instant: dt.datetime, zone: ZoneInfo) -> str:
    """``2026-03-29T03:00+02:00``: the local reading with its offset."""
    return instant.astimezone(zone).isoformat(timespec="minutes")
