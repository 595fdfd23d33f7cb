"""`flask lms demo-data` builds what the README says it does, whatever the hour it is built at.

Each figure the README's demo paragraph gives is checked here, on the pages an administrator opens,
with the clock stopped just after midnight and just before midnight in the program's time zone (an
evening session the demo left unmarked once made the figures depend on the hour).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from lms.accounts.models import Role, User, UserRole
from lms.courses.models import Cohort
from lms.credentials.eligibility import cohort_eligibility
from lms.credentials.models import Certificate, CertificateStatus
from lms.enrollment.models import CourseEvaluation, Enrollment, ModuleProgress
from lms.extensions import db
from lms.mentoring.models import ReflectiveGroup, ReflectiveSession, SessionStatus
from tests.pages import text_of
from tests.translated_pages import logged_in
from tests.test_cli import run

LOS_ANGELES = ZoneInfo("America/Los_Angeles")


@pytest.fixture(params=["00:30", "23:30"], ids=["just after midnight", "just before midnight"])
def demo(request, app):
    when = datetime.fromisoformat(f"2026-12-08T{request.param}").replace(tzinfo=LOS_ANGELES)
    with time_machine.travel(when, tick=True):
        assert app.config["LMS_TIMEZONE"] == "America/Los_Angeles"
        assert run(app, "demo-data").exit_code == 0
        yield app


@pytest.fixture
def data(demo):
    """The demo's database, for the tests that read no page (a request inside it would share its `g`)."""
    with demo.app_context():
        yield demo


def current_cohort() -> Cohort:
    return db.session.scalar(select(Cohort).where(Cohort.name == "Cohort 1 · English and Spanish"))


def test_two_certificates_are_issued_and_four_eligible_trainees_wait_for_the_bulk_button(demo):
    with demo.app_context():
        cohort_id = current_cohort().id
        assert db.session.scalar(select(func.count()).select_from(Certificate).where(
            Certificate.status == CertificateStatus.VALID)) == 2
        waiting = [f for f in cohort_eligibility(current_cohort()) if f.eligible and f.certificate is None]
        assert len(waiting) == 4
    page = text_of(logged_in(demo, "admin").get(f"/admin/certificates/cohorts/{cohort_id}"))
    assert "Issue to every eligible trainee (4)" in page


def test_one_trainee_is_listed_under_graduates_and_the_mentor_who_graduated_is_not(demo):
    page = text_of(logged_in(demo, "admin").get("/admin/mentoring/graduates"))
    assert "Hodan Cali Faarax" in page and "Invite to become a mentor" in page
    assert page.count("Invite to become a mentor") == 1
    assert "Amina Warsame" not in page
    with demo.app_context():
        amina = db.session.scalar(select(User).where(User.email == "amina.warsame@example.org"))
        finished = db.session.scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.user_id == amina.id, Enrollment.completed_at.is_not(None)))
        assert amina.has_role(Role.MENTOR) and amina.has_role(Role.TRAINEE) and finished == 3


def test_exactly_one_current_trainee_is_below_the_attendance_warning_line(data):
    below = [f.trainee.full_name for f in cohort_eligibility(current_cohort())
             if not next(check for check in f.checks if check.key == "attendance").met]
    assert len(below) == 1


def test_one_spanish_group_has_three_logged_sessions_and_one_waiting_to_be_logged(data):
    [group] = db.session.scalars(select(ReflectiveGroup)).all()
    assert group.language == "es" and group.cohort == current_cohort()
    sessions = db.session.scalars(select(ReflectiveSession).where(ReflectiveSession.group_id == group.id)).all()
    assert sorted(s.status for s in sessions) == sorted([SessionStatus.LOGGED] * 3 + [SessionStatus.PLANNED])
    assert all(group.cohort.starts_on <= s.held_on for s in sessions), "a session before its cohort began"


def test_the_people_are_one_administrator_four_mentors_and_forty_trainees(data):
    def holding(role):
        return set(db.session.scalars(select(User.email).join(UserRole, UserRole.user_id == User.id).where(
            UserRole.role == role, User.email.not_like("graduate%"))))
    mentors, trainees = holding(Role.MENTOR), holding(Role.TRAINEE)
    assert len(holding(Role.ADMIN)) == 1 and len(mentors) == 4
    assert len(trainees - mentors) == 40 and len(trainees & mentors) == 1  # a graduate who mentors now


def test_every_completed_course_has_every_module_done(data):
    """No page shows "Completed" beside "0 of 3 modules", the earlier cohorts' 160 graduates included."""
    done = (select(ModuleProgress.enrollment_id, func.count().label("n"))
            .where(ModuleProgress.completed_at.is_not(None)).group_by(ModuleProgress.enrollment_id).subquery())
    completed = db.session.scalars(select(Enrollment).where(Enrollment.completed_at.is_not(None))).all()
    counts = dict(db.session.execute(select(done.c.enrollment_id, done.c.n)).all())
    assert len(completed) > 160
    assert all(counts.get(e.id, 0) == len(e.course.modules) for e in completed)


def test_the_voices_from_the_field_are_all_different(data):
    comments = db.session.scalars(select(CourseEvaluation.comments).where(CourseEvaluation.comments != "")).all()
    assert len(comments) >= 5 and len(set(comments)) == len(comments)
    reflections = db.session.scalars(select(ModuleProgress.reflection).where(
        ModuleProgress.reflection.is_not(None))).all()
    assert len(reflections) >= 5 and len(set(reflections)) == len(reflections)
