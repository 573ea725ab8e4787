"""Scheduled publishing: the API hides content outside its window, the every-minute job applies
due times through the services (content versions move, revisions are recorded), twice is safe."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from config.permissions import CONTENT_DESIGNERS, sync_content_designer_permissions
from config.schedules import PERIODIC_TASKS
from config.scheduling import publishing_schedule_apply
from config.tasks import apply_publishing_schedule
from curriculum.models import Curriculum
from curriculum.selectors import curricula_visible
from notifications.models import NotificationPreferences
from progress.models import Community, PublishStatus, Wod
from progress.selectors.content import programs_for, wods_for
from scenarios.models import Scenario
from tests.curriculum.factories import make_curriculum
from tests.factories import UserFactory
from tests.progress.factories import MembershipFactory, ProgramFactory, WodFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def learner_in(db):
    def make(community):
        return MembershipFactory(community=community).user

    return make


def test_the_job_is_declared_once_and_runs_every_minute():
    names = [
        name for name, entry in PERIODIC_TASKS.items() if entry["task"].endswith("apply_publishing_schedule")
    ]
    assert len(names) == 1 and "publish" in names[0]
    assert PERIODIC_TASKS[names[0]]["schedule"] == 60


def test_a_scheduled_draft_wod_goes_live_after_the_job_and_twice_changes_nothing(learner_in):
    wod = WodFactory(status=PublishStatus.DRAFT, publish_at=timezone.now() - MINUTE)
    learner = learner_in(wod.community)
    assert wod not in wods_for(learner)
    version = Community.objects.get(pk=wod.community_id).content_version
    first = apply_publishing_schedule()
    assert first["progress"]["published"] == 1
    wod.refresh_from_db()
    assert wod.status == PublishStatus.PUBLISHED and wod.publish_at is None
    assert wod in wods_for(learner)
    assert Community.objects.get(pk=wod.community_id).content_version > version
    assert Version.objects.get_for_object(wod).first().revision.comment == "Published on schedule"
    assert publishing_schedule_apply()["progress"] == {"published": 0, "unpublished": 0}


def test_content_is_never_served_before_publish_at_or_after_unpublish_at(learner_in):
    early = ProgramFactory(status=PublishStatus.PUBLISHED, publish_at=timezone.now() + dt.timedelta(hours=1))
    ended = ProgramFactory(
        community=early.community, status=PublishStatus.PUBLISHED, unpublish_at=timezone.now() - MINUTE
    )
    live = ProgramFactory(community=early.community, status=PublishStatus.PUBLISHED)
    learner = learner_in(early.community)
    assert list(programs_for(learner)) == [live]
    apply_publishing_schedule()
    ended.refresh_from_db()
    assert ended.status == PublishStatus.ARCHIVED and ended.unpublish_at is None
    early.refresh_from_db()
    assert early.publish_at is not None  # not due yet


def test_a_scheduled_curriculum_publishes_through_its_rules(user):
    ready = make_curriculum(
        steps=1, plans="A", status=Curriculum.Status.DRAFT, publish_at=timezone.now() - MINUTE
    )
    empty = make_curriculum(steps=0, status=Curriculum.Status.DRAFT, publish_at=timezone.now() - MINUTE)
    result = publishing_schedule_apply()["curriculum"]
    assert result["published"] == 1 and len(result["refused"]) == 1
    ready.refresh_from_db()
    empty.refresh_from_db()
    assert ready.status == Curriculum.Status.PUBLISHED and ready.publish_at is None
    assert empty.status == Curriculum.Status.DRAFT
    assert ready in curricula_visible(user=user)


def test_scheduled_scenarios_activate_and_deactivate_with_their_metadata(user):
    coming = ScenarioFactory(is_active=False, publish_at=timezone.now() - MINUTE)
    going = ScenarioFactory(is_active=True, unpublish_at=timezone.now() - MINUTE)
    assert not Scenario.objects.visible_to(user).filter(pk__in=[coming.pk, going.pk]).exists()
    publishing_schedule_apply()
    coming.refresh_from_db()
    going.refresh_from_db()
    assert coming.is_active and coming.metadata.is_active and coming.publish_at is None
    assert not going.is_active and not going.metadata.is_active


def test_the_admin_list_shows_scheduled_for_in_the_designers_time_zone():
    designer = UserFactory(is_staff=True)
    sync_content_designer_permissions()
    designer.groups.add(Group.objects.get(name=CONTENT_DESIGNERS))
    NotificationPreferences.objects.update_or_create(user=designer, defaults={"time_zone": "Europe/Berlin"})
    WodFactory(status=PublishStatus.DRAFT, publish_at=dt.datetime(2030, 1, 6, 7, 0, tzinfo=dt.UTC))
    client = Client()
    client.force_login(designer)
    body = client.get(reverse("admin:progress_wod_changelist")).content.decode()
    import re

    cell = re.search(r'class="field-scheduled">([^<]*)<', body).group(1)
    assert cell.startswith("scheduled for") and "8 a.m." in cell and "CET" in cell, cell


def test_unpublish_before_publish_is_refused():
    from django.core.exceptions import ValidationError

    wod = Wod(publish_at=timezone.now(), unpublish_at=timezone.now() - MINUTE)
    with pytest.raises(ValidationError):
        wod.clean()


def test_the_progress_tree_is_a_404_outside_the_window(learner_in):
    from rest_framework.test import APIClient

    wod = WodFactory(status=PublishStatus.PUBLISHED)
    learner = learner_in(wod.community)
    client = APIClient()
    client.force_authenticate(learner)
    url = f"/api/v1/progress/wods/{wod.pk}/"
    assert client.get(url).status_code == 200
    Wod.objects.filter(pk=wod.pk).update(unpublish_at=timezone.now() - MINUTE)
    assert client.get(url).status_code == 404
    assert client.get(f"/api/v1/wods/{wod.pk}/").status_code == 404
