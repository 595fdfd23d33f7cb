"""Mentors, who they mentor, their reflective groups, and the sessions they hold.

What a session was (date, hours, who came, topics) is kept apart from what was said in it: the
summary goes only to those who attended, and the private notes are encrypted for the mentor alone.
"""

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.courses.models import LANGUAGE_MAX, NAME_MAX, Cohort
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.sqltypes import UTCDateTime, string_enum, utcnow

BIO_MAX = 2_000
SUMMARY_MAX = 10_000
NOTES_MAX = 20_000
REASON_MAX = 1_000


class SessionFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"

    @property
    def label(self):
        return {SessionFormat.IN_PERSON: _l("In person"), SessionFormat.VIDEO: _l("Video"),
                SessionFormat.PHONE: _l("Phone")}[self]


class SessionStatus(enum.StrEnum):
    PLANNED = "planned"
    LOGGED = "logged"


class MentorProfile(db.Model):
    __tablename__ = "lms_mentor_profile"
    __table_args__ = (
        CheckConstraint("max_mentees >= 0", name="mentees_not_negative"),
        CheckConstraint("max_groups >= 0", name="groups_not_negative"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True)
    bio: Mapped[str] = mapped_column(Text, default="")
    max_mentees: Mapped[int] = mapped_column(default=8)
    max_groups: Mapped[int] = mapped_column(default=2)
    #: False while the mentor is paused: kept out of suggestions and new assignments.
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    language_rows: Mapped[list["MentorLanguage"]] = relationship(
        cascade="all, delete-orphan", order_by="MentorLanguage.language")

    @classmethod
    def blank(cls, user: User) -> "MentorProfile":
        """A new profile with the defaults, speaking the mentor's interface language."""
        return cls(user_id=user.id, max_mentees=8, max_groups=2, is_active=True, bio="", languages=[user.locale])

    @property
    def languages(self) -> list[str]:
        return [row.language for row in self.language_rows]

    @languages.setter
    def languages(self, codes: list[str]) -> None:
        self.language_rows = [MentorLanguage(language=code) for code in dict.fromkeys(codes)]


class MentorLanguage(db.Model):
    """A language a mentor speaks well enough to mentor in."""

    __tablename__ = "lms_mentor_language"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_mentor_profile.user_id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX), primary_key=True)


class MentorAssignment(db.Model):
    """A mentor for a trainee in a cohort. A reassignment ends it; the history stays."""

    __tablename__ = "lms_mentor_assignment"
    __table_args__ = (
        CheckConstraint("mentor_id <> trainee_id", name="not_oneself"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        # At most one current mentor per trainee and cohort, on both databases.
        Index("uq_lms_mentor_assignment_current", "trainee_id", "cohort_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("lms_cohort.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The admin's written reason when the assignment took the mentor past their capacity.
    over_capacity_reason: Mapped[str | None] = mapped_column(Text)

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    cohort: Mapped[Cohort] = relationship()


class ReflectiveGroup(db.Model):
    """A reflective-practice group: a facilitating mentor and trainees of one cohort, in one language."""

    __tablename__ = "lms_reflective_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("lms_cohort.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the group stopped meeting; its sessions and hours stay.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    over_capacity_reason: Mapped[str | None] = mapped_column(Text)

    cohort: Mapped[Cohort] = relationship()
    mentor: Mapped[User] = relationship()
    members: Mapped[list["GroupMember"]] = relationship(back_populates="group", cascade="all, delete-orphan")


class GroupMember(db.Model):
    __tablename__ = "lms_group_member"

    group_id: Mapped[int] = mapped_column(ForeignKey("lms_reflective_group.id", ondelete="CASCADE"), primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), primary_key=True, index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[ReflectiveGroup] = relationship(back_populates="members")
    trainee: Mapped[User] = relationship()


class Topic(db.Model):
    """A theme of reflective practice; built-in topics have a key and a translated name."""

    __tablename__ = "lms_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Set for the program's built-in topics, whose names come from the translation catalogs.
    key: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    is_active: Mapped[bool] = mapped_column(default=True)


session_topic = Table(
    "lms_session_topic", db.metadata,
    Column("session_id", ForeignKey("lms_reflective_session.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("lms_topic.id"), primary_key=True),
)

session_attendee = Table(
    "lms_session_attendee", db.metadata,
    Column("session_id", ForeignKey("lms_reflective_session.id", ondelete="CASCADE"), primary_key=True),
    Column("trainee_id", ForeignKey("lms_user.id"), primary_key=True, index=True),
)


class ReflectiveSession(db.Model):
    """A reflective session a mentor held (or plans to hold) with mentees or a group."""

    __tablename__ = "lms_reflective_session"
    __table_args__ = (CheckConstraint("duration_minutes > 0", name="duration_positive"),
                      Index("ix_lms_reflective_session_mentor_held", "mentor_id", "held_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    #: A group session; None for an individual session with one or more mentees.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("lms_reflective_group.id"), index=True)
    status: Mapped[SessionStatus] = mapped_column(string_enum(SessionStatus, "session_status"))
    held_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(default=60)
    format: Mapped[SessionFormat] = mapped_column(string_enum(SessionFormat, "session_format"))
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX))
    #: Shared with the trainees who attended; never shown to admins.
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Fernet token of the mentor's private notes (lms/core/crypto.py); only that mentor reads them.
    notes_ciphertext: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    mentor: Mapped[User] = relationship()
    group: Mapped[ReflectiveGroup | None] = relationship()
    attendees: Mapped[list[User]] = relationship(secondary=session_attendee, order_by=User.full_name)
    topics: Mapped[list[Topic]] = relationship(secondary=session_topic, order_by=Topic.id)
    revisions: Mapped[list["SessionRevision"]] = relationship(
        cascade="all, delete-orphan", order_by="SessionRevision.id")

    @property
    def is_group(self) -> bool:
        return self.group_id is not None


class SessionRevision(db.Model):
    """The state of a session before an edit, encrypted whole, for the mentor's history."""

    __tablename__ = "lms_session_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("lms_reflective_session.id", ondelete="CASCADE"), index=True)
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Fernet token of a JSON snapshot: date, duration, format, language, attendees, topics, summary, notes.
    snapshot_ciphertext: Mapped[str] = mapped_column(Text)


class MentorInvitation(db.Model):
    """An admin's invitation to a graduate to become a mentor."""

    __tablename__ = "lms_mentor_invitation"
    __table_args__ = (
        Index("uq_lms_mentor_invitation_open", "user_id", unique=True,
              sqlite_where=text("answered_at IS NULL"), postgresql_where=text("answered_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted: Mapped[bool | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
