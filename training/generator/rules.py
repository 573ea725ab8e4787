"""The coaching rules, each with its source (the decision audit cites these).

Numbers that a running coach would check against published plans live here, not in the code that
uses them, so the README's comparison tables and the tests read the same values.
"""

REFS = {
    "vdot": "Daniels & Gilbert (1979), Oxygen Power: VDOT tables",
    "daniels": "Daniels (2014), Daniels' Running Formula, 3rd ed.: "
    "E/M/T/I/R intensities and their weekly limits",
    "detraining": "Daniels (2014), Daniels' Running Formula, ch. 9: "
    "VDOT adjustment after a break from running",
    "ten_percent": "Buist et al. (2008), graded training volume and running injuries",
    "single_run": "Frandsen et al. (2025), BJSM: single-session running distance spikes and injury risk",
    "acwr": "Gabbett (2016), the training-injury prevention paradox (acute:chronic workload)",
    "taper": "Bosquet et al. (2007), effects of tapering on performance: a meta-analysis",
    "recovery": "Issurin (2010), block periodization; 3:1 and 2:1 loading cycles",
    "higdon": "Higdon, Novice and Intermediate 10K / Half Marathon / Marathon training programs",
    "pfitzinger": "Pfitzinger & Douglas (2009), Advanced Marathoning: "
    "18/55 schedule, medium-long runs, MP long runs",
    "first": "Pierce, Murr & Moss (2012), Run Less, Run Faster (FIRST): three key runs and cross-training",
    "hard_easy": "Bowerman's hard/easy principle; Daniels (2014): quality days separated by easy days",
    "galloway": "Galloway (2016), Run Walk Run: walk breaks for novices and returning runners",
}

GOAL_ORDER = ("5k", "10k", "half", "marathon")

# Long-run peak (km) the goal needs, by level (the low end of the range is the feasibility floor).
LONG_RUN_RANGE = {"5k": (8.0, 10.0), "10k": (10.0, 14.0), "half": (16.0, 22.0), "marathon": (29.0, 35.0)}
LONG_RUN_PEAK = {
    "5k": {"beginner": 8.0, "intermediate": 9.0, "advanced": 10.0},
    "10k": {"beginner": 10.0, "intermediate": 12.0, "advanced": 14.0},
    "half": {"beginner": 16.0, "intermediate": 19.0, "advanced": 22.0},
    "marathon": {"beginner": 29.0, "intermediate": 32.0, "advanced": 35.0},
    "fitness": {"beginner": 8.0, "intermediate": 12.0, "advanced": 16.0},
}
# Longest a long run lasts: Daniels' 150 minutes; marathon plans go to about 3 hours (Higdon, Pfitzinger).
LONG_RUN_MAX_MINUTES = {"marathon": 180, "default": 150}
# Long-run growth per build week (km), the 110 % single-run bound applying on top.
LONG_RUN_STEP_KM = {"beginner": 1.0, "intermediate": 1.5, "advanced": 2.0}
# Long run as a share of the week, by run days: what published plans at their peak use. Low-volume
# 3-4 day runners get the novice plans' share (FIRST 3-day ~55 %, Higdon Novice 4-day ~50 %); 5 days
# Higdon Intermediate (~45 %); the high-volume 6-7 day runners Daniels' and Pfitzinger's ~33-36 %
# (Daniels' 25-30 % cap relaxed to Pfitzinger 18/55's 20-mile run at 55 miles for marathon long runs).
# One share per day count, so the long run never shrinks as the volume grows.
LONG_RUN_SHARE_BY_DAYS = {3: 0.55, 4: 0.50, 5: 0.45, 6: 0.36, 7: 0.33}
# Easy and medium-long runs stay well under the week's long run.
EASY_SHARE_OF_LONG = 0.75
MEDIUM_LONG_SHARE_OF_LONG = 0.70
SINGLE_RUN_LIMIT = 1.10  # no run over 110 % of the longest of the previous 30 days
LONGEST_WINDOW_DAYS = 30
MIN_RUN_KM = 1.5

# Weekly volume (km) a level typically peaks at for a goal; the long run's needs can raise it.
PEAK_VOLUME = {
    "5k": {"beginner": 25, "intermediate": 40, "advanced": 60},
    "10k": {"beginner": 30, "intermediate": 50, "advanced": 70},
    "half": {"beginner": 35, "intermediate": 55, "advanced": 80},
    "marathon": {"beginner": 45, "intermediate": 70, "advanced": 100},
    "fitness": {"beginner": 20, "intermediate": 35, "advanced": 50},
}
WEEKLY_INCREASE = {"beginner": 0.08, "intermediate": 0.10, "advanced": 0.10}
MAX_RUN_DAYS = {"beginner": 4, "intermediate": 5, "advanced": 6}
# Quality sessions a week besides the long run; with the long run at most three hard days fit in
# seven without two in a row.
MAX_QUALITY = {"beginner": 1, "intermediate": 2, "advanced": 2}
# Most work (km) of one quality session, by level.
QUALITY_MAX_KM = {
    "tempo": {"beginner": 4.0, "intermediate": 8.0, "advanced": 12.0},
    "intervals": {"beginner": 3.0, "intermediate": 6.0, "advanced": 8.0},
    "repetition": {"beginner": 1.6, "intermediate": 3.0, "advanced": 4.0},
    "goal_pace": {"beginner": 4.0, "intermediate": 8.0, "advanced": 12.0},
    "hills": {"beginner": 1.2, "intermediate": 1.6, "advanced": 2.0},
}
# Daniels' weekly limits: T at most 10 %, I 8 %, R 5 % of the week; goal pace 15 % (Daniels' M limit is
# 20 %; half-marathon pace sits near T); hills count as R. Sessions are sized at 95 % of these.
QUALITY_SHARE = {"tempo": 0.10, "intervals": 0.08, "repetition": 0.05, "goal_pace": 0.15, "hills": 0.05}
INTENSITY_WEIGHT = {"tempo": 1.0, "intervals": 1.3, "repetition": 1.5, "goal_pace": 0.9, "hills": 1.3}
RACE_WEIGHT = {"5k": 1.4, "10k": 1.2, "half": 1.0, "marathon": 0.8}
# Expected VDOT gain per four weeks of consistent training, at most four blocks counted.
VDOT_GAIN_PER_4_WEEKS = {"beginner": 1.5, "intermediate": 1.0, "advanced": 0.5}
# A target time within this share of the expected time is believed.
TARGET_TOLERANCE = 0.01
# Return mode: Daniels' VDOT adjustment by days without running (interpolated).
DETRAINING = ((5, 1.0), (14, 0.97), (28, 0.935), (42, 0.90), (56, 0.87), (72, 0.80))
RETURN_NO_QUALITY_WEEKS = 4
RETURN_AFTER_DAYS = 28
RACE_START_DEFAULT = (9, 0)
RACE_WEEK_RUNS = 3
CROSS_MINUTES = {"beginner": 30, "intermediate": 40, "advanced": 45}
ACCEPT_RISK_CONFIDENCE = 30


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def long_run_share(run_days: int) -> float:
    return LONG_RUN_SHARE_BY_DAYS[max(3, min(7, run_days))]


def long_run_share_cap_km(volume_km: float, run_days: int) -> float:
    """Longest long run a week of ``volume_km`` on ``run_days`` days holds."""
    return long_run_share(run_days) * volume_km


def long_run_minutes(goal: str) -> int:
    return LONG_RUN_MAX_MINUTES.get(goal, LONG_RUN_MAX_MINUTES["default"])


def detraining_factor(days_off: int) -> float:
    points = DETRAINING
    if days_off <= points[0][0]:
        return 1.0
    for (d0, f0), (d1, f1) in zip(points, points[1:], strict=False):
        if days_off <= d1:
            return round(f0 + (f1 - f0) * (days_off - d0) / (d1 - d0), 3)
    return points[-1][1]
