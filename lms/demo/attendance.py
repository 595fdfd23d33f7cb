"""The demo program's sessions: weekly course sessions with attendance taken, and some coming up.

None falls on the day the demo is built, so what it holds does not depend on the hour it is built at (a
session held that evening but not marked would count as missed by everyone).
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from lms.accounts.models import User
from lms.attendance import services
from lms.attendance.models import LearningSession, SessionKind, Status
from lms.attendance.roster import roster_ids
from lms.core.clock import program_today
from lms.courses.models import Cohort, Course
from lms.extensions import db
from lms.enrollment.models import Enrollment, EnrollmentPeriod
from lms.mentoring.models import GroupMember, ReflectiveGroup


def build_attendance(admin: User) -> None:
    if db.session.scalar(select(LearningSession.id).limit(1)) is not None:
        return
    zone = ZoneInfo(current_app.config["LMS_TIMEZONE"])
    cohort = db.session.scalars(select(Cohort).order_by(Cohort.id)).first()
    course = db.session.scalar(select(Course).where(Course.code == "BCL-101"))
    rosa = db.session.scalar(select(User).where(User.email == "rosa.maria.delgado@example.org"))
    today = program_today()
    _backdate(cohort, datetime.combine(cohort.starts_on, time(9, 0), zone))
    for week in (-4, -3, -2, -1, 1, 2):
        day = today + timedelta(weeks=week)
        starts = datetime.combine(day, time(18, 0), zone)
        session = services.save_session(
            LearningSession(), kind=SessionKind.COURSE, title=f"{course.code} · {day:%b %d}",
            starts_at=starts, ends_at=starts + timedelta(hours=2), facilitator=rosa, language="es",
            video_url="https://meet.example.org/bcl-101", course=course, cohort=cohort)
        if week < 0:
            people = sorted(roster_ids(session))
            # About one in five misses a session; the first person on the roster misses the last two (a warning).
            missed = {uid for uid in people if (uid + week) % 5 == 0} | ({people[0]} if week >= -2 else set())
            services.mark(session, [services.Mark(uid, Status.ABSENT if uid in missed else Status.PRESENT,
                                                  0 if uid in missed else 120) for uid in people],
                          by=rosa, source=services.Source.FACILITATOR)
    group = db.session.scalar(select(ReflectiveGroup).order_by(ReflectiveGroup.id))
    if group is not None:
        starts = datetime.combine(today + timedelta(days=3), time(17, 30), zone)
        services.save_session(LearningSession(), kind=SessionKind.GROUP, title=group.name, starts_at=starts,
                              ends_at=starts + timedelta(minutes=90), facilitator=group.mentor, language="es",
                              place="Community center, room 2", group=group)


def _backdate(cohort: Cohort, when: datetime) -> None:
    """The demo's people enrolled when the cohort began, not when the demo was built."""
    db.session.execute(update(EnrollmentPeriod).where(EnrollmentPeriod.cohort_id == cohort.id)
                       .values(started_at=when))
    db.session.execute(update(Enrollment).where(Enrollment.cohort_id == cohort.id, Enrollment.enrolled_at.is_not(None))
                       .values(enrolled_at=when))
    group_ids = select(ReflectiveGroup.id).where(ReflectiveGroup.cohort_id == cohort.id)
    db.session.execute(update(GroupMember).where(GroupMember.group_id.in_(group_ids)).values(joined_at=when))
