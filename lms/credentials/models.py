"""Certificates: each program's rules, mentors' sign-offs, trainees' name choices and issued certificates.

An issued certificate keeps the PDF bytes and their SHA-256 from the moment of issue; they are never
rendered again, so a certificate cannot change later. The database holds at most one valid certificate
per trainee and program.
"""

import enum
import secrets
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint, Column, Date, ForeignKey, Index, LargeBinary, Numeric, String, Table, Text, text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from lms.accounts.models import User
from lms.courses.models import LANGUAGE_MAX, NAME_MAX, Cohort, Course, Program
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.sqltypes import UTCDateTime, string_enum, utcnow

REASON_MAX = 1000


def new_code() -> str:
    """A verification code: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def new_serial(year: int) -> str:
    """A serial number people can read aloud, e.g. 2026-7KQ2-9XMD (40 random bits, no 0/O or 1/I)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    chars = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"{year}-{chars[:4]}-{chars[4:]}"


class NameStyle(enum.StrEnum):
    LEGAL = "legal"
    OWN_SCRIPT = "own_script"
    BOTH = "both"

    @property
    def label(self):
        return {NameStyle.LEGAL: _l("My name"), NameStyle.OWN_SCRIPT: _l("My name in my own script"),
                NameStyle.BOTH: _l("Both")}[self]


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"

    @property
    def label(self):
        return {CertificateStatus.VALID: _l("Valid"), CertificateStatus.REVOKED: _l("Revoked"),
                CertificateStatus.SUPERSEDED: _l("Superseded")}[self]


required_course = Table(
    "lms_certificate_required_course", db.metadata,
    Column("program_id", ForeignKey("lms_certificate_rule.program_id", ondelete="CASCADE"), primary_key=True),
    Column("course_id", ForeignKey("lms_course.id"), primary_key=True),
)


class CertificateRule(db.Model):
    """What a program's certificate asks for; the minimum attendance rate is Program.attendance_warning_percent."""

    __tablename__ = "lms_certificate_rule"
    __table_args__ = (
        CheckConstraint("min_individual_hours >= 0 AND min_group_hours >= 0 AND min_total_hours >= 0",
                        name="hours_not_negative"),
    )

    program_id: Mapped[int] = mapped_column(ForeignKey("lms_program.id", ondelete="CASCADE"), primary_key=True)
    #: Reflective-practice hours the trainee attended, individual, in groups, and in all.
    min_individual_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    min_group_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    min_total_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    requires_attendance: Mapped[bool] = mapped_column(default=True)
    requires_mentor_signoff: Mapped[bool] = mapped_column(default=False)
    requires_evaluation: Mapped[bool] = mapped_column(default=False)
    issuer: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    signatory_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    signatory_title: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    program: Mapped[Program] = relationship()
    #: Courses the trainee must complete; none chosen means every course their cohort runs.
    courses: Mapped[list[Course]] = relationship(secondary=required_course, order_by=Course.code)


class MentorSignoff(db.Model):
    """A mentor's word that a mentee is ready for the program's certificate."""

    __tablename__ = "lms_mentor_signoff"

    trainee_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("lms_program.id"), primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])


class CertificatePreference(db.Model):
    """How a trainee wants their name on certificates."""

    __tablename__ = "lms_certificate_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True)
    name_style: Mapped[NameStyle] = mapped_column(string_enum(NameStyle, "name_style"), default=NameStyle.LEGAL)


class Certificate(db.Model):
    __tablename__ = "lms_certificate"
    __table_args__ = (
        Index("uq_lms_certificate_valid", "trainee_id", "program_id", unique=True,
              sqlite_where=text("status = 'valid'"), postgresql_where=text("status = 'valid'")),
        CheckConstraint("status != 'revoked' OR (revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)",
                        name="revocation_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    #: The secret in the verification address; at least 128 random bits.
    code: Mapped[str] = mapped_column(String(64), unique=True, default=new_code)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("lms_program.id"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("lms_cohort.id"), index=True)
    status: Mapped[CertificateStatus] = mapped_column(string_enum(CertificateStatus, "certificate_status"),
                                                      default=CertificateStatus.VALID)
    #: As printed: the name line(s), joined by a new line.
    printed_name: Mapped[str] = mapped_column(String(2 * NAME_MAX + 1))
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX))
    pd_hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    completed_on: Mapped[date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(NAME_MAX))
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    #: The Open Badges 3.0 credential, signed at issue (a VC-JWT).
    credential: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who issued it; None from the command line.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    #: Why it was issued to someone who did not meet every rule.
    override_reason: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_certificate.id"))

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    program: Mapped[Program] = relationship()
    cohort: Mapped[Cohort] = relationship()
    superseded_by: Mapped["Certificate | None"] = relationship(remote_side=[id])
