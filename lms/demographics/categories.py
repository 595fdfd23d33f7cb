"""The answer lists: race/ethnicity categories (admin-edited), languages spoken and their category."""

import enum

from babel import Locale
from flask_babel import gettext, get_locale
from sqlalchemy import func, select

from lms.demographics.models import RaceCategory
from lms.extensions import db
from lms.i18n import lazy_gettext as _l


def N_(message: str) -> str:
    """Mark a string for translation without translating it here (it is stored, then shown translated)."""
    return message


#: key -> English name, in the program's order. The migration inserts these rows.
BUILTIN_CATEGORIES = {
    "native_american": N_("Native American/Alaskan"),
    "african_american": N_("African American"),
    "asian": N_("Asian"),
    "hispanic_latino": N_("Hispanic or Latino"),
    "mixed_heritage": N_("Mixed Heritage"),
    "pacific_islander": N_("Pacific Islander"),
    "caucasian": N_("Caucasian"),
    "other": N_("Other"),
}

#: Languages offered on the form: the program's and others spoken in King County; "other" for the rest.
SPOKEN_LANGUAGES = (
    "en", "es", "vi", "zh", "so", "ru", "uk", "ko", "am", "fil", "ar", "ti", "om", "pa", "hi", "ja", "km",
    "lo", "hmn", "ps", "fa", "fr", "pt", "sw", "other",
)


class LanguageGroup(enum.StrEnum):
    """The program's language categories, derived from the languages a person speaks."""

    ENGLISH_ONLY = "english_only"
    BILINGUAL_SPANISH = "bilingual_spanish"
    MULTILINGUAL_OTHER = "multilingual_other"

    @property
    def label(self):
        return {LanguageGroup.ENGLISH_ONLY: _l("English only"),
                LanguageGroup.BILINGUAL_SPANISH: _l("Bilingual Spanish"),
                LanguageGroup.MULTILINGUAL_OTHER: _l("Multilingual other")}[self]


def language_group(languages) -> LanguageGroup | None:
    """English only; Spanish (with or without other languages); or any other language. None for none."""
    spoken = set(languages)
    if not spoken:
        return None
    if "es" in spoken:
        return LanguageGroup.BILINGUAL_SPANISH
    if spoken == {"en"}:
        return LanguageGroup.ENGLISH_ONLY
    return LanguageGroup.MULTILINGUAL_OTHER


def language_name(code: str) -> str:
    """A spoken language's name in the reader's language (from CLDR)."""
    if code == "other":
        return gettext("Another language")
    locale = get_locale() or Locale("en")
    return locale.languages.get(code) or Locale("en").languages.get(code, code)


def category_label(category: RaceCategory) -> str:
    return gettext(BUILTIN_CATEGORIES[category.key]) if category.key in BUILTIN_CATEGORIES else category.name


def categories(*, active_only: bool = False) -> list[RaceCategory]:
    stmt = select(RaceCategory).order_by(RaceCategory.position, RaceCategory.id)
    return db.session.scalars(stmt.where(RaceCategory.is_active) if active_only else stmt).all()


def seed_builtin_categories() -> None:
    """Add the built-in categories that are missing (databases made without migrations, demo data)."""
    present = set(db.session.scalars(select(RaceCategory.key).where(RaceCategory.key.is_not(None))))
    db.session.add_all(RaceCategory(key=key, name=name, position=n)
                       for n, (key, name) in enumerate(BUILTIN_CATEGORIES.items()) if key not in present)
    db.session.flush()


def next_position() -> int:
    return (db.session.scalar(select(func.max(RaceCategory.position))) or 0) + 1
