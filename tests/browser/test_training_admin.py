"""The training plan page in a real browser: every JSON editor builds, and saving unchanged works."""

import pytest

from tests.factories import UserFactory
from tests.training.factories import RunnerProfileFactory
from training import services
from training.models import TrainingPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JSON_FIELDS = [
    "season_view",
    "weekly_plan",
    "runner_snapshot",
    "phases",
    "load_parameters",
    "target_paces",
    "decisions",
    "safeguard_applications",
]


def test_plan_json_editors_build_and_save_unchanged(admin_login):
    UserFactory(username="coach", is_staff=True, is_superuser=True)
    runner = RunnerProfileFactory().user
    plan = services.plan_generate(user=runner, goal_type="half", duration_weeks=12)
    before = TrainingPlan.objects.values(*JSON_FIELDS).get(pk=plan.pk)
    page = admin_login("coach", "pass-word-123")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/admin/training/trainingplan/{plan.pk}/change/")
    assert page.locator("svg.trend-chart").is_visible()
    assert page.locator("svg.radar-chart").is_visible()
    for name in JSON_FIELDS:
        container = page.locator(f"#id_{name}").locator(
            "xpath=preceding-sibling::div[@data-django-jsonform-container][1]"
        )
        container.locator(".rjf-form-wrapper").wait_for(state="attached")
        assert "(!)" not in container.inner_text(), name
    page.screenshot(path="/tmp/admin-training-plan.png", full_page=False)
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() == 1, page.locator(
        ".errornote, .errorlist"
    ).all_inner_texts()
    assert errors == []
    after = TrainingPlan.objects.values(*JSON_FIELDS).get(pk=plan.pk)
    assert after == before


def test_plan_chart_draws_planned_bars_and_the_km_run(admin_login, screenshot):
    import datetime as dt

    from config.timezones import aware_local
    from tests.training.factories import ActivityFactory, monday

    UserFactory(username="coach", is_staff=True, is_superuser=True)
    runner = RunnerProfileFactory().user
    plan = services.plan_generate(user=runner, goal_type="half", duration_weeks=12, today=monday(-3))
    for week, km in enumerate((22.5, 18.0, 27.3)):
        for day, share in ((1, 0.3), (3, 0.3), (6, 0.4)):
            date = plan.start_date + dt.timedelta(weeks=week, days=day)
            if date < dt.date.today():
                started = aware_local(date, dt.time(7, 0), plan.zone)
                ActivityFactory(user=runner, started_at=started, distance_m=round(km * share * 1000))
    page = admin_login("coach", "pass-word-123")
    page.goto(f"/admin/training/trainingplan/{plan.pk}/change/")
    chart = page.locator("svg.trend-chart")
    assert chart.is_visible()
    assert chart.locator("rect.week-build").count() >= 6  # the planned bars
    dots = chart.locator("circle.actual-volume")
    assert dots.count() == 4  # the three weeks run and this week so far; none for weeks to come
    assert "W1: 22.5 km run of" in dots.first.locator("title").text_content()
    assert "so far" in dots.last.locator("title").text_content()
    assert chart.locator("polyline.actual-volume").count() == 1
    assert "run (km)" in chart.text_content()
    chart.scroll_into_view_if_needed()
    screenshot("admin-training-plan-planned-and-run")
