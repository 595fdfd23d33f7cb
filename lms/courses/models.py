"""Programs run cohorts; courses hold ordered modules; translations carry other languages."""

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint, Column, Date, ForeignKey, Numeric, String, Table, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.sqltypes import UTCDateTime, string_enum, utcnow

NAME_MAX = 200
CODE_MAX = 32
SUMMARY_MAX = 2_000
CONTENT_MAX = 100_000
PROMPT_MAX = 2_000
LANGUAGE_MAX = 16


class CourseFormat(enum.StrEnum):
    SELF_PACED = "self_paced"
    LIVE_VIRTUAL = "live_virtual"
    IN_PERSON = "in_person"

    @property
    def label(self):
        return FORMAT_LABELS[self]


FORMAT_LABELS = {
    CourseFormat.SELF_PACED: _l("Self-paced online"),
    CourseFormat.LIVE_VIRTUAL: _l("Live virtual"),
    CourseFormat.IN_PERSON: _l("In person"),
}


class Program(db.Model):
    __tablename__ = "lms_program"
    __table_args__ = (
        CheckConstraint("excused_absences IN ('attended', 'excluded', 'absent')", name="excused_rule"),
        CheckConstraint("attendance_warning_percent BETWEEN 0 AND 100", name="warning_percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: How an excused absence counts in attendance rates: as attended, left out, or as absent.
    excused_absences: Mapped[str] = mapped_column(String(16), default="excluded")
    #: Below this attendance rate (percent), trainees, their mentor and admins see a warning.
    attendance_warning_percent: Mapped[int] = mapped_column(default=70)

    cohorts: Mapped[list["Cohort"]] = relationship(back_populates="program", order_by="Cohort.starts_on")
    courses: Mapped[list["Course"]] = relationship(back_populates="program", order_by="Course.code")


#: Which courses a cohort runs. Enrollments point at a row here, so a course can only be
#: taken in a cohort that offers it.
cohort_course = Table(
    "lms_cohort_course", db.metadata,
    Column("cohort_id", ForeignKey("lms_cohort.id", ondelete="CASCADE"), primary_key=True),
    Column("course_id", ForeignKey("lms_course.id", ondelete="CASCADE"), primary_key=True),
)

course_prerequisite = Table(
    "lms_course_prerequisite", db.metadata,
    Column("course_id", ForeignKey("lms_course.id", ondelete="CASCADE"), primary_key=True),
    Column("prerequisite_id", ForeignKey("lms_course.id", ondelete="CASCADE"), primary_key=True),
    CheckConstraint("course_id <> prerequisite_id", name="not_itself"),
)


class Cohort(db.Model):
    """Trainees who run through a program's courses together, in given languages."""

    __tablename__ = "lms_cohort"
    __table_args__ = (
        UniqueConstraint("program_id", "name"),
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint(
            "enrollment_opens_on IS NULL OR enrollment_closes_on IS NULL "
            "OR enrollment_closes_on >= enrollment_opens_on", name="window_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("lms_program.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: Seats in each course the cohort runs.
    capacity: Mapped[int]
    #: The admin's switch; enrollment also needs today inside the window, where one is set.
    enrollment_open: Mapped[bool] = mapped_column(default=True)
    enrollment_opens_on: Mapped[date | None] = mapped_column(Date)
    enrollment_closes_on: Mapped[date | None] = mapped_column(Date)
    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    program: Mapped[Program] = relationship(back_populates="cohorts")
    language_rows: Mapped[list["CohortLanguage"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CohortLanguage.language")
    courses: Mapped[list["Course"]] = relationship(
        secondary=cohort_course, back_populates="cohorts", order_by="Course.code")

    @property
    def languages(self) -> list[str]:
        return [row.language for row in self.language_rows]

    @languages.setter
    def languages(self, codes: list[str]) -> None:
        self.language_rows = [CohortLanguage(language=code) for code in dict.fromkeys(codes)]

    def accepts_enrollment_on(self, day: date) -> bool:
        return (self.enrollment_open and not self.is_archived
                and (self.enrollment_opens_on is None or day >= self.enrollment_opens_on)
                and (self.enrollment_closes_on is None or day <= self.enrollment_closes_on))


class CohortLanguage(db.Model):
    """A language of instruction of a cohort."""

    __tablename__ = "lms_cohort_language"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("lms_cohort.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX), primary_key=True)


class Course(db.Model):
    __tablename__ = "lms_course"
    __table_args__ = (CheckConstraint("pd_hours >= 0", name="hours_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("lms_program.id"), index=True)
    #: A short reference shown in lists and rosters, e.g. "BCL-101".
    code: Mapped[str] = mapped_column(String(CODE_MAX), unique=True)
    #: The language the title, summary and modules are written in; translations add others.
    default_language: Mapped[str] = mapped_column(String(LANGUAGE_MAX), default="en")
    title: Mapped[str] = mapped_column(String(NAME_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Professional-development hours earned on completion.
    pd_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    format: Mapped[CourseFormat] = mapped_column(string_enum(CourseFormat, "course_format"))
    #: Modules open one after another: each needs the required modules before it completed.
    sequential: Mapped[bool] = mapped_column(default=False)
    is_archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    program: Mapped[Program] = relationship(back_populates="courses")
    modules: Mapped[list["Module"]] = relationship(
        back_populates="course", order_by="(Module.position, Module.id)",
        primaryjoin="and_(Module.course_id == Course.id, Module.is_archived == False)", viewonly=True)
    translations: Mapped[list["CourseTranslation"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CourseTranslation.language")
    cohorts: Mapped[list[Cohort]] = relationship(
        secondary=cohort_course, back_populates="courses", order_by="Cohort.starts_on")
    prerequisites: Mapped[list["Course"]] = relationship(
        secondary=course_prerequisite, primaryjoin=id == course_prerequisite.c.course_id,
        secondaryjoin=id == course_prerequisite.c.prerequisite_id, order_by="Course.code")

    @property
    def languages(self) -> list[str]:
        """Every language the course can be taken in: its own, then its translations'."""
        return [self.default_language] + [
            t.language for t in self.translations if t.language != self.default_language]


class CourseTranslation(db.Model):
    __tablename__ = "lms_course_translation"

    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX), primary_key=True)
    title: Mapped[str] = mapped_column(String(NAME_MAX))
    #: Empty means "not translated yet": the default language's summary is shown, marked.
    summary: Mapped[str] = mapped_column(Text, default="")


class Module(db.Model):
    __tablename__ = "lms_module"
    __table_args__ = (CheckConstraint("estimated_minutes > 0", name="time_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_course.id"), index=True)
    #: Order within the course; ties fall back to creation order.
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(NAME_MAX))
    #: Markdown; rendered to sanitised HTML, so it can never carry a script.
    content: Mapped[str] = mapped_column(Text, default="")
    estimated_minutes: Mapped[int] = mapped_column(default=30)
    is_required: Mapped[bool] = mapped_column(default=True)
    reflection_prompt: Mapped[str | None] = mapped_column(Text)
    #: Archived modules disappear from the course but keep the progress recorded on them.
    is_archived: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course] = relationship(viewonly=True)
    translations: Mapped[list["ModuleTranslation"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")


class ModuleTranslation(db.Model):
    __tablename__ = "lms_module_translation"

    module_id: Mapped[int] = mapped_column(ForeignKey("lms_module.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX), primary_key=True)
    title: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    reflection_prompt: Mapped[str] = mapped_column(Text, default="")
