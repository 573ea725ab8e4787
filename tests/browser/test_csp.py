"""The Content-Security-Policy is on every HTML page, and the pages still work under it in
Chromium: the admin (with a django-jsonform editor), Swagger UI and the certificate page.

A violation is caught twice: Chromium's console error ("Refused to ... because it violates the
following Content Security Policy directive") and the page's ``securitypolicyviolation`` events,
recorded by a script Playwright injects before the page's own.
"""

import pytest
from django.core.management import call_command

from notifications.models import NotificationTemplate
from progress.models import Certificate
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
window.__printed = false;
window.print = () => { window.__printed = true; };
"""


@pytest.fixture
def watched(page):
    """The page, recording console errors and CSP violations; ``check()`` asserts there were none."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)

    def check(where):
        violations = page.evaluate("window.__cspViolations")
        csp_errors = [text for text in errors if "Content Security Policy" in text or "Refused to" in text]
        assert not violations and not csp_errors, f"{where}: {violations} {csp_errors}"
        errors.clear()

    page.check_csp = check
    return page


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def _policy(response):
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "'unsafe-eval'" not in policy, policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0], policy
    return policy


def test_the_admin_and_a_json_editor_work_under_the_policy(watched, admin_login):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    page = admin_login("root", "pass-word-123")
    _policy(page.goto("/admin/"))
    page.wait_for_load_state("networkidle")
    watched.check_csp("admin index")

    template, _ = NotificationTemplate.objects.get_or_create(
        kind="milestone",
        tone="minimalist",
        defaults={
            "title": "{{ milestone.label }}",
            "body": "{{ milestone.detail }}",
            "variants": [{"title": "Done", "body": "{{ milestone.label }}"}],
        },
    )
    response = page.goto(f"/admin/notifications/notificationtemplate/{template.pk}/change/")
    _policy(response)
    page.wait_for_load_state("networkidle")
    editor = page.locator("[id='id_variants_jsonform']")
    assert editor.count() == 1 and editor.inner_html().strip(), "the django-jsonform editor did not build"
    watched.check_csp("notification copy change page")
    page.locator("input[name=_save]").click()
    page.wait_for_load_state("networkidle")
    assert not page.locator(".errornote").count()
    watched.check_csp("after saving")


def test_swagger_ui_renders_the_operations_under_the_policy(watched):
    response = watched.goto("/api/v1/docs/")
    _policy(response)
    watched.wait_for_selector(".opblock", timeout=30_000)
    assert watched.locator(".opblock").count() > 20
    watched.check_csp("Swagger UI")


def test_the_certificate_page_works_under_the_policy(watched, demo):
    certificate = Certificate.objects.select_related("user").order_by("pk").first()
    assert certificate is not None, "the demo has no certificate"
    response = watched.goto(f"/api/v1/certificates/{certificate.verification_id}/?format=html")
    assert response.status == 200
    _policy(response)
    assert watched.locator(".name").inner_text() == certificate.learner_name
    assert certificate.user.username not in watched.content()
    # The stylesheet applied (its nonce matched) and the print button's script ran.
    assert watched.locator(".sheet").evaluate("e => getComputedStyle(e).textAlign") == "center"
    watched.click("#print")
    assert watched.evaluate("window.__printed") is True
    watched.check_csp("certificate page")
