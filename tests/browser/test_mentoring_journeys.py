"""Mentoring in a real browser: assign a mentor, log a session, read it as the trainee, and check every page."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select, update

from lms.accounts.models import User
from lms.core.clock import program_today
from lms.courses.models import Cohort, Course, Module
from lms.enrollment.models import EnrollmentPeriod
from lms.enrollment.progress import complete_module
from lms.enrollment.services import enroll
from lms.extensions import db
from lms.mentoring import logs, services
from lms.mentoring.models import SessionFormat, Topic
from lms.sqltypes import utcnow
from tests.browser.checks import overflow as page_overflow
from tests.browser.conftest import DESKTOP, PHONE

SUMMARY = "We talked about slowing down the mornings before drop-off."
NOTES = "Lan seems tired; ask about her sleep next time."


def _cohort_with_mentors(app, make_user, make_course, *, language="en", trainee_language="vi"):
    """A cohort, enrolled a month ago, with a Vietnamese-speaking trainee and three mentors; Mai has least room."""
    made = make_course(title="Foundations of Infant Mental Health", translations={"vi": "Nền tảng sức khỏe tâm thần"})
    office = make_user("admin", email="office@example.org", full_name="Program Office", locale=language)
    lan = make_user(email="lan@example.org", full_name="Nguyễn Thị Lan", locale=trainee_language)
    hodan = make_user(email="hodan@example.org", full_name="Hodan Cali", locale=language)
    mentors = {
        "aaron": (make_user("mentor", email="aaron@example.org", full_name="Aaron Brooks", locale=language), ["en"], 8),
        "carmen": (make_user("mentor", email="carmen@example.org", full_name="Carmen Ruiz", locale=language),
                   ["es", "en"], 5),
        "mai": (make_user("mentor", email="mai@example.org", full_name="Vũ Thị Mai", locale=language), ["vi", "en"], 3),
    }
    with app.app_context():
        course, cohort = db.session.get(Course, made.course_id), db.session.get(Cohort, made.cohort_id)
        enroll(db.session.get(User, lan.id), course, cohort, "vi")
        enroll(db.session.get(User, hodan.id), course, cohort, "en")
        # Enrolled a month ago, so both are on the roster of a session that has already started.
        db.session.execute(update(EnrollmentPeriod).where(EnrollmentPeriod.cohort_id == cohort.id)
                           .values(started_at=utcnow() - timedelta(days=30)))
        for user, languages, places in mentors.values():
            services.save_profile(db.session.get(User, user.id), languages=languages, bio="", is_active=True,
                                  max_mentees=places, max_groups=2)
        db.session.commit()
    return type("World", (), {"made": made, "office": office, "lan": lan, "hodan": hodan,
                               "mentors": {k: v[0] for k, v in mentors.items()}})


def _assign(app, world):
    """Make Vũ Thị Mai Lan's mentor, as the admin did in the first journey."""
    with app.app_context():
        services.assign(db.session.get(User, world.mentors["mai"].id), db.session.get(User, world.lan.id),
                        db.session.get(Cohort, world.made.cohort_id), by=db.session.get(User, world.office.id))
        db.session.commit()


def test_an_admin_assigns_the_mentor_who_speaks_the_trainees_language(app, live_server, page, make_user, make_course,
                                                                       log_in):
    _cohort_with_mentors(app, make_user, make_course)
    log_in(page, "office@example.org")
    page.get_by_role("link", name="Mentors", exact=True).first.click()
    page.get_by_role("link", name="Cohort 1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentoring in Cohort 1")
    page.get_by_role("link", name="Assign a mentor Nguyễn Thị Lan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("A mentor for Nguyễn Thị Lan")
    ranked = page.get_by_role("region", name="Suggested mentors").locator("tbody tr")
    expect(ranked).to_have_count(3)
    expect(ranked.nth(0)).to_contain_text("Vũ Thị Mai (speaks their language)")
    expect(ranked.nth(0)).to_contain_text("Tiếng Việt")
    expect(ranked.nth(1)).to_contain_text("Aaron Brooks")  # then the most free places: 8, then Carmen's 5
    expect(ranked.nth(2)).to_contain_text("Carmen Ruiz")
    page.get_by_label("Mentor", exact=True).select_option(label="Vũ Thị Mai")
    page.get_by_role("button", name="Assign").click()

    expect(page.get_by_role("status")).to_contain_text("The mentor is assigned; both were told.")
    row = page.get_by_role("row").filter(has_text="Nguyễn Thị Lan")
    expect(row).to_contain_text("Vũ Thị Mai")
    expect(row.get_by_role("link", name="Change mentor Nguyễn Thị Lan")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Hodan Cali")).to_contain_text("Assign a mentor")


def test_the_mentor_logs_a_session_and_the_trainee_reads_the_summary_but_never_the_notes(
        app, live_server, new_page, make_user, make_course, log_in):
    world = _cohort_with_mentors(app, make_user, make_course)
    _assign(app, world)
    with app.app_context():
        held_on = (program_today() - timedelta(days=1)).isoformat()

    mentor = new_page()
    log_in(mentor, "mai@example.org")
    mentor.get_by_role("link", name="Mentoring", exact=True).first.click()
    mentor.get_by_role("link", name="Log a session").first.click()
    mentor.get_by_label("Date", exact=True).fill(held_on)
    mentor.get_by_label("Length in minutes").fill("75")
    mentor.get_by_label("Format").select_option(label="In person")
    mentor.get_by_label("Nguyễn Thị Lan").check()
    mentor.get_by_label("Implicit bias").check()
    mentor.get_by_label("Summary shared with those who attended").fill(SUMMARY)
    mentor.get_by_label("Private notes (only you can ever read them)").fill(NOTES)
    mentor.get_by_role("button", name="Save").click()

    expect(mentor.get_by_role("status")).to_contain_text("The session is logged.")
    expect(mentor.get_by_role("heading", level=1)).to_contain_text("Session of")
    expect(mentor.get_by_text(SUMMARY)).to_be_visible()
    expect(mentor.get_by_text(NOTES)).to_be_visible()
    expect(mentor.locator("dl")).to_contain_text("Implicit bias")
    expect(mentor.locator("dl")).to_contain_text("75 minutes")

    trainee = new_page(viewport=PHONE, locale="vi")
    log_in(trainee, "lan@example.org")
    trainee.goto(f"{live_server}/my/mentoring")
    expect(trainee.locator("html")).to_have_attribute("lang", "vi")  # Lan reads the program in Vietnamese
    session = trainee.locator("main article.card").filter(has_text=SUMMARY)
    expect(session).to_contain_text("Vũ Thị Mai")
    expect(trainee.locator("main")).not_to_contain_text(NOTES)
    trainee.locator("main a[href$='/my/mentoring/hours']").click()
    expect(trainee.get_by_role("row").filter(has_text="Vũ Thị Mai")).to_contain_text("1,25")
    expect(trainee.locator("main")).not_to_contain_text(NOTES)
    with trainee.expect_download() as download:
        trainee.locator("main a[href$='/my/mentoring/hours.pdf']").click()
    assert download.value.suggested_filename == "reflective-practice-hours.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def _program_with_history(app, make_user, make_course, language):
    """Everything the mentoring pages show: an assignment, a group, logged, planned and edited sessions, a graduate."""
    world = _cohort_with_mentors(app, make_user, make_course, language=language, trainee_language=language)
    _assign(app, world)
    graduate = make_user(email="ayaan@example.org", full_name="Ayaan Mohamed, a graduate with a long name to wrap",
                         native_name="أيان محمد", locale=language)
    with app.app_context():
        by, mai = db.session.get(User, world.office.id), db.session.get(User, world.mentors["mai"].id)
        cohort = db.session.get(Cohort, world.made.cohort_id)
        group = services.create_group(mai, cohort, name="Thursday reflective circle", language="vi",
                                      trainee_ids=[world.lan.id, world.hodan.id], by=by)
        topics = db.session.scalars(select(Topic.id).order_by(Topic.id).limit(3)).all()
        today = program_today()
        session = logs.save_session(mai, None, group=None, attendee_ids=[world.lan.id],
                                    held_on=today - timedelta(days=7), duration_minutes=60,
                                    format=SessionFormat.VIDEO, language="vi", topic_ids=topics[:2],
                                    summary=SUMMARY, notes=NOTES)
        logs.save_session(mai, session, group=None, attendee_ids=[world.lan.id], held_on=today - timedelta(days=7),
                          duration_minutes=75, format=SessionFormat.VIDEO, language="vi", topic_ids=topics,
                          summary=SUMMARY + " And about naps.", notes=NOTES)
        logs.save_session(mai, None, group=group, attendee_ids=[world.lan.id, world.hodan.id],
                          held_on=today - timedelta(days=2), duration_minutes=90, format=SessionFormat.IN_PERSON,
                          language="vi", topic_ids=topics[2:], summary="", notes="")
        logs.save_session(mai, None, group=group, attendee_ids=[], held_on=today - timedelta(days=1),
                          duration_minutes=90, format=SessionFormat.IN_PERSON, language="vi", topic_ids=[],
                          summary="", notes="", planned=True)
        logs.save_session(mai, None, group=group, attendee_ids=[], held_on=today + timedelta(days=6),
                          duration_minutes=90, format=SessionFormat.PHONE, language="vi", topic_ids=[],
                          summary="", notes="", planned=True)
        course = db.session.get(Course, world.made.course_id)
        finished = enroll(db.session.get(User, graduate.id), course, cohort, "en")
        for module_id in world.made.module_ids:
            complete_module(finished, db.session.get(Module, module_id))
        db.session.commit()
        return {"session": session.id, "cohort": cohort.id, "trainee": world.lan.id}


#: Who sees them, and the mentoring pages to check.
MENTORING_PAGES = {
    "mai@example.org": ["/mentor", "/mentor/sessions/new", "/mentor/sessions/{session}", "/mentor/profile"],
    "lan@example.org": ["/my/mentoring", "/my/mentoring/hours"],
    "office@example.org": [
        "/admin/mentoring", "/admin/mentoring/cohorts/{cohort}", "/admin/mentoring/cohorts/{cohort}/trainees/{trainee}",
        "/admin/mentoring/cohorts/{cohort}/groups/new", "/admin/mentoring/sessions", "/admin/mentoring/topics",
        "/admin/mentoring/graduates",
    ],
}
#: What the page itself carries inline; the CSP refuses all of it.
INLINE = "document.querySelectorAll('[style], style, script:not([src])').length"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_mentoring_pages_fit_the_screen_and_pass_axe(app, live_server, new_page, make_user, make_course, log_in,
                                                     viewport, language):
    ids = _program_with_history(app, make_user, make_course, language)
    pages_seen = []
    for email, paths in MENTORING_PAGES.items():
        page = new_page(viewport=viewport, locale=language)
        blocked = []

        def note_csp_violation(message, blocked=blocked):
            if "Content Security Policy" in message.text:
                blocked.append(message.text)

        page.on("console", note_csp_violation)
        log_in(page, email)
        for path in paths:
            path = path.format(**ids)
            response = page.goto(live_server + path)
            assert response.status == 200, path
            expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
            assert page.evaluate(INLINE) == 0, f"{path} has inline scripts or styles"
            overflow = page_overflow(page)
            assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
            results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa"]})
            assert results.violations_count == 0, f"{path}:\n{results.generate_report()}"
            pages_seen.append(path)
        assert not blocked, f"{email}: the CSP blocked {blocked}"
    assert len(pages_seen) == sum(len(paths) for paths in MENTORING_PAGES.values()) == 13

