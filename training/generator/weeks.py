"""One week's sessions: which days, which workouts, how far and how fast.

Every run is bounded whatever its label: no run longer than the week's long run (easy runs at most
75 % of it), none over 110 % of the longest run of the 30 days before it. Volume these bounds cannot
place is left out and reported, never piled onto one run. Hard sessions never fall on consecutive days.
"""

import datetime as dt
import itertools
from dataclasses import dataclass, field

from . import workouts
from .rules import (
    EASY_SHARE_OF_LONG,
    LONGEST_WINDOW_DAYS,
    MEDIUM_LONG_SHARE_OF_LONG,
    MIN_RUN_KM,
    QUALITY_MAX_KM,
    QUALITY_SHARE,
    SINGLE_RUN_LIMIT,
)
from .workouts import GOAL_INTENSITY, HARD_TYPES, PaceBook


def circular_distance(a: int, b: int) -> int:
    d = abs(a - b) % 7
    return min(d, 7 - d)


def spread(candidates: list[int], chosen: list[int], count: int) -> list[int]:
    """Add ``count`` days of ``candidates`` to ``chosen``, each as far as possible from the others."""
    chosen = list(chosen)
    pool = [d for d in candidates if d not in chosen]
    for _ in range(count):
        if not pool:
            break
        best = max(pool, key=lambda d: (min((circular_distance(d, c) for c in chosen), default=7), -d))
        chosen.append(best)
        pool.remove(best)
    return chosen


@dataclass(frozen=True)
class WeekLayout:
    run_days: tuple[int, ...]  # weekday indexes
    long_day: int
    key_days: tuple[int, ...]  # quality days, none next to another hard day (the week wraps round)


def layout(available: list[int], long_day: int, run_count: int, quality: int) -> WeekLayout:
    """Run days spread over the week; as many quality days as fit (up to ``quality``), each at least
    two days from the long run and from each other, counting Sunday next to Monday."""
    run_days = spread(sorted(available), [long_day], run_count - 1)
    candidates = [d for d in run_days if d != long_day and circular_distance(d, long_day) >= 2]
    for size in range(min(quality, len(candidates)), 0, -1):
        fits = [
            combo
            for combo in itertools.combinations(candidates, size)
            if all(circular_distance(a, b) >= 2 for a, b in itertools.combinations(combo, 2))
        ]
        if fits:
            best = max(
                fits,
                key=lambda combo: (
                    min(circular_distance(a, b) for a, b in itertools.combinations((long_day, *combo), 2)),
                    [-d for d in combo],
                ),
            )
            # Priority: furthest from the long run first.
            keys = sorted(best, key=lambda d: (-circular_distance(d, long_day), d))
            return WeekLayout(tuple(sorted(run_days)), long_day, tuple(keys))
    return WeekLayout(tuple(sorted(run_days)), long_day, ())


def round_down(value: float) -> float:
    return int(value * 10 + 1e-9) / 10


def longest_before(day: dt.date, runs: list[tuple[dt.date, float]]) -> float:
    """The longest of ``runs`` (date, km) in the 30 days before ``day``."""
    start = day - dt.timedelta(days=LONGEST_WINDOW_DAYS)
    return max((km for d, km in runs if start <= d < day), default=0.0)


def single_run_cap(day: dt.date, runs: list[tuple[dt.date, float]]) -> float:
    return round_down(SINGLE_RUN_LIMIT * longest_before(day, runs))


def adjacent_to_hard(day: dt.date, hard_dates: set[dt.date]) -> bool:
    return (day - dt.timedelta(days=1)) in hard_dates or (day + dt.timedelta(days=1)) in hard_dates


def quality_types(goal: str, phase: str, level: str, recovery: bool, week_in_phase: int) -> list[str]:
    """The quality sessions of a week, most important first. Peak differs from Build: race-specific
    work (goal pace for a half, race-pace intervals for 5k and 10k, marathon-pace long runs and
    threshold for a marathon)."""
    if recovery:
        return []
    if phase == "Base":
        return [] if level == "beginner" or week_in_phase == 1 else ["hills"]
    if phase == "Build":
        if goal in ("5k", "10k"):
            return ["intervals", "tempo", "repetition"]
        return ["tempo", "intervals"]
    if phase == "Peak":
        if goal in ("5k", "10k"):
            return ["race_intervals", "tempo", "repetition"]
        if goal == "half":
            return ["goal_pace", "intervals"]
        # Marathon: Pfitzinger's race preparation, threshold and VO2max midweek while the long runs
        # carry marathon-pace steps and a medium-long run joins (5+ days).
        return ["tempo", "intervals"]
    if phase == "Taper":
        return (
            ["race_intervals"]
            if goal in ("5k", "10k")
            else (["goal_pace"] if goal != "fitness" else ["tempo"])
        )
    return []


QUALITY_SHARE_SIZING = 0.95  # sized under the limit: the placed volume can fall a little short
# A quality session lengthened with easy running stays this far under the long run.
QUALITY_SHARE_OF_LONG = 0.6


def _quality(
    kind: str,
    *,
    volume: float,
    level: str,
    goal: str,
    book: PaceBook,
    bound: float,
    warm_cool: tuple[float, float] | None = None,
) -> dict | None:
    """A quality session of ``kind`` whose total distance stays within ``bound``."""
    base = "intervals" if kind == "race_intervals" else kind
    intensity = (
        "race"
        if kind == "race_intervals"
        else (GOAL_INTENSITY.get(goal, "threshold") if kind == "goal_pace" else None)
    )
    warm, cool = warm_cool or ((2.0, 1.5) if volume >= 30 else (1.5, 1.0))
    work = min(QUALITY_MAX_KM[base][level], QUALITY_SHARE_SIZING * QUALITY_SHARE[base] * volume)
    while work > 0.5:
        spec = workouts.quality(base, work, book, warm_km=warm, cool_km=cool, intensity=intensity)
        if spec is None:
            return None
        if spec["target_distance_km"] <= bound + 1e-9:
            spec["week_kind"] = kind  # as the week asked for it (race_intervals are intervals at race pace)
            return spec
        if warm > 1.0:
            warm, cool = 1.0, 1.0
        else:
            work *= 0.85
    return None


def _warm_cool(spec: dict) -> tuple[float, float]:
    warm = next(s["distance_m"] for s in spec["steps"] if s["kind"] == "warmup") / 1000
    cool = next(s["distance_m"] for s in spec["steps"] if s["kind"] == "cooldown") / 1000
    return warm, cool


@dataclass
class WeekResult:
    by_day: dict[int, dict]
    unplaced_km: float
    dropped_quality: list[str]
    moved: list[str]


@dataclass
class _Draft:
    """A week being filled: what ``fill_week`` was asked for and the sessions placed so far."""

    dates: list[dt.date]
    layout_: WeekLayout
    volume_km: float
    level: str
    goal: str
    book: PaceBook
    run_walk: bool
    first_day: dt.date
    caps: dict[int, float]  # each day's single-run bound (110 % of the month's longest)
    open_days: list[int]  # run days from ``first_day`` on
    hard: set[dt.date]
    by_day: dict[int, dict] = field(default_factory=dict)
    moved: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    long_actual: float | None = None

    def placed(self) -> float:
        return sum(x["target_distance_km"] or 0 for x in self.by_day.values())

    def quality(self, kind: str, *, volume: float, bound: float, warm_cool=None) -> dict | None:
        return _quality(
            kind,
            volume=volume,
            level=self.level,
            goal=self.goal,
            book=self.book,
            bound=bound,
            warm_cool=warm_cool,
        )


def fill_week(
    *,
    dates: list[dt.date],
    layout_: WeekLayout,
    volume_km: float,
    long_km: float | None,
    kinds: list[str],
    level: str,
    goal: str,
    book: PaceBook,
    runs: list[tuple[dt.date, float]],
    hard_dates: set[dt.date],
    run_walk: bool,
    medium_long: bool,
    goal_pace_long_km: float,
    cross_days: list[int],
    cross_budget: int,
    cross_minutes: int,
    first_day: dt.date,
    done_dates: frozenset[dt.date] = frozenset(),
) -> WeekResult:
    """Sessions by weekday for about ``volume_km`` of running.

    ``runs`` are the runs before this week (for the 110 % bound), ``hard_dates`` the hard sessions
    before it (no hard session the day after one). Days before ``first_day`` (a re-plan that starts
    mid-week) get nothing; a quality session whose day is past moves to a free later day that is not
    next to a hard one, when there is one.

    In order: the long run, quality on the key days, a medium-long run and easy runs for the rest,
    quality lengthened with easy running when volume is left over, quality shrunk to its share of
    what was placed, and cross-training on the offered free days."""
    draft = _Draft(
        dates=dates,
        layout_=layout_,
        volume_km=volume_km,
        level=level,
        goal=goal,
        book=book,
        run_walk=run_walk,
        first_day=first_day,
        caps={d: single_run_cap(dates[d], runs) for d in range(7)},
        open_days=[d for d in layout_.run_days if dates[d] >= first_day],
        hard=set(hard_dates),
    )
    _place_long_run(draft, long_km, goal_pace_long_km)
    _place_quality(draft, kinds, done_dates)
    easy_days, remainder = _place_medium_long(draft, medium_long)
    _place_easy(draft, easy_days, remainder)
    _lengthen_quality(draft)
    _shrink_quality(draft)
    unplaced = round(max(0.0, volume_km - draft.placed()), 1)
    _place_cross(draft, cross_days, cross_budget, cross_minutes)
    return WeekResult(
        by_day=draft.by_day, unplaced_km=unplaced, dropped_quality=draft.dropped, moved=draft.moved
    )


def _place_long_run(draft: _Draft, long_km: float | None, goal_pace_long_km: float) -> None:
    """The long run on its day within the day's bound, with goal-pace steps when asked for."""
    long_day = draft.layout_.long_day
    if long_km is not None and long_day in draft.open_days:
        km = min(long_km, draft.caps[long_day])
        if km >= MIN_RUN_KM:
            goal_km = min(goal_pace_long_km, round_down(km * 0.4)) if goal_pace_long_km else 0.0
            draft.by_day[long_day] = workouts.long_run(
                km,
                draft.book,
                goal_metres=workouts.hundreds(goal_km) if goal_km >= 3 and km - goal_km >= 3 else 0,
                goal_intensity=GOAL_INTENSITY.get(draft.goal, "marathon"),
                run_walk=draft.run_walk,
            )
            draft.hard.add(draft.dates[long_day])
    if long_day in draft.by_day:
        draft.long_actual = draft.by_day[long_day]["target_distance_km"]


def _place_quality(draft: _Draft, kinds: list[str], done_dates: frozenset[dt.date]) -> None:
    """Quality on the key days; a past key day's session moves to a later free day when one fits."""
    dates, by_day, caps = draft.dates, draft.by_day, draft.caps
    key_days = list(draft.layout_.key_days)
    wanted = list(kinds[: len(key_days)])
    draft.dropped.extend(kinds[len(key_days) :])
    for day, kind in zip(list(key_days), wanted, strict=False):
        target = day
        if dates[day] < draft.first_day and dates[day] in done_dates:
            continue  # done already this week
        if dates[day] < draft.first_day or adjacent_to_hard(dates[day], draft.hard):
            options = [
                d
                for d in draft.open_days
                if d not in by_day
                and d != draft.layout_.long_day
                and not adjacent_to_hard(dates[d], draft.hard)
            ]
            if not options:
                draft.dropped.append(kind)
                continue
            target = options[0]
            if target != day:
                draft.moved.append(f"{kind} moves from {dates[day]:%A} to {dates[target]:%A}")
        left = draft.volume_km - draft.placed()
        bound = min(caps[target], draft.long_actual if draft.long_actual is not None else caps[target], left)
        spec = draft.quality(kind, volume=draft.volume_km, bound=bound)
        if spec is None:
            draft.dropped.append(kind)
            continue
        by_day[target] = spec
        draft.hard.add(dates[target])


def _place_medium_long(draft: _Draft, medium_long: bool) -> tuple[list[int], float]:
    """A medium-long run on the free day furthest from the long run, when asked for and 10 km fit.
    Returns the days left for easy running and the km left for them."""
    remainder = round(draft.volume_km - draft.placed(), 1)
    easy_days = [d for d in draft.open_days if d not in draft.by_day]
    if medium_long and easy_days and draft.long_actual:
        far = max(easy_days, key=lambda d: (circular_distance(d, draft.layout_.long_day), -d))
        km = round_down(min(MEDIUM_LONG_SHARE_OF_LONG * draft.long_actual, draft.caps[far], remainder))
        if km >= 10:
            draft.by_day[far] = workouts.medium_long(km, draft.book)
            easy_days.remove(far)
            remainder = round(remainder - km, 1)
    return easy_days, remainder


def _easy_cap(draft: _Draft, day: int) -> float:
    """An easy run's bound: the day's single-run bound, and 75 % of the week's long run."""
    cap = draft.caps[day]
    if draft.long_actual is not None:
        cap = min(cap, round_down(EASY_SHARE_OF_LONG * draft.long_actual))
    return cap


def _easy_tenths(draft: _Draft, easy_days: list[int], remainder: float) -> dict[int, int]:
    """The rest shared over the easy days, each within its bound, in whole hundreds of metres that add
    up to what was shared (no rounding loss)."""
    while easy_days and remainder / len(easy_days) < MIN_RUN_KM:
        # Too little for every day: the day next to the long run (or the last one) rests.
        easy_days.sort(key=lambda d: (circular_distance(d, draft.layout_.long_day), -d))
        easy_days.pop(0)
    alloc = {d: 0.0 for d in easy_days if _easy_cap(draft, d) >= MIN_RUN_KM}
    left = max(0.0, remainder)
    while alloc and left > 0.05:
        open_ = [d for d in alloc if alloc[d] < _easy_cap(draft, d) - 0.05]
        if not open_:
            break
        each = left / len(open_)
        for d in open_:
            add = min(each, _easy_cap(draft, d) - alloc[d])
            alloc[d] += add
            left -= add
    tenths = {d: int(alloc[d] * 10 + 1e-6) for d in alloc}
    spare = int(round(sum(alloc.values()) * 10)) - sum(tenths.values())
    for d in sorted(alloc, key=lambda d: alloc[d] * 10 - tenths[d], reverse=True):
        if spare <= 0:
            break
        if (tenths[d] + 1) / 10 <= _easy_cap(draft, d) + 1e-9:
            tenths[d] += 1
            spare -= 1
    return tenths


def _place_easy(draft: _Draft, easy_days: list[int], remainder: float) -> None:
    """Easy running fills the rest, each run bounded; what does not fit is left out. Strides
    (4 x 100 m) on two easy runs a week, one when the week has quality."""
    tenths = _easy_tenths(draft, easy_days, remainder)
    run_walk = draft.run_walk
    strides_left = 0 if run_walk else (1 if any(x.get("quality_kind") for x in draft.by_day.values()) else 2)
    for d in sorted(tenths):
        km = tenths[d] / 10
        if km < MIN_RUN_KM:
            continue
        strides = strides_left > 0 and km >= 3 and not run_walk
        if strides:
            strides_left -= 1
        draft.by_day[d] = workouts.easy(km, draft.book, strides=strides, run_walk=run_walk)


def _lengthen_quality(draft: _Draft) -> None:
    """Few run days: longer easy warm-ups and cool-downs around the quality work take up the rest,
    as FIRST's three-day sessions do."""
    by_day, long_actual = draft.by_day, draft.long_actual
    unplaced = round(max(0.0, draft.volume_km - draft.placed()), 1)
    for d, spec in sorted(by_day.items()):
        if unplaced < 0.5 or not spec.get("quality_kind"):
            continue
        bound = min(
            draft.caps[d], QUALITY_SHARE_OF_LONG * long_actual if long_actual is not None else draft.caps[d]
        )
        room = round_down(bound - spec["target_distance_km"])
        extra = min(room, unplaced)
        if extra < 0.5:
            continue
        warm, cool = _warm_cool(spec)
        bigger = draft.quality(
            spec["week_kind"],
            volume=draft.volume_km,
            bound=bound,
            warm_cool=(warm + round_down(extra / 2), cool + round_down(extra - round_down(extra / 2))),
        )
        if bigger is not None and bigger["quality_km"] == spec["quality_km"]:
            unplaced = round(unplaced - (bigger["target_distance_km"] - spec["target_distance_km"]), 1)
            by_day[d] = bigger


def _shrink_quality(draft: _Draft) -> None:
    """Quality sized for the week's target; when less was placed, each keeps to its share of what was."""
    by_day = draft.by_day
    for _ in range(3):
        placed = draft.placed()
        over = [
            d
            for d, x in by_day.items()
            if x.get("quality_kind") and x["quality_km"] > QUALITY_SHARE[x["quality_kind"]] * placed + 0.05
        ]
        if not over:
            break
        for d in over:
            x = by_day[d]
            kind = x["week_kind"]
            smaller = draft.quality(
                kind, volume=placed * 0.9, bound=x["target_distance_km"], warm_cool=_warm_cool(x)
            )
            if smaller is None:
                del by_day[d]
                draft.dropped.append(kind)
            else:
                by_day[d] = smaller


def _place_cross(draft: _Draft, cross_days: list[int], cross_budget: int, cross_minutes: int) -> None:
    """Cross-training on offered non-running days, within the rest the runner needs."""
    for d in cross_days:
        if cross_budget <= 0:
            break
        if d in draft.by_day or draft.dates[d] < draft.first_day:
            continue
        draft.by_day[d] = workouts.cross(cross_minutes)
        cross_budget -= 1


def race_week(
    *,
    dates: list[dt.date],
    race_day: dt.date,
    available: list[int],
    volume_hint: float,
    level: str,
    goal: str,
    book: PaceBook,
    runs: list[tuple[dt.date, float]],
    hard_dates: set[dt.date],
    run_walk: bool,
    max_runs: int,
    first_day: dt.date,
    race_km: float,
    allow_quality: bool = True,
) -> WeekResult:
    """Race week: two to four short runs with strides before the race, one of them (three or more days
    out, not next to a hard day) with a little goal-pace work."""
    days = [d for d in available if dates[d] < race_day and dates[d] >= first_day]
    chosen = sorted(spread(days, [race_day.weekday()], max_runs)[1:]) if days else []
    by_day: dict[int, dict] = {}
    # ``volume_hint``: the most race week's running (the race aside) may add up to.
    each = min(8.0, round_down(volume_hint / max(1, len(chosen))))
    hard = set(hard_dates) | {race_day}
    quality_done = run_walk or not allow_quality
    for d in chosen:
        used = sum(x["target_distance_km"] for x in by_day.values())
        cap = round_down(min(single_run_cap(dates[d], runs), each, volume_hint - used))
        if cap < MIN_RUN_KM:
            continue
        if not quality_done and (race_day - dates[d]).days >= 3 and not adjacent_to_hard(dates[d], hard):
            planned = race_km + sum(x["target_distance_km"] for x in by_day.values()) + each * 2
            spec = _sharpener(planned, cap, goal, book)
            if spec is not None:
                by_day[d] = spec
                hard.add(dates[d])
                quality_done = True
                continue
        by_day[d] = workouts.easy(
            round_down(cap),
            book,
            strides=not run_walk,
            run_walk=run_walk,
            purpose="Short and easy with strides: stay loose and fresh for race day.",
        )
    total = race_km + sum(x["target_distance_km"] for x in by_day.values())
    for d, x in list(by_day.items()):
        if x.get("quality_kind") and x["quality_km"] > QUALITY_SHARE["goal_pace"] * total:
            by_day[d] = workouts.easy(x["target_distance_km"], book, strides=not run_walk, run_walk=run_walk)
    return WeekResult(by_day=by_day, unplaced_km=0.0, dropped_quality=[], moved=[])


def _sharpener(planned_km: float, cap: float, goal: str, book: PaceBook) -> dict | None:
    """Race week's one quality session: a little goal pace within its share, when it fits ``cap``."""
    spec = workouts.quality(
        "goal_pace",
        min(2.0, QUALITY_SHARE_SIZING * QUALITY_SHARE["goal_pace"] * planned_km),
        book,
        warm_km=1.5,
        cool_km=1.0,
        intensity=GOAL_INTENSITY.get(goal, "race"),
    )
    if spec is None or spec["target_distance_km"] > cap:
        return None
    spec["title"] = "Race-week sharpener: " + spec["title"].split(": ", 1)[-1]
    spec["purpose"] = "A little goal pace keeps the legs sharp in a low-volume taper (Mujika, Bosquet)."
    return spec


def is_hard(spec: dict) -> bool:
    return spec["session_type"] in HARD_TYPES
