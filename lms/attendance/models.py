"""Sessions people attend, and who was there.

A session belongs to a course in a cohort, to a whole cohort, or to a reflective group. Its roster is
computed from enrollment periods and group memberships at its start, never stored, so nobody is on
the roster of a session held before they joined.
"""

import enum
import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.courses.models import LANGUAGE_MAX, NAME_MAX, Cohort, Course
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.mentoring.models import ReflectiveGroup
from lms.sqltypes import UTCDateTime, string_enum, utcnow

URL_MAX = 500
PLACE_MAX = 300


class SessionKind(enum.StrEnum):
    COURSE = "course"
    COHORT = "cohort"
    GROUP = "group"

    @property
    def label(self):
        return {SessionKind.COURSE: _l("Course session"), SessionKind.COHORT: _l("Cohort gathering"),
                SessionKind.GROUP: _l("Reflective group meeting")}[self]


class Status(enum.StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"

    @property
    def label(self):
        return {Status.PRESENT: _l("Present"), Status.LATE: _l("Late"), Status.EXCUSED: _l("Excused"),
                Status.ABSENT: _l("Absent")}[self]


class Source(enum.StrEnum):
    FACILITATOR = "facilitator"
    CHECK_IN = "check_in"
    IMPORT = "import"


def new_secret() -> str:
    return secrets.token_hex(20)


class LearningSession(db.Model):
    __tablename__ = "lms_learning_session"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "(kind = 'course' AND course_id IS NOT NULL AND cohort_id IS NOT NULL AND group_id IS NULL) OR "
            "(kind = 'cohort' AND course_id IS NULL AND cohort_id IS NOT NULL AND group_id IS NULL) OR "
            "(kind = 'group' AND course_id IS NULL AND group_id IS NOT NULL)", name="scope_matches_kind"),
        Index("ix_lms_learning_session_cohort_starts", "cohort_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SessionKind] = mapped_column(string_enum(SessionKind, "session_kind"))
    title: Mapped[str] = mapped_column(String(NAME_MAX))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("lms_course.id"))
    #: The cohort of a course or cohort session; for a group meeting, the group's cohort.
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("lms_cohort.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("lms_reflective_group.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(PLACE_MAX), default="")
    video_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX))
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    #: Cancelled sessions stay listed, marked, and count for nobody's attendance.
    is_cancelled: Mapped[bool] = mapped_column(default=False)
    #: Seeds the check-in codes that change every minute; never shown.
    checkin_secret: Mapped[str] = mapped_column(String(64), default=new_secret)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course | None] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    group: Mapped[ReflectiveGroup | None] = relationship()
    facilitator: Mapped[User] = relationship()


class AttendanceRecord(db.Model):
    """How one person on the roster attended one session; no row means not marked (absent once held)."""

    __tablename__ = "lms_attendance_record"
    __table_args__ = (CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes_not_negative"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("lms_learning_session.id", ondelete="CASCADE"),
                                            primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), primary_key=True, index=True)
    status: Mapped[Status] = mapped_column(string_enum(Status, "attendance_status"))
    minutes: Mapped[int | None]
    source: Mapped[Source] = mapped_column(string_enum(Source, "attendance_source"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who marked it; the trainee themselves for a check-in.
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])


class AttendanceChange(db.Model):
    """Every marking ever made, oldest first: who changed what, and when."""

    __tablename__ = "lms_attendance_change"
    __table_args__ = (Index("ix_lms_attendance_change_session", "session_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("lms_learning_session.id", ondelete="CASCADE"))
    trainee_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    status: Mapped[Status] = mapped_column(string_enum(Status, "attendance_status"))
    minutes: Mapped[int | None]
    source: Mapped[Source] = mapped_column(string_enum(Source, "attendance_source"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))

    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])


class CalendarToken(db.Model):
    """The secret in a person's calendar-feed address; resetting it retires the old address."""

    __tablename__ = "lms_calendar_token"

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
