"""Save and clear a person's own answers; edit the race/ethnicity list."""

from sqlalchemy import delete, select

from lms.accounts.models import User
from lms.demographics.categories import SPOKEN_LANGUAGES, category_label, next_position
from lms.demographics.models import Demographics, FormalTraining, ProviderRole, RaceCategory, SpokenLanguage
from lms.extensions import db
from lms.i18n import lazy_gettext as _l


class DemographicsError(ValueError):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


def answers_of(user: User) -> Demographics | None:
    return db.session.get(Demographics, user.id)


def save_answers(user: User, *, races: list[RaceCategory], race_declined: bool, languages: list[str],
                 languages_declined: bool, provider_role: ProviderRole | None,
                 formal_training: FormalTraining | None) -> Demographics:
    """Replace the person's answers; "prefer not to say" cannot come with choices."""
    if race_declined and races:
        raise DemographicsError(_l("Choose categories or “Prefer not to say”, not both."), "races")
    if languages_declined and languages:
        raise DemographicsError(_l("Choose languages or “Prefer not to say”, not both."), "languages")
    if set(languages) - set(SPOKEN_LANGUAGES):
        raise DemographicsError(_l("Choose languages from the list."), "languages")
    answers = answers_of(user) or Demographics(user_id=user.id)
    answers.race_declined, answers.languages_declined = race_declined, languages_declined
    answers.provider_role, answers.formal_training = provider_role, formal_training
    answers.races = list(races)
    kept = {row.language: row for row in answers.language_rows}
    answers.language_rows = [kept.get(code) or SpokenLanguage(language=code) for code in dict.fromkeys(languages)]
    db.session.add(answers)
    db.session.flush()
    return answers


def clear_answers(user: User) -> None:
    """Forget every answer the person gave."""
    db.session.execute(delete(Demographics).where(Demographics.user_id == user.id))
    db.session.flush()


def add_category(name: str) -> RaceCategory:
    _check_unique(name)
    category = RaceCategory(name=name, position=next_position())
    db.session.add(category)
    db.session.flush()
    return category


def rename_category(category: RaceCategory, name: str) -> RaceCategory:
    """Give a category the admin's wording; a renamed built-in one is no longer translated."""
    if name != category.name:
        _check_unique(name, category)
        category.name, category.key = name, None
    db.session.flush()
    return category


def set_category_active(category: RaceCategory, active: bool) -> None:
    category.is_active = active
    db.session.flush()


def move_category(category: RaceCategory, step: int) -> None:
    """Swap the category with its neighbour above (-1) or below (+1)."""
    ordered = db.session.scalars(select(RaceCategory).order_by(RaceCategory.position, RaceCategory.id)).all()
    index = ordered.index(category)
    if 0 <= index + step < len(ordered):
        ordered[index], ordered[index + step] = ordered[index + step], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()


def _check_unique(name: str, category: RaceCategory | None = None) -> None:
    others = db.session.scalars(select(RaceCategory)).all()
    if any(other is not category and category_label(other).casefold() == name.casefold() for other in others):
        raise DemographicsError(_l("There is already a category with this name."), "name")
