"""Trainee forms: enroll, change language, reflect, evaluate."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation

from lms import i18n
from lms.enrollment.models import COMMENT_MAX, REFLECTION_MAX
from lms.i18n import lazy_gettext as _l


def language_choices(codes: list[str]) -> list[SelectChoice]:
    return [SelectChoice(code, i18n.native_name(code), render_kw={"lang": i18n.lang_tag(code)}) for code in codes]


class EnrollForm(FlaskForm):
    cohort = SelectField(_l("Cohort"), coerce=int, validators=[InputRequired(_l("Choose a cohort."))])
    language = SelectField(_l("Language of the course"), validators=[DataRequired(_l("Choose a language."))])


class LanguageForm(FlaskForm):
    language = SelectField(_l("Take this course in"), validators=[DataRequired(_l("Choose a language."))])


class ReflectionForm(FlaskForm):
    reflection = TextAreaField(_l("Your reflection"), validators=[
        Optional(), Length(max=REFLECTION_MAX, message=_l("Use %(max)d characters or fewer.", max=REFLECTION_MAX))])
    shared = BooleanField(_l("Let my mentor read this reflection"))

    @property
    def posted(self) -> bool:
        """Whether the reflection field came with the request: a module without a prompt completes without it."""
        return bool(self.reflection.raw_data)


class RatingField(RadioField):
    """A choice from 1 to 5; anything else gets the same message as no choice."""

    MESSAGE = _l("Choose a rating from 1 to 5.")

    def __init__(self, label, **kwargs):
        kwargs.setdefault("choices", [SelectChoice(str(n), str(n)) for n in range(1, 6)])
        kwargs.setdefault("validators", [InputRequired(self.MESSAGE)])
        super().__init__(label, **kwargs)

    def pre_validate(self, form):
        if self.data not in {str(n) for n in range(1, 6)}:
            raise StopValidation(self.MESSAGE)


class EvaluationForm(FlaskForm):
    rating_overall = RatingField(_l("Overall, how useful was this course?"))
    rating_relevance = RatingField(_l("What I learned applies to my work with children and families."))
    rating_language = RatingField(_l("I could learn in a language I am comfortable with."))
    comments = TextAreaField(_l("What would you like to tell the program? (optional)"), validators=[
        Optional(), Length(max=COMMENT_MAX, message=_l("Use %(max)d characters or fewer.", max=COMMENT_MAX))])
    consent_to_quote = BooleanField(_l("The program may quote my comments in its reports, without my name."))
