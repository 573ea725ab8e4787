import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from config.permissions import CONTENT_DESIGNERS, content_model_grants, sync_content_designer_permissions
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def designer():
    user = UserFactory(username="designer", is_staff=True)
    sync_content_designer_permissions()
    user.groups.add(Group.objects.get(name=CONTENT_DESIGNERS))
    return user


def test_designer_signs_in_and_sees_the_product_sections(admin_login, designer):
    page = admin_login("designer", "pass-word-123")
    assert "Coaching platform" in page.title()
    assert page.locator("#site-name").inner_text().strip() == "Coaching platform"
    # The designer sees a section for every app that declares content for them, and never
    # user management.
    sections = {text.strip() for text in page.locator("#content-main .module caption").all_inner_texts()}
    expected = {
        apps.get_app_config(model._meta.app_label).verbose_name for model, _ in content_model_grants()
    }
    assert expected and {name.upper() for name in expected} <= {name.upper() for name in sections}
    assert not any("AUTHENTICATION" in name.upper() for name in sections)
    page.screenshot(path="/tmp/admin-designer.png")


def test_wrong_password_shows_the_admin_form_error(page, designer):
    page.goto("/admin/login/")
    page.fill("#id_username", "designer")
    page.fill("#id_password", "wrong")
    page.click("input[type=submit]")
    assert page.locator(".errornote").is_visible()
