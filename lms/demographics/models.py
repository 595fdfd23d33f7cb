"""What a person chose to say about themselves, kept apart from their account.

Every answer is optional and may be "prefer not to say". Only the person reads their own answers;
reports read them in aggregate, with small counts hidden (lms/reports).
"""

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.models import LANGUAGE_MAX, NAME_MAX
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.sqltypes import UTCDateTime, string_enum, utcnow


class ProviderRole(enum.StrEnum):
    EARLY_CARE_EDUCATOR = "early_care"
    HOME_VISITOR = "home_visitor"
    MENTAL_HEALTH_PROVIDER = "mental_health"
    PARENT_EDUCATOR = "parent_educator"
    OTHER = "other"
    DECLINED = "declined"

    @property
    def label(self):
        return {
            ProviderRole.EARLY_CARE_EDUCATOR: _l("Early care educator"),
            ProviderRole.HOME_VISITOR: _l("Home visitor"),
            ProviderRole.MENTAL_HEALTH_PROVIDER: _l("Mental-health provider"),
            ProviderRole.PARENT_EDUCATOR: _l("Parent educator"),
            ProviderRole.OTHER: _l("Other role"),
            ProviderRole.DECLINED: _l("Prefer not to say"),
        }[self]


class FormalTraining(enum.StrEnum):
    YES = "yes"
    NO = "no"
    DECLINED = "declined"

    @property
    def label(self):
        return {FormalTraining.YES: _l("With formal training"), FormalTraining.NO: _l("Without formal training"),
                FormalTraining.DECLINED: _l("Prefer not to say")}[self]


class RaceCategory(db.Model):
    """A race/ethnicity a person may choose; admins edit the list, built-in ones are translated."""

    __tablename__ = "lms_race_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Set for the program's built-in categories, whose names come from the translation catalogs.
    key: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    #: Order on forms and in reports.
    position: Mapped[int] = mapped_column(default=0)
    #: False once taken out of use: no longer offered, still counted where people chose it.
    is_active: Mapped[bool] = mapped_column(default=True)


demographics_race = Table(
    "lms_demographics_race", db.metadata,
    Column("user_id", ForeignKey("lms_demographics.user_id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("lms_race_category.id"), primary_key=True, index=True),
)


class Demographics(db.Model):
    """One person's answers; a missing row or a None answer means "not answered"."""

    __tablename__ = "lms_demographics"

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"), primary_key=True)
    #: "Prefer not to say" for race/ethnicity (then no category is chosen).
    race_declined: Mapped[bool] = mapped_column(default=False)
    #: "Prefer not to say" for languages spoken (then no language is chosen).
    languages_declined: Mapped[bool] = mapped_column(default=False)
    provider_role: Mapped[ProviderRole | None] = mapped_column(string_enum(ProviderRole, "provider_role"))
    formal_training: Mapped[FormalTraining | None] = mapped_column(string_enum(FormalTraining, "formal_training"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    races: Mapped[list[RaceCategory]] = relationship(secondary=demographics_race, order_by=RaceCategory.position)
    language_rows: Mapped[list["SpokenLanguage"]] = relationship(cascade="all, delete-orphan")


class SpokenLanguage(db.Model):
    """A language the person speaks (a language code, or "other")."""

    __tablename__ = "lms_spoken_language"

    user_id: Mapped[int] = mapped_column(ForeignKey("lms_demographics.user_id", ondelete="CASCADE"),
                                         primary_key=True)
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX), primary_key=True)
