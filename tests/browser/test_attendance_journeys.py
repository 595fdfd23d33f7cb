"""Attendance in a real browser: schedule a session, take attendance, check in with a code, and check every page."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import update

from lms.accounts.models import User
from lms.attendance import services
from lms.attendance.models import LearningSession, SessionKind, Status
from lms.core.clock import program_today
from lms.courses.models import Cohort, Course
from lms.enrollment.models import EnrollmentPeriod
from lms.enrollment.services import enroll
from lms.extensions import db
from lms.sqltypes import utcnow
from tests.browser.checks import assert_usable
from tests.browser.checks import overflow as page_overflow
from tests.browser.conftest import DESKTOP, PHONE

TITLE = "BCL-101 · Relationships first"


def _cohort_with_trainees(app, make_user, make_course):
    """A cohort whose two trainees enrolled a month ago, an admin, and a mentor who facilitates."""
    made = make_course(title="Foundations of Infant Mental Health")
    world = type("World", (), {
        "made": made,
        "office": make_user("admin", email="office@example.org", full_name="Program Office"),
        "rosa": make_user("mentor", email="rosa@example.org", full_name="Rosa María Delgado"),
        "lan": make_user(email="lan@example.org", full_name="Nguyễn Thị Lan"),
        "hodan": make_user(email="hodan@example.org", full_name="Hodan Cali"),
    })
    with app.app_context():
        course, cohort = db.session.get(Course, made.course_id), db.session.get(Cohort, made.cohort_id)
        for trainee in (world.lan, world.hodan):
            enroll(db.session.get(User, trainee.id), course, cohort, "en")
        db.session.execute(update(EnrollmentPeriod).where(EnrollmentPeriod.cohort_id == cohort.id)
                           .values(started_at=utcnow() - timedelta(days=30)))
        db.session.commit()
    return world


def _session(world, starts_at, *, minutes=120, title=TITLE, **fields) -> LearningSession:
    """A course session of the cohort facilitated by Rosa; call inside an app context, then commit."""
    return services.save_session(
        LearningSession(), kind=SessionKind.COURSE, title=title, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes), facilitator=db.session.get(User, world.rosa.id),
        language="en", course=db.session.get(Course, world.made.course_id),
        cohort=db.session.get(Cohort, world.made.cohort_id), **fields)


def _menu(page, name):
    return page.get_by_role("navigation", name="Main menu").get_by_role("link", name=name, exact=True)


def _status(page, person, status):
    """The status button of a person on the take-attendance sheet: a radio in the group named after them."""
    return page.get_by_role("group", name=person).get_by_role("radio", name=status, exact=True)


def test_an_admin_schedules_a_session_and_the_facilitator_takes_attendance(app, live_server, new_page, make_user,
                                                                           make_course, log_in):
    world = _cohort_with_trainees(app, make_user, make_course)
    with app.app_context():
        day = (program_today() - timedelta(days=1)).isoformat()  # held yesterday: attendance opens at the start

    office = new_page()
    log_in(office, "office@example.org")
    _menu(office, "Attendance").press("Enter")
    office.get_by_role("link", name="Cohort 1", exact=True).press("Enter")
    office.get_by_role("link", name="Schedule a session").press("Enter")
    expect(office).to_have_url(re.compile(rf"/admin/attendance/cohorts/{world.made.cohort_id}/sessions/new$"))
    office.get_by_label("Kind").select_option(label="Course session")
    office.get_by_label("Title").fill(TITLE)
    office.get_by_label("Course (for a course session)").select_option(
        label=f"{world.made.code} · Foundations of Infant Mental Health")
    office.get_by_label("Starts", exact=True).fill(f"{day}T18:00")
    office.get_by_label("Ends", exact=True).fill(f"{day}T20:00")
    office.get_by_label("Facilitator").select_option(label="Rosa María Delgado")
    office.get_by_role("button", name="Save").press("Enter")
    expect(office.get_by_role("status")).to_contain_text("The session is scheduled.")
    expect(office.get_by_role("heading", level=1)).to_have_text("Attendance in Cohort 1")
    expect(office.get_by_role("listitem").filter(has=office.get_by_role("link", name=TITLE))).to_contain_text(
        "Rosa María Delgado")

    rosa = new_page(viewport=PHONE)
    log_in(rosa, "rosa@example.org")
    _menu(rosa, "My sessions").press("Enter")
    rosa.get_by_role("link", name="Sessions I facilitate").press("Enter")
    expect(rosa.get_by_role("heading", level=1)).to_have_text("Sessions I facilitate")
    rosa.get_by_role("link", name=TITLE).press("Enter")
    expect(rosa.get_by_role("heading", level=1)).to_have_text(TITLE)
    rosa.get_by_role("button", name="Mark everyone not marked yet as present").press("Enter")
    expect(rosa.get_by_role("status")).to_contain_text("2 people marked present.")
    expect(_status(rosa, "Nguyễn Thị Lan", "Present")).to_be_checked()
    _status(rosa, "Hodan Cali", "Absent").check()
    rosa.get_by_label("Minutes attended by Hodan Cali").fill("0")
    rosa.get_by_role("button", name="Save attendance").press("Enter")

    expect(rosa.get_by_role("status")).to_contain_text("Attendance saved (1 changes).")
    expect(_status(rosa, "Hodan Cali", "Absent")).to_be_checked()
    expect(_status(rosa, "Nguyễn Thị Lan", "Present")).to_be_checked()
    changes = rosa.locator("main h2:has-text('Changes') + ul > li")
    expect(changes).to_have_count(3)
    expect(changes.first).to_contain_text("Hodan Cali → Absent (0 minutes) · Rosa María Delgado")


@pytest.mark.parametrize("language, viewport", [("en", PHONE), ("ar", PHONE), ("en", DESKTOP)],
                         ids=["english-phone", "arabic-phone", "english-desktop"])
def test_the_facilitator_marks_everyone_present_then_the_exceptions_by_touch_or_keyboard(
        app, live_server, new_page, make_user, make_course, log_in, language, viewport):
    world = _cohort_with_trainees(app, make_user, make_course)
    with app.app_context():
        db.session.get(User, world.rosa.id).locale = language
        session_id = _session(world, utcnow() - timedelta(minutes=10)).id
        db.session.commit()
    rosa = new_page(viewport=viewport)
    log_in(rosa, "rosa@example.org")
    rosa.goto(f"{live_server}/sessions/{session_id}/attendance")
    hodan, lan = rosa.get_by_role("group", name="Hodan Cali"), rosa.get_by_role("group", name="Nguyễn Thị Lan")

    def choice(group, status):
        return group.locator(f'input[type=radio][value="{status}"]')

    expect(choice(hodan, "")).to_be_checked()  # "not marked" is a choice too, so a slip can be undone
    for status in ("present", "late", "excused", "absent"):
        box = choice(hodan, status).locator("xpath=..").bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, f"{status} is too small to tap: {box}"
    assert_usable(rosa, f"the sheet before marking ({language})")

    rosa.locator("form.mark-all button").click()  # everyone present first...
    expect(choice(lan, "present")).to_be_checked()
    expect(choice(hodan, "present")).to_be_checked()
    expect(choice(hodan, "")).to_have_count(0)  # a mark can be changed, not removed

    choice(hodan, "present").focus()  # ...then the exceptions, from the keyboard
    rosa.keyboard.press("ArrowDown")
    expect(choice(hodan, "late")).to_be_checked()
    rosa.keyboard.press("Tab")
    minutes = rosa.locator(f"#minutes-{world.hodan.id}")
    expect(minutes).to_be_focused()
    rosa.keyboard.type("95")
    rosa.keyboard.press("Enter")

    expect(rosa.locator(".flash--success")).to_be_visible()
    expect(choice(hodan, "late")).to_be_checked()
    expect(minutes).to_have_value("95")
    expect(choice(lan, "present")).to_be_checked()
    assert_usable(rosa, f"the sheet after marking ({language})")
    with app.app_context():
        records = services.records_of(db.session.get(LearningSession, session_id))
        marks = {trainee_id: (r.status, r.minutes) for trainee_id, r in records.items()}
    assert marks == {world.lan.id: (Status.PRESENT, 120), world.hodan.id: (Status.LATE, 95)}


def test_leaving_a_changed_sheet_asks_first(app, live_server, new_page, make_user, make_course, log_in):
    world = _cohort_with_trainees(app, make_user, make_course)
    with app.app_context():
        session_id = _session(world, utcnow() - timedelta(minutes=10)).id
        db.session.commit()
    rosa = new_page(viewport=PHONE)
    log_in(rosa, "rosa@example.org")
    rosa.goto(f"{live_server}/sessions/{session_id}/attendance")
    asked = []
    rosa.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))

    rosa.get_by_role("group", name="Hodan Cali").get_by_role("radio", name="Absent").check()
    rosa.get_by_role("button", name="Mark everyone not marked yet as present").click()
    expect(rosa.get_by_role("group", name="Hodan Cali").get_by_role("radio", name="Absent")).to_be_checked()
    assert asked == ["beforeunload"]

    rosa.get_by_role("button", name="Save attendance").click()
    expect(rosa.get_by_role("status")).to_contain_text("Attendance saved (1 changes).")
    rosa.get_by_role("button", name="Mark everyone not marked yet as present").click()
    expect(rosa.get_by_role("status")).to_contain_text("1 people marked present.")
    assert asked == ["beforeunload"], "a saved sheet leaves without asking"


def test_a_trainee_checks_in_once_with_the_code_on_the_facilitators_screen(app, live_server, new_page, make_user,
                                                                           make_course, log_in):
    world = _cohort_with_trainees(app, make_user, make_course)
    with app.app_context():
        session_id = _session(world, utcnow() - timedelta(minutes=5), minutes=60).id
        db.session.commit()

    rosa = new_page()
    log_in(rosa, "rosa@example.org")
    rosa.goto(f"{live_server}/sessions/{session_id}/attendance")
    rosa.get_by_role("link", name="Show the check-in code").click()
    expect(rosa.locator("meta[http-equiv=refresh]")).to_have_count(0)  # a timed reload only when asked for
    rosa.get_by_role("link", name="Refresh this page by itself (for a shared screen)").click()
    expect(rosa.locator("meta[http-equiv=refresh]")).to_have_count(1)

    def code_on_screen() -> str:
        rosa.reload()
        code = rosa.get_by_label("Check-in code").inner_text()
        assert re.fullmatch(r"\d{3} \d{3}", code), code
        return code

    lan = new_page(viewport=PHONE)
    log_in(lan, "lan@example.org")
    _menu(lan, "My sessions").click()
    lan.get_by_role("region", name="Happening now").get_by_role("link", name="Check in").click()
    expect(lan.get_by_role("heading", level=1)).to_have_text("Check in")
    lan.get_by_label("Check-in code").fill(code_on_screen())
    lan.get_by_role("button", name="Check in").click()
    expect(lan.get_by_role("status")).to_contain_text("You are checked in: Present.")

    lan.get_by_role("region", name="Happening now").get_by_role("link", name="Check in").click()
    lan.get_by_label("Check-in code").fill(code_on_screen())
    lan.get_by_role("button", name="Check in").click()
    expect(lan.get_by_role("alert")).to_contain_text("You have already checked in to this session.")
    expect(lan.get_by_role("heading", level=1)).to_have_text("Check in")

    rosa.get_by_role("link", name=TITLE).click()
    expect(_status(rosa, "Nguyễn Thị Lan", "Present")).to_be_checked()
    expect(rosa.get_by_role("group", name="Nguyễn Thị Lan")).to_contain_text("Self check-in")
    expect(_status(rosa, "Hodan Cali", "Not marked")).to_be_checked()


def _program_with_attendance(app, make_user, make_course) -> dict:
    """Held sessions where Lan missed most (a warning), a cancelled one, one running now and one coming up."""
    world = _cohort_with_trainees(app, make_user, make_course)
    with app.app_context():
        zone, today = ZoneInfo(app.config["LMS_TIMEZONE"]), program_today()
        rosa = db.session.get(User, world.rosa.id)
        held = []
        for days, lan_status in ((14, Status.ABSENT), (7, Status.EXCUSED), (2, Status.PRESENT)):
            starts = datetime.combine(today - timedelta(days=days), time(18, 0), zone)
            session = _session(world, starts, title=f"BCL-101 · Week of {starts:%b %d}")
            services.mark(session, [services.Mark(world.lan.id, lan_status, 120 if lan_status is Status.PRESENT else 0),
                                    services.Mark(world.hodan.id, Status.LATE, 95)],
                          by=rosa, source=services.Source.FACILITATOR)
            held.append(session)
        services.mark(held[-1], [services.Mark(world.hodan.id, Status.PRESENT, 120)], by=rosa,
                      source=services.Source.FACILITATOR)
        services.set_cancelled(_session(world, datetime.combine(today - timedelta(days=4), time(18, 0), zone),
                                        title="BCL-101 · Snow day"), True)
        now = _session(world, utcnow() - timedelta(minutes=5), minutes=60, title=TITLE,
                       video_url="https://meet.example.org/bcl-101")
        _session(world, datetime.combine(today + timedelta(days=6), time(18, 0), zone),
                 title="BCL-101 · A very long session title that has to wrap on a narrow phone screen",
                 place="Community center, room 2, 1234 Martin Luther King Jr. Way")
        db.session.commit()
        return {"cohort": world.made.cohort_id, "held": held[-1].id, "now": now.id}


#: Who sees them, and the attendance pages to check.
ATTENDANCE_PAGES = {
    "lan@example.org": ["/my/sessions", "/sessions/{now}/check-in"],
    "rosa@example.org": ["/sessions/mine", "/sessions/{held}/attendance", "/sessions/{held}/import",
                         "/sessions/{now}/code"],
    "office@example.org": ["/admin/attendance", "/admin/attendance/cohorts/{cohort}",
                           "/admin/attendance/cohorts/{cohort}/sessions/new"],
}
#: What the page itself carries inline; the CSP refuses all of it.
INLINE = "document.querySelectorAll('[style], style, script:not([src])').length"
#: A participant report with one person on the roster and one to match by hand.
REPORT = ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
          "Hodan Cali,hodan@example.org,,,110\n"
          "Lan's phone,,,,45\n")


def _assert_fits_and_passes_axe(page, what):
    assert page.evaluate(INLINE) == 0, f"{what} has inline scripts or styles"
    overflow = page_overflow(page)
    assert overflow <= 0, f"{what} is {overflow}px wider than the screen"
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa"]})
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_attendance_pages_fit_the_screen_and_pass_axe(app, live_server, new_page, make_user, make_course, log_in,
                                                      viewport):
    ids = _program_with_attendance(app, make_user, make_course)
    pages, pages_seen = {}, []
    for email, paths in ATTENDANCE_PAGES.items():
        page = pages[email] = new_page(viewport=viewport)
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
            _assert_fits_and_passes_axe(page, path)
            pages_seen.append(path)
        assert not blocked, f"{email}: the CSP blocked {blocked}"
    assert len(pages_seen) == sum(len(paths) for paths in ATTENDANCE_PAGES.values()) == 9

    lan = pages["lan@example.org"]
    lan.goto(f"{live_server}/my/sessions")
    expect(lan.get_by_role("status").filter(has_text="Your attendance in Cohort 1")).to_contain_text(
        "This is below 70%")

    rosa = pages["rosa@example.org"]
    rosa.goto(f"{live_server}/sessions/{ids['held']}/import")
    rosa.get_by_label("Participant report (CSV)").set_input_files(
        files=[{"name": "report.csv", "mimeType": "text/csv", "buffer": REPORT.encode()}])
    rosa.get_by_role("button", name="Check the report").click()
    expect(rosa.get_by_role("heading", name="Not matched")).to_be_visible()
    _assert_fits_and_passes_axe(rosa, "the import plan")

    office = pages["office@example.org"]
    office.goto(f"{live_server}/admin/attendance/cohorts/{ids['cohort']}/sessions/new")
    office.get_by_role("button", name="Save").click()
    expect(office.get_by_role("alert")).to_contain_text("Enter a title.")
    _assert_fits_and_passes_axe(office, "the session form with errors")
