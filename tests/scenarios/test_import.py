from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from scenarios import services
from scenarios.models import LegacyImportedRow, ScenarioMetadata, UserScenarioProgress
from scenarios.reconcile import COUNTERS, recount
from scenarios.scoring import TRENDING_EMPTY
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db

ATTEMPT_HEADER = "id,user_id,scenario_id,started_at,variant_id\n"
OUTCOME_HEADER = "id,user_id,scenario_id,created_at,completed,saved,rating,time_spent_s,notes\n"


@pytest.fixture
def world(tmp_path):
    cafe = ScenarioFactory(slug="cafe-order")
    hotel = ScenarioFactory(slug="hotel-checkin")
    ann, bob = UserFactory(), UserFactory()
    attempts = tmp_path / "attempts.csv"
    outcomes = tmp_path / "outcomes.csv"
    attempts.write_text(
        ATTEMPT_HEADER
        + f"a1,{ann.pk},cafe-order,2024-03-01T10:00:00Z,A\n"
        + f"a2,{ann.pk},cafe-order,2024-03-02T10:00:00Z,\n"
        + f"a3,{bob.pk},cafe-order,2024-03-01T11:00:00+01:00,B\n"
        + f"a4,{bob.pk},hotel-checkin,2024-03-05T09:00:00,\n"
    )
    outcomes.write_text(
        OUTCOME_HEADER
        + f"o1,{ann.pk},cafe-order,2024-03-01T10:10:00Z,true,true,3,600,first try\n"
        + f"o2,{ann.pk},cafe-order,2024-03-02T10:12:00Z,true,true,5,720,\n"
        + f"o3,{bob.pk},cafe-order,2024-03-01T11:30:00+01:00,false,true,,,\n"
        + f"o4,{bob.pk},cafe-order,2024-03-03T08:00:00Z,false,false,2,,\n"
        + f'o5,{bob.pk},hotel-checkin,2024-03-05T09:20:00Z,yes,1,4,300,"said ""thanks"""\n'
    )
    return {"cafe": cafe, "hotel": hotel, "ann": ann, "bob": bob, "attempts": attempts, "outcomes": outcomes}


def run_import(world, *extra):
    out = StringIO()
    call_command(
        "import_scenario_outcomes", str(world["attempts"]), str(world["outcomes"]), *extra, stdout=out
    )
    return out.getvalue()


def snapshot():
    return (
        sorted(
            UserScenarioProgress.objects.values_list(
                "user_id",
                "scenario_id",
                "times_attempted",
                "times_completed",
                "is_saved",
                "rating",
                "total_time_spent_s",
                "notes",
                "variant_id",
            )
        ),
        sorted(ScenarioMetadata.objects.values_list("scenario_id", *COUNTERS, "trending_score")),
    )


def test_import_aggregates_old_rows_into_progress_and_metadata(world):
    output = run_import(world)
    assert "Imported 4 of 4 attempt row(s) and 5 of 5 outcome row(s)" in output
    ann = UserScenarioProgress.objects.get(user=world["ann"], scenario=world["cafe"])
    assert (ann.times_attempted, ann.times_completed, ann.total_time_spent_s) == (2, 2, 1320)
    assert (ann.is_saved, ann.rating, ann.notes, ann.variant_id) == (True, 5, "first try", "A")
    bob = UserScenarioProgress.objects.get(user=world["bob"], scenario=world["cafe"])
    assert (bob.times_attempted, bob.times_completed, bob.is_saved, bob.rating) == (1, 0, False, 2)
    hotel = UserScenarioProgress.objects.get(user=world["bob"], scenario=world["hotel"])
    assert (hotel.is_saved, hotel.notes, hotel.times_completed) == (True, 'said "thanks"', 1)
    cafe = ScenarioMetadata.objects.get(scenario=world["cafe"])
    assert (cafe.saved_count, cafe.attempts, cafe.times_used, cafe.ratings_sum, cafe.ratings_count) == (
        1,
        3,
        2,
        7,
        2,
    )
    assert cafe.trending_score > TRENDING_EMPTY
    fresh = recount([cafe.pk])[cafe.pk]
    assert {key: getattr(cafe, key) for key in COUNTERS} == fresh


def test_running_the_import_again_changes_nothing(world):
    run_import(world)
    before = snapshot()
    output = run_import(world)
    assert "Imported 0 of 4 attempt row(s) and 0 of 5 outcome row(s)" in output
    assert snapshot() == before


def test_new_rows_in_a_later_export_are_added_on_top(world):
    run_import(world)
    with world["attempts"].open("a") as handle:
        handle.write(f"a5,{world['ann'].pk},cafe-order,2024-03-09T10:00:00Z,\n")
    run_import(world)
    assert UserScenarioProgress.objects.get(user=world["ann"], scenario=world["cafe"]).times_attempted == 3
    assert ScenarioMetadata.objects.get(scenario=world["cafe"]).attempts == 4


def test_import_merges_with_live_progress_without_losing_it(world):
    services.scenario_attempt(user=world["ann"], scenario=world["cafe"])
    services.scenario_unsave(user=world["ann"], scenario=world["cafe"])  # after the old outcomes
    run_import(world)
    ann = UserScenarioProgress.objects.get(user=world["ann"], scenario=world["cafe"])
    assert (ann.times_attempted, ann.is_saved) == (3, False)
    assert ScenarioMetadata.objects.get(scenario=world["cafe"]).attempts == 4


def test_dry_run_reports_but_writes_nothing(world):
    output = run_import(world, "--dry-run")
    assert "Dry run" in output and "would import 4 of 4" in output
    assert not UserScenarioProgress.objects.exists()
    assert not LegacyImportedRow.objects.exists()


@pytest.mark.parametrize(
    "which,line,reason",
    [
        (
            "outcomes",
            "o9,{ann},cafe-order,2024-03-01T10:00:00Z,true,true,6,10,",
            "rating 6 must be from 1 to 5",
        ),
        (
            "outcomes",
            "o9,{ann},cafe-order,yesterday,true,true,,,",
            "created_at 'yesterday' is not an ISO 8601",
        ),
        (
            "outcomes",
            "o9,{ann},cafe-order,2024-03-01T10:00:00Z,maybe,true,,,",
            "completed 'maybe' is not true or false",
        ),
        ("outcomes", "o9,{ann},cafe-order,2024-03-01T10:00:00Z,true,true,,-4,", "time_spent_s -4 must be"),
        ("outcomes", "o1,{ann},cafe-order,2024-03-01T10:00:00Z,true,true,,,", "id 'o1' appears twice"),
        (
            "attempts",
            "a9,{ann},no-such-scenario,2024-03-01T10:00:00Z,",
            "no scenario with slug 'no-such-scenario'",
        ),
        ("attempts", "a9,999999,cafe-order,2024-03-01T10:00:00Z,", "no user with id 999999"),
        ("attempts", "a9,{ann},cafe-order", "expected 5 fields"),
        ("attempts", "a9,abc,cafe-order,2024-03-01T10:00:00Z,", "user_id 'abc' is not a number"),
    ],
)
def test_a_malformed_row_stops_with_file_line_and_reason_and_imports_nothing(world, which, line, reason):
    path = world[which]
    with path.open("a") as handle:
        handle.write(line.format(ann=world["ann"].pk) + "\n")
    expected_line = len(path.read_text().splitlines())
    with pytest.raises(CommandError) as error:
        run_import(world)
    message = str(error.value)
    assert f"{path}, line {expected_line}: {reason}" in message
    assert "Nothing imported" in message
    assert not UserScenarioProgress.objects.exists()
    assert not LegacyImportedRow.objects.exists()


def test_a_missing_column_is_refused(world):
    world["outcomes"].write_text("id,user_id,scenario_id,created_at\n")
    with pytest.raises(CommandError, match=r"line 1: header lacks column\(s\) completed, saved"):
        run_import(world)


def test_a_missing_file_is_refused_with_its_name(world, tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(CommandError, match=r"nope.csv: cannot be read"):
        call_command("import_scenario_outcomes", str(missing), str(world["outcomes"]), stdout=StringIO())
