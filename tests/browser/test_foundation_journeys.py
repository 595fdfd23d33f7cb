"""The first journeys, in a real browser: register, switch language, log out and in, manage roles."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.checks import overflow as page_overflow
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD


def test_a_visitor_registers_switches_language_logs_out_and_back_in(live_server, page, log_in):
    page.goto(live_server)
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("Full name").fill("Selam Tesfaye")
    page.get_by_label("Your name in your own script (optional)").fill("ሰላም ተስፋዬ")
    page.get_by_label("Email").fill("selam@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Selam Tesfaye")
    expect(page.get_by_text("ሰላም ተስፋዬ").first).to_be_visible()

    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")

    page.locator("form[action$='/logout'] button").click()
    expect(page.locator("a[href$='/login']").first).to_be_visible()
    page.context.clear_cookies()
    log_in(page, "selam@example.org")
    expect(page.locator("html")).to_have_attribute("lang", "ar")  # the choice followed the account


def test_bad_registration_input_is_shown_next_to_the_field_and_kept(live_server, page):
    page.goto(f"{live_server}/register")
    page.get_by_label("Full name").fill("Nguyễn Thị Lan")
    page.get_by_label("Email").fill("not an email")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("Enter an email address like name@example.org"))
    expect(page.get_by_label("Full name")).to_have_value("Nguyễn Thị Lan")


def test_an_admin_grants_the_mentor_role_and_reads_it_in_the_audit_log(live_server, page, make_user, log_in):
    make_user("admin", email="office@example.org", full_name="Program Office")
    make_user(full_name="Amina Warsame", email="amina@example.org", verified=True)  # a proved address
    log_in(page, "office@example.org")
    page.get_by_role("link", name="People").first.click()
    page.get_by_label("Name or email").fill("amina")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Amina Warsame").click()
    page.get_by_label("Role").select_option("mentor")
    page.get_by_role("button", name="Grant role").click()
    expect(page.get_by_role("status")).to_contain_text("Mentor role granted.")
    page.get_by_role("link", name="Audit log").first.click()
    row = page.get_by_role("row").filter(has_text="Amina Warsame")
    expect(row).to_contain_text("Role granted")
    expect(row).to_contain_text("Program Office")
    expect(row).to_contain_text("Mentor")


def test_the_keyboard_reaches_the_skip_link_first_and_it_moves_focus_to_the_content(live_server, page):
    page.goto(live_server)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


PUBLIC_PAGES = ["/", "/login", "/register", "/password/forgot", "/courses", "/courses/{course}"]
PRIVATE_PAGES = [
    "/", "/account", "/account/password", "/account/two-factor", "/reauthenticate", "/my/journal",
    "/admin/users", "/admin/audit", "/admin/programs",
    "/admin/programs/{program}", "/admin/programs/{program}/cohorts/new", "/admin/courses/{course}",
    "/admin/courses/{course}/edit", "/admin/modules/{module}/edit", "/admin/courses/{course}/translations/es",
    "/admin/courses/{course}/roster", "/admin/courses/{course}/import", "/admin/courses/{course}/evaluations",
    "/nope",
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_main_pages_fit_the_screen_and_pass_axe(live_server, new_page, make_user, make_course, log_in, viewport,
                                                language):
    make_user("admin", email="office@example.org", full_name="Program Office", locale=language)
    for n in range(3):
        make_user(full_name=f"Trainee {n} with a rather long name that has to wrap", native_name="ሰላም ተስፋዬ")
    made = make_course(translations={"es": "Curso"})
    ids = {"course": made.course_id, "program": made.program_id, "module": made.module_ids[0]}
    page = new_page(viewport=viewport, locale=language)
    pages_seen = []
    for logged_in in (False, True):
        if logged_in:
            log_in(page, "office@example.org")
        for path in PRIVATE_PAGES if logged_in else PUBLIC_PAGES:
            path = path.format(**ids)
            page.goto(live_server + path)
            expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
            overflow = page_overflow(page)
            assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
            results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa"]})
            assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"
            pages_seen.append(path)
    assert len(pages_seen) == len(PUBLIC_PAGES) + len(PRIVATE_PAGES)
