"""The headless CMS as a designer uses it in Chromium: edit, history, diff and revert with the API
following; a scheduled draft going live after the job; a draft WOD previewed; export then import
of the same file; and no import of users. The history diff is saved as a screenshot."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from config.permissions import CONTENT_DESIGNERS, sync_content_designer_permissions
from config.revisions import initial_revisions_create
from config.tasks import apply_publishing_schedule
from progress.models import BlockProgress, ProgressEvent, PublishStatus
from scenarios.models import Scenario
from tests.conftest import api_token_for
from tests.factories import UserFactory
from tests.progress.factories import BlockFactory, CommunityFactory, PageFactory, WodFactory
from tests.scenarios.factories import ScenarioFactory
from tests.utils.progress import join

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-word-123"


@pytest.fixture
def designer():
    user = UserFactory(username="designer", is_staff=True)
    sync_content_designer_permissions()
    user.groups.add(Group.objects.get(name=CONTENT_DESIGNERS))
    return user


@pytest.fixture
def signed_in(admin_login, designer):
    return admin_login("designer", PASSWORD)


def api_get(page, path, user, status=200):
    response = page.request.get(path, headers={"Authorization": f"Token {api_token_for(user)}"})
    assert response.status == status, (path, response.status, response.text()[:300])
    return response.json() if status == 200 else None


def saved(page):
    page.wait_for_load_state("load")
    errors = page.locator(".errornote, .errorlist").all_inner_texts()
    assert page.locator(".messagelist .success").count() >= 1, errors


@pytest.fixture
def wod_with_block():
    community = CommunityFactory()
    wod = WodFactory(community=community, title="Prompting basics")
    block = BlockFactory(page=PageFactory(wod=wod, title="First page"), title="Read me first")
    initial_revisions_create()
    return wod, block, join(UserFactory(), community)


def block_titles(page, wod, learner):
    tree = api_get(page, f"/api/v1/wods/{wod.pk}/", learner)
    return [block["title"] for p in tree["pages"] for block in p["blocks"]]


def test_edit_history_diff_and_revert_and_the_api_follows(signed_in, wod_with_block, screenshot):
    page = signed_in
    wod, block, learner = wod_with_block
    assert block_titles(page, wod, learner) == ["Read me first"]

    page.goto(f"/admin/progress/block/{block.pk}/change/")
    page.fill("#id_title", "Read me first (typo)")
    page.locator("[id$='content_jsonform'] [name='rjf§body']").fill("A **prompt** is an instrution.")
    page.click("input[name=_save]")
    saved(page)
    assert block_titles(page, wod, learner) == ["Read me first (typo)"]

    page.goto(f"/admin/progress/block/{block.pk}/history/")
    rows = page.locator("#change-history tbody tr")
    assert rows.count() == 2
    assert "designer" in rows.first.inner_text() and "Initial version." in rows.last.inner_text()
    page.locator("#change-history input[type=submit][value=compare]").click()
    page.wait_for_load_state("load")
    assert "Read me first (typo)" in page.content()
    key_row = page.locator("table.json-diff tr.json-diff-changed")
    assert key_row.count() == 1 and "body" in key_row.inner_text() and "instrution" in key_row.inner_text()
    screenshot("history_diff")

    page.goto(f"/admin/progress/block/{block.pk}/history/")
    page.locator("#change-history tbody tr").last.locator("th a").click()
    page.wait_for_load_state("load")
    assert page.locator("#id_title").input_value() == "Read me first"
    page.click("input[name=_save]")
    saved(page)
    assert block_titles(page, wod, learner) == ["Read me first"]
    page.goto(f"/admin/progress/block/{block.pk}/history/")
    assert "Reverted" in page.locator("#change-history tbody tr").first.inner_text()


def test_a_revert_that_would_delete_a_completed_block_is_refused(signed_in, wod_with_block):
    page = signed_in
    wod, block, learner = wod_with_block
    added = BlockFactory(page=block.page, title="Added later")
    BlockProgress.objects.create(
        user=learner, block=added, community=wod.community, completed_at=timezone.now()
    )
    page.goto(f"/admin/progress/page/{block.page_id}/history/")
    page.locator("#change-history tbody tr").last.locator("th a").click()
    page.wait_for_load_state("load")
    message = page.locator(".messagelist .error").inner_text()
    assert "cannot be restored" in message and "Added later" in message
    assert block.page.blocks.filter(pk=added.pk).exists()


def test_a_scheduled_draft_goes_live_after_the_job(signed_in, screenshot):
    page = signed_in
    community = CommunityFactory()
    wod = WodFactory(community=community, status=PublishStatus.DRAFT, title="Monday WOD")
    learner = join(UserFactory(), community)
    api_get(page, f"/api/v1/wods/{wod.pk}/", learner, status=404)

    due = timezone.localtime(timezone.now() - dt.timedelta(minutes=1))
    page.goto(f"/admin/progress/wod/{wod.pk}/change/")
    page.fill("#id_publish_at_0", due.strftime("%Y-%m-%d"))
    page.fill("#id_publish_at_1", due.strftime("%H:%M:%S"))
    page.click("input[name=_save]")
    saved(page)
    assert "scheduled for" in page.locator("#result_list").inner_text()
    api_get(page, f"/api/v1/wods/{wod.pk}/", learner, status=404)  # still a draft until the job runs

    apply_publishing_schedule()
    assert api_get(page, f"/api/v1/wods/{wod.pk}/", learner)["title"] == "Monday WOD"
    page.goto("/admin/progress/wod/")
    screenshot("scheduled_published")


def test_a_draft_wod_is_previewed_as_a_learner_without_writing(signed_in, screenshot):
    page = signed_in
    wod = WodFactory(status=PublishStatus.DRAFT, title="Draft WOD")
    BlockFactory(page=PageFactory(wod=wod, title="Warm-up"), title="Breathe in")
    page.goto(f"/admin/progress/wod/{wod.pk}/change/")
    page.click("text=Preview as a learner")
    page.wait_for_load_state("load")
    text = page.locator("#content-main").inner_text()
    assert "Draft WOD" in text and "Warm-up" in text and "Breathe in" in text
    assert BlockProgress.objects.count() == 0 and ProgressEvent.objects.count() == 0
    screenshot("learner_preview")


def test_export_then_import_of_the_same_file_changes_nothing(signed_in, tmp_path, screenshot):
    page = signed_in
    for index in range(3):
        ScenarioFactory(title=f"Scenario {index}, with a comma")
    before = list(Scenario.objects.order_by("pk").values())
    page.goto("/admin/scenarios/scenario/export/")
    page.select_option("select[name=format]", label="csv")
    with page.expect_download() as download:
        page.click("input[type=submit]")
    path = tmp_path / "scenarios.csv"
    download.value.save_as(path)

    page.goto("/admin/scenarios/scenario/import/")
    page.set_input_files("input[name=import_file]", str(path))
    page.select_option("select[name=format]", label="csv")
    page.click("input[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator("input[name=confirm]").count() == 1
    assert page.locator("tr.skip, .skip").count() >= 3 or "Skipped" in page.content()
    page.click("input[name=confirm]")
    page.wait_for_load_state("load")
    assert list(Scenario.objects.order_by("pk").values()) == before
    screenshot("import_round_trip")


def test_a_designer_cannot_import_users(signed_in):
    page = signed_in
    response = page.goto("/admin/auth/user/import/")
    assert response.status in (403, 404) or page.locator("input[name=import_file]").count() == 0


def test_notification_copy_preview_updates_as_the_designer_types(signed_in, screenshot):
    from notifications.models import NotificationTemplate

    page = signed_in
    template, _ = NotificationTemplate.objects.get_or_create(
        kind="evening_brief", tone="minimalist", defaults={"title": "Tomorrow", "body": "Rest well."}
    )
    page.goto(f"/admin/notifications/notificationtemplate/{template.pk}/change/")
    page.fill("#id_title", "{{ first_name }}: {{ session.title }} tomorrow")
    # Locator assertions poll without evaluating strings as code (the page's CSP forbids eval).
    expect(page.locator("#copy-preview-title")).to_have_text("Sam: Easy run 8 km tomorrow")
    page.fill("#id_body", "x" * 300)
    expect(page.locator("#copy-preview-body-count")).to_contain_text("over the push limit")
    screenshot("copy_preview")
