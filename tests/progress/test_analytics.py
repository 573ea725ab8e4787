from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from progress.charts import bar_chart, line_chart
from progress.models import (
    BlockType,
    LearningAnalytics,
    MembershipRole,
    ProgressEvent,
)
from progress.selectors.analytics import predict_completion
from progress.services import course_enroll, events_ingest
from progress.services.analytics import engagement_score, learning_analytics_compute, period_bounds
from progress.tasks import compute_learning_analytics
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.progress.factories import BlockProgressFactory, CommunityFactory, build_program
from tests.utils.progress import blocks_of, join, service_event

ME = reverse("api:progress-analytics-me")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Test users get a password; hashing it cheaply keeps the module fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def community_url(pk):
    return reverse("api:progress-analytics-community", args=[pk])


def log(user, community, at, seconds=60, key=None):
    return ProgressEvent.objects.create(
        user=user,
        community=community,
        verb="viewed",
        idempotency_key=key or f"{user.pk}-{at.isoformat()}",
        time_spent_s=Decimal(seconds),
        state_after="completed",
        occurred_at=at,
    )


def row_values(qs):
    return sorted(
        qs.values_list(
            "user_id",
            "community_id",
            "period",
            "period_start",
            "period_end",
            "active_seconds",
            "events_count",
            "active_days",
            "blocks_completed",
            "engagement_score",
            "streak_days",
        )
    )


@pytest.fixture
def community(user):
    community = CommunityFactory(name="Gym", slug="gym")
    join(user, community)
    return community


def test_period_bounds_cut_days_weeks_from_monday_and_months():
    assert period_bounds("daily", date(2026, 3, 29)) == (date(2026, 3, 29), date(2026, 3, 29))
    assert period_bounds("weekly", date(2026, 3, 29)) == (date(2026, 3, 23), date(2026, 3, 29))
    assert period_bounds("monthly", date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))


def test_engagement_score_weights_days_time_and_completions():
    assert (
        engagement_score(period_days=7, active_days=7, active_seconds=7 * 1200, blocks_completed=21) == 100.0
    )
    assert engagement_score(period_days=7, active_days=0, active_seconds=0, blocks_completed=0) == 0.0
    assert engagement_score(period_days=1, active_days=1, active_seconds=600, blocks_completed=0) == 55.0


def test_prediction_divides_remaining_blocks_by_velocity():
    today = date(2026, 5, 1)
    assert predict_completion(remaining=4, velocity=0.5, today=today) == date(2026, 5, 9)
    assert predict_completion(remaining=3, velocity=2, today=today) == date(2026, 5, 3)
    assert predict_completion(remaining=0, velocity=0, today=today) == today
    assert predict_completion(remaining=5, velocity=0, today=today) is None


def test_charts_render_inline_svg_with_escaped_labels():
    svg = bar_chart("Active <learners>", [("06 Apr", 3), ("13 Apr", 5)])
    assert svg.startswith("<svg") and svg.count("<rect") == 2 and "&lt;learners&gt;" in svg
    assert line_chart("Hours", [("a", 1.5)]).count("<circle") == 1
    assert "<rect" not in bar_chart("Empty", [])


@pytest.mark.django_db
def test_computing_twice_gives_the_same_rows(user, community):
    other = UserFactory()
    join(other, community)
    day = date(2026, 4, 8)
    for hour in (8, 9):
        log(user, community, datetime(2026, 4, 8, hour, tzinfo=UTC), seconds=300)
    log(user, community, datetime(2026, 4, 7, 8, tzinfo=UTC), seconds=100)
    first = learning_analytics_compute(period="weekly", day=day)
    rows_after_first = row_values(LearningAnalytics.objects.all())
    second = learning_analytics_compute(period="weekly", day=day)
    assert first.rows == second.rows == 2
    assert row_values(LearningAnalytics.objects.all()) == rows_after_first
    mine = LearningAnalytics.objects.get(user=user)
    assert (mine.period_start, mine.period_end) == (date(2026, 4, 6), date(2026, 4, 12))
    assert (mine.events_count, mine.active_days, mine.active_seconds) == (3, 2, Decimal("700.000"))
    assert mine.streak_days == 0  # the week ended on Sunday; the last activity was Wednesday
    assert LearningAnalytics.objects.get(user=other).engagement_score == 0

    daily = learning_analytics_compute(period="daily", day=day)
    assert daily.rows == 2
    assert LearningAnalytics.objects.get(user=user, period="daily").streak_days == 2


@pytest.mark.django_db
def test_command_is_idempotent_and_rejects_bad_input(user, community, capsys):
    log(user, community, datetime(2026, 4, 8, 8, tzinfo=UTC))
    call_command("compute_learning_analytics", "--period", "monthly", "--date", "2026-04-08")
    call_command(
        "compute_learning_analytics", "--period", "monthly", "--date", "2026-04-30", "--community", "gym"
    )
    assert LearningAnalytics.objects.filter(period="monthly").count() == 1
    call_command("compute_learning_analytics", "--period", "weekly", "--date", "2026-04-08", "--dry-run")
    assert not LearningAnalytics.objects.filter(period="weekly").exists()
    with pytest.raises(CommandError):
        call_command("compute_learning_analytics", "--period", "yearly")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("compute_learning_analytics", "--period", "weekly", "--date", "08/04/2026")
    with pytest.raises(CommandError, match="No community"):
        call_command("compute_learning_analytics", "--period", "weekly", "--community", "nowhere")
    with pytest.raises(CommandError, match="time zone"):
        call_command("compute_learning_analytics", "--period", "weekly", "--tz", "Mars/Olympus")


@pytest.mark.django_db
def test_weekly_periods_follow_the_time_zone_across_daylight_saving(user, community):
    # Berlin switches to summer time on Sunday 29 March 2026: that week lasts 167 hours.
    log(
        user, community, datetime(2026, 3, 22, 23, 30, tzinfo=UTC), key="mon-00:30-CET"
    )  # Mon 23 Mar 00:30 local
    log(
        user, community, datetime(2026, 3, 29, 21, 30, tzinfo=UTC), key="sun-23:30-CEST"
    )  # Sun 29 Mar 23:30 local
    log(
        user, community, datetime(2026, 3, 29, 22, 30, tzinfo=UTC), key="mon-00:30-CEST"
    )  # Mon 30 Mar 00:30 local
    log(
        user, community, datetime(2026, 3, 22, 22, 30, tzinfo=UTC), key="sun-23:30-CET"
    )  # Sun 22 Mar 23:30 local

    learning_analytics_compute(period="weekly", day=date(2026, 3, 25), tz=BERLIN)
    berlin = LearningAnalytics.objects.get(user=user, period="weekly")
    assert berlin.time_zone == "Europe/Berlin"
    assert (berlin.events_count, berlin.active_days, berlin.streak_days) == (2, 2, 1)

    LearningAnalytics.objects.all().delete()
    learning_analytics_compute(period="weekly", day=date(2026, 3, 25))
    utc = LearningAnalytics.objects.get(user=user, period="weekly")
    assert (utc.events_count, utc.active_days) == (2, 1)  # both Sunday 29 March in UTC


@pytest.mark.django_db
def test_me_reports_percentile_in_the_community(user, auth_client, community):
    start, end = date(2026, 4, 6), date(2026, 4, 12)
    peers = [UserFactory() for _ in range(3)]
    for person, score in zip([user, *peers], [30, 10, 20, 40], strict=True):
        join(person, community)
        LearningAnalytics.objects.create(
            user=person,
            community=community,
            period="weekly",
            period_start=start,
            period_end=end,
            engagement_score=score,
            active_days=2,
        )
    body = auth_client.get(ME, {"period": "weekly"}).json()
    assert (body["period_start"], body["period_end"]) == ("2026-04-06", "2026-04-12")
    [mine] = body["communities"]
    assert mine["community"]["name"] == "Gym"
    assert mine["percentile"] == 62.5 and mine["learners"] == 4
    by_date = auth_client.get(ME, {"period": "weekly", "date": "2026-04-09"}).json()
    assert by_date["communities"][0]["percentile"] == 62.5
    empty = auth_client.get(ME, {"period": "weekly", "date": "2025-01-01"}).json()
    assert empty["communities"] == [] and empty["period_start"] == "2024-12-30"
    assert auth_client.get(ME, {"period": "hourly"}).status_code == 400
    assert auth_client.get(ME, {"date": "nope"}).status_code == 400


@pytest.mark.django_db
def test_me_predicts_completion_from_recent_velocity(user, auth_client, community):
    program = build_program(
        community=community,
        courses=1,
        wods_per_course=1,
        pages_per_wod=2,
        blocks_per_page=3,
        block_types=(BlockType.RICH_TEXT,),
    )
    course = program.courses.get()
    course_enroll(user=user, course=course)
    events_ingest(user=user, events=[service_event(b) for b in blocks_of(program)[:2]])
    # 12 more blocks elsewhere in the last 28 days: 14 / 28 = 0.5 blocks a day.
    for i in range(12):
        BlockProgressFactory(user=user, completed_at=timezone.now() - timedelta(days=i + 1))
    BlockProgressFactory(user=user, completed_at=timezone.now() - timedelta(days=40))  # too old to count
    [forecast] = auth_client.get(ME).json()["forecasts"]
    assert (forecast["type"], forecast["id"], forecast["course"], forecast["program"]) == (
        "course",
        course.pk,
        course.pk,
        None,
    )
    assert (forecast["required_total"], forecast["required_done"], forecast["remaining_blocks"]) == (6, 2, 4)
    assert forecast["velocity_blocks_per_day"] == 0.5
    assert forecast["predicted_completion_date"] == (timezone.now().date() + timedelta(days=8)).isoformat()


@pytest.mark.django_db
def test_community_trends_for_staff_403_for_learners_404_for_others(user, auth_client, community):
    instructor, admin_user, outsider = UserFactory(), UserFactory(), UserFactory()
    join(instructor, community, MembershipRole.INSTRUCTOR)
    join(admin_user, community, MembershipRole.ADMIN)
    join(outsider, CommunityFactory())
    log(user, community, datetime(2026, 4, 8, 8, tzinfo=UTC), seconds=3600)
    learning_analytics_compute(period="weekly", day=date(2026, 4, 8))
    learning_analytics_compute(period="weekly", day=date(2026, 4, 1))

    body = client_for(instructor).get(community_url(community.pk), {"period": "weekly"}).json()
    assert [p["period_start"] for p in body["series"]] == ["2026-03-30", "2026-04-06"]
    latest = body["series"][-1]
    assert (latest["learners"], latest["active_learners"], latest["active_hours"]) == (3, 1, 1.0)
    assert client_for(admin_user).get(community_url(community.pk)).status_code == 200
    assert auth_client.get(community_url(community.pk)).status_code == 403
    assert client_for(outsider).get(community_url(community.pk)).status_code == 404
    assert client_for(instructor).get(community_url(community.pk), {"periods": 0}).status_code == 400


@pytest.mark.django_db
def test_me_sees_only_own_rows(user, auth_client, community):
    stranger = UserFactory()
    elsewhere = CommunityFactory()
    join(stranger, elsewhere)
    LearningAnalytics.objects.create(
        user=stranger,
        community=elsewhere,
        period="weekly",
        period_start=date(2026, 4, 6),
        period_end=date(2026, 4, 12),
    )
    assert auth_client.get(ME).json()["communities"] == []


@pytest.mark.django_db
def test_analytics_endpoints_query_counts_are_constant(
    django_assert_num_queries, user, auth_client, community
):
    instructor = UserFactory()
    join(instructor, community, MembershipRole.INSTRUCTOR)
    staff_client = client_for(instructor)

    def populate(learners, weeks, offset):
        for _ in range(learners):
            join(UserFactory(), community)
        for week in range(weeks):
            learning_analytics_compute(period="weekly", day=date(2026, 4, 6) - timedelta(weeks=week + offset))

    populate(1, 1, 0)
    with django_assert_num_queries(6):  # token, latest period, rows, percentiles, 2 x enrollments
        auth_client.get(ME)
    with django_assert_num_queries(3):  # token, membership, series
        staff_client.get(community_url(community.pk))
    populate(5, 3, 1)
    with django_assert_num_queries(6):
        auth_client.get(ME)
    with django_assert_num_queries(3):
        assert len(staff_client.get(community_url(community.pk)).json()["series"]) == 4


@pytest.mark.django_db
def test_task_computes_the_period_of_the_day_given(user, community):
    log(user, community, datetime(2026, 4, 8, 8, tzinfo=UTC))
    assert compute_learning_analytics("daily", "2026-04-08") == 1
    assert compute_learning_analytics("daily", "2026-04-08", community_id=community.pk) == 1
    assert compute_learning_analytics("daily", "2026-04-08", community_id=999999) == 0
    assert LearningAnalytics.objects.get().events_count == 1


@pytest.mark.django_db
def test_admin_trends_page_draws_svg_charts(client, community, user):
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    log(user, community, datetime(2026, 4, 8, 8, tzinfo=UTC))
    learning_analytics_compute(period="weekly", day=date(2026, 4, 8))
    client.force_login(admin_user)
    page = client.get(reverse("admin:progress_learninganalytics_trends", args=[community.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="trend-chart"') == 4 and "Active learners" in html
    assert "cdn" not in html.lower()
    assert client.get(reverse("admin:progress_learninganalytics_trends_index")).status_code == 200
    assert client.get(reverse("admin:progress_learninganalytics_changelist")).status_code == 200


@pytest.mark.django_db
def test_week_to_date_counts_the_streak_up_to_yesterday(user, community):
    today = timezone.now().date()
    for back in (1, 2, 3):
        log(user, community, timezone.now() - timedelta(days=back), key=f"back-{back}")
    learning_analytics_compute(period="monthly", day=today)
    learning_analytics_compute(period="weekly", day=today)
    assert LearningAnalytics.objects.get(period="monthly").streak_days == 3
    assert LearningAnalytics.objects.get(period="weekly").streak_days == 3


@pytest.mark.django_db
def test_admin_trends_are_scoped_to_the_communities_a_designer_instructs(client, community, user):
    from django.contrib.auth.models import Group

    from config.permissions import CONTENT_DESIGNERS, sync_content_designer_permissions
    from progress.models import Community, Membership, MembershipRole

    other = Community.objects.create(name="Elsewhere", slug="elsewhere")
    designer = UserFactory(is_staff=True)
    sync_content_designer_permissions()
    designer.groups.add(Group.objects.get(name=CONTENT_DESIGNERS))
    Membership.objects.create(user=designer, community=community, role=MembershipRole.INSTRUCTOR)
    log(user, community, datetime(2026, 4, 8, 8, tzinfo=UTC))
    learning_analytics_compute(period="weekly", day=date(2026, 4, 8))
    client.force_login(designer)

    index = client.get(reverse("admin:progress_learninganalytics_trends_index"))
    assert index.status_code == 200
    assert community.name in index.content.decode() and "Elsewhere" not in index.content.decode()
    assert (
        client.get(reverse("admin:progress_learninganalytics_trends", args=[community.pk])).status_code == 200
    )
    assert client.get(reverse("admin:progress_learninganalytics_trends", args=[other.pk])).status_code == 404
    rows = client.get(reverse("admin:progress_learninganalytics_changelist"))
    assert (
        rows.status_code == 200
        and rows.context["cl"].result_count == LearningAnalytics.objects.filter(community=community).count()
    )


@pytest.mark.django_db
def test_me_forecasts_program_enrollments_too(user, auth_client, community):
    from progress.services import program_enroll

    program = build_program(
        community=community,
        courses=2,
        wods_per_course=1,
        pages_per_wod=1,
        blocks_per_page=5,
        block_types=(BlockType.RICH_TEXT,),
    )
    program_enroll(user=user, program=program)
    events_ingest(user=user, events=[service_event(b) for b in blocks_of(program)[:4]])  # 4 today
    forecasts = auth_client.get(ME).json()["forecasts"]
    [mine] = [f for f in forecasts if f["type"] == "program"]
    assert (mine["id"], mine["program"], mine["course"], mine["title"]) == (
        program.pk,
        program.pk,
        None,
        program.title,
    )
    assert (mine["required_total"], mine["required_done"], mine["remaining_blocks"]) == (10, 4, 6)
    # 4 blocks in the 28-day window: 1/7 a day, so 6 more blocks take 42 days.
    assert mine["velocity_blocks_per_day"] == round(4 / 28, 4)
    assert mine["predicted_completion_date"] == (timezone.now().date() + timedelta(days=42)).isoformat()
