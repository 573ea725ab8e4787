"""Content designers' real flows, each driven through the admin in Chromium like a person would,
then checked through the API as a client app sees it. Each flow leaves a screenshot of its last
page in the screenshots folder (see ``conftest.screenshot_dir``)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from config.permissions import CONTENT_DESIGNERS, content_model_grants, sync_content_designer_permissions
from progress.models import Block, BlockType
from tests.conftest import api_token_for
from tests.factories import UserFactory
from tests.progress.factories import CommunityFactory, build_program
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


def api_get(page, path, user):
    response = page.request.get(path, headers={"Authorization": f"Token {api_token_for(user)}"})
    assert response.status == 200, (path, response.status, response.text()[:300])
    return response.json()


def saved(page):
    page.wait_for_load_state("load")
    errors = page.locator(".errornote, .errorlist").all_inner_texts()
    assert page.locator(".messagelist .success").count() >= 1, errors


def add_plan(page, *, code, order, title, instruction, minutes):
    """Add one alternative in the step page's inline, its content through the JSON form widget."""
    page.click("#alternatives-group .add-row a")
    form = page.locator("#alternatives-group .inline-related:not(.empty-form)").last
    form.locator("input[name$='-order']").fill(str(order))
    form.locator("input[name$='-code']").fill(code)
    form.locator("input[name$='-title']").fill(title)
    content = form.locator("[id$='-content_jsonform']")
    content.locator("input[name='rjf§instructions§0']").fill(instruction)
    content.locator("input[name='rjf§duration_minutes']").fill(str(minutes))
    content.locator("select[name='rjf§reward_type']").select_option("food")


def test_designer_builds_publishes_and_extends_a_curriculum(signed_in, screenshot):
    page = signed_in
    learner = UserFactory()
    page.goto("/admin/curriculum/curriculum/add/")
    page.locator("#id_title").press_sequentially("Loose leash walking")
    assert page.input_value("#id_slug") == "loose-leash-walking"  # prepopulated as the title is typed
    page.fill("#id_description", "Walk without pulling, in two steps.")
    for order, title in enumerate(["Stand still when the leash is tight", "Reward the slack"], start=1):
        page.click("#steps-group .add-row a")
        row = page.locator("#steps-group tr.form-row:not(.empty-form)").last
        row.locator("input[name$='-order']").fill(str(order))
        row.locator("input[name$='-title']").fill(title)
    page.click("input[name=_continue]")
    saved(page)

    for index in range(2):
        page.locator("#steps-group tr.has_original").nth(index).get_by_role(
            "link", name="plans: edit"
        ).click()
        page.wait_for_load_state("load")
        for order, code in enumerate("ABC", start=1):
            add_plan(
                page,
                code=code,
                order=order,
                title=f"Plan {code} of step {index + 1}",
                instruction=f"Do {code} for step {index + 1}",
                minutes=5 * order,
            )
        page.click("input[name=_save]")
        saved(page)
        page.goto("/admin/curriculum/curriculum/?q=loose-leash-walking")
        page.get_by_role("link", name="Loose leash walking").click()
        page.wait_for_load_state("load")

    page.goto("/admin/curriculum/curriculum/?q=loose-leash-walking")
    page.locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    saved(page)
    published = api_get(page, "/api/v1/curricula/loose-leash-walking/", learner)
    assert [[plan["plan_id"] for plan in step["alternatives"]] for step in published["steps"]] == [
        ["A", "B", "C"],
        ["A", "B", "C"],
    ]
    assert published["steps"][0]["alternatives"][1]["content"]["instructions"] == ["Do B for step 1"]

    # Plan D on the published curriculum: no re-publish, the API shows it at once.
    page.get_by_role("link", name="Loose leash walking").click()
    page.wait_for_load_state("load")
    page.locator("#steps-group tr.has_original").first.get_by_role("link", name="plans: edit").click()
    page.wait_for_load_state("load")
    add_plan(page, code="D", order=4, title="Plan D: a front-clip harness", instruction="Fit it", minutes=10)
    page.click("input[name=_continue]")
    saved(page)
    screenshot("curriculum-plan-d")
    after = api_get(page, "/api/v1/curricula/loose-leash-walking/", learner)
    plans = {plan["plan_id"]: plan for plan in after["steps"][0]["alternatives"]}
    assert sorted(plans) == ["A", "B", "C", "D"]
    assert plans["D"]["content"] == {
        "instructions": ["Fit it"],
        "duration_minutes": 10,
        "reward_type": "food",
    }


@pytest.fixture
def gym():
    community = CommunityFactory(name="Browser Gym")
    program = build_program(
        community=community, courses=1, wods_per_course=1, pages_per_wod=1, blocks_per_page=1
    )
    wod = program.courses.get().wods.get()
    return wod, wod.pages.get(), join(UserFactory(), community)


def test_designer_adds_a_quiz_block_and_a_learner_sees_it(signed_in, gym, screenshot):
    page = signed_in
    wod, wod_page, learner = gym
    blocks_before = Block.objects.filter(page=wod_page).count()
    tree_before = api_get(page, f"/api/v1/progress/wods/{wod.pk}/", learner)

    page.goto(f"/admin/progress/page/{wod_page.pk}/change/")
    # A quiz row in the page's block list has no content yet: the row says so, nothing is saved.
    page.click("#blocks-group .add-row a")
    row = page.locator("#blocks-group tr.form-row:not(.empty-form)").last
    row.locator("input[name$='-order']").fill("9")
    row.locator("select[name$='-block_type']").select_option(BlockType.QUIZ)
    page.click("input[name=_continue]")
    page.wait_for_load_state("load")
    assert "Content:" in page.locator("#blocks-group .errorlist").first.inner_text()
    assert Block.objects.filter(page=wod_page).count() == blocks_before

    # "Add block with content: Quiz" opens the block form with the quiz schema's editor.
    page.goto(f"/admin/progress/page/{wod_page.pk}/change/")
    page.locator(".field-add_block_with_content").get_by_role("link", name="Quiz").click()
    page.wait_for_load_state("load")
    page.fill("#id_order", "9")
    page.fill("#id_title", "Check yourself")
    content = page.locator("#id_content_jsonform")
    content.locator("input[name='rjf§questions§0§prompt']").fill("Which part names the task?")
    content.locator("input[name='rjf§questions§0§choices§0']").fill("The first sentence")
    content.locator("input[name='rjf§questions§0§choices§1']").fill("The sign-off")
    content.locator("input[name='rjf§questions§0§correct_index']").fill("-1")
    page.click("input[name=_continue]")
    page.wait_for_load_state("load")
    error = page.locator(".field-content .errorlist")
    assert error.is_visible(), page.locator(".errornote").all_inner_texts()
    assert Block.objects.filter(page=wod_page).count() == blocks_before  # nothing saved

    content = page.locator("#id_content_jsonform")
    content.locator("input[name='rjf§questions§0§correct_index']").fill("0")
    page.click("input[name=_continue]")
    saved(page)
    screenshot("quiz-block")
    block = Block.objects.get(page=wod_page, title="Check yourself")
    assert block.block_type == BlockType.QUIZ
    assert block.content["questions"][0]["correct_index"] == 0
    assert block.content["questions"][0]["choices"] == ["The first sentence", "The sign-off"]

    content_tree = api_get(page, f"/api/v1/wods/{wod.pk}/", learner)
    quiz = [b for p in content_tree["pages"] for b in p["blocks"] if b["id"] == block.pk]
    assert quiz and quiz[0]["type"] == "quiz" and quiz[0]["content"]["questions"][0]["correct_index"] == 0
    tree = api_get(page, f"/api/v1/progress/wods/{wod.pk}/", learner)
    assert tree["required_total"] == tree_before["required_total"] + 1


def test_designer_creates_a_scenario_that_appears_in_the_public_list(signed_in, screenshot):
    page = signed_in
    learner = UserFactory()
    page.goto("/admin/scenarios/scenario/add/")
    page.fill("#id_title", "Asking a neighbour to turn the music down")
    page.fill("#id_description", "A polite request that could go wrong.")
    page.select_option("#id_role", "character")
    page.select_option("#id_difficulty", "intermediate")
    page.select_option("#id_visibility", "public")
    page.fill("#id_instructions", "Knock and ask politely.")
    page.fill("#id_context", "It is 11 pm on a weekday.")
    persona = page.locator("#id_persona_jsonform")
    persona.locator("input[name='rjf§name']").fill("Sam")
    persona.locator("input[name='rjf§role']").fill("The neighbour")
    objectives = page.locator("#id_learning_objectives_jsonform")
    for index, text in enumerate(["Open with a greeting", "State the request once, calmly"]):
        objectives.get_by_role("button", name="Add item").click()
        objectives.locator(f"input[name='rjf§{index}']").fill(text)
    page.click("input[name=_continue]")
    saved(page)
    screenshot("scenario")

    listed = api_get(page, "/api/v1/scenarios/?sort=newest", learner)
    mine = [row for row in listed["results"] if row["title"] == "Asking a neighbour to turn the music down"]
    assert mine, [row["title"] for row in listed["results"]]
    detail = api_get(page, f"/api/v1/scenarios/{mine[0]['id']}/", learner)
    assert detail["persona"]["name"] == "Sam" and detail["persona"]["role"] == "The neighbour"
    assert detail["learning_objectives"] == ["Open with a greeting", "State the request once, calmly"]


def test_designer_cannot_reach_users_groups_tokens_or_audit_tables(signed_in, screenshot):
    page = signed_in
    granted = {model for model, _ in content_model_grants()}
    forbidden = [model for model in admin.site._registry if model not in granted]
    names = {model._meta.label for model in forbidden}
    assert {"auth.User", "auth.Group"} <= names
    assert any(model._meta.app_label == "knox" for model in forbidden)
    reached = []
    for model in forbidden:
        opts = model._meta
        for url in (
            f"/admin/{opts.app_label}/{opts.model_name}/",
            f"/admin/{opts.app_label}/{opts.model_name}/add/",
        ):
            response = page.goto(url)
            if response.status != 403:
                reached.append(f"{url}: {response.status}")
    assert not reached
    page.goto("/admin/")
    index = page.locator("#content-main").inner_text()
    for model in forbidden:
        assert str(model._meta.verbose_name_plural).capitalize() not in index.split("\n"), model
    page.goto("/admin/auth/user/")
    screenshot("designer-forbidden")


def test_designers_never_see_runners_plans_and_coaches_read_them_with_charts(
    signed_in, admin_login, screenshot
):
    from config.permissions import COACHES, sync_coach_permissions
    from tests.training.factories import RunnerProfileFactory
    from training import services

    runner = RunnerProfileFactory().user
    plan = services.plan_generate(user=runner, goal_type="half", duration_weeks=12)
    assert signed_in.goto(f"/admin/training/trainingplan/{plan.pk}/change/").status == 403
    assert signed_in.goto(f"/admin/training/trainingplan/{plan.pk}/delete/").status == 403
    signed_in.context.clear_cookies()
    sync_coach_permissions()
    coach = UserFactory(username="coach", is_staff=True)
    coach.groups.add(Group.objects.get(name=COACHES))
    page = admin_login("coach", PASSWORD)
    page.goto(f"/admin/training/trainingplan/{plan.pk}/change/")
    progression, radar = page.locator("svg.trend-chart"), page.locator("svg.radar-chart")
    assert progression.is_visible() and radar.is_visible()
    assert progression.locator("rect").count() >= 12  # a bar per week
    screenshot("training-plan")
