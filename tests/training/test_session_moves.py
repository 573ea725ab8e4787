"""Moving a planned session: one session a day (rest days swap), a taken day is a 400, and two
hard days in a row are allowed with a warning naming both."""

import datetime as dt
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import client_for
from training.models import PlannedSession, SessionStatus

from .factories import TrainingPlanFactory, monday, week_of_sessions

pytestmark = pytest.mark.django_db

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


@pytest.fixture
def week(user):
    """Next week: Mon easy, Tue intervals, Wed rest, Thu tempo, Fri easy, Sat rest, Sun long."""
    plan = TrainingPlanFactory(user=user, start_date=monday(1))
    return week_of_sessions(plan)


def move(user, session, day):
    return client_for(user).patch(
        f"/api/v1/plan-sessions/{session.pk}/", {"date": day.isoformat()}, format="json"
    )


def types_by_weekday(plan_id) -> dict[int, str]:
    rows = PlannedSession.objects.filter(plan_id=plan_id).exclude(status=SessionStatus.SKIPPED)
    per_day = Counter(row.date for row in rows)
    assert set(per_day.values()) == {1}, per_day  # every day still holds exactly one session
    return {row.date.weekday(): row.session_type for row in rows}


def test_a_run_cannot_move_onto_a_day_that_holds_another_run(user, week):
    response = move(user, week[MON], week[TUE].date)
    assert response.status_code == 400
    assert "Intervals (10.5 km)" in response.json()["date"][0]
    PlannedSession.objects.filter(pk=week[THU].pk).update(status=SessionStatus.COMPLETED)
    assert move(user, week[FRI], week[THU].date).status_code == 400


def test_a_run_moved_onto_a_rest_day_swaps_with_the_rest(user, week):
    response = move(user, week[FRI], week[SAT].date)
    assert response.status_code == 200, response.json()
    assert response.json()["date"] == week[SAT].date.isoformat() and response.json()["warnings"] == []
    layout = types_by_weekday(week[MON].plan_id)
    assert (layout[FRI], layout[SAT]) == ("rest", "easy")


def test_a_hard_session_next_to_another_moves_with_a_warning_naming_both(user, week):
    response = move(user, week[THU], week[WED].date)
    assert response.status_code == 200
    (warning,) = response.json()["warnings"]
    assert "Intervals (10.5 km)" in warning and "Tempo (threshold) (9 km)" in warning
    assert "consecutive days" in warning
    layout = types_by_weekday(week[MON].plan_id)
    assert (layout[TUE], layout[WED], layout[THU]) == ("intervals", "tempo", "rest")


def test_moving_the_rest_day_swaps_the_run_there_and_warns_for_it(user, week):
    response = move(user, week[WED], week[THU].date)
    assert response.status_code == 200
    assert response.json()["type"] == "rest"
    assert len(response.json()["warnings"]) == 1 and "Tempo (threshold)" in response.json()["warnings"][0]
    layout = types_by_weekday(week[MON].plan_id)
    assert (layout[WED], layout[THU]) == ("tempo", "rest")


def test_a_rest_day_does_not_swap_with_a_run_already_done(user, week):
    PlannedSession.objects.filter(pk=week[THU].pk).update(status=SessionStatus.MISSED)
    response = move(user, week[WED], week[THU].date)
    assert response.status_code == 400 and "missed" in response.json()["date"][0]


def test_a_skipped_sessions_day_is_free(user, week):
    PlannedSession.objects.filter(pk=week[THU].pk).update(status=SessionStatus.SKIPPED)
    response = move(user, week[FRI], week[THU].date)
    assert response.status_code == 200 and response.json()["warnings"] == []


def test_a_start_time_change_alone_has_no_warnings(user, week):
    response = client_for(user).patch(
        f"/api/v1/plan-sessions/{week[TUE].pk}/", {"start_time_local": "18:00"}, format="json"
    )
    assert response.status_code == 200 and response.json()["warnings"] == []


def test_the_schema_documents_the_warnings():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    patch = schema["paths"]["/api/v1/plan-sessions/{id}/"]["patch"]["responses"]
    assert patch["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/SessionMoveResult")
    result = schema["components"]["schemas"]["SessionMoveResult"]
    assert result["properties"]["warnings"]["type"] == "array"
    assert {"400", "404", "409"} <= set(patch)


def test_the_week_moves_stay_inside_the_week(user, week):
    response = move(user, week[SUN], week[SUN].date + dt.timedelta(days=1))
    assert response.status_code == 400 and "within its week" in response.json()["date"][0]


KINDS = ["easy", "intervals", "tempo", "long", "rest"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    layout=st.dictionaries(st.integers(0, 6), st.sampled_from(KINDS), min_size=1, max_size=7),
    moves=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=8),
)
def test_any_sequence_of_moves_keeps_one_session_a_day(user, layout, moves):
    """Whatever is moved where, each day keeps exactly one session, a refused move changes
    nothing, and a warning is given exactly when the moved hard session has a hard neighbour."""
    from django.db import transaction

    from config.errors import Invalid
    from training import services
    from training.workouts import HARD_TYPES

    with transaction.atomic():
        plan = TrainingPlanFactory(user=user, start_date=monday(1))
        week_of_sessions(plan, layout={day: kind for day, kind in layout.items() if kind != "rest"})
        for source, target in moves:
            before = types_by_weekday(plan.pk)
            session = PlannedSession.objects.get(plan=plan, date=plan.start_date + dt.timedelta(days=source))
            try:
                moved = services.session_move(
                    user=user, session=session, date=plan.start_date + dt.timedelta(days=target)
                )
            except Invalid:
                assert types_by_weekday(plan.pk) == before
                continue
            after = types_by_weekday(plan.pk)
            assert sorted(after.values()) == sorted(before.values())
            hard_pairs = {
                day
                for day in range(6)
                if after.get(day) in HARD_TYPES
                and after.get(day + 1) in HARD_TYPES
                and {day, day + 1} & {source, target}
                and source != target
            }
            assert bool(moved.warnings) == bool(hard_pairs), (before, after, moved.warnings)
        transaction.set_rollback(True)
