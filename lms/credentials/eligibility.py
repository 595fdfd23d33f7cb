"""Who has met a program's certificate rules: a checklist a trainee, computed for a whole cohort at once.

The checks are the program's required courses (none chosen: every course the cohort runs), the
attendance rate at learning sessions (the program's warning line is the minimum), reflective-practice
hours (individual, group and in all), and optionally a mentor's sign-off and a course evaluation for
every required course. A cohort of any size costs the same handful of queries.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_decimal
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.attendance.models import LearningSession
from lms.attendance.roster import rates
from lms.courses.models import Cohort, Course
from lms.credentials.models import Certificate, CertificateRule, CertificateStatus, MentorSignoff
from lms.enrollment.models import CourseEvaluation, Enrollment, EnrollmentStatus
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.mentoring.models import (
    MentorAssignment, ReflectiveGroup, ReflectiveSession, SessionStatus, session_attendee,
)
from lms.sqltypes import utcnow


@dataclass(frozen=True)
class Check:
    """One line of the checklist; `label` and `detail` are lazy strings, translated when shown."""

    key: str
    label: object
    met: bool
    detail: object = ""


@dataclass
class Eligibility:
    trainee: User
    cohort: Cohort
    checks: list[Check] = field(default_factory=list)
    pd_hours: Decimal = Decimal("0")
    #: The day the last required course was completed.
    completed_on: date | None = None
    certificate: Certificate | None = None

    @property
    def eligible(self) -> bool:
        return all(check.met for check in self.checks)

    @property
    def missing(self) -> list[Check]:
        return [check for check in self.checks if not check.met]


def rule_for(program_id: int) -> CertificateRule:
    """The program's rule; a new, unsaved one with the defaults when none was set."""
    rule = db.session.scalars(select(CertificateRule).options(selectinload(CertificateRule.courses))
                              .where(CertificateRule.program_id == program_id)).first()
    return rule or CertificateRule(program_id=program_id, min_individual_hours=Decimal("0"),
                                   min_group_hours=Decimal("0"), min_total_hours=Decimal("0"),
                                   requires_attendance=True, requires_mentor_signoff=False,
                                   requires_evaluation=False, issuer="", signatory_name="", signatory_title="")


def required_courses(rule: CertificateRule, cohort: Cohort) -> list[Course]:
    """The courses the rule names, or else every course the cohort runs that is not archived."""
    if rule.courses:
        return list(rule.courses)
    return sorted((c for c in cohort.courses if not c.is_archived), key=lambda c: c.code)


def cohort_trainee_ids(cohort: Cohort, among: list[int] | None = None) -> list[int]:
    """Everyone holding a seat in a course of the cohort (of those in `among`, if given)."""
    query = select(Enrollment.user_id).distinct().where(Enrollment.cohort_id == cohort.id,
                                                        Enrollment.status == EnrollmentStatus.ENROLLED)
    if among is not None:
        query = query.where(Enrollment.user_id.in_(among))
    return list(db.session.scalars(query))


def cohort_eligibility(cohort: Cohort, trainee_ids: list[int] | None = None) -> list[Eligibility]:
    """The checklist of each trainee of the cohort (or of those given who hold a seat in it), by name."""
    ids = cohort_trainee_ids(cohort, None if trainee_ids is None else list(trainee_ids))
    if not ids:
        return []
    program = cohort.program
    rule = rule_for(program.id)
    courses = required_courses(rule, cohort)
    course_ids = [c.id for c in courses]
    people = db.session.scalars(select(User).where(User.id.in_(ids)).order_by(func.lower(User.full_name),
                                                                              User.id)).all()
    enrollments = {(e.user_id, e.course_id): e for e in db.session.execute(
        select(Enrollment.user_id, Enrollment.course_id, Enrollment.completed_at,
               CourseEvaluation.id.label("evaluated"))
        .outerjoin(CourseEvaluation, CourseEvaluation.enrollment_id == Enrollment.id)
        .where(Enrollment.user_id.in_(ids), Enrollment.course_id.in_(course_ids)))}
    attendance = rates(LearningSession.cohort_id == cohort.id, by="trainee", now=utcnow()) \
        if rule.requires_attendance else {}
    hours = _reflective_hours(ids, program.id)
    signed = set(db.session.scalars(select(MentorSignoff.trainee_id).where(
        MentorSignoff.program_id == program.id, MentorSignoff.trainee_id.in_(ids)))) \
        if rule.requires_mentor_signoff else set()
    held = {c.trainee_id: c for c in db.session.scalars(select(Certificate).where(
        Certificate.program_id == program.id, Certificate.trainee_id.in_(ids),
        Certificate.status == CertificateStatus.VALID))}

    result = []
    for person in people:
        found = Eligibility(person, cohort, certificate=held.get(person.id))
        done = [enrollments.get((person.id, c.id)) for c in courses]
        for course, row in zip(courses, done):
            completed = row is not None and row.completed_at is not None
            found.checks.append(Check(f"course:{course.id}", _l("Course %(code)s: %(title)s completed",
                                                                code=course.code, title=course.title), completed))
            if completed:
                found.pd_hours += course.pd_hours
        finished = [program_day(row.completed_at) for row in done if row is not None and row.completed_at is not None]
        found.completed_on = max(finished) if finished and len(finished) == len(courses) else None
        if rule.requires_attendance:
            rate = attendance.get(person.id)
            percent = rate.percent(program.excused_absences) if rate else None
            found.checks.append(Check(
                "attendance", _l("Attendance at learning sessions of at least %(min)s%%",
                                 min=program.attendance_warning_percent),
                percent is None or percent >= program.attendance_warning_percent,
                _l("No session counted yet") if percent is None else _l("%(percent)s%% so far",
                                                                        percent=_number(percent))))
        individual, group = hours.get(person.id, (Decimal("0"), Decimal("0")))
        for key, label, have, need in (
                ("individual_hours", _l("Individual reflective-practice hours"), individual, rule.min_individual_hours),
                ("group_hours", _l("Group reflective-practice hours"), group, rule.min_group_hours),
                ("total_hours", _l("Reflective-practice hours in all"), individual + group, rule.min_total_hours)):
            if need and need > 0:
                found.checks.append(Check(key, label, have >= need,
                                          _l("%(have)s of %(need)s hours", have=_number(have), need=_number(need))))
        if rule.requires_mentor_signoff:
            found.checks.append(Check("signoff", _l("Mentor's sign-off"), person.id in signed))
        if rule.requires_evaluation:
            found.checks.append(Check("evaluation", _l("A course evaluation for every required course"),
                                      all(row is not None and row.evaluated is not None for row in done)))
        result.append(found)
    return result


def trainee_eligibility(trainee: User) -> list[Eligibility]:
    """The trainee's checklist in each cohort they hold a seat in."""
    cohorts = db.session.scalars(select(Cohort).where(Cohort.id.in_(
        select(Enrollment.cohort_id).where(Enrollment.user_id == trainee.id,
                                           Enrollment.status == EnrollmentStatus.ENROLLED)))
                                 .order_by(Cohort.starts_on)).all()
    return [found for cohort in cohorts for found in cohort_eligibility(cohort, [trainee.id])]


def _reflective_hours(ids: list[int], program_id: int) -> dict[int, tuple[Decimal, Decimal]]:
    """Hours of logged reflective sessions each person attended in the program: (individual, group).

    A group session counts when its group belongs to a cohort of the program; a one-to-one session
    when its mentor was (at any time) the person's mentor in a cohort of the program.
    """
    S = ReflectiveSession
    program_cohorts = select(Cohort.id).where(Cohort.program_id == program_id)
    in_program = or_(
        S.group_id.in_(select(ReflectiveGroup.id).where(ReflectiveGroup.cohort_id.in_(program_cohorts))),
        and_(S.group_id.is_(None), exists().where(
            MentorAssignment.mentor_id == S.mentor_id, MentorAssignment.trainee_id == session_attendee.c.trainee_id,
            MentorAssignment.cohort_id.in_(program_cohorts))))
    group = S.group_id.is_not(None)
    rows = db.session.execute(
        select(session_attendee.c.trainee_id,
               func.sum(case((group, 0), else_=S.duration_minutes)),
               func.sum(case((group, S.duration_minutes), else_=0)))
        .join(S, S.id == session_attendee.c.session_id)
        .where(session_attendee.c.trainee_id.in_(ids), S.status == SessionStatus.LOGGED, in_program)
        .group_by(session_attendee.c.trainee_id))
    return {uid: (_hours(individual), _hours(grouped)) for uid, individual, grouped in rows}


def program_day(moment: datetime) -> date:
    """The day a moment falls on in the program's time zone (LMS_TIMEZONE)."""
    return moment.astimezone(ZoneInfo(current_app.config["LMS_TIMEZONE"])).date()


def _number(value) -> str:
    """A rate or a number of hours as the reader's language writes it, without a needless ".0"."""
    return format_decimal(value, format="#,##0.#")


def _hours(minutes) -> Decimal:
    return (Decimal(int(minutes or 0)) / 60).quantize(Decimal("0.1"))
