"""Preview as a learner (curricula, programs, courses, WODs, drafts included, writing nothing) and
the live preview of notification copy."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.permissions import CONTENT_DESIGNERS, sync_content_designer_permissions
from curriculum.models import Curriculum
from notifications.copy_preview import PUSH_LIMITS, copy_preview
from progress.models import BlockType, PublishStatus
from tests.curriculum.factories import make_curriculum
from tests.factories import UserFactory
from tests.progress.factories import (
    BlockFactory,
    CourseWodFactory,
    PageFactory,
    ProgramCourseFactory,
    WodFactory,
)

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def designer_client(db):
    designer = UserFactory(is_staff=True)
    sync_content_designer_permissions()
    designer.groups.add(Group.objects.get(name=CONTENT_DESIGNERS))
    client = Client()
    client.force_login(designer)
    return client


def _no_writes(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert response.status_code == 200
    assert writes == []
    return response.content.decode()


def test_a_draft_wod_is_previewed_as_the_api_answers_and_nothing_is_written(designer_client):
    wod = WodFactory(status=PublishStatus.DRAFT, title="Draft WOD")
    page = PageFactory(wod=wod, title="Warm-up page")
    BlockFactory(page=page, block_type=BlockType.RICH_TEXT, title="Read this first")
    change = designer_client.get(reverse("admin:progress_wod_change", args=[wod.pk])).content.decode()
    preview_url = reverse("admin:progress_wod_preview", args=[wod.pk])
    assert "Preview as a learner" in change and preview_url in change
    body = _no_writes(designer_client, preview_url)
    assert "Draft WOD" in body and "Warm-up page" in body and "Read this first" in body
    assert "Rich text" in body and "once published" in body


def test_programs_and_courses_preview_their_children_including_drafts(designer_client):
    link = ProgramCourseFactory(course__status=PublishStatus.DRAFT, course__title="Draft course")
    course_wod = CourseWodFactory(course=link.course, wod__status=PublishStatus.DRAFT, wod__title="Draft WOD")
    body = _no_writes(designer_client, reverse("admin:progress_program_preview", args=[link.program.pk]))
    assert "Draft course" in body
    body = _no_writes(designer_client, reverse("admin:progress_course_preview", args=[course_wod.course.pk]))
    assert "Draft WOD" in body


def test_a_draft_curriculum_is_previewed_with_plans_ranked_for_traits(designer_client):
    curriculum = make_curriculum(
        steps=2, plans="AB", status=Curriculum.Status.DRAFT, title="Draft course of plans"
    )
    change = designer_client.get(reverse("admin:curriculum_curriculum_change", args=[curriculum.pk]))
    assert "Preview as a learner" in change.content.decode()
    body = _no_writes(designer_client, reverse("admin:curriculum_curriculum_preview", args=[curriculum.pk]))
    assert "Draft course of plans" in body and "Step 1" in body and "Plan A" in body and "Plan B" in body


def test_copy_preview_renders_the_typed_copy_for_a_sample_runner():
    answer = copy_preview(
        kind="evening_brief",
        tone="minimalist",
        title="Tomorrow: {{ session.title }}",
        body="{{ first_name }}, {{ stats.week_completed }} of {{ stats.week_planned }} done. " + "x" * 300,
    )
    assert answer["title"] == "Tomorrow: Easy run 8 km"
    assert answer["body"].startswith("Sam, 2 of 4 done.")
    assert answer["over"] == {"title": False, "body": True, "lock_screen_total": True}
    assert answer["limits"] == PUSH_LIMITS


def test_copy_preview_reports_a_template_error_instead_of_raising():
    answer = copy_preview(kind="evening_brief", tone="minimalist", title="{% if %}", body="")
    assert answer["error"].startswith("Template error")


def test_the_copy_preview_view_answers_designers_and_keeps_real_runners_to_operators(designer_client):
    url = reverse("admin:notifications_notificationtemplate_preview")
    params = {"kind": "morning_hype", "tone": "data_nerd", "title": "{{ session.title }} today", "body": "Go"}
    answer = designer_client.get(url, params).json()
    assert answer["title"] == "Easy run 8 km today"
    runner = UserFactory()
    assert designer_client.get(url, {**params, "runner": runner.username}).status_code == 403
    root = Client()
    root.force_login(UserFactory(is_staff=True, is_superuser=True))
    answer = root.get(url, {**params, "runner": runner.username}).json()
    assert answer["runner"] == runner.username
