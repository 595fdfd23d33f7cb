"""What the mentor and the trainee pages show, each in a fixed number of queries."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload, subqueryload

from lms.accounts.models import User
from lms.courses.models import Cohort
from lms.credentials.models import Certificate, CertificateStatus, MentorSignoff
from lms.enrollment.models import Enrollment, EnrollmentStatus
from lms.enrollment.progress import Progress, progress_of
from lms.extensions import db
from lms.sqltypes import utcnow
from lms.mentoring.models import (
    GroupMember, MentorAssignment, ReflectiveGroup, ReflectiveSession, SessionStatus, session_attendee,
)


@dataclass(frozen=True)
class Mentee:
    assignment: MentorAssignment
    #: (course title, progress) for each course the trainee takes in the assignment's cohort.
    courses: list[tuple[Enrollment, Progress]]
    #: Attendance rate in the cohort (percent), or None before any session was held.
    attendance: float | None = None
    #: Below the program's warning line.
    low_attendance: bool = False
    #: The valid certificate of the cohort's program the mentee holds, if any.
    certificate: Certificate | None = None
    #: Whether this mentor signed the mentee off for the program's certificate.
    signed_off: bool = False


def mentees_with_progress(mentor: User) -> list[Mentee]:
    assignments = db.session.scalars(
        select(MentorAssignment).options(joinedload(MentorAssignment.trainee),
                                         joinedload(MentorAssignment.cohort).joinedload(Cohort.program))
        .where(MentorAssignment.mentor_id == mentor.id, MentorAssignment.ended_at.is_(None))
        .join(User, User.id == MentorAssignment.trainee_id).order_by(User.full_name)).all()
    pairs = {(a.trainee_id, a.cohort_id) for a in assignments}
    enrollments = [e for e in db.session.scalars(
        select(Enrollment).options(joinedload(Enrollment.course))
        .where(Enrollment.user_id.in_({t for t, _ in pairs}), Enrollment.status != EnrollmentStatus.WITHDRAWN)
        .order_by(Enrollment.id)).all() if (e.user_id, e.cohort_id) in pairs]
    progress = progress_of([e.id for e in enrollments])
    rates = _attendance(assignments)
    trainee_ids = {a.trainee_id for a in assignments}
    held = {(c.trainee_id, c.program_id): c for c in db.session.scalars(select(Certificate).where(
        Certificate.trainee_id.in_(trainee_ids), Certificate.status == CertificateStatus.VALID))} if trainee_ids else {}
    signed = {(uid, pid) for uid, pid in db.session.execute(
        select(MentorSignoff.trainee_id, MentorSignoff.program_id).where(
            MentorSignoff.trainee_id.in_(trainee_ids), MentorSignoff.mentor_id == mentor.id))} if trainee_ids else set()
    mentees = []
    for a in assignments:
        percent = rates.get((a.trainee_id, a.cohort_id))
        key = (a.trainee_id, a.cohort.program_id)
        mentees.append(Mentee(
            a, [(e, progress[e.id]) for e in enrollments if (e.user_id, e.cohort_id) == (a.trainee_id, a.cohort_id)],
            percent, percent is not None and percent < a.cohort.program.attendance_warning_percent,
            held.get(key), key in signed))
    return mentees


def _attendance(assignments: list[MentorAssignment]) -> dict[tuple[int, int], float | None]:
    """Each mentee's attendance rate in the assignment's cohort, in one query."""
    from lms.attendance.models import LearningSession
    from lms.attendance.roster import rates

    cohorts = {a.cohort_id: a.cohort for a in assignments}
    if not cohorts:
        return {}
    found = rates(LearningSession.cohort_id.in_(cohorts), by="trainee_cohort", now=utcnow())
    return {(uid, cid): rate.percent(cohorts[cid].program.excused_absences)
            for (uid, cid), rate in found.items() if cid in cohorts}


def current_groups(mentor: User) -> list[ReflectiveGroup]:
    return db.session.scalars(
        select(ReflectiveGroup).options(
            joinedload(ReflectiveGroup.cohort),
            selectinload(ReflectiveGroup.members).joinedload(GroupMember.trainee))
        .where(ReflectiveGroup.mentor_id == mentor.id, ReflectiveGroup.ended_at.is_(None))
        .order_by(ReflectiveGroup.name)).all()


def planned_sessions(mentor: User) -> list[ReflectiveSession]:
    return db.session.scalars(
        select(ReflectiveSession).options(joinedload(ReflectiveSession.group))
        .where(ReflectiveSession.mentor_id == mentor.id, ReflectiveSession.status == SessionStatus.PLANNED)
        .order_by(ReflectiveSession.held_on)).all()


@dataclass(frozen=True)
class Hours:
    sessions: int
    minutes: int
    group_minutes: int


def logged_hours(mentor: User, since: date | None = None) -> Hours:
    """Sessions and minutes the mentor logged, summed in the database."""
    is_group = ReflectiveSession.group_id.is_not(None)
    stmt = select(func.count(), func.coalesce(func.sum(ReflectiveSession.duration_minutes), 0),
                  func.coalesce(func.sum(ReflectiveSession.duration_minutes).filter(is_group), 0)).where(
        ReflectiveSession.mentor_id == mentor.id, ReflectiveSession.status == SessionStatus.LOGGED)
    if since is not None:
        stmt = stmt.where(ReflectiveSession.held_on >= since)
    count, minutes, group_minutes = db.session.execute(stmt).one()
    return Hours(count, int(minutes), int(group_minutes))


def my_mentors(trainee: User) -> list[MentorAssignment]:
    return db.session.scalars(
        select(MentorAssignment).options(joinedload(MentorAssignment.mentor), joinedload(MentorAssignment.cohort))
        .where(MentorAssignment.trainee_id == trainee.id).order_by(MentorAssignment.started_at.desc())).all()


def my_groups(trainee: User) -> list[ReflectiveGroup]:
    return db.session.scalars(
        select(ReflectiveGroup).join(GroupMember, GroupMember.group_id == ReflectiveGroup.id)
        .options(joinedload(ReflectiveGroup.mentor), joinedload(ReflectiveGroup.cohort))
        .where(GroupMember.trainee_id == trainee.id, GroupMember.left_at.is_(None),
               ReflectiveGroup.ended_at.is_(None)).order_by(ReflectiveGroup.name)).all()


def attended_sessions(trainee: User) -> list[ReflectiveSession]:
    """Logged sessions the trainee attended, newest first, with their mentor and topics."""
    return db.session.scalars(
        select(ReflectiveSession).join(session_attendee, session_attendee.c.session_id == ReflectiveSession.id)
        .options(joinedload(ReflectiveSession.mentor), joinedload(ReflectiveSession.group),
                 subqueryload(ReflectiveSession.topics))
        .where(session_attendee.c.trainee_id == trainee.id, ReflectiveSession.status == SessionStatus.LOGGED)
        .order_by(ReflectiveSession.held_on.desc(), ReflectiveSession.id.desc())).all()
