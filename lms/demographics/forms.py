"""The optional "about me" questions, and the admin's category form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from lms.core.fields import CheckboxesField, strip
from lms.courses.models import NAME_MAX
from lms.demographics.models import FormalTraining, ProviderRole
from lms.core.once import SentOnce
from lms.i18n import lazy_gettext as _l


class DemographicsForm(FlaskForm):
    races = CheckboxesField(_l("Race/ethnicity (choose all that apply)"), coerce=int)
    race_declined = BooleanField(_l("Prefer not to say"))
    languages = CheckboxesField(_l("Languages you speak (choose all that apply)"))
    languages_declined = BooleanField(_l("Prefer not to say"))
    provider_role = RadioField(_l("Your role"), choices=[SelectChoice(r.value, r.label) for r in ProviderRole],
                               validators=[Optional()])
    formal_training = RadioField(_l("Formal training in early childhood or mental health"),
                                 choices=[SelectChoice(t.value, t.label) for t in FormalTraining],
                                 validators=[Optional()])


class CategoryForm(SentOnce, FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=NAME_MAX)])
