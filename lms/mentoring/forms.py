"""Mentoring forms: field rules only; who may be recorded and capacity are the services' business."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from lms import i18n
from lms.core.clock import program_today
from lms.core.fields import CheckboxesField, strip
from lms.courses.models import NAME_MAX
from lms.i18n import lazy_gettext as _l
from lms.mentoring.models import BIO_MAX, NOTES_MAX, REASON_MAX, SUMMARY_MAX, SessionFormat
from lms.core.once import SentOnce


def _max(n):
    return Length(max=n, message=_l("Use %(max)d characters or fewer.", max=n))


def language_select_choices():
    return [SelectChoice(code, name, render_kw={"lang": i18n.lang_tag(code)}) for code, name in i18n.language_choices()]


class MentorProfileForm(FlaskForm):
    languages = CheckboxesField(_l("Languages you mentor in"), validators=[
        DataRequired(_l("Choose at least one language."))])
    bio = TextAreaField(_l("A few words about you"), filters=[strip], validators=[Optional(), _max(BIO_MAX)])
    is_active = BooleanField(_l("Taking new mentees and groups"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = language_select_choices()


class AdminMentorProfileForm(MentorProfileForm):
    max_mentees = IntegerField(_l("Most mentees at a time"), validators=[
        InputRequired(_l("Enter a number.")),
        NumberRange(min=0, max=200, message=_l("Enter a number from %(min)s to %(max)s.", min=0, max=200))])
    max_groups = IntegerField(_l("Most reflective groups at a time"), validators=[
        InputRequired(_l("Enter a number.")),
        NumberRange(min=0, max=50, message=_l("Enter a number from %(min)s to %(max)s.", min=0, max=50))])


class AssignForm(FlaskForm):
    mentor = SelectField(_l("Mentor"), coerce=int, validators=[InputRequired(_l("Choose a mentor."))])
    reason = TextAreaField(_l("Reason, if the mentor is at capacity"), filters=[strip],
                           validators=[Optional(), _max(REASON_MAX)])


class GroupForm(SentOnce, FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), _max(NAME_MAX)])
    mentor = SelectField(_l("Facilitating mentor"), coerce=int, validators=[InputRequired(_l("Choose a mentor."))])
    language = SelectField(_l("Language"), validators=[DataRequired(_l("Choose a language."))])
    members = CheckboxesField(_l("Trainees"), coerce=int)
    reason = TextAreaField(_l("Reason, if the mentor is at capacity"), filters=[strip],
                           validators=[Optional(), _max(REASON_MAX)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_select_choices()


class SessionForm(SentOnce, FlaskForm):
    group = SelectField(_l("With"), coerce=int)
    held_on = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date like 2027-01-31."))])
    duration_minutes = IntegerField(_l("Length in minutes"), default=60, validators=[
        InputRequired(_l("Enter the length in minutes.")),
        NumberRange(min=5, max=600, message=_l("Enter a number from %(min)s to %(max)s.", min=5, max=600))])
    format = SelectField(_l("Format"), choices=[SelectChoice(f.value, f.label) for f in SessionFormat],
                         validators=[DataRequired()])
    language = SelectField(_l("Language"), validators=[DataRequired(_l("Choose a language."))])
    attendees = CheckboxesField(_l("Who attended"), coerce=int)
    topics = CheckboxesField(_l("Topics"), coerce=int)
    summary = TextAreaField(_l("Summary shared with those who attended"), validators=[Optional(), _max(SUMMARY_MAX)])
    notes = TextAreaField(_l("Private notes (only you can ever read them)"),
                          validators=[Optional(), _max(NOTES_MAX)])
    planned = BooleanField(_l("Not held yet: plan it, and log it afterwards"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_select_choices()

    def validate_held_on(self, field):
        if field.data and not self.planned.data and field.data > program_today():
            raise ValidationError(_l("A session in the future can only be planned. Tick the box to plan it."))


class InviteForm(FlaskForm):
    message = TextAreaField(_l("A personal message (optional)"), filters=[strip],
                            validators=[Optional(), _max(BIO_MAX)])


class TopicForm(SentOnce, FlaskForm):
    name = StringField(_l("Topic"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), _max(NAME_MAX)])
    is_active = BooleanField(_l("In use"), default=True)
