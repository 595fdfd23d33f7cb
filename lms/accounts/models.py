"""Users and the roles they hold."""

import enum
import secrets
import unicodedata
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.sqltypes import UTCDateTime, utcnow

def new_session_token() -> str:
    return secrets.token_urlsafe(32)


EMAIL_MAX = 254
NAME_MAX = 200
LOCALE_MAX = 16


class Role(enum.StrEnum):
    TRAINEE = "trainee"
    MENTOR = "mentor"
    ADMIN = "admin"

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.TRAINEE: _l("Trainee"),
    Role.MENTOR: _l("Mentor"),
    Role.ADMIN: _l("Administrator"),
}


def has_control_characters(text: str | None) -> bool:
    """Line breaks, tabs and other control characters: never part of a name, and a way to forge log lines."""
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text or "")


#: What a form or an import says of a name that has_control_characters refuses.
NAME_ON_ONE_LINE = _l("Write the name on one line, without tabs or other special characters.")


class User(UserMixin, db.Model):
    __tablename__ = "lms_user"
    __table_args__ = (
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        CheckConstraint("length(trim(full_name)) > 0", name="full_name_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case, so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    full_name: Mapped[str] = mapped_column(String(NAME_MAX))
    #: The name as the person writes it in their own script (Amharic, Vietnamese, Chinese...).
    native_name: Mapped[str | None] = mapped_column(String(NAME_MAX))
    #: The interface language the person chose, one of LMS_LANGUAGES.
    locale: Mapped[str] = mapped_column(String(LOCALE_MAX), default="en")
    password_hash: Mapped[str] = mapped_column(String(255))
    #: False once an admin deactivates the account; the person cannot log in, records stay.
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Carried in the login cookie; a new value ends every session (logout, new password, deactivation).
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Fernet token of the base32 TOTP secret (see totp_secret); in use once totp_enabled_at is set.
    totp_secret_ciphertext: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last TOTP time step accepted, so no code works twice.
    totp_last_step: Mapped[int | None]
    #: When an admin erased the person's data; the row stays so program counts stay right.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", lazy="selectin", cascade="all, delete-orphan",
        foreign_keys="UserRole.user_id", order_by="UserRole.role",
    )

    @validates("full_name", "native_name")
    def _one_line(self, key, value):
        if has_control_characters(value):
            raise ValueError(f"{key} holds a line break or another control character")
        return value

    def __repr__(self) -> str:
        return f"<User {self.id}>"

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def totp_secret(self) -> str | None:
        """The TOTP secret, decrypted: it is stored encrypted, like every secret at rest."""
        from lms.core import crypto

        return crypto.decrypt(self.totp_secret_ciphertext) if self.totp_secret_ciphertext else None

    @totp_secret.setter
    def totp_secret(self, secret: str | None) -> None:
        from lms.core import crypto

        self.totp_secret_ciphertext = crypto.encrypt(secret) if secret else None

    @property
    def role_names(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)

    def has_role(self, role: Role | str) -> bool:
        return Role(role) in self.role_names

    @property
    def display_name(self) -> str:
        """Both names when the person gave one in their own script."""
        if self.native_name and self.native_name != self.full_name:
            return f"{self.full_name} ({self.native_name})"
        return self.full_name


class RecoveryCode(db.Model):
    """A single-use code that stands in for a lost authenticator; only its SHA-256 is kept."""

    __tablename__ = "lms_recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserRole(db.Model):
    __tablename__ = "lms_user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="role", native_enum=False, create_constraint=True, length=16,
             values_callable=lambda roles: [r.value for r in roles]),
        primary_key=True,
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The admin who granted it; None for self-registration and the command line.
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"))

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
