"""Certificates, rule by rule: who is eligible, what issuing stores, and how revoking and reissuing change it.

Each test is one rule of the certificates issue, checked through the services and then in the database
rows. Request-level behaviour (pages, verification, downloads, who sees what) is in
tests/test_certificate_pages.py; the PDF engine has tests of its own.
"""

import hashlib
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import undefer

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.attendance import services as attendance
from lms.attendance.models import LearningSession, SessionKind, Source, Status
from lms.audit.models import AuditEvent
from lms.courses.models import Cohort, Course, Module, Program, cohort_course
from lms.credentials import services
from lms.credentials.eligibility import cohort_eligibility
from lms.credentials.models import Certificate, CertificateStatus, MentorSignoff, NameStyle
from lms.enrollment.evaluations import submit_evaluation
from lms.enrollment.models import Enrollment, EnrollmentPeriod
from lms.enrollment.progress import complete_module
from lms.enrollment.services import enroll
from lms.extensions import db
from lms.mentoring import logs
from lms.mentoring import services as mentoring
from lms.mentoring.models import ReflectiveGroup, SessionFormat
from lms.sqltypes import utcnow

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
#: A character of Linear B (U+10000), which no shipped font has, and an emoji, which none has either.
LINEAR_B, EMOJI = "\U00010000", "\U0001F600"
needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


class Office:
    """The program office at work on one cohort: every call runs the services in an app context and commits.

    The cohort runs course C-001 (one module, 6 PD hours); Mai Vu mentors every trainee added.
    """

    def __init__(self, app, admin, make_user, make_course):
        self.app, self.admin_id, self.make_user, self.make_course = app, admin.id, make_user, make_course
        self.made = make_course(modules=1, capacity=500)
        self.mentor = self.add_mentor("Mai Vu")

    @contextmanager
    def work(self):
        with self.app.app_context():
            yield
            db.session.commit()

    def get(self, model, id_):
        return db.session.get(model, id_)

    @property
    def admin(self) -> User:
        """The admin, in the current app context."""
        return db.session.get(User, self.admin_id)

    @property
    def cohort(self) -> Cohort:
        return db.session.get(Cohort, self.made.cohort_id)

    def add_mentor(self, full_name: str, **fields) -> User:
        user = self.make_user("mentor", full_name=full_name, **fields)
        with self.work():
            mentoring.save_profile(db.session.get(User, user.id), languages=["en"], bio="", is_active=True,
                                   max_mentees=100, max_groups=4)
        return user

    def add_course(self, title: str | None = None):
        """A second course of the program (6 PD hours), which the cohort runs too."""
        made = self.make_course(modules=1, program_id=self.made.program_id, title=title)
        with self.work():
            db.session.execute(insert(cohort_course).values(cohort_id=self.made.cohort_id, course_id=made.course_id))
        return made

    def trainee(self, full_name: str, *, courses=None, mentor: User | None = None, **fields) -> User:
        """A trainee who has held a seat in the cohort's course(s) for a month, mentored by Mai (or `mentor`)."""
        user = self.make_user(full_name=full_name, **fields)
        self.enroll([user.id], courses=courses, mentor=mentor)
        return user

    def enroll(self, user_ids: list[int], *, courses=None, mentor: User | None = None) -> None:
        with self.work():
            by, cohort = self.admin, self.cohort
            mentor = db.session.get(User, (mentor or self.mentor).id)
            for user_id in user_ids:
                trainee = db.session.get(User, user_id)
                for made in courses or [self.made]:
                    enroll(trainee, db.session.get(Course, made.course_id), cohort, "en")
                mentoring.assign(mentor, trainee, cohort, by=by)
            db.session.execute(update(EnrollmentPeriod).where(EnrollmentPeriod.user_id.in_(user_ids))
                               .values(started_at=utcnow() - 30 * DAY))

    def complete(self, user: User, made=None, *, at: datetime | None = None) -> None:
        """Complete every module of the course (the cohort's first by default), at `at` if given."""
        made = made or self.made
        with self.work():
            enrollment = self.enrollment(user, made)
            for module_id in made.module_ids:
                complete_module(enrollment, db.session.get(Module, module_id))
            if at is not None:
                enrollment.completed_at = at

    def enrollment(self, user: User, made) -> Enrollment:
        return db.session.scalar(select(Enrollment).where(Enrollment.user_id == user.id,
                                                          Enrollment.course_id == made.course_id))

    def evaluate(self, user: User, made=None) -> None:
        with self.work():
            submit_evaluation(self.enrollment(user, made or self.made), overall=5, relevance=4, language_rating=5,
                              comments="", consent=False, language="en")

    def rules(self, courses=(), **values) -> None:
        """Save the program's rules: no hours, no sign-off, no evaluation, and attendance unless told."""
        settings = {"requires_attendance": True, "attendance_percent": 70, "min_individual_hours": Decimal("0"),
                    "min_group_hours": Decimal("0"), "min_total_hours": Decimal("0"),
                    "requires_mentor_signoff": False, "requires_evaluation": False, "issuer": "",
                    "signatory_name": "Dr. Marisol Peña", "signatory_title": "Program Director", **values}
        with self.work():
            services.save_rule(self.get(Program, self.made.program_id), course_ids=[m.course_id for m in courses],
                               by=self.admin, **settings)

    def held_session(self, statuses: dict, *, days_ago: int = 1) -> int:
        """A course session of the cohort held `days_ago`, with these marks (anyone unmarked counts as absent)."""
        with self.work():
            starts, mentor = utcnow() - days_ago * DAY, db.session.get(User, self.mentor.id)
            session = attendance.save_session(
                LearningSession(), kind=SessionKind.COURSE, title="Evening circle", starts_at=starts,
                ends_at=starts + HOUR, language="en", facilitator=mentor,
                course=db.session.get(Course, self.made.course_id), cohort=self.cohort)
            if statuses:
                marks = [attendance.Mark(user.id, Status(status)) for user, status in statuses.items()]
                attendance.mark(session, marks, by=mentor, source=Source.FACILITATOR)
            return session.id

    def group(self, members: list[User]) -> int:
        with self.work():
            return mentoring.create_group(db.session.get(User, self.mentor.id), self.cohort, name="Thursday circle",
                                          language="en", trainee_ids=[m.id for m in members], by=self.admin).id

    def log(self, attendees: list[User], *, minutes: int, group: int | None = None, planned=False) -> None:
        """A reflective session Mai logged (or only planned), one-to-one or with a group."""
        with self.work():
            logs.save_session(db.session.get(User, self.mentor.id), None,
                              group=db.session.get(ReflectiveGroup, group) if group else None,
                              attendee_ids=[a.id for a in attendees], held_on=date(2026, 1, 8),
                              duration_minutes=minutes, format=SessionFormat.VIDEO, language="en", topic_ids=[],
                              summary="", notes="", planned=planned)

    def sign_off(self, user: User, mentor: User | None = None) -> None:
        with self.work():
            services.sign_off(db.session.get(User, (mentor or self.mentor).id), db.session.get(User, user.id),
                              self.get(Program, self.made.program_id))

    def set_name(self, user: User, *, full_name: str | None = None, native_name: str | None = None,
                 style: NameStyle | None = None) -> None:
        with self.work():
            person = db.session.get(User, user.id)
            if full_name is not None or native_name is not None:
                accounts.update_profile(person, full_name=full_name or person.full_name,
                                        native_name=native_name if native_name is not None else person.native_name,
                                        locale=person.locale)
            if style is not None:
                services.set_name_style(person, style)

    def issue(self, user: User, *, reason: str | None = None) -> int:
        with self.work():
            return services.issue(db.session.get(User, user.id), self.cohort, by=self.admin,
                                  override_reason=reason).id

    def revoke(self, certificate_id: int, reason: str = "Issued to the wrong person.") -> None:
        with self.work():
            services.revoke(self.get(Certificate, certificate_id), reason=reason, by=self.admin)

    def reissue(self, certificate_id: int, reason: str = "Name corrected.") -> int:
        with self.work():
            return services.reissue(self.get(Certificate, certificate_id), by=self.admin, reason=reason).id

    def checklist(self, user: User) -> SimpleNamespace:
        """The trainee's checklist in the cohort, as plain values: checks {key: (met, detail)}, missing labels."""
        with self.app.app_context():
            [found] = cohort_eligibility(self.cohort, [user.id])
            return SimpleNamespace(
                eligible=found.eligible, pd_hours=found.pd_hours, completed_on=found.completed_on,
                checks={check.key: (check.met, str(check.detail)) for check in found.checks},
                labels=[str(check.label) for check in found.checks],
                missing=[str(check.label) for check in found.missing])

    def certificates(self, user: User | None = None) -> list[Certificate]:
        """The stored certificates (of one trainee, if given), oldest first, detached with their PDF."""
        with self.app.app_context():
            query = select(Certificate).options(undefer(Certificate.pdf), undefer(Certificate.credential))
            if user is not None:
                query = query.where(Certificate.trainee_id == user.id)
            return db.session.scalars(query.order_by(Certificate.id)).all()

    def audit(self, action: str) -> list[tuple[int | None, int | None, dict]]:
        """(actor, target, details) of each audit event of this action, oldest first."""
        with self.app.app_context():
            return [(e.actor_id, e.target_user_id, e.details) for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


@pytest.fixture
def office(app, admin, make_user, make_course):
    return Office(app, admin, make_user, make_course)


def course_key(made) -> str:
    return f"course:{made.course_id}"


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The words pdftotext reads from the PDF, spaces collapsed."""
    path = tmp_path / f"{hashlib.sha256(pdf).hexdigest()[:12]}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


# Eligibility: required courses, PD hours and the completion date


def test_with_no_course_chosen_every_course_the_cohort_runs_is_required(office):
    second = office.add_course(title="Anti-bias practice")
    lan = office.trainee("Lan Nguyen", courses=[office.made, second])
    office.complete(lan)

    found = office.checklist(lan)
    assert (found.checks[course_key(office.made)][0], found.checks[course_key(second)][0]) == (True, False)
    assert found.missing == [f"Course {second.code}: Anti-bias practice completed"]
    assert not found.eligible and found.completed_on is None and found.pd_hours == Decimal("6")

    office.complete(lan, second)
    found = office.checklist(lan)
    assert found.eligible and found.missing == [] and found.pd_hours == Decimal("12")


def test_an_archived_course_is_not_required_when_the_rules_choose_none(office):
    second = office.add_course()
    with office.work():
        db.session.get(Course, second.course_id).is_archived = True
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    found = office.checklist(lan)
    assert [key for key in found.checks if key.startswith("course:")] == [course_key(office.made)]
    assert found.eligible


def test_chosen_courses_are_the_only_courses_required(office):
    second = office.add_course()
    office.rules(courses=[second])
    lan = office.trainee("Lan Nguyen", courses=[office.made, second])
    office.complete(lan)

    found = office.checklist(lan)
    assert [key for key in found.checks if key.startswith("course:")] == [course_key(second)]
    assert not found.eligible and found.pd_hours == Decimal("0"), "the completed course is not a required one"
    office.complete(lan, second)
    assert office.checklist(lan).eligible and office.checklist(lan).pd_hours == Decimal("6")


def test_pd_hours_add_up_the_required_courses_and_the_completion_date_is_the_last_one_in_the_programs_zone(
        office):
    second = office.add_course()
    lan = office.trainee("Lan Nguyen", courses=[office.made, second])
    office.complete(lan, at=datetime(2026, 2, 10, 18, 0, tzinfo=UTC))
    # 03:30 UTC on March 4 is still the evening of March 3 in Seattle (LMS_TIMEZONE).
    office.complete(lan, second, at=datetime(2026, 3, 4, 3, 30, tzinfo=UTC))

    found = office.checklist(lan)
    assert (found.pd_hours, found.completed_on) == (Decimal("12"), date(2026, 3, 3))
    office.issue(lan)
    [certificate] = office.certificates()
    assert (certificate.pd_hours, certificate.completed_on) == (Decimal("12"), date(2026, 3, 3))


# Eligibility: attendance, reflective hours, sign-off and evaluations


@pytest.mark.parametrize("excused_rule, met, detail", [
    ("excluded", False, "66.7% so far"),  # 2 of 3: the excused session is left out
    ("attended", True, "75% so far"),  # 3 of 4
    ("absent", False, "50% so far"),  # 2 of 4
])
def test_the_attendance_minimum_is_the_programs_warning_line_under_its_excused_rule(
        office, excused_rule, met, detail):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    office.rules(attendance_percent=75)
    with office.work():
        office.get(Program, office.made.program_id).excused_absences = excused_rule
    for days_ago, status in ((4, "present"), (3, "late"), (2, "excused")):
        office.held_session({lan: status}, days_ago=days_ago)
    office.held_session({}, days_ago=1)  # not marked: absent

    found = office.checklist(lan)
    assert found.checks["attendance"] == (met, detail)
    assert found.eligible is met
    assert ("Attendance at learning sessions of at least 75%" in found.missing) is not met


def test_without_the_attendance_rule_attendance_is_not_checked(office):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    office.held_session({lan: "absent"})
    assert office.checklist(lan).checks["attendance"] == (False, "0% so far")

    office.rules(requires_attendance=False)
    found = office.checklist(lan)
    assert "attendance" not in found.checks and found.eligible


def test_attendance_counts_as_met_before_any_session_is_held(office):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    assert office.checklist(lan).checks["attendance"] == (True, "No session counted yet")


def test_reflective_hours_count_logged_sessions_the_trainee_attended_individual_and_group_apart(office):
    lan, bea = office.trainee("Lan Nguyen"), office.trainee("Bea Ito")
    office.complete(lan)
    group = office.group([lan, bea])
    office.log([lan], minutes=90)  # one-to-one
    office.log([lan, bea], minutes=60, group=group)
    office.log([bea], minutes=120, group=group)  # Lan was not there
    office.log([lan], minutes=240, planned=True)  # planned, not held
    office.rules(min_individual_hours=Decimal("1.5"), min_group_hours=Decimal("2"), min_total_hours=Decimal("3"))

    found = office.checklist(lan)
    assert found.checks["individual_hours"] == (True, "1.5 of 1.5 hours")
    assert found.checks["group_hours"] == (False, "1 of 2 hours")
    assert found.checks["total_hours"] == (False, "2.5 of 3 hours")
    assert found.missing == ["Group reflective-practice hours", "Reflective-practice hours in all"]

    office.log([lan], minutes=60, group=group)
    assert office.checklist(lan).eligible


def test_reflective_hours_of_another_program_do_not_count(office):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    elsewhere = office.make_course(title="Another program's course")
    other_mentor = office.add_mentor("Mentor Elsewhere")
    with office.work():
        trainee, cohort = db.session.get(User, lan.id), db.session.get(Cohort, elsewhere.cohort_id)
        enroll(trainee, db.session.get(Course, elsewhere.course_id), cohort, "en")
        mentor = db.session.get(User, other_mentor.id)
        mentoring.assign(mentor, trainee, cohort, by=office.admin)
        logs.save_session(mentor, None, group=None, attendee_ids=[lan.id], held_on=date(2026, 1, 8),
                          duration_minutes=600, format=SessionFormat.VIDEO, language="en", topic_ids=[],
                          summary="", notes="")
    office.log([lan], minutes=60)
    office.rules(min_individual_hours=Decimal("2"))
    assert office.checklist(lan).checks["individual_hours"] == (False, "1 of 2 hours")


def test_no_hours_are_checked_when_the_rule_asks_for_none(office):
    lan = office.trainee("Lan Nguyen")
    assert not {"individual_hours", "group_hours", "total_hours"} & set(office.checklist(lan).checks)


def test_a_required_sign_off_is_met_once_the_current_mentor_signs_off(office):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    office.rules(requires_mentor_signoff=True)
    assert office.checklist(lan).missing == ["Mentor's sign-off"]

    office.sign_off(lan)
    assert office.checklist(lan).eligible
    with office.work():
        mentoring_program = office.get(Program, office.made.program_id)
        services.withdraw_sign_off(db.session.get(User, office.mentor.id), db.session.get(User, lan.id),
                                   mentoring_program)
    assert office.checklist(lan).missing == ["Mentor's sign-off"]


def test_only_the_trainees_current_mentor_can_sign_off(office):
    lan = office.trainee("Lan Nguyen")
    bruno = office.add_mentor("Bruno Silva")
    with pytest.raises(services.CertificateError, match="Only the trainee's current mentor can sign off"):
        office.sign_off(lan, mentor=bruno)
    with office.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MentorSignoff)) == 0


def test_a_required_evaluation_is_one_for_every_required_course(office):
    second = office.add_course()
    lan = office.trainee("Lan Nguyen", courses=[office.made, second])
    office.complete(lan)
    office.complete(lan, second)
    office.rules(requires_evaluation=True)
    office.evaluate(lan)
    assert office.checklist(lan).missing == ["A course evaluation for every required course"]

    office.evaluate(lan, second)
    assert office.checklist(lan).eligible


# Issuing


def test_an_ineligible_trainee_is_never_issued_a_certificate_without_a_reason(office):
    lan = office.trainee("Lan Nguyen")  # has not completed the course
    for reason in (None, "", "   "):
        with pytest.raises(services.CertificateError, match="Lan Nguyen has not met every requirement") as refused:
            office.issue(lan, reason=reason)
        assert refused.value.field == "reason"
    assert office.certificates() == []
    assert office.audit("certificate_issued") == []


def test_an_override_with_a_reason_issues_and_audits_the_issue_and_the_override(office, admin):
    lan = office.trainee("Lan Nguyen")
    reason = "Completed the course at a partner college; transcript on file."
    certificate_id = office.issue(lan, reason=f"  {reason} ")

    [certificate] = office.certificates()
    assert (certificate.id, certificate.override_reason, certificate.status) == (
        certificate_id, reason, CertificateStatus.VALID)
    [(actor, target, details)] = office.audit("certificate_issued")
    assert (actor, target, details["serial"]) == (admin.id, lan.id, certificate.serial)
    [(actor, target, details)] = office.audit("certificate_override")
    assert (actor, target, details["reason"], details["serial"]) == (admin.id, lan.id, reason, certificate.serial)
    assert details["missing"] == f"Course {office.made.code}: Course 1 completed"


def test_an_eligible_trainee_needs_no_reason_and_none_is_recorded(office):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    office.issue(lan)
    [certificate] = office.certificates()
    assert certificate.override_reason is None
    assert len(office.audit("certificate_issued")) == 1 and office.audit("certificate_override") == []


def test_someone_without_a_seat_in_the_cohort_is_not_issued_one_even_with_a_reason(office, make_user):
    outsider = make_user(full_name="Olga Outside")
    with pytest.raises(services.CertificateError, match="Olga Outside holds no seat in this cohort"):
        office.issue(outsider, reason="She asked nicely.")
    assert office.certificates() == [] and office.audit("certificate_issued") == []


def test_issuing_twice_returns_the_same_certificate(office):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    first = office.issue(lan)
    assert office.issue(lan) == first
    assert office.issue(lan, reason="Once more") == first
    assert [c.id for c in office.certificates()] == [first]
    assert len(office.audit("certificate_issued")) == 1


def test_eight_issue_requests_at_the_same_moment_give_one_certificate(app, office):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    barrier = threading.Barrier(8)

    def issue(_):
        """One admin's request: its own app context and database session."""
        with app.app_context():
            trainee, cohort, by = db.session.get(User, lan.id), office.cohort, office.admin
            _ = by.roles, cohort.program
            barrier.wait()
            certificate = services.issue(trainee, cohort, by=by)
            db.session.commit()
            return certificate.serial

    with ThreadPoolExecutor(max_workers=8) as pool:
        serials = list(pool.map(issue, range(8)))
    [certificate] = office.certificates()
    assert serials == [certificate.serial] * 8
    assert len(office.audit("certificate_issued")) == 1


def test_the_pdf_and_its_sha256_are_stored_at_issue_and_never_change(office):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    office.issue(lan)
    [issued] = office.certificates()
    assert issued.pdf.startswith(b"%PDF-") and issued.sha256 == hashlib.sha256(issued.pdf).hexdigest()

    office.set_name(lan, full_name="Lan Tran", native_name="Trần Thị Lan", style=NameStyle.BOTH)
    assert office.issue(lan) == issued.id
    [later] = office.certificates()
    assert (later.pdf, later.sha256, later.printed_name) == (issued.pdf, issued.sha256, "Lan Nguyen")


@pytest.mark.parametrize("character", [LINEAR_B, EMOJI], ids=["linear-b", "emoji"])
def test_a_name_with_a_character_no_font_has_is_refused_before_issuing_naming_the_character(office, character):
    lan = office.trainee("Lan Nguyen", native_name=f"Lan {character}")
    office.complete(lan)
    office.set_name(lan, style=NameStyle.OWN_SCRIPT)

    with pytest.raises(services.CertificateError) as refused:
        office.issue(lan)
    assert refused.value.field == "name"
    assert f"no font has {character}" in str(refused.value.message)
    assert office.certificates() == [] and office.audit("certificate_issued") == []


def test_an_unprintable_name_the_trainee_did_not_choose_to_print_does_not_block_issuing(office):
    lan = office.trainee("Lan Nguyen", native_name=f"Lan {EMOJI}")
    office.complete(lan)
    office.issue(lan)  # the name style is "legal" until the trainee changes it
    assert [c.printed_name for c in office.certificates()] == ["Lan Nguyen"]


@needs_pdftotext
@pytest.mark.parametrize("style, printed", [
    (NameStyle.LEGAL, ["Lan Nguyen"]),
    (NameStyle.OWN_SCRIPT, ["Nguyễn Thị Lan"]),
    (NameStyle.BOTH, ["Lan Nguyen", "Nguyễn Thị Lan"]),
])
def test_the_name_style_decides_the_name_printed(office, tmp_path, style, printed):
    lan = office.trainee("Lan Nguyen", native_name="Nguyễn Thị Lan")
    office.complete(lan)
    office.set_name(lan, style=style)
    office.issue(lan)

    [certificate] = office.certificates()
    assert certificate.printed_name.split("\n") == printed
    text = pdf_text(certificate.pdf, tmp_path)
    assert all(name in text for name in printed)
    if style is NameStyle.LEGAL:
        assert "Nguyễn" not in text
    if style is NameStyle.OWN_SCRIPT:
        assert "Lan Nguyen" not in text


def test_a_trainee_with_no_name_in_their_own_script_gets_their_legal_name_whatever_the_style(office):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    office.set_name(lan, style=NameStyle.BOTH)
    office.issue(lan)
    assert [c.printed_name for c in office.certificates()] == ["Lan Nguyen"]


@needs_pdftotext
@pytest.mark.parametrize("pd_hours, printed", [(Decimal("6"), "6 professional-development hours"),
                                               (Decimal("0"), None)])
def test_the_certificate_prints_the_hours_of_the_required_courses_and_no_hours_line_when_there_are_none(
        office, tmp_path, pd_hours, printed):
    with office.work():
        office.get(Course, office.made.course_id).pd_hours = pd_hours
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    office.issue(lan)

    text = pdf_text(office.certificates()[0].pdf, tmp_path)
    if printed:
        assert printed in text
    else:
        assert "professional-development hours" not in text and "Completed on" in text


@needs_pdftotext
def test_the_certificates_own_words_are_in_the_trainees_language(office, tmp_path):
    rosa = office.trainee("Rosa Díaz", locale="es")
    office.complete(rosa)
    office.issue(rosa)

    [certificate] = office.certificates()
    text = pdf_text(certificate.pdf, tmp_path)
    assert certificate.language == "es"
    assert "Firma" in text and "Signature" not in text
    assert "Rosa Díaz" in text


@needs_pdftotext
@pytest.mark.parametrize("locale, offered", [("fr", True), ("de", False)],
                         ids=["offered-without-a-catalog", "not-offered"])
def test_the_certificate_is_in_english_where_the_language_has_no_translation(office, tmp_path, locale, offered):
    if offered:
        office.app.config["LMS_LANGUAGES"] = [*office.app.config["LMS_LANGUAGES"], locale]
    anna = office.trainee("Anna Weber", locale=locale)
    office.complete(anna)
    office.issue(anna)

    [certificate] = office.certificates()
    text = pdf_text(certificate.pdf, tmp_path)
    assert "Signature" in text and "Certificate of Completion" in text
    assert certificate.language == (locale if offered else "en")


# Revoking and reissuing


def test_revoking_needs_a_reason_and_is_audited(office, admin):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    certificate_id = office.issue(lan)
    with pytest.raises(services.CertificateError, match="Give the reason for revoking") as refused:
        office.revoke(certificate_id, reason="  ")
    assert refused.value.field == "reason"
    assert office.certificates()[0].status is CertificateStatus.VALID

    office.revoke(certificate_id, reason="Attendance records were falsified.")
    [certificate] = office.certificates()
    assert (certificate.status, certificate.revocation_reason, certificate.revoked_by_id) == (
        CertificateStatus.REVOKED, "Attendance records were falsified.", admin.id)
    assert certificate.revoked_at is not None
    [(actor, target, details)] = office.audit("certificate_revoked")
    assert (actor, target, details["serial"], details["reason"]) == (
        admin.id, lan.id, certificate.serial, "Attendance records were falsified.")
    with pytest.raises(services.CertificateError, match="Only a valid certificate can be revoked"):
        office.revoke(certificate_id)


def test_a_reissue_gets_a_new_serial_and_the_old_certificate_is_superseded(office, admin):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    old_id = office.issue(lan)
    office.set_name(lan, full_name="Lan Tran")
    new_id = office.reissue(old_id, reason="Name corrected after marriage.")

    old, new = office.certificates()
    assert (old.id, new.id) == (old_id, new_id)
    assert (old.status, old.superseded_by_id, new.status) == (
        CertificateStatus.SUPERSEDED, new_id, CertificateStatus.VALID)
    assert new.serial != old.serial and new.code != old.code and new.sha256 != old.sha256
    assert (old.printed_name, new.printed_name) == ("Lan Nguyen", "Lan Tran")
    [(actor, target, details)] = office.audit("certificate_reissued")
    assert (actor, target, details["serial"], details["replaces"], details["reason"]) == (
        admin.id, lan.id, new.serial, old.serial, "Name corrected after marriage.")
    assert [d["serial"] for _, _, d in office.audit("certificate_issued")] == [old.serial, new.serial]

    assert office.issue(lan) == new_id, "a third issue does nothing while one is valid"
    assert len(office.certificates()) == 2
    with pytest.raises(services.CertificateError, match="Only a valid certificate"):
        office.reissue(old_id)


def test_a_revoked_certificate_cannot_be_reissued_and_stays_revoked(office):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    old_id = office.issue(lan)
    office.revoke(old_id, reason="Printed with a typo.")
    with pytest.raises(services.CertificateError, match="Only a valid certificate"):
        office.reissue(old_id, reason="Typo fixed.")

    [old] = office.certificates()
    assert (old.status, old.superseded_by_id) == (CertificateStatus.REVOKED, None)
    assert office.audit("certificate_reissued") == []


def test_a_reissue_corrects_the_printing_and_keeps_the_hours_date_and_override_of_the_original(office):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    old_id = office.issue(lan)
    office.rules(requires_mentor_signoff=True)  # the rules changed since: a correction does not re-check them
    office.set_name(lan, full_name="Lan Tran")
    office.reissue(old_id, reason="Name corrected.")

    old, new = office.certificates()
    assert (new.pd_hours, new.completed_on, new.override_reason) == (old.pd_hours, old.completed_on,
                                                                     old.override_reason)
    assert (old.printed_name, new.printed_name) == ("Lan Nguyen", "Lan Tran")
    assert office.audit("certificate_override") == []


@pytest.mark.parametrize("action", ["revoke", "reissue"])
def test_two_admins_changing_one_certificate_at_the_same_moment_change_it_once(app, office, action):
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    certificate_id = office.issue(lan)
    barrier = threading.Barrier(2)

    def change(_):
        """One admin's request: its own app context and database session."""
        with app.app_context():
            certificate, by = db.session.get(Certificate, certificate_id), office.admin
            _ = certificate.cohort.program, certificate.trainee, by.roles
            barrier.wait()
            try:
                if action == "revoke":
                    services.revoke(certificate, reason="Issued to the wrong person.", by=by)
                else:
                    services.reissue(certificate, by=by, reason="Name corrected.")
                db.session.commit()
                return "changed"
            except services.CertificateError:
                db.session.rollback()
                return "refused"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(change, range(2)))
    assert outcomes == ["changed", "refused"]
    assert len(office.audit(f"certificate_{action}d")) == 1
    assert len(office.certificates()) == (2 if action == "reissue" else 1)


def test_a_valid_certificate_is_unique_per_trainee_and_program_in_the_database(office):
    from sqlalchemy.exc import IntegrityError

    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    office.issue(lan)
    with office.app.app_context():
        [certificate] = db.session.scalars(select(Certificate)).all()
        copy = {column.key: getattr(certificate, column.key) for column in Certificate.__table__.columns
                if column.key not in ("id", "serial", "code", "sha256")}
        db.session.add(Certificate(**copy, serial="2026-XXXX-YYYY", code="another-code", sha256="0" * 64))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


# Issuing to a cohort


def test_issuing_to_the_cohort_issues_to_the_eligible_in_batches_and_skips_the_rest(office):
    ready = [office.trainee(name) for name in ("Ama Owusu", "Bea Ito", "Cal Moreno")]
    for trainee in ready:
        office.complete(trainee)
    office.trainee("Dana Wu")  # has not completed the course

    def batch(limit):
        with office.work():
            result = services.issue_eligible(office.cohort, by=office.admin, limit=limit)
            return len(result.issued), result.already, result.not_eligible, result.refused

    assert batch(2) == (2, 0, 1, [])
    assert batch(2) == (1, 2, 1, [])
    assert batch(2) == (0, 3, 1, [])
    assert sorted(c.trainee_id for c in office.certificates()) == sorted(t.id for t in ready)


def test_issuing_to_the_cohort_refuses_an_unprintable_name_and_issues_to_the_others(office):
    ama, bea = office.trainee("Ama Owusu"), office.trainee("Bea Ito", native_name=f"Bea {LINEAR_B}")
    for trainee in (ama, bea):
        office.complete(trainee)
    office.set_name(bea, style=NameStyle.OWN_SCRIPT)

    with office.work():
        result = services.issue_eligible(office.cohort, by=office.admin)
        refused = [(person.full_name, reason) for person, reason in result.refused]
    assert len(refused) == 1 and refused[0][0] == "Bea Ito" and LINEAR_B in refused[0][1]
    assert [c.trainee_id for c in office.certificates()] == [ama.id]


@pytest.mark.parametrize("name", ["\u200b", "\u200b\u2060"])
def test_a_name_with_nothing_printable_is_refused_with_a_reason_and_the_others_are_issued(office, name):
    ama, bea = office.trainee("Ama Owusu"), office.trainee("Bea Ito", native_name=name)
    for trainee in (ama, bea):
        office.complete(trainee)
    office.set_name(bea, style=NameStyle.OWN_SCRIPT)

    with office.work():
        result = services.issue_eligible(office.cohort, by=office.admin, workers=2)
        refused = [(person.full_name, reason) for person, reason in result.refused]
    assert refused == [("Bea Ito", str(services.NOT_LAID_OUT))]
    assert [c.trainee_id for c in office.certificates()] == [ama.id]
    with pytest.raises(services.CertificateError, match="cannot be laid out"):
        office.issue(bea)


def test_a_signatory_too_long_to_print_refuses_issuing_with_a_reason_instead_of_failing(office):
    office.rules(signatory_name="W" * 150)
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    with pytest.raises(services.CertificateError, match="cannot be laid out"):
        office.issue(lan)
    assert office.certificates() == []
