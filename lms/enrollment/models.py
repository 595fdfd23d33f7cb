"""Enrollments, progress on modules, and course evaluations."""

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint, Enum, ForeignKey, ForeignKeyConstraint, Index, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from lms.accounts.models import User
from lms.courses.models import LANGUAGE_MAX, Cohort, Course, Module
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.sqltypes import UTCDateTime, utcnow

REFLECTION_MAX = 10_000
COMMENT_MAX = 5_000


class EnrollmentStatus(enum.StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"

    @property
    def label(self):
        return STATUS_LABELS[self]


STATUS_LABELS = {
    EnrollmentStatus.ENROLLED: _l("Enrolled"),
    EnrollmentStatus.WAITLISTED: _l("On the waitlist"),
    EnrollmentStatus.WITHDRAWN: _l("Withdrawn"),
}


class Enrollment(db.Model):
    """One person's place in one course: at most one per person and course, in any language."""

    __tablename__ = "lms_enrollment"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        ForeignKeyConstraint(["cohort_id", "course_id"],
                             ["lms_cohort_course.cohort_id", "lms_cohort_course.course_id"],
                             name="fk_lms_enrollment_offering"),
        CheckConstraint("status <> 'enrolled' OR enrolled_at IS NOT NULL", name="enrolled_has_date"),
        CheckConstraint("status <> 'waitlisted' OR waitlisted_at IS NOT NULL", name="waitlist_has_date"),
        CheckConstraint("completed_at IS NULL OR status = 'enrolled'", name="completed_is_enrolled"),
        Index("ix_lms_enrollment_offering_status", "cohort_id", "course_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("lms_cohort.id"))
    #: The language the person takes the course in; changing it keeps their progress.
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX))
    status: Mapped[EnrollmentStatus] = mapped_column(Enum(
        EnrollmentStatus, name="enrollment_status", native_enum=False, create_constraint=True,
        length=16, values_callable=lambda members: [m.value for m in members]))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the person got a seat (latest, if they withdrew and came back).
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Place in the waitlist: the earliest gets the next free seat.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    #: Filled by roster queries (with_expression): required modules completed.
    done_modules: Mapped[int | None] = query_expression()

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    cohort: Mapped[Cohort] = relationship()
    progress: Mapped[list["ModuleProgress"]] = relationship(
        back_populates="enrollment", cascade="all, delete-orphan")
    evaluation: Mapped["CourseEvaluation | None"] = relationship(back_populates="enrollment")


class EnrollmentPeriod(db.Model):
    """A span of time during which a person held a seat in a course; rosters are built from these.

    Withdrawing ends the open period; getting a seat again starts a new one, so a person is never on
    the roster of a session held before they enrolled or while they were away.
    """

    __tablename__ = "lms_enrollment_period"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        Index("ix_lms_enrollment_period_offering", "cohort_id", "course_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrollment.id", ondelete="CASCADE"), index=True)
    #: Copied from the enrollment so rosters need no join through it.
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("lms_cohort.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ModuleProgress(db.Model):
    """What a trainee did in a module: completed it, and their private reflection."""

    __tablename__ = "lms_module_progress"

    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("lms_enrollment.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("lms_module.id"), primary_key=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The trainee's answer to the reflection prompt; private unless shared below.
    reflection: Mapped[str | None] = mapped_column(Text)
    #: The trainee chose to let their mentor read the reflection.
    reflection_shared: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    enrollment: Mapped[Enrollment] = relationship(back_populates="progress")
    module: Mapped[Module] = relationship()


class CourseEvaluation(db.Model):
    """A trainee's evaluation of a course they finished; ratings from 1 to 5."""

    __tablename__ = "lms_course_evaluation"
    __table_args__ = tuple(
        CheckConstraint(f"{column} BETWEEN 1 AND 5", name=f"{column}_range")
        for column in ("rating_overall", "rating_relevance", "rating_language")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrollment.id"), unique=True)
    #: Denormalised from the enrollment, so summaries per course need no join.
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"), index=True)
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX))
    rating_overall: Mapped[int]
    #: "What I learned applies to my work with children and families."
    rating_relevance: Mapped[int]
    #: "I could learn in a language I am comfortable with."
    rating_language: Mapped[int]
    comments: Mapped[str] = mapped_column(Text, default="")
    #: The trainee agreed that the program may quote the comments, without their name.
    consent_to_quote: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    enrollment: Mapped[Enrollment] = relationship(back_populates="evaluation")
