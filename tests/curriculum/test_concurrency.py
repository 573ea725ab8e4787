"""Outcomes at once on PostgreSQL, from real threads: history complete, statistics exact."""

import threading

import pytest
from django.db import connection, transaction

from config.errors import Conflict
from curriculum import services
from curriculum.models import AlternativeStat, Enrollment, OutcomeEvent
from curriculum.services import curriculum_stats_rebuild
from tests.factories import UserFactory
from tests.utils.threads import run_at_once

from .factories import make_curriculum

pytestmark = pytest.mark.django_db(transaction=True)


def stats(segment="*"):
    row = AlternativeStat.objects.get(alternative__code="A", alternative__step__order=1, segment=segment)
    return row.successes, row.attempts


@pytest.fixture
def learner(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    curriculum = make_curriculum(steps=2, plans="ABC", priors={"A": 0.7})
    user = UserFactory()
    enrollment, _ = services.enrollment_get_or_create(
        user=user, curriculum=curriculum, traits={"energy_level": "high"}
    )
    return user, enrollment


def status(user, enrollment, outcome, **kwargs):
    return lambda: services.coach_status_record(
        user=user, enrollment=enrollment, step_order=1, plan_id="A", outcome=outcome, **kwargs
    )


def test_stopped_outcomes_for_the_same_step_at_once_are_all_kept_and_counted(learner):
    user, enrollment = learner
    results = run_at_once([status(user, enrollment, "STOPPED") for _ in range(6)])
    assert not [r for r in results if isinstance(r, Exception)]
    assert OutcomeEvent.objects.filter(enrollment=enrollment).count() == 6
    assert stats() == (0, 6)
    assert stats("energy_level=high") == (0, 6)
    assert curriculum_stats_rebuild(dry_run=True) == []


def test_two_successes_for_the_same_step_at_once_complete_it_once(learner):
    user, enrollment = learner
    results = run_at_once([status(user, enrollment, "SUCCESS"), status(user, enrollment, "SUCCESS")])
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    assert OutcomeEvent.objects.filter(enrollment=enrollment, outcome="SUCCESS").count() == 1
    assert stats() == (1, 1)
    enrollment.refresh_from_db()
    assert enrollment.current_step.order == 2
    assert enrollment.step_states.count() == 2


def test_a_success_and_a_swap_at_once_leave_one_consistent_story(learner):
    user, enrollment = learner
    results = run_at_once(
        [status(user, enrollment, "SUCCESS"), status(user, enrollment, "SWAPPED", next_plan_id="B")]
    )
    assert sum(isinstance(r, Exception) for r in results) == 1
    events = list(OutcomeEvent.objects.filter(enrollment=enrollment))
    assert len(events) == 1
    assert curriculum_stats_rebuild(dry_run=True) == []


def test_retries_with_the_same_client_key_at_once_record_one_outcome(learner):
    user, enrollment = learner
    results = run_at_once([status(user, enrollment, "STOPPED", client_key="tap-7") for _ in range(4)])
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(r.replayed for r in results) == [False, True, True, True]
    assert OutcomeEvent.objects.filter(enrollment=enrollment).count() == 1
    assert stats() == (0, 1)


def test_many_learners_reporting_on_the_same_plan_at_once_keep_statistics_exact(learner):
    user, first = learner
    others = [
        services.enrollment_get_or_create(
            user=UserFactory(), curriculum=first.curriculum, traits={"energy_level": "high"}
        )[0]
        for _ in range(7)
    ]
    enrollments = [first, *others]
    calls = [status(e.user, e, "SUCCESS" if i % 2 else "STOPPED") for i, e in enumerate(enrollments)]
    results = run_at_once(calls)
    assert not [r for r in results if isinstance(r, Exception)]
    assert OutcomeEvent.objects.count() == 8
    assert stats() == (4, 8)
    assert stats("energy_level=high") == (4, 8)
    assert curriculum_stats_rebuild(dry_run=True) == []


def test_enrolling_twice_at_once_gives_one_active_enrollment(learner):
    user, enrollment = learner
    newcomer = UserFactory()
    results = run_at_once(
        [
            lambda: services.enrollment_get_or_create(
                user=newcomer, curriculum=enrollment.curriculum, traits={"energy_level": "low"}
            )
            for _ in range(3)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)]
    assert len({r[0].pk for r in results}) == 1
    assert Enrollment.objects.filter(user=newcomer).count() == 1


def test_a_learners_open_outcome_does_not_hold_up_another_learner_of_the_curriculum(learner):
    """The outcome locks the learner's enrollment only, not the curriculum every learner shares."""
    user, first = learner
    second_user = UserFactory()
    second, _ = services.enrollment_get_or_create(
        user=second_user, curriculum=first.curriculum, traits={"energy_level": "high"}
    )
    services.coach_status_record(
        user=second_user, enrollment=second, step_order=1, plan_id="A", outcome="SUCCESS"
    )
    step_two_plan = second.step_states.get(step__order=2).current_alternative.code
    holding, release = threading.Event(), threading.Event()
    errors = []

    def first_learner_keeps_its_transaction_open():
        try:
            with transaction.atomic():
                status(user, first, "STOPPED")()
                holding.set()
                release.wait(timeout=20)
        except Exception as exc:  # collected for the assertions
            errors.append(exc)
            holding.set()
        finally:
            connection.close()

    def second_learner_reports():
        try:
            services.coach_status_record(
                user=second_user, enrollment=second, step_order=2, plan_id=step_two_plan, outcome="STOPPED"
            )
        except Exception as exc:  # collected for the assertions
            errors.append(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=first_learner_keeps_its_transaction_open)
    holder.start()
    assert holding.wait(timeout=10)
    reporter = threading.Thread(target=second_learner_reports)
    reporter.start()
    reporter.join(timeout=5)
    blocked = reporter.is_alive()
    release.set()
    holder.join()
    reporter.join()
    assert not blocked, "the second learner waited for the first learner's transaction"
    assert errors == []
    assert OutcomeEvent.objects.filter(enrollment__in=[first, second], outcome="STOPPED").count() == 2
