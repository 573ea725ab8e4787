"""Import and export of scenarios, blocks, alternatives and notification copy: CSV, JSON and XLSX,
a dry run that reports what would be created, changed and refused, all-or-nothing, a revision per
object written, and an export imported again changes nothing."""

import datetime as dt

import pytest
import tablib
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import NoReverseMatch, reverse
from reversion.models import Version

from config.content_io import FORMATS
from config.permissions import CONTENT_DESIGNERS, sync_content_designer_permissions
from curriculum.resources import AlternativeResource
from notifications.models import NotificationTemplate
from notifications.resources import NotificationTemplateResource
from progress.models import Block
from progress.resources import BlockResource
from scenarios.models import Scenario
from scenarios.resources import ScenarioResource
from tests.curriculum.factories import make_curriculum
from tests.factories import UserFactory
from tests.progress.factories import BlockFactory, PageFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def designer(db):
    user = UserFactory(is_staff=True)
    sync_content_designer_permissions()
    user.groups.add(Group.objects.get(name=CONTENT_DESIGNERS))
    return user


@pytest.fixture
def content(db):
    ScenarioFactory(publish_at=dt.datetime(2030, 1, 6, 7, 0, tzinfo=dt.UTC))
    ScenarioFactory()
    page = PageFactory()
    BlockFactory(page=page)
    tricky = 'Ünïcode, commas, "quotes"\nand a new line'
    BlockFactory(page=page, content={"body": tricky, "format": "markdown"})
    make_curriculum(steps=1, plans="AB")


def _snapshot():
    rows = []
    for model in (Scenario, Block, NotificationTemplate):
        rows += list(model.objects.order_by("pk").values())
    return rows


@pytest.mark.parametrize("file_format", FORMATS, ids=lambda f: f().get_title())
@pytest.mark.parametrize(
    "resource_class", [ScenarioResource, BlockResource, AlternativeResource, NotificationTemplateResource]
)
def test_an_export_imported_again_changes_nothing(content, designer, resource_class, file_format):
    fmt = file_format()
    exported = fmt.export_data(resource_class().export())
    before, versions = _snapshot(), Version.objects.count()
    dataset = fmt.create_dataset(exported)
    result = resource_class().import_data(dataset, dry_run=False, user=designer)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 0 and result.totals["update"] == 0
    assert result.totals["skip"] == len(dataset) > 0
    assert _snapshot() == before
    assert Version.objects.count() == versions


def test_a_dry_run_reports_new_changed_and_refused_rows_and_writes_nothing(content, designer):
    block = Block.objects.order_by("pk").first()
    dataset = BlockResource().export()
    rows = [dict(zip(dataset.headers, row, strict=True)) for row in dataset]
    rows[0]["title"] = "Changed title"
    new = {**rows[1], "id": "", "title": "A new block", "order": 98}
    refused = {**rows[1], "id": "", "block_type": "no-such-type", "order": 99}
    data = tablib.Dataset(headers=dataset.headers)
    for row in (rows[0], rows[1], new, refused):
        data.append([row[h] for h in dataset.headers])
    before = _snapshot()
    result = BlockResource().import_data(data, dry_run=True, user=designer)
    assert result.has_validation_errors()
    invalid = result.invalid_rows
    assert [row.number for row in invalid] == [4]
    assert "block_type" in invalid[0].field_specific_errors
    types = [row.import_type for row in result.valid_rows()]
    assert types == ["update", "skip", "new"]
    # the real import refuses the whole file while a row is refused
    result = BlockResource().import_data(data, dry_run=False, user=designer)
    assert result.has_validation_errors()
    assert _snapshot() == before
    block.refresh_from_db()
    assert block.title != "Changed title"


def test_an_import_records_a_revision_per_object_with_the_user(content, designer):
    exported = ScenarioResource().export()
    data = tablib.Dataset(headers=exported.headers)
    for row in exported.dict:
        data.append([f"{row['title']} (edited)" if h == "title" else row[h] for h in exported.headers])
    ids = list(data["id"])
    result = ScenarioResource().import_data(data, dry_run=False, user=designer)
    assert result.totals["update"] == len(ids)
    for scenario in Scenario.objects.filter(pk__in=ids):
        assert scenario.title.endswith("(edited)")
        revision = Version.objects.get_for_object(scenario).first().revision
        assert revision.user == designer and revision.comment == "Imported: changed"
        assert scenario.metadata is not None


def test_designers_import_content_but_nothing_can_import_users(designer):
    client = Client()
    client.force_login(designer)
    for name in (
        "admin:scenarios_scenario_import",
        "admin:progress_block_import",
        "admin:curriculum_alternative_import",
        "admin:notifications_notificationtemplate_import",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    for name in ("admin:auth_user_import", "admin:auth_group_import", "admin:knox_authtoken_import"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
