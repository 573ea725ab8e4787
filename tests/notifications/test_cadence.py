"""The cadence analyzer on synthetic histories (pure functions, no database)."""

import random

from notifications import cadence


def history(minutes, *, start_weekday=0):
    return [(m % 1440, (start_weekday + i) % 7) for i, m in enumerate(minutes)]


def test_regular_five_am_runner_gets_a_tight_confident_window_around_five():
    rng = random.Random(1)
    samples = history([300 + rng.randint(-10, 10) for _ in range(30)])
    cad = cadence.analyze(samples, default_minute=420)
    assert not cad.used_fallback
    assert abs(cadence.signed_difference(cad.circular_mean_min, 300)) < 5
    assert cad.confidence > 0.9
    assert cad.window_start_min < 300 < cad.window_end_min
    assert cadence.circular_distance(cad.window_start_min, 300) <= 35
    assert cad.deviation_flags == []


def test_times_around_midnight_average_to_midnight_not_noon():
    samples = history([1430, 1435, 5, 10, 1425, 15, 1438, 2, 8, 1432])
    cad = cadence.analyze(samples, default_minute=420)
    assert cadence.circular_distance(cad.circular_mean_min, 0) < 10
    assert cad.confidence > 0.7  # ten samples: damped a little for the small sample
    assert not cad.used_fallback
    # The window wraps round midnight.
    assert cad.window_start_min > 1300 and cad.window_end_min < 100


def test_two_habits_mornings_and_evenings_are_both_found():
    rng = random.Random(2)
    minutes = [360 + rng.randint(-15, 15) for _ in range(18)] + [
        1110 + rng.randint(-15, 15) for _ in range(12)
    ]
    rng.shuffle(minutes)
    cad = cadence.analyze(history(minutes), default_minute=420)
    assert "two_habits" in cad.deviation_flags
    assert len(cad.habits) == 2
    assert cadence.circular_distance(cad.habits[0].minute, 360) < 20  # the bigger one first
    assert cadence.circular_distance(cad.habits[1].minute, 1110) < 20
    assert not cad.used_fallback
    # The window follows the main habit, not the meaningless mean between them.
    assert cadence.circular_distance((cad.window_start_min + cad.window_end_min) / 2, 360) < 30


def test_irregular_history_falls_back_to_the_plan_default():
    rng = random.Random(3)
    cad = cadence.analyze(history([rng.randrange(1440) for _ in range(40)]), default_minute=420)
    assert cad.used_fallback
    assert cad.fallback == "plan_default"
    assert "irregular" in cad.deviation_flags
    assert cad.confidence < cadence.CONFIDENT
    assert cadence.window_start_for(weekday=0, profile=vars_of(cad), default_minute=420) == (
        420,
        "plan_default",
    )


def test_new_plan_with_few_samples_uses_the_plan_default():
    cad = cadence.analyze(history([300, 305]), default_minute=1080)
    assert cad.used_fallback
    assert "few_samples" in cad.deviation_flags
    assert cadence.window_start_for(weekday=3, profile=None, default_minute=1080) == (1080, "plan_default")


def test_small_samples_are_trusted_less_than_large_ones_with_the_same_spread():
    few = cadence.circular_stats([300, 330, 280, 310])
    many = cadence.circular_stats([300, 330, 280, 310] * 10)
    assert abs(few.resultant_length - many.resultant_length) < 1e-9
    assert few.confidence < many.confidence
    # Random times: R is about 1/sqrt(n) by chance, the corrected confidence near 0.
    rng = random.Random(4)
    noise = cadence.circular_stats([rng.randrange(1440) for _ in range(20)])
    assert noise.confidence < 0.25


def test_habit_that_shifts_later_is_flagged_and_followed():
    rng = random.Random(5)
    minutes = [360 + rng.randint(-10, 10) for _ in range(20)] + [
        480 + rng.randint(-10, 10) for _ in range(10)
    ]
    cad = cadence.analyze(history(minutes), default_minute=420)
    assert "habit_shift_later" in cad.deviation_flags
    centre = (cad.window_start_min + cad.window_end_min) / 2
    assert cadence.circular_distance(centre, 480) < 30


def test_weekday_pattern_is_shrunk_toward_all_days_and_used_when_confident():
    # Weekdays at 06:00, Saturdays (weekday 5) at 09:00.
    samples = []
    for _week in range(8):
        for wd in range(7):
            samples.append((540 if wd == 5 else 360, wd))
    cad = cadence.analyze(samples, default_minute=420)
    sat = cad.weekday_patterns["sat"]
    mean = cad.circular_mean_min
    assert cadence.circular_distance(sat["minute"], 540) < cadence.circular_distance(mean, 540)
    assert sat["minute"] < 540  # pulled toward the all-days estimate
    start, source = cadence.window_start_for(weekday=5, profile=vars_of(cad), default_minute=420)
    assert source == "weekday"
    weekday_start, weekday_source = cadence.window_start_for(
        weekday=1, profile=vars_of(cad), default_minute=420
    )
    assert weekday_source == "weekday" and cadence.circular_distance(weekday_start, 360) < 60
    assert start - weekday_start > 60  # Saturdays start later than Tuesdays


def test_one_odd_weekday_sample_barely_moves_that_weekday():
    samples = [(360, i % 7) for i in range(28)] + [(720, 1)]
    cad = cadence.analyze(samples, default_minute=420)
    assert cadence.circular_distance(cad.weekday_patterns["tue"]["minute"], 360) < 90


def vars_of(cad):
    return {
        "window_start_min": cad.window_start_min,
        "window_end_min": cad.window_end_min,
        "confidence": cad.confidence,
        "used_fallback": cad.used_fallback,
        "weekday_patterns": cad.weekday_patterns,
    }
