"""Attendance forms: field rules only; who may do what is the services' business."""

from zoneinfo import ZoneInfo

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, URL, ValidationError

from lms import i18n
from lms.attendance.models import PLACE_MAX, URL_MAX, SessionKind
from lms.core.fields import strip
from lms.courses.models import NAME_MAX
from lms.core.once import SentOnce
from lms.i18n import lazy_gettext as _l


def to_utc(local):
    """A date and time typed in the program's time zone, as aware UTC.

    An autumn time that happens twice, when the clocks go back, is taken as the first one (fold=0: still
    daylight time). A spring time that never happens is refused by the form (see `exists`).
    """
    return local.replace(tzinfo=ZoneInfo(current_app.config["LMS_TIMEZONE"]), fold=0).astimezone(ZoneInfo("UTC"))


def exists(local) -> bool:
    """False for a time the clocks skip when they go forward, e.g. 2:30 on the spring change day."""
    return to_local(to_utc(local)) == local


def to_local(moment):
    return moment.astimezone(ZoneInfo(current_app.config["LMS_TIMEZONE"])).replace(tzinfo=None)


class ScheduleForm(SentOnce, FlaskForm):
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, k.label) for k in SessionKind],
                       validators=[DataRequired()])
    title = StringField(_l("Title"), filters=[strip], validators=[
        DataRequired(_l("Enter a title.")), Length(max=NAME_MAX, message=_l("Use %(max)d characters or fewer.",
                                                                            max=NAME_MAX))])
    cohort = SelectField(_l("Cohort"), coerce=int, validators=[Optional()])
    course = SelectField(_l("Course (for a course session)"), coerce=int, validators=[Optional()])
    group = SelectField(_l("Reflective group (for a group meeting)"), coerce=int, validators=[Optional()])
    starts_at = DateTimeLocalField(_l("Starts"), validators=[InputRequired(_l("Enter the date and time it starts."))])
    ends_at = DateTimeLocalField(_l("Ends"), validators=[InputRequired(_l("Enter the date and time it ends."))])
    facilitator = SelectField(_l("Facilitator"), coerce=int, validators=[InputRequired(_l("Choose a facilitator."))])
    language = SelectField(_l("Language"), validators=[DataRequired(_l("Choose a language."))])
    place = StringField(_l("Place (for an in-person session)"), filters=[strip],
                        validators=[Optional(), Length(max=PLACE_MAX)])
    video_url = StringField(_l("Video link (for an online session)"), filters=[strip], validators=[
        Optional(), Length(max=URL_MAX), URL(message=_l("Enter a link starting with https://"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice(code, name) for code, name in i18n.language_choices()]

    def validate_starts_at(self, field):
        _check_exists(field)

    def validate_ends_at(self, field):
        _check_exists(field)
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The session must end after it starts."))


def _check_exists(field):
    if field.data and not exists(field.data):
        raise ValidationError(_l("This time does not exist in %(zone)s: the clocks go forward then. Choose a "
                                 "time before or after the change.", zone=current_app.config["LMS_TIMEZONE"]))


class CheckInForm(FlaskForm):
    code = StringField(_l("Check-in code"), filters=[strip], validators=[
        DataRequired(_l("Enter the code shown by the facilitator.")), Length(max=12)])


class ReportForm(FlaskForm):
    file = FileField(_l("Participant report (CSV)"), validators=[
        FileRequired(_l("Choose a CSV file.")), FileAllowed(["csv", "txt"], _l("Choose a file ending in .csv."))])
    min_minutes = IntegerField(_l("Minutes needed to count as present"), validators=[
        InputRequired(_l("Enter a number of minutes.")),
        NumberRange(min=0, max=1440, message=_l("Enter a number from %(min)s to %(max)s.", min=0, max=1440))])


class ConfirmReportForm(FlaskForm):
    content = HiddenField()
    min_minutes = HiddenField()
