"""Daniels–Gilbert equations against the published reference points."""

import pytest

from training.generator.vdot import (
    format_duration,
    predict_time_s,
    predictions,
    training_paces,
    vdot_from_race,
)


def test_ten_k_in_forty_minutes_is_vdot_51_9():
    assert vdot_from_race(10000, 40 * 60) == pytest.approx(51.9, abs=0.05)


@pytest.mark.parametrize(
    ("pace", "expected_s_per_km"),
    [("threshold_s_per_km", 255), ("interval_s_per_km", 235), ("marathon_s_per_km", 271)],
)
def test_vdot_50_paces_within_five_seconds_of_daniels_tables(pace, expected_s_per_km):
    # Daniels' tables, VDOT 50: T 4:15/km, I 3:55/km, M 4:31/km.
    assert abs(getattr(training_paces(50), pace) - expected_s_per_km) <= 5


def test_easy_range_is_slower_than_marathon_pace_and_ordered():
    paces = training_paces(50)
    assert paces.easy_min_s_per_km < paces.easy_max_s_per_km
    assert paces.marathon_s_per_km < paces.easy_min_s_per_km
    assert paces.repetition_s_per_km < paces.interval_s_per_km < paces.threshold_s_per_km


def test_vdot_50_predictions_match_the_tables_within_one_percent():
    # Daniels: 5k 19:57, 10k 41:21, half 1:31:35, marathon 3:10:49.
    expected = {"5000": 1197, "10000": 2481, "21097.5": 5495, "42195": 11449}
    for key, seconds in predictions(50).items():
        assert abs(seconds - expected[key]) / expected[key] < 0.01, key


def test_prediction_inverts_the_vdot_of_the_race():
    assert predict_time_s(vdot_from_race(21097.5, 6000), 21097.5) == pytest.approx(6000, abs=2)


def test_format_duration():
    assert format_duration(5495) == "1:31:35"
    assert format_duration(1197) == "19:57"
