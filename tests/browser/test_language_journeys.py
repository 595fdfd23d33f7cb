"""The main pages in every language, in a real browser: right lang and dir, nothing off screen, Arabic mirrored."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from lms import i18n
from tests.browser.checks import assert_fits
from tests.browser.conftest import DESKTOP, PHONE
from tests.translated_pages import DEMO_PASSWORD, PEOPLE, demo_app

TRAINEE_PAGES = ["/", "/courses", "/courses/1", "/my/sessions", "/my/mentoring", "/my/certificates", "/my/journal",
                 "/my/about-me", "/account", "/verify"]
ADMIN_PAGES = ["/admin/programs", "/admin/programs/1", "/admin/attendance", "/admin/certificates", "/admin/reports",
               "/admin/users", "/admin/languages", "/admin/mentoring"]
def choose_language(page, code):
    page.locator("#lms-language").select_option(code)
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", i18n.lang_tag(code))


def log_in(app, page, live_server, role):
    from tests.conftest import totp_code
    from lms.accounts.services import find_by_email

    page.goto(f"{live_server}/login")
    page.locator("#email").fill(PEOPLE[role])
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    if "/login/two-factor" in page.url:
        with app.app_context():
            user_id = find_by_email(PEOPLE[role]).id
        page.locator("#code").fill(totp_code(app, user_id))
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main form #password")).to_have_count(0)


@pytest.mark.parametrize("language", [code for code in i18n.DEFAULT_LANGUAGES])
def test_the_main_pages_load_in_every_language_and_fit_a_phone(app, live_server, new_page, language):
    demo_app(app)
    direction = i18n.text_direction(language)
    for role, paths in (("trainee", TRAINEE_PAGES), ("admin", ADMIN_PAGES)):
        page = new_page(viewport=PHONE)
        log_in(app, page, live_server, role)
        choose_language(page, language)
        for path in paths:
            assert page.goto(live_server + path).status == 200, path
            expect(page.locator("html")).to_have_attribute("dir", direction)
            expect(page.locator("html")).to_have_attribute("lang", i18n.lang_tag(language))
            assert_fits(page, f"{language} {path}")


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_arabic_mirrors_the_whole_layout(app, live_server, new_page, viewport):
    demo_app(app)
    boxes = {}
    for language in ("en", "ar"):
        page = new_page(viewport=viewport)
        log_in(app, page, live_server, "admin")
        choose_language(page, language)
        page.goto(f"{live_server}/admin/languages")
        width = page.evaluate("document.documentElement.clientWidth")
        boxes[language] = {name: _box(page, selector) for name, selector in {
            "heading": "main h1",
            "first link": ".site-nav li:nth-child(1) a", "second link": ".site-nav li:nth-child(2) a",
            "first column": "main table th:first-child", "last column": "main table th:last-child",
            "switcher label": ".language-switcher label", "switcher button": ".language-switcher button"}.items()}
        assert_fits(page, f"{language} languages page")
        if language == "ar":
            for text in ("main h1", "main p"):
                assert page.locator(text).first.evaluate("e => getComputedStyle(e).direction") == "rtl"
            results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa"]})
            assert results.violations_count == 0, results.generate_report()
    en, ar = boxes["en"], boxes["ar"]
    # Left to right, things start at the left edge and follow each other rightwards; in Arabic, the reverse.
    assert en["heading"]["x"] < width / 2 < ar["heading"]["x"] + ar["heading"]["width"]
    assert abs(en["heading"]["x"] - (width - ar["heading"]["x"] - ar["heading"]["width"])) < 40
    for first, then in (("first link", "second link"), ("switcher label", "switcher button")):
        if en[first]["y"] == en[then]["y"]:  # on one line, not stacked
            assert en[first]["x"] < en[then]["x"] and ar[first]["x"] > ar[then]["x"]
        else:
            assert abs(en[first]["x"] - (width - ar[first]["x"] - ar[first]["width"])) < 2
    if viewport is DESKTOP:
        assert en["first column"]["x"] < en["last column"]["x"]
        assert ar["first column"]["x"] > ar["last column"]["x"]
