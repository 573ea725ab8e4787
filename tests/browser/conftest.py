"""Headless Chromium against the live server, with Python Playwright.

Debian's chromium (``/usr/bin/chromium``, installed by the test command) is driven directly;
Playwright never downloads a browser of its own.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: the test command installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def admin_login(page):
    """Sign in to the admin through its login form; returns the page."""

    def login(username, password):
        page.goto("/admin/login/?next=/admin/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        return page

    return login


def screenshot_dir() -> Path:
    """Where each designer flow leaves a screenshot of its last page (``make test`` prints it)."""
    return Path(os.environ.get("SCREENSHOT_DIR") or Path(settings.VAR_DIR) / "screenshots")


@pytest.fixture
def screenshot(page):
    """``screenshot("name")`` saves the page as ``<screenshot_dir>/name.png``."""

    def take(name):
        folder = screenshot_dir()
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take
