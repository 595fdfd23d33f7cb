"""Each role's whole journey in one sitting, on a phone and on a desktop, with axe on every page on the way."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from lms.accounts.models import User
from lms.attendance import checkin
from lms.attendance import services as attendance
from lms.attendance.models import LearningSession, SessionKind
from lms.core.clock import program_today
from lms.courses.models import Cohort, Course
from lms.credentials import services as credentials
from lms.extensions import db
from lms.sqltypes import utcnow
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.checks import assert_usable
from tests.browser.test_mentoring_journeys import NOTES, SUMMARY, _assign, _cohort_with_mentors
from tests.conftest import PASSWORD

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def _menu(page, name):
    return page.get_by_role("navigation", name="Main menu").get_by_role("link", name=name, exact=True)


@VIEWPORTS
def test_a_trainee_registers_enrolls_completes_the_modules_checks_in_and_downloads_the_certificate(
        app, live_server, new_page, make_user, make_course, viewport):
    made = make_course(modules=2, title="Foundations of Infant Mental Health")
    rosa = make_user("mentor", email="rosa@example.org", full_name="Rosa María Delgado")
    office = make_user("admin", email="office@example.org", full_name="Program Office")
    page = new_page(viewport=viewport)

    page.goto(f"{live_server}/register")
    assert_usable(page, "registration")
    page.get_by_label("Full name").fill("Hodan Cali")
    page.get_by_label("Email").fill("hodan@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Hodan Cali")
    assert_usable(page, "home")

    _menu(page, "Courses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Courses")
    assert_usable(page, "catalog")
    page.get_by_role("link", name="Foundations of Infant Mental Health").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Foundations of Infant Mental Health")
    assert_usable(page, "course page")
    page.get_by_role("button", name="Enroll for free").click()
    expect(page.get_by_role("status")).to_contain_text("You are enrolled")
    for module in ("Module 1", "Module 2"):
        page.get_by_role("link", name=module).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(module)
        assert_usable(page, module)
        page.get_by_role("button", name="Mark this module complete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluate the course")
    assert_usable(page, "evaluation")

    with app.app_context():
        session = attendance.save_session(
            LearningSession(), kind=SessionKind.COURSE, title="Relationships first",
            starts_at=utcnow() + timedelta(minutes=2), ends_at=utcnow() + timedelta(minutes=62),
            facilitator=db.session.get(User, rosa.id), language="en",
            course=db.session.get(Course, made.course_id), cohort=db.session.get(Cohort, made.cohort_id))
        db.session.commit()
        code = checkin.code_at(session, utcnow())
    _menu(page, "My sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My sessions")
    assert_usable(page, "my sessions")
    page.get_by_role("region", name="Happening now").get_by_role("link", name="Check in").click()
    page.get_by_label("Check-in code").fill(code)
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("status")).to_contain_text("You are checked in: Present.")
    assert_usable(page, "checked in")

    with app.app_context():
        hodan = db.session.scalar(db.select(User).where(User.email == "hodan@example.org"))
        certificate = credentials.issue(hodan, db.session.get(Cohort, made.cohort_id),
                                        by=db.session.get(User, office.id), override_reason=None)
        db.session.commit()
        serial = certificate.serial
    _menu(page, "My certificates").click()
    expect(page.locator("main")).to_contain_text(f"{serial} · Valid")
    assert_usable(page, "my certificates")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download (PDF)").click()
    assert download.value.suggested_filename == f"certificate-{serial}.pdf"


@VIEWPORTS
def test_a_mentor_takes_attendance_and_logs_a_reflective_session(app, live_server, new_page, make_user, make_course,
                                                                 log_in, viewport):
    world = _cohort_with_mentors(app, make_user, make_course)
    _assign(app, world)
    with app.app_context():
        mai = db.session.get(User, world.mentors["mai"].id)
        attendance.save_session(
            LearningSession(), kind=SessionKind.COURSE, title="Relationships first",
            starts_at=utcnow() - timedelta(minutes=5), ends_at=utcnow() + timedelta(minutes=55), facilitator=mai,
            language="en", course=db.session.get(Course, world.made.course_id),
            cohort=db.session.get(Cohort, world.made.cohort_id))
        db.session.commit()
        held_on = (program_today() - timedelta(days=1)).isoformat()
    page = new_page(viewport=viewport)
    log_in(page, "mai@example.org")

    _menu(page, "My sessions").click()
    page.get_by_role("link", name="Sessions I facilitate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sessions I facilitate")
    assert_usable(page, "sessions I facilitate")
    page.get_by_role("link", name="Relationships first").click()
    page.get_by_role("button", name="Mark everyone not marked yet as present").click()
    expect(page.get_by_role("status")).to_contain_text("2 people marked present.")
    page.get_by_role("group", name="Hodan Cali").get_by_role("radio", name="Late", exact=True).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("status")).to_contain_text("Attendance saved (1 changes).")
    assert_usable(page, "taking attendance")

    _menu(page, "Mentoring").click()
    expect(page).to_have_url(re.compile(r"/mentor$"))
    assert_usable(page, "mentor home")
    page.get_by_role("link", name="Log a session").first.click()
    page.get_by_label("Date", exact=True).fill(held_on)
    page.get_by_label("Length in minutes").fill("60")
    page.get_by_label("Nguyễn Thị Lan").check()
    page.get_by_label("Summary shared with those who attended").fill(SUMMARY)
    page.get_by_label("Private notes (only you can ever read them)").fill(NOTES)
    assert_usable(page, "logging a session")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The session is logged.")
    expect(page.get_by_text(NOTES)).to_be_visible()
    assert_usable(page, "the logged session")


#: A video meeting's participant report, as Zoom writes it: one person found by email, one by name.
REPORT = ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
          "Hodan Cali,hodan@example.org,,,110\n"
          "Nguyễn Thị Lan,,,,115\n")


@VIEWPORTS
def test_an_admin_builds_a_course_assigns_a_mentor_imports_attendance_issues_a_certificate_and_reads_the_report(
        app, live_server, new_page, make_user, make_course, log_in, viewport):
    world = _cohort_with_mentors(app, make_user, make_course)
    with app.app_context():
        held = attendance.save_session(
            LearningSession(), kind=SessionKind.COURSE, title="Relationships first",
            starts_at=utcnow() - timedelta(days=1), ends_at=utcnow() - timedelta(days=1) + timedelta(minutes=120),
            facilitator=db.session.get(User, world.mentors["mai"].id), language="en",
            course=db.session.get(Course, world.made.course_id), cohort=db.session.get(Cohort, world.made.cohort_id))
        db.session.commit()
        held_id = held.id
    page = new_page(viewport=viewport)
    log_in(page, "office@example.org")

    _menu(page, "Programs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programs")
    assert_usable(page, "programs")
    page.locator("main table a").first.click()
    page.get_by_role("link", name="New course").click()
    page.get_by_label("Code").fill("bcl-102")
    page.get_by_label("Title").fill("Reflective Supervision")
    page.get_by_label("Professional-development hours").fill("4")
    assert_usable(page, "new course")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("BCL-102 · Reflective Supervision")
    page.get_by_role("link", name="Add a module").click()
    page.get_by_label("Title").fill("Being with, not doing for")
    page.get_by_label("Content (Markdown)").fill("Notice what **you** bring to the room.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Being with, not doing for", exact=True)).to_be_visible()
    assert_usable(page, "the course")

    _menu(page, "Mentors").click()
    page.get_by_role("link", name="Cohort 1", exact=True).click()
    page.get_by_role("link", name="Assign a mentor Nguyễn Thị Lan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A mentor for Nguyễn Thị Lan")
    assert_usable(page, "mentor suggestions")
    page.get_by_label("Mentor", exact=True).select_option(label="Vũ Thị Mai")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text("The mentor is assigned; both were told.")

    page.goto(f"{live_server}/sessions/{held_id}/import")
    page.get_by_label("Participant report (CSV)").set_input_files(
        files=[{"name": "report.csv", "mimeType": "text/csv", "buffer": REPORT.encode()}])
    page.get_by_role("button", name="Check the report").click()
    expect(page.get_by_role("button", name="Save this attendance")).to_be_visible()
    assert_usable(page, "the import plan")
    page.get_by_role("button", name="Save this attendance").click()
    expect(page.get_by_role("status")).to_contain_text("Report imported: 2 changes.")

    _menu(page, "Certificates").click()
    page.get_by_role("link", name="Cohort 1", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/admin/certificates/cohorts/\d+$"))
    assert_usable(page, "certificates of the cohort")
    page.get_by_role("link", name="Hodan Cali", exact=True).click()
    page.get_by_label("Reason to issue although a requirement is not met").fill(
        "Completed the course at another agency; transcript checked.")
    page.get_by_role("button", name="Issue the certificate").click()
    expect(page.get_by_role("status")).to_contain_text("is issued.")
    assert_usable(page, "the issued certificate")

    _menu(page, "Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Program report")
    expect(page.locator("main table").first).to_be_visible()
    assert_usable(page, "the program report")
