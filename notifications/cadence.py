"""The cadence analyzer: when does this person actually train? Pure functions, no database.

Start times are local wall-clock minutes (0-1439) on a 24-hour circle, so 23:50 and 00:10 are
twenty minutes apart, not a day. The estimate:

* **circular mean** and **resultant length** R (1: always the same minute, 0: no pattern);
* **confidence** corrects R for small samples: with n random times R² is about 1/n, so
  R²ₑ = (n·R² − 1)/(n − 1) (clipped at 0), times n/(n + 3) so three sessions are not trusted
  like thirty;
* **habits**: a density on the circle (a histogram of 15-minute bins smoothed with a wrapped
  Gaussian kernel); each peak carrying at least a quarter of the samples, three hours or more
  from a bigger one, is a habit (mornings and evenings);
* **weekday patterns** shrink each weekday's mean toward the all-days mean with weight
  n_d / (n_d + 4), so one odd Tuesday does not move Tuesdays;
* **habit shift**: the recent third of the samples against the rest; a move of an hour or more
  with both parts regular is flagged;
* **fallback** for a weekday: the weekday pattern when it is confident, else all days when that
  is, else the plan's default time.
"""

import math
from dataclasses import dataclass, field

MINUTES = 1440
TAU = 2 * math.pi
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CONFIDENT = 0.5  # confidence at or above which a habit is used
MIN_SAMPLES = 4  # fewer: the plan's default (a new plan)
WEEKDAY_SHRINK = 4.0  # pseudo-samples of the all-days estimate in a weekday estimate
BIN = 15  # minutes per density bin
BINS = MINUTES // BIN
KERNEL_SD_BINS = 2.5  # density bandwidth: about 40 minutes
HABIT_MIN_SHARE = 0.25
HABIT_MIN_GAP = 180  # minutes between two habits
HABIT_MIN_R = 0.9  # a habit is tight (circular sd under ~1.8 h); random times split in two are not
SHIFT_MIN = 60  # minutes the recent habit must move to flag a shift
WINDOW_MIN_HALF = 30
WINDOW_MAX_HALF = 120


def _kernel() -> list[float]:
    half = int(3 * KERNEL_SD_BINS) + 1
    weights = [math.exp(-0.5 * (k / KERNEL_SD_BINS) ** 2) for k in range(-half, half + 1)]
    total = sum(weights)
    return [w / total for w in weights]


KERNEL = _kernel()
KERNEL_HALF = len(KERNEL) // 2
_COS = [math.cos(TAU * m / MINUTES) for m in range(MINUTES)]
_SIN = [math.sin(TAU * m / MINUTES) for m in range(MINUTES)]


@dataclass(frozen=True)
class CircularStats:
    n: int
    mean_min: float | None  # None when n == 0 or the times cancel out exactly
    resultant_length: float
    confidence: float


@dataclass
class Habit:
    minute: int
    share: float
    resultant_length: float


@dataclass
class Cadence:
    """Everything the analyzer concludes; ``BehaviorProfile`` stores it."""

    sample_count: int
    circular_mean_min: float | None
    resultant_length: float
    confidence: float
    window_start_min: int
    window_end_min: int
    habits: list[Habit] = field(default_factory=list)
    weekday_patterns: dict = field(default_factory=dict)
    deviation_flags: list[str] = field(default_factory=list)
    used_fallback: bool = False
    fallback: str = "all_days"


def circular_stats(minutes: list[int] | list[float]) -> CircularStats:
    n = len(minutes)
    if n == 0:
        return CircularStats(0, None, 0.0, 0.0)
    c = s = 0.0
    for m in minutes:
        if isinstance(m, int):
            c += _COS[m % MINUTES]
            s += _SIN[m % MINUTES]
        else:
            c += math.cos(TAU * m / MINUTES)
            s += math.sin(TAU * m / MINUTES)
    c /= n
    s /= n
    r = math.hypot(c, s)
    mean = None if r < 1e-9 else (math.atan2(s, c) / TAU * MINUTES) % MINUTES
    return CircularStats(n, mean, r, confidence(r, n))


def confidence(r: float, n: int) -> float:
    """R corrected for the R a sample of n random times would show by chance, damped for small n."""
    if n < 2:
        return 0.0
    corrected_sq = max(0.0, (n * r * r - 1) / (n - 1))
    return math.sqrt(corrected_sq) * n / (n + 3)


def circular_distance(a: float, b: float) -> float:
    """Minutes between two clock readings the short way round (0-720)."""
    d = abs(a - b) % MINUTES
    return min(d, MINUTES - d)


def signed_difference(a: float, b: float) -> float:
    """a - b on the circle, in (-720, 720]."""
    d = (a - b) % MINUTES
    return d - MINUTES if d > MINUTES / 2 else d


def density(minutes: list[int]) -> list[float]:
    """Share of samples per 15-minute bin, smoothed with a wrapped Gaussian kernel."""
    counts = [0] * BINS
    for m in minutes:
        counts[int(m) % MINUTES // BIN] += 1
    n = len(minutes) or 1
    out = [0.0] * BINS
    for index, count in enumerate(counts):
        if not count:
            continue
        weight = count / n
        for k, w in enumerate(KERNEL):
            out[(index + k - KERNEL_HALF) % BINS] += weight * w
    return out


def find_habits(minutes: list[int]) -> list[Habit]:
    """One habit, or two (e.g. mornings and evenings) when the density has two real peaks."""
    if not minutes:
        return []
    dens = density(minutes)
    peaks = [
        i for i in range(BINS) if dens[i] > 0 and dens[i] >= dens[i - 1] and dens[i] > dens[(i + 1) % BINS]
    ]
    peaks.sort(key=lambda i: dens[i], reverse=True)
    centres: list[float] = []
    for i in peaks:
        centre = i * BIN + BIN / 2
        if all(circular_distance(centre, other) >= HABIT_MIN_GAP for other in centres):
            centres.append(centre)
        if len(centres) == 2:
            break
    groups: list[list[int]] = [[] for _ in centres]
    for m in minutes:
        nearest = min(range(len(centres)), key=lambda j: circular_distance(m, centres[j]))
        groups[nearest].append(m)
    habits = []
    for group in groups:
        share = len(group) / len(minutes)
        if share < HABIT_MIN_SHARE and habits:
            continue
        stats = circular_stats(group)
        if stats.mean_min is None:
            continue
        habits.append(
            Habit(round(stats.mean_min) % MINUTES, round(share, 3), round(stats.resultant_length, 3))
        )
    if len(habits) == 2 and (
        habits[1].share < HABIT_MIN_SHARE or min(h.resultant_length for h in habits) < HABIT_MIN_R
    ):
        habits.pop()
    habits.sort(key=lambda h: h.share, reverse=True)
    return habits


def shrink(day_mean: float, day_n: int, all_mean: float, k: float = WEEKDAY_SHRINK) -> float:
    """A weekday's mean pulled toward the all-days mean on the circle, weight n / (n + k)."""
    w = day_n / (day_n + k)
    c = w * math.cos(TAU * day_mean / MINUTES) + (1 - w) * math.cos(TAU * all_mean / MINUTES)
    s = w * math.sin(TAU * day_mean / MINUTES) + (1 - w) * math.sin(TAU * all_mean / MINUTES)
    return (math.atan2(s, c) / TAU * MINUTES) % MINUTES


def _window(mean: float, r: float) -> tuple[int, int]:
    """The prime window around ``mean``: ± the circular standard deviation, 30 to 120 minutes."""
    sd = math.sqrt(-2 * math.log(r)) / TAU * MINUTES if 0 < r < 1 else (0.0 if r >= 1 else MINUTES)
    half = min(WINDOW_MAX_HALF, max(WINDOW_MIN_HALF, sd))
    return round(mean - half) % MINUTES, round(mean + half) % MINUTES


def analyze(samples: list[tuple[int, int]], *, default_minute: int) -> Cadence:
    """``samples``: (local minute of day, weekday 0=Monday) in chronological order.

    ``default_minute``: the plan's default start (used when confidence is low or there are too
    few samples). The phases: habits and the primary one, how regular it is, a recent shift,
    the window (or the plan's default), the weekday patterns.
    """
    minutes = [m for m, _ in samples]
    n = len(minutes)
    stats = circular_stats(minutes)
    flags: list[str] = []
    habits = find_habits(minutes) if n >= MIN_SAMPLES else []
    if len(habits) == 2:
        flags.append("two_habits")
    primary, conf = _primary(minutes, habits, stats)
    if n < MIN_SAMPLES:
        flags.append("few_samples")
    elif conf < CONFIDENT:
        flags.append("irregular")
    shift = _habit_shift(minutes, habits)
    if shift is not None:
        flag, recent = shift
        flags.append(flag)
        # Follow the new habit.
        primary, conf = recent, min(conf, recent.confidence)

    used_fallback = n < MIN_SAMPLES or conf < CONFIDENT or primary.mean_min is None
    if used_fallback:
        centre, window_r, fallback = float(default_minute), 0.8, "plan_default"
    else:
        centre, window_r, fallback = primary.mean_min, primary.resultant_length, "all_days"
    start, end = _window(centre, window_r)
    return Cadence(
        sample_count=n,
        circular_mean_min=None if stats.mean_min is None else round(stats.mean_min, 1),
        resultant_length=round(stats.resultant_length, 4),
        confidence=round(min(1.0, max(0.0, conf)), 4),
        window_start_min=start,
        window_end_min=end,
        habits=habits,
        weekday_patterns={} if used_fallback else _weekday_patterns(samples, habits, centre),
        deviation_flags=flags,
        used_fallback=used_fallback,
        fallback=fallback,
    )


def _in_primary(minute: int, habits: list[Habit]) -> bool:
    """Whether a sample belongs to the primary habit: all do, unless there are two habits and it
    is nearer the second."""
    if len(habits) != 2:
        return True
    return circular_distance(minute, habits[0].minute) <= circular_distance(minute, habits[1].minute)


def _primary(minutes: list[int], habits: list[Habit], stats: CircularStats) -> tuple[CircularStats, float]:
    """The primary habit's statistics and confidence: the biggest peak when there are two, else
    every sample."""
    if len(habits) != 2:
        return stats, stats.confidence
    primary = circular_stats([m for m in minutes if _in_primary(m, habits)])
    # Two tight habits: the main one is as trustworthy as its own samples, even though the
    # all-days mean sits meaninglessly between them.
    return primary, primary.confidence


def _habit_shift(minutes: list[int], habits: list[Habit]) -> tuple[str, CircularStats] | None:
    """The flag and the recent samples' statistics when the recent third moved an hour or more
    from a regular habit to a regular habit (one habit only), else None."""
    n = len(minutes)
    if n < 9:
        return None
    cut = n - max(3, n // 3)
    old, recent = circular_stats(minutes[:cut]), circular_stats(minutes[cut:])
    if (
        old.mean_min is None
        or recent.mean_min is None
        or old.resultant_length < 0.7
        or recent.resultant_length < 0.7
    ):
        return None
    move = signed_difference(recent.mean_min, old.mean_min)
    if abs(move) < SHIFT_MIN or len(habits) >= 2:
        return None
    return ("habit_shift_later" if move > 0 else "habit_shift_earlier"), recent


def _weekday_patterns(samples: list[tuple[int, int]], habits: list[Habit], centre: float) -> dict:
    """Each weekday's mean of the primary habit's samples, shrunk toward ``centre``."""
    by_day: dict[int, list[int]] = {}
    for m, wd in samples:
        if _in_primary(m, habits):
            by_day.setdefault(wd, []).append(m)
    patterns = {}
    for wd, day_minutes in sorted(by_day.items()):
        day = circular_stats(day_minutes)
        if day.mean_min is None:
            continue
        patterns[WEEKDAY_KEYS[wd]] = {
            "minute": round(shrink(day.mean_min, day.n, centre)) % MINUTES,
            "samples": day.n,
            "confidence": round(min(1.0, max(0.0, day.confidence)), 3),
        }
    return patterns


def window_start_for(*, weekday: int, profile: dict | None, default_minute: int) -> tuple[int, str]:
    """Where the prime window starts on a weekday, and why: weekday → all days → plan default.

    ``profile``: ``window_start_min``, ``window_end_min``, ``confidence``, ``used_fallback`` and
    ``weekday_patterns`` (a ``BehaviorProfile``'s values), or None for a new plan.
    """
    if not profile or profile.get("used_fallback") or profile.get("confidence", 0) < CONFIDENT:
        return default_minute % MINUTES, "plan_default"
    start, end = profile["window_start_min"], profile["window_end_min"]
    half = ((end - start) % MINUTES) / 2
    day = (profile.get("weekday_patterns") or {}).get(WEEKDAY_KEYS[weekday])
    if day and day["samples"] >= 2 and day["confidence"] >= CONFIDENT:
        return round(day["minute"] - half) % MINUTES, "weekday"
    return start, "all_days"
