"""Playwright driving Debian's Chromium against the app served on a loopback port."""

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
#: The screens every page must read well on: a common phone and a common laptop.
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    executable = os.environ.get("LMS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        message = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("LMS_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    """Serve the test app on a free loopback port for the length of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def new_page(browser, request):
    """Open a page in a fresh browser context (own cookies) at a given viewport."""
    contexts = []

    def open_page(viewport=DESKTOP, locale="en-US"):
        context = browser.new_context(viewport=viewport, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def log_in(app, live_server):
    """Log in through the form, whatever the interface language, with the second factor if asked."""
    from playwright.sync_api import expect

    from tests.conftest import PASSWORD, totp_code

    def go(page, email, password=PASSWORD):
        page.goto(f"{live_server}/login")
        page.locator("#email").fill(email)
        page.locator("#password").fill(password)
        page.locator("main form button[type=submit]").click()
        if "/login/two-factor" in page.url:
            from lms.accounts.services import find_by_email

            with app.app_context():
                user_id = find_by_email(email).id
            page.locator("#code").fill(totp_code(app, user_id))
            page.locator("main form button[type=submit]").click()
        expect(page.locator("main form #password")).to_have_count(0)

    return go
