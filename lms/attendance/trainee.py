"""What a person sees of their sessions: upcoming ones, check-ins open now, and their attendance rates."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.attendance import checkin
from lms.attendance.models import AttendanceRecord, CalendarToken, LearningSession
from lms.attendance.roster import Rate, roster_pairs, trainee_rates
from lms.courses.models import Cohort, Program
from lms.extensions import db
from lms.sqltypes import utcnow


@dataclass(frozen=True)
class CohortAttendance:
    cohort: Cohort
    rate: Rate
    percent: float | None
    warning: bool


@dataclass(frozen=True)
class Overview:
    upcoming: list[LearningSession]
    open_now: list[LearningSession]
    past: list[tuple[LearningSession, AttendanceRecord | None]]
    attendance: list[CohortAttendance]
    calendar_token: CalendarToken | None


def attendance_by_cohort(user: User) -> list[CohortAttendance]:
    """The person's rate in each cohort, with the program's rule for excused absences and its warning line."""
    rates = trainee_rates(user.id, now=utcnow())
    cohorts = db.session.scalars(select(Cohort).options(joinedload(Cohort.program))
                                 .where(Cohort.id.in_(rates))).all() if rates else []
    result = []
    for cohort in cohorts:
        program: Program = cohort.program
        percent = rates[cohort.id].percent(program.excused_absences)
        result.append(CohortAttendance(cohort, rates[cohort.id], percent,
                                       percent is not None and percent < program.attendance_warning_percent))
    return result


def my_overview(user: User) -> Overview:
    now = utcnow()
    pairs = roster_pairs(LearningSession.starts_at >= now - timedelta(days=60), user_id=user.id)
    rows = db.session.execute(
        select(LearningSession, AttendanceRecord)
        .options(joinedload(LearningSession.facilitator))
        .outerjoin(AttendanceRecord, and_(AttendanceRecord.session_id == LearningSession.id,
                                          AttendanceRecord.trainee_id == user.id))
        .where(LearningSession.id.in_(select(pairs.c.session_id)))
        .order_by(LearningSession.starts_at)).all()
    return Overview(
        upcoming=[s for s, _ in rows if s.starts_at > now and not s.is_cancelled][:20],
        open_now=[s for s, _ in rows if checkin.is_open(s, now)],
        past=[(s, r) for s, r in rows if s.ends_at < now][::-1][:30],
        attendance=attendance_by_cohort(user),
        calendar_token=db.session.get(CalendarToken, user.id),
    )
