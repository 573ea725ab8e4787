import pytest

from progress.models import BlockType
from tests.factories import UserFactory
from tests.progress.factories import BlockFactory, build_program


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.mark.django_db
def test_admin_pages_of_the_content_tree_render(admin_client):
    program = build_program(courses=1, wods_per_course=1, pages_per_wod=1, blocks_per_page=1)
    course = program.courses.get()
    wod = course.wods.get()
    page = wod.pages.get()
    block = page.blocks.get()
    for url in (
        f"/admin/progress/program/{program.pk}/change/",
        f"/admin/progress/course/{course.pk}/change/",
        f"/admin/progress/wod/{wod.pk}/change/",
        f"/admin/progress/page/{page.pk}/change/",
        f"/admin/progress/block/{block.pk}/change/",
        "/admin/progress/block/add/",
        "/admin/progress/nodeprogress/",
        "/admin/progress/progressevent/",
    ):
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_block_admin_edits_content_with_the_schema_of_its_type(admin_client):
    block = BlockFactory(block_type=BlockType.QUIZ)
    page = admin_client.get(f"/admin/progress/block/{block.pk}/change/").content.decode()
    assert "correct_index" in page  # the quiz schema drives the widget
    response = admin_client.post(
        f"/admin/progress/block/{block.pk}/change/",
        {
            "page": block.page_id,
            "block_type": "quiz",
            "title": "Quiz",
            "order": 0,
            "content": '{"questions": []}',
            "required": "on",
            "is_published": "on",
        },
    )
    assert response.status_code == 200  # re-rendered with the error, not saved
    block.refresh_from_db()
    assert block.content["questions"]
