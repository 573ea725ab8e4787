"""Revisions of content: what is registered, who and why is recorded, key-by-key JSON diffs,
reverts that restore inline children and move the content version, and reverts a rule forbids."""

import pytest
import reversion
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from knox.models import AuthToken as Token
from reversion.models import Version

from config.permissions import CONTENT_DESIGNERS, sync_content_designer_permissions
from config.revision_admin import json_changes
from config.revisions import (
    content_revision,
    initial_revisions_create,
    revert_refusals,
    revision_models,
)
from curriculum import services as curriculum_services
from curriculum.models import Alternative, Curriculum, Step
from notifications.models import NotificationTemplate
from progress.models import Block, Community, Page
from scenarios.models import Scenario
from tests.curriculum.factories import AlternativeFactory, make_curriculum
from tests.factories import UserFactory
from tests.progress.factories import BlockFactory, BlockProgressFactory, PageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def designer(db):
    user = UserFactory(is_staff=True)
    sync_content_designer_permissions()
    user.groups.add(Group.objects.get(name=CONTENT_DESIGNERS))
    return user


@pytest.fixture
def designer_client(designer):
    client = Client()
    client.force_login(designer)
    return client


def test_every_changeable_content_model_keeps_revisions_and_nothing_else_does():
    models = set(revision_models())
    assert {Curriculum, Step, Alternative, Page, Block, Scenario, NotificationTemplate} <= models
    for model in models:
        assert reversion.is_registered(model), model
    for never in (User, Group, Token):
        assert never not in models and not reversion.is_registered(never)
    assert reversion.revisions._get_options(Page).follow == ("blocks",)
    assert reversion.revisions._get_options(Step).follow == ("alternatives",)


def test_initial_revisions_are_created_once_for_existing_content():
    page = PageFactory()
    block = BlockFactory(page=page)
    assert initial_revisions_create() >= 1
    assert Version.objects.get_for_object(page).count() == 1
    assert Version.objects.get_for_object(block).count() == 1
    assert initial_revisions_create() == 0
    assert Version.objects.get_for_object(page).get().revision.comment == "Initial version."


def test_a_service_write_records_a_revision_with_user_and_comment(designer):
    curriculum = make_curriculum(steps=1, plans="A", status=Curriculum.Status.DRAFT)
    curriculum_services.curriculum_publish(user=designer, curriculum=curriculum)
    revision = Version.objects.get_for_object(curriculum).first().revision
    assert revision.user == designer
    assert revision.comment == "Published"
    # the curriculum's revision holds its steps and their plans
    models = {version.content_type.model for version in revision.version_set.all()}
    assert models == {"curriculum", "step", "alternative"}


def test_an_admin_save_records_a_revision_with_the_user_and_the_change(designer_client, designer):
    template = NotificationTemplate.objects.first()
    url = reverse("admin:notifications_notificationtemplate_change", args=[template.pk])
    page = designer_client.get(url)
    assert page.status_code == 200
    data = {
        key: value
        for key, value in page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, (list, dict))
    }
    data["title"] = "Run today!"
    data["variants"] = "[]"
    response = designer_client.post(url, data)
    assert response.status_code == 302
    revision = Version.objects.get_for_object(template).first().revision
    assert revision.user == designer
    assert "Title" in revision.comment or "title" in revision.comment


def test_history_lists_revisions_newest_first_and_the_diff_shows_json_keys(designer_client, designer):
    block = BlockFactory(content={"text": "Old words", "format": "markdown"})
    initial_revisions_create()
    with content_revision(user=designer, comment="Rewrote the text"):
        block.content = {"text": "New words", "format": "markdown"}
        block.save()
    history = designer_client.get(reverse("admin:progress_block_history", args=[block.pk]))
    assert history.status_code == 200
    body = history.content.decode()
    assert body.index("Rewrote the text") < body.index("Initial version.")
    first, second = Version.objects.get_for_object(block).order_by("pk")
    diff = designer_client.get(
        reverse("admin:progress_block_compare", args=[block.pk]),
        {"version_id1": first.pk, "version_id2": second.pk},
    )
    assert diff.status_code == 200
    text = diff.content.decode()
    assert "<code>text</code>" in text and "Old words" in text and "New words" in text
    assert "<code>format</code>" not in text  # unchanged keys are not listed


def test_json_changes_lists_changed_added_and_removed_keys():
    rows = json_changes({"a": 1, "b": {"c": [1, 2]}}, {"a": 2, "b": {"c": [1]}, "d": "x"})
    kinds = [(row["key"], row["kind"]) for row in rows]
    assert kinds == [("a", "changed"), ("b.c[1]", "removed"), ("d", "added")]


def test_reverting_a_page_restores_its_blocks_and_moves_the_content_version(designer):
    page = PageFactory()
    kept = BlockFactory(page=page, title="Kept")
    initial_revisions_create()
    version = Version.objects.get_for_object(page).get()
    added = BlockFactory(page=page, title="Added later")
    kept.title = "Renamed"
    kept.save()
    community = Community.objects.get(pk=page.wod.community_id)
    before = community.content_version
    assert revert_refusals(version.revision) == []
    with content_revision(user=designer, comment="Reverted"):
        version.revision.revert(delete=True)
    assert not Block.objects.filter(pk=added.pk).exists()
    kept.refresh_from_db()
    assert kept.title == "Kept"
    community.refresh_from_db()
    assert community.content_version > before


def test_a_revert_that_would_delete_a_completed_block_is_refused_with_the_reason(designer_client):
    page = PageFactory()
    initial_revisions_create()
    version = Version.objects.get_for_object(page).get()
    block = BlockFactory(page=page, title="Quiz one")
    BlockProgressFactory(block=block, completed_at=timezone.now())
    reasons = revert_refusals(version.revision)
    assert reasons and "Quiz one" in reasons[0] and "completed" in reasons[0]
    response = designer_client.get(
        reverse("admin:progress_page_revision", args=[page.pk, version.pk]), follow=True
    )
    assert "cannot be restored" in response.content.decode()
    assert Block.objects.filter(pk=block.pk).exists()


def test_a_revert_that_would_delete_a_plan_with_outcomes_is_refused(designer):
    curriculum = make_curriculum(steps=1, plans="A")
    initial_revisions_create()
    version = Version.objects.get_for_object(curriculum).get()
    step = Step.objects.get(curriculum=curriculum)
    plan_b = AlternativeFactory(step=step, code="B", order=2)
    from curriculum.models import Enrollment, OutcomeEvent

    enrollment = Enrollment.objects.create(user=designer, curriculum=curriculum)
    OutcomeEvent.objects.create(enrollment=enrollment, step=step, alternative=plan_b, outcome="STOPPED")
    reasons = revert_refusals(version.revision)
    assert reasons and "outcomes" in reasons[0]


def test_designers_cannot_revert_users_or_tokens(designer_client, designer):
    # users, groups and tokens have no revisions and no revert pages
    for model in (User, Group, Token):
        assert not reversion.is_registered(model)
    for name in ("admin:auth_user_revision", "admin:knox_authtoken_revision"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[designer.pk, 1])


def test_an_admin_action_records_a_revision_with_the_user_and_the_action(designer_client, designer):
    curriculum = make_curriculum(steps=1, plans="A", status=Curriculum.Status.DRAFT)
    response = designer_client.post(
        reverse("admin:curriculum_curriculum_changelist"),
        {"action": "publish", "_selected_action": [curriculum.pk]},
    )
    assert response.status_code == 302
    revision = Version.objects.get_for_object(curriculum).first().revision
    assert revision.user == designer
    assert revision.comment == "Admin action “publish” on 1 selected"
