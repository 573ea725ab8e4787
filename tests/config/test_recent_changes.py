"""Recent changes: the latest revisions across content, with who, what, when and a diff link,
filterable by app and user; for designers, operators and superusers only."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from config.permissions import (
    CONTENT_DESIGNERS,
    OPERATORS,
    sync_content_designer_permissions,
    sync_operator_permissions,
)
from config.revisions import content_revision, initial_revisions_create
from tests.factories import UserFactory
from tests.progress.factories import BlockFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


def _client(group=None, **flags):
    user = UserFactory(is_staff=True, **flags)
    sync_content_designer_permissions()
    sync_operator_permissions()
    if group:
        user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client, user


def test_recent_changes_list_who_what_when_with_a_diff_link_and_filter():
    client, designer = _client(CONTENT_DESIGNERS)
    block = BlockFactory(title="Intro text")
    scenario = ScenarioFactory(title="At the bakery")
    initial_revisions_create()
    with content_revision(user=designer, comment="Fixed a typo"):
        block.title = "Intro text (fixed)"
        block.save()
    url = reverse("recent-changes")
    body = client.get(url).content.decode()
    assert body.index("Fixed a typo") < body.index("At the bakery")
    assert designer.username in body and "Intro text (fixed)" in body
    diff = reverse("admin:progress_block_compare", args=[block.pk])
    assert f'href="{diff}?version_id1=' in body
    only_scenarios = client.get(url, {"app": "scenarios"}).content.decode()
    assert "At the bakery" in only_scenarios and "Intro text" not in only_scenarios
    by_designer = client.get(url, {"user": designer.pk}).content.decode()
    assert "Fixed a typo" in by_designer and "At the bakery" not in by_designer
    assert scenario.pk


def test_operators_see_recent_changes_and_other_staff_do_not():
    operator, _ = _client(OPERATORS)
    assert operator.get(reverse("recent-changes")).status_code == 200
    staff, _ = _client()
    assert staff.get(reverse("recent-changes")).status_code == 403
