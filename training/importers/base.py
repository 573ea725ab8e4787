"""What every parser shares: the summary, the refusal, the deadline and the numbers they use."""

import datetime as dt
import time
from dataclasses import dataclass, field

from django.conf import settings


class ImportFailed(ValueError):
    """A file that cannot be recorded; ``code`` is a short, stable reason (metrics label)."""

    def __init__(self, message: str, *, code: str = "unreadable"):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ParsedActivity:
    source: str
    started_at: dt.datetime
    duration_s: int
    distance_m: int
    avg_heart_rate: int | None = None
    max_heart_rate: int | None = None
    elevation_gain_m: int | None = None
    kind: str = "run"
    avg_cadence: int | None = None
    warnings: tuple[str, ...] = field(default=())


def max_file_bytes() -> int:
    return settings.ACTIVITY_IMPORT_MAX_BYTES


def parse_timeout_s() -> float:
    return settings.ACTIVITY_IMPORT_PARSE_TIMEOUT_S


class Deadline:
    """A time budget the parsers check between steps (one FIT message, one XML element, one
    64 kB chunk), so a file that would take too long is refused instead of holding a worker."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise ImportFailed(
                f"The file took longer than {self.seconds:g} s to read; it is refused.", code="timeout"
            )


def aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def heart(values) -> tuple[int | None, int | None]:
    """(average, maximum) of plausible heart rates, or (None, None)."""
    values = [v for v in values if v and 25 <= v <= 250]
    if not values:
        return None, None
    return round(sum(values) / len(values)), max(values)


def steps_per_minute(strides_per_minute: float | None) -> int | None:
    """Garmin and Strava write running cadence per foot (strides a minute): steps are twice that."""
    if not strides_per_minute or strides_per_minute <= 0:
        return None
    steps = round(2 * strides_per_minute)
    return steps if 20 <= steps <= 300 else None


def elevation_gain(elevations: list[float | None]) -> int | None:
    """Climb in metres with gpxpy's smoothing (the same number as gpxpy's uphill)."""
    from gpxpy.geo import calculate_uphill_downhill

    known = [e for e in elevations if e is not None]
    if len(known) < 2:
        return None
    uphill, _ = calculate_uphill_downhill(known)
    return round(uphill)


class Mean:
    """A running average that keeps no list of the values."""

    def __init__(self):
        self.total = 0.0
        self.count = 0

    def add(self, value) -> None:
        if value is not None:
            self.total += value
            self.count += 1

    @property
    def value(self) -> float | None:
        return self.total / self.count if self.count else None
