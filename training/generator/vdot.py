"""Daniels–Gilbert equations: VDOT from a race, training paces and race predictions.

* Oxygen cost of running at velocity ``v`` (metres per minute):
  ``VO2 = -4.60 + 0.182258 v + 0.000104 v²`` (ml/kg/min).
* Share of VO2max sustainable for a race lasting ``t`` minutes:
  ``%max = 0.8 + 0.1894393 e^(-0.012778 t) + 0.2989558 e^(-0.1932605 t)``.
* ``VDOT = VO2 / %max``.

Training paces are the velocities whose oxygen cost is a share of VDOT (easy 62–70 %, threshold
88 %, interval 97.5 %, repetition 107 %); marathon pace is the predicted marathon's pace.
"""

import math
from dataclasses import dataclass

MARATHON_M = 42195.0
HALF_M = 21097.5
PREDICTION_DISTANCES_M = (5000.0, 10000.0, HALF_M, MARATHON_M)

EASY_SHARE = (0.62, 0.70)
THRESHOLD_SHARE = 0.88
INTERVAL_SHARE = 0.975
REPETITION_SHARE = 1.07

MIN_VDOT, MAX_VDOT = 15.0, 90.0


def oxygen_cost(velocity_m_per_min: float) -> float:
    """ml/kg/min needed to run at ``velocity_m_per_min``."""
    v = velocity_m_per_min
    return -4.60 + 0.182258 * v + 0.000104 * v * v


def sustainable_share(minutes: float) -> float:
    """The share of VO2max a runner can hold for a race of ``minutes``."""
    return 0.8 + 0.1894393 * math.exp(-0.012778 * minutes) + 0.2989558 * math.exp(-0.1932605 * minutes)


def vdot_from_race(distance_m: float, time_s: float) -> float:
    """VDOT of a race of ``distance_m`` run in ``time_s`` seconds."""
    if distance_m <= 0 or time_s <= 0:
        raise ValueError("distance and time must be positive")
    minutes = time_s / 60.0
    return oxygen_cost(distance_m / minutes) / sustainable_share(minutes)


def velocity_for_vo2(vo2: float) -> float:
    """Metres per minute whose oxygen cost is ``vo2`` (the positive root of the cost equation)."""
    a, b, c = 0.000104, 0.182258, -4.60 - vo2
    return (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)


def pace_for_share(vdot: float, share: float) -> int:
    """Seconds per km at ``share`` of ``vdot``."""
    return round(60_000.0 / velocity_for_vo2(vdot * share))


def predict_time_s(vdot: float, distance_m: float) -> int:
    """Race time (s) over ``distance_m`` for a runner of ``vdot`` (bisection on the time)."""
    low, high = distance_m / 1000 * 60.0, distance_m / 1000 * 1200.0  # 1:00/km .. 20:00/km
    for _ in range(60):
        mid = (low + high) / 2
        if vdot_from_race(distance_m, mid) > vdot:
            low = mid  # too fast for this VDOT: more time
        else:
            high = mid
    return round((low + high) / 2)


@dataclass(frozen=True)
class Paces:
    easy_min_s_per_km: int  # the faster end of the easy range
    easy_max_s_per_km: int
    marathon_s_per_km: int
    threshold_s_per_km: int
    interval_s_per_km: int
    repetition_s_per_km: int

    def as_dict(self) -> dict:
        return {
            "easy": {"min_s_per_km": self.easy_min_s_per_km, "max_s_per_km": self.easy_max_s_per_km},
            "marathon_s_per_km": self.marathon_s_per_km,
            "threshold_s_per_km": self.threshold_s_per_km,
            "interval_s_per_km": self.interval_s_per_km,
            "repetition_s_per_km": self.repetition_s_per_km,
        }

    @property
    def easy_mid_s_per_km(self) -> int:
        return (self.easy_min_s_per_km + self.easy_max_s_per_km) // 2


def training_paces(vdot: float) -> Paces:
    return Paces(
        easy_min_s_per_km=pace_for_share(vdot, EASY_SHARE[1]),
        easy_max_s_per_km=pace_for_share(vdot, EASY_SHARE[0]),
        marathon_s_per_km=round(predict_time_s(vdot, MARATHON_M) / (MARATHON_M / 1000)),
        threshold_s_per_km=pace_for_share(vdot, THRESHOLD_SHARE),
        interval_s_per_km=pace_for_share(vdot, INTERVAL_SHARE),
        repetition_s_per_km=pace_for_share(vdot, REPETITION_SHARE),
    )


def predictions(vdot: float) -> dict[str, int]:
    """Predicted race times (s) keyed by distance as text.

    Keys: ``"5000"``, ``"10000"``, ``"21097.5"``, ``"42195"``.
    """
    return {f"{d:g}": predict_time_s(vdot, d) for d in PREDICTION_DISTANCES_M}


def format_pace(s_per_km: int) -> str:
    return f"{s_per_km // 60}:{s_per_km % 60:02d}"


def format_duration(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
