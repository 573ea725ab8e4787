import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from curriculum import demo
from curriculum.models import (
    Alternative,
    AlternativeStat,
    Curriculum,
    Enrollment,
    EnrollmentStep,
    OutcomeEvent,
    Step,
)
from curriculum.selectors import enrollment_step_alternatives

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("rebuild_curriculum_stats", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return sorted(AlternativeStat.objects.values_list("alternative_id", "segment", "attempts", "successes"))


def test_rebuild_finds_no_drift_after_outcomes(enrollment, record):
    record(enrollment, 1, "A", "STOPPED")
    record(enrollment, 1, "A", "SWAPPED", next_plan_id="C")
    record(enrollment, 1, "C", "SUCCESS")
    assert "No drift" in run()


def test_rebuild_reports_and_corrects_drift_and_dry_run_changes_nothing(enrollment, record, curriculum):
    record(enrollment, 1, "A", "STOPPED")
    record(enrollment, 1, "A", "SUCCESS")
    good = snapshot()
    plan_a = Alternative.objects.get(step__curriculum=curriculum, step__order=1, code="A")
    AlternativeStat.objects.filter(alternative=plan_a, segment="*").update(attempts=7, successes=5)
    AlternativeStat.objects.filter(alternative=plan_a, segment="energy_level=high").delete()
    AlternativeStat.objects.create(
        alternative=Alternative.objects.get(step=plan_a.step, code="B"), segment="*", attempts=3
    )
    tampered = snapshot()

    dry = run("--dry-run")
    assert snapshot() == tampered
    assert f"{curriculum.slug} step 1 Plan A [*]: attempts 7 -> 2, successes 5 -> 1" in dry
    assert f"{curriculum.slug} step 1 Plan A [energy_level=high]: attempts 0 -> 2, successes 0 -> 1" in dry
    assert f"{curriculum.slug} step 1 Plan B [*]: attempts 3 -> 0, successes 0 -> 0" in dry
    assert "3 statistics row(s) drifted; would be corrected (dry run, nothing changed)." in dry

    fixed = run()
    assert "3 statistics row(s) drifted; corrected." in fixed
    assert snapshot() == good
    assert "No drift" in run()


def test_the_weekly_task_rebuilds_statistics(enrollment, record):
    from curriculum.tasks import rebuild_stats

    record(enrollment, 1, "A", "STOPPED")
    AlternativeStat.objects.update(attempts=9)
    assert rebuild_stats() == 2
    assert set(AlternativeStat.objects.values_list("attempts", flat=True)) == {1}


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Curriculum,
            Step,
            Alternative,
            Enrollment,
            EnrollmentStep,
            OutcomeEvent,
            AlternativeStat,
        )
    }


@override_settings(DEBUG=True)
def test_demo_content_is_idempotent_and_gives_the_ranking_evidence(db, monkeypatch):
    from tests.factories import UserFactory

    # The same walk for fewer demo learners (2 per segment instead of 5) keeps the suite quick.
    monkeypatch.setattr(demo, "DEMO_LEARNERS", demo.DEMO_LEARNERS[::5] + demo.DEMO_LEARNERS[1::5])

    UserFactory(username="athlete")
    demo.seed(stdout=io.StringIO())
    first = counts()
    history = list(OutcomeEvent.objects.order_by("id").values_list("alternative__code", "outcome", "segment"))
    demo.seed(stdout=io.StringIO())
    assert counts() == first
    assert (
        list(OutcomeEvent.objects.order_by("id").values_list("alternative__code", "outcome", "segment"))
        == history
    )

    curriculum = Curriculum.objects.get(slug=demo.SLUG)
    assert curriculum.is_published and curriculum.steps.count() >= 6
    assert all(step.alternatives.count() >= 4 for step in curriculum.steps.all())
    assert first["OutcomeEvent"] > 40
    athlete = Enrollment.objects.get(user__username="athlete")
    ranked = enrollment_step_alternatives(enrollment=athlete, step=curriculum.steps.get(order=1)).alternatives
    assert any(option.attempts > 0 for option in ranked)
    assert "no drift" in run().lower()
