"""Schedule sessions and take attendance. Services flush; the caller commits.

Only a session's facilitator or an admin marks attendance, and only for people on its roster: an id
that is not on the roster is refused, whoever sends it. Every change is kept with who made it.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import format_datetime
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from lms.accounts.models import Role, User
from lms.attendance.models import AttendanceChange, AttendanceRecord, LearningSession, SessionKind, Source, Status
from lms.attendance.roster import roster_ids
from lms.core.clock import program_now
from lms.courses.models import Cohort, Course, cohort_course
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.mentoring.models import ReflectiveGroup
from lms.sqltypes import utcnow


class AttendanceError(ValueError):
    """A rule refused the change; `field` names the form field it concerns, if any."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class AttendanceConflict(AttendanceError):
    """Someone else changed these records since the page was loaded; `changed` maps trainee ids to them."""

    def __init__(self, changed: dict[int, "AttendanceRecord | None"]):
        super().__init__(_l("Someone else changed attendance since you opened this page. Nothing was saved."))
        self.changed = changed


def lacks_second_factor(user: User) -> bool:
    """An admin who has not set up the second factor the program requires: no admin powers yet."""
    return (user.has_role(Role.ADMIN) and current_app.config["LMS_ADMIN_REQUIRES_2FA"]
            and not user.two_factor_enabled)


def can_take_attendance(user: User, session: LearningSession) -> bool:
    """The session's facilitator while still a mentor, or an admin using the second factor."""
    if user.has_role(Role.ADMIN) and not lacks_second_factor(user):
        return True
    return user.id == session.facilitator_id and user.has_role(Role.MENTOR)


def lock_session(session: LearningSession) -> None:
    """Serialise marking in one session: a no-op update takes the row's write lock until commit.

    Check-ins, facilitators and imports then read the session's records only once they hold it, so two
    of them never both insert the same person's record (see lms.enrollment.services.lock_offering).
    """
    db.session.execute(update(LearningSession).where(LearningSession.id == session.id)
                       .values(id=LearningSession.id))


def save_session(session: LearningSession, *, kind: SessionKind, title: str, starts_at: datetime,
                 ends_at: datetime, facilitator: User, language: str, place: str = "", video_url: str = "",
                 course: Course | None = None, cohort: Cohort | None = None,
                 group: ReflectiveGroup | None = None) -> LearningSession:
    """Create or update a session; its scope must match its kind."""
    if ends_at <= starts_at:
        raise AttendanceError(_l("The session must end after it starts."), "ends_at")
    if not (facilitator.has_role(Role.MENTOR) or facilitator.has_role(Role.ADMIN)):
        raise AttendanceError(_l("The facilitator must be a mentor or an administrator."), "facilitator")
    if kind is SessionKind.COURSE:
        if course is None or cohort is None or not db.session.scalar(
                select(func.count()).select_from(cohort_course).where(
                    cohort_course.c.cohort_id == cohort.id, cohort_course.c.course_id == course.id)):
            raise AttendanceError(_l("Choose a course that this cohort runs."), "course")
        group = None
    elif kind is SessionKind.COHORT:
        if cohort is None:
            raise AttendanceError(_l("Choose a cohort."), "cohort")
        course, group = None, None
    else:
        if group is None:
            raise AttendanceError(_l("Choose a reflective group."), "group")
        course, cohort = None, group.cohort
    session.kind, session.title, session.starts_at, session.ends_at = kind, title, starts_at, ends_at
    session.facilitator_id, session.language, session.place, session.video_url = (
        facilitator.id, language, place or "", video_url or "")
    session.course_id = course.id if course else None
    session.cohort_id = cohort.id if cohort else None
    session.group_id = group.id if group else None
    db.session.add(session)
    db.session.flush()
    return session


def set_cancelled(session: LearningSession, cancelled: bool) -> None:
    """Cancel or restore a session; asking for the state it is in changes nothing."""
    session.is_cancelled = cancelled
    db.session.flush()


def marking_is_open(session: LearningSession, now: datetime | None = None) -> bool:
    """A facilitator or an import marks a session once it has started; check-in keeps its own window."""
    return (now or program_now()) >= session.starts_at


def not_started(session: LearningSession):
    """What a facilitator is told when marking or importing a session that has not started."""
    return _l("This session has not started yet. Attendance can be marked from %(time)s.",
              time=format_datetime(session.starts_at, "short"))


#: What a page showed for a person: (status, minutes), or (None, None) when they were not marked.
Shown = tuple[Status | None, int | None]
NOT_MARKED: Shown = (None, None)


def shown(record: AttendanceRecord | None) -> Shown:
    return (record.status, record.minutes) if record is not None else NOT_MARKED


@dataclass(frozen=True)
class Mark:
    trainee_id: int
    status: Status
    minutes: int | None = None
    #: What the page showed when it was loaded; None when the mark does not come from a page.
    seen: Shown | None = None


def mark(session: LearningSession, marks: list[Mark], *, by: User | None, source: Source) -> int:
    """Record attendance for people on the roster; return how many records changed.

    Refuses the whole batch if any id is not on the roster. A mark identical to the record changes nothing
    and adds no history, so importing the same report twice is harmless. A mark from a page (`seen` set)
    that is what the page showed is left out; one whose record changed since the page was loaded refuses
    the whole batch with AttendanceConflict, so a stale page never undoes someone else's newer mark.
    """
    if session.is_cancelled:
        raise AttendanceError(_l("This session was cancelled."))
    if source is not Source.CHECK_IN and not marking_is_open(session):
        raise AttendanceError(not_started(session))
    on_roster = roster_ids(session)
    if any(m.trainee_id not in on_roster for m in marks):
        raise AttendanceError(_l("Attendance can only be taken for people on this session's roster."))
    marks = [m for m in marks if m.seen is None or m.seen != (m.status, m.minutes)]
    lock_session(session)
    records = {r.trainee_id: r for r in db.session.scalars(select(AttendanceRecord).where(
        AttendanceRecord.session_id == session.id,
        AttendanceRecord.trainee_id.in_([m.trainee_id for m in marks])).execution_options(populate_existing=True))}
    changed_since = {m.trainee_id: records.get(m.trainee_id) for m in marks
                     if m.seen is not None and shown(records.get(m.trainee_id)) != m.seen}
    if changed_since:
        raise AttendanceConflict(changed_since)
    now, changed = utcnow(), 0
    for m in marks:
        record = records.get(m.trainee_id)
        if record is not None and (record.status, record.minutes) == (m.status, m.minutes):
            continue
        if record is None:
            record = AttendanceRecord(session_id=session.id, trainee_id=m.trainee_id)
            db.session.add(record)
        record.status, record.minutes, record.source = m.status, m.minutes, source
        record.updated_at, record.updated_by_id = now, by.id if by else None
        db.session.add(AttendanceChange(session_id=session.id, trainee_id=m.trainee_id, status=m.status,
                                        minutes=m.minutes, source=source, changed_at=now,
                                        changed_by_id=by.id if by else None))
        changed += 1
    db.session.flush()
    return changed


def session_minutes(session: LearningSession) -> int:
    return int((session.ends_at - session.starts_at).total_seconds() // 60)


def mark_all_present(session: LearningSession, *, by: User) -> int:
    """Mark everyone on the roster who is not marked yet as present for the whole session."""
    lock_session(session)
    marked = set(db.session.scalars(select(AttendanceRecord.trainee_id).where(
        AttendanceRecord.session_id == session.id)))
    minutes = session_minutes(session)
    return mark(session, [Mark(uid, Status.PRESENT, minutes) for uid in roster_ids(session) - marked],
                by=by, source=Source.FACILITATOR)


def records_of(session: LearningSession) -> dict[int, AttendanceRecord]:
    return {r.trainee_id: r for r in db.session.scalars(
        select(AttendanceRecord).where(AttendanceRecord.session_id == session.id)
        .execution_options(populate_existing=True))}


def history(session: LearningSession) -> list[AttendanceChange]:
    return db.session.scalars(
        select(AttendanceChange).options(joinedload(AttendanceChange.changed_by))
        .where(AttendanceChange.session_id == session.id).order_by(AttendanceChange.id.desc())).all()
