"""The program report and the "About me" questions in a real browser, on a phone and a desktop."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from lms.accounts.models import User
from lms.courses.models import Cohort, Course
from lms.demographics.models import RaceCategory
from lms.demographics.services import save_answers
from lms.enrollment.services import enroll
from lms.extensions import db
from tests.browser.checks import overflow as page_overflow
from tests.browser.conftest import DESKTOP, PHONE


@pytest.fixture
def cohort_with_answers(app, make_user, make_course):
    """A cohort of 12: eight Hispanic or Latino, two Asian, two who did not answer; an admin."""
    made = make_course(modules=1)
    office = make_user("admin", email="office@example.org", full_name="Program Office")
    people = [make_user(full_name=f"Trainee {n}") for n in range(12)]
    with app.app_context():
        course, cohort = db.session.get(Course, made.course_id), db.session.get(Cohort, made.cohort_id)
        by_key = {c.key: c for c in db.session.scalars(select(RaceCategory))}
        for n, person in enumerate(people):
            user = db.session.get(User, person.id)
            enroll(user, course, cohort, "en", by_admin=True)
            if n < 10:
                save_answers(user, races=[by_key["hispanic_latino" if n < 8 else "asian"]], race_declined=False,
                             languages=["es", "en"] if n < 8 else ["vi", "en"], languages_declined=False,
                             provider_role=None, formal_training=None)
        db.session.commit()
    return office, people


def check_page(page, what):
    overflow = page_overflow(page)
    assert overflow <= 0, f"{what} is {overflow}px wider than the screen"
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa"]})
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_trainee_answers_the_optional_questions_and_can_change_them(new_page, live_server, log_in, make_user,
                                                                      viewport):
    trainee = make_user(email="amal@example.org", full_name="Amal Yusuf")
    page = new_page(viewport)
    log_in(page, trainee.email)
    page.goto(f"{live_server}/account")
    page.get_by_role("link", name="Answer or change the questions about me").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About me")
    check_page(page, "About me")

    races = page.get_by_role("group", name="Race/ethnicity (choose all that apply)")
    races.get_by_label("African American").check()
    races.get_by_label("Prefer not to say").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("not both")
    expect(races.get_by_label("African American")).to_be_checked()  # what was typed is kept
    check_page(page, "About me with an error")

    races.get_by_label("Prefer not to say").uncheck()
    races.get_by_label("Other", exact=True).check()
    languages = page.get_by_role("group", name="Languages you speak (choose all that apply)")
    languages.get_by_label("Somali").check()
    languages.get_by_label("English").check()
    page.get_by_role("group", name="Your role").get_by_label("Home visitor").check()
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("status").first).to_contain_text("Your answers are saved")
    expect(races.get_by_label("African American")).to_be_checked()
    expect(races.get_by_label("Other", exact=True)).to_be_checked()

    page.get_by_role("button", name="Clear my answers").click()
    expect(races.get_by_label("African American")).not_to_be_checked()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_an_admin_reads_the_report_with_small_counts_hidden_and_downloads_it(new_page, live_server, log_in,
                                                                            cohort_with_answers, viewport):
    office, _ = cohort_with_answers
    page = new_page(viewport)
    log_in(page, office.email)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Program report")
    check_page(page, "the program report")

    table = page.get_by_role("table", name="Participants by race/ethnicity")
    asian = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Asian", exact=True))
    expect(asian).to_contain_text("<5")
    expect(asian).not_to_contain_text("2")
    expect(page.get_by_role("img", name="Participants by race/ethnicity: all cohorts, share of participants")) \
        .to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the program report (PDF)").click()
    assert download.value.suggested_filename == "program-report.pdf"
    with page.expect_download() as download:
        page.locator("section", has=page.get_by_role("heading", name="Participants by language")) \
            .get_by_role("link", name="Download this table (CSV)").click()
    assert download.value.suggested_filename == "report-language.csv"

    page.get_by_role("button", name="Show exact counts (recorded in the audit log)").click()
    expect(page.get_by_role("status").first).to_contain_text("recorded in the audit log")
    expect(asian).to_contain_text("2")
    page.get_by_role("link", name="Hide small counts again").click()
    expect(asian).to_contain_text("<5")


def test_the_report_and_the_category_list_pass_axe_in_arabic_on_a_phone(new_page, live_server, log_in, app,
                                                                       cohort_with_answers):
    office, _ = cohort_with_answers
    with app.app_context():
        db.session.get(User, office.id).locale = "ar"
        db.session.commit()
    page = new_page(PHONE)
    log_in(page, office.email)
    for path in ("/admin/reports", "/admin/reports/categories"):
        page.goto(f"{live_server}{path}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        check_page(page, path)


READABLE = """() => {
  const charts = [...document.querySelectorAll('.bar-chart text')].map(
    text => text.getScreenCTM().a * parseFloat(getComputedStyle(text).fontSize));
  const broken = [];
  for (const cell of document.querySelectorAll('.report-table th, .report-table td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[^\\s\\/-]+/g)) {  // a line may break after - or /
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return {smallest: Math.min(...charts), broken};
}"""


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_report_chart_text_is_readable_and_no_table_word_is_broken(new_page, live_server, log_in, app,
                                                                  cohort_with_answers, viewport, language):
    office, _ = cohort_with_answers
    with app.app_context():
        db.session.get(User, office.id).locale = language
        db.session.commit()
    page = new_page(viewport)
    log_in(page, office.email)
    page.goto(f"{live_server}/admin/reports")
    found = page.evaluate(READABLE)
    assert found["smallest"] >= 12, f"chart text is {found['smallest']:.1f} px"
    assert found["broken"] == [], "words broken across lines in a report table"
