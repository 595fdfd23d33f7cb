"""Certificate forms: field rules only; eligibility and who may act are the services' business."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField, DecimalField, IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lms.core.fields import strip
from lms.courses.models import NAME_MAX
from lms.credentials.models import REASON_MAX, NameStyle
from lms.i18n import lazy_gettext as _l

HOURS = [InputRequired(_l("Enter a number of hours (0 for none).")),
         NumberRange(min=0, max=999, message=_l("Enter a number from %(min)s to %(max)s.", min=0, max=999))]


class RuleForm(FlaskForm):
    courses = SelectMultipleField(_l("Required courses"), coerce=int, option_widget=CheckboxInput(),
                                  widget=ListWidget(prefix_label=False), validators=[Optional()])
    requires_attendance = BooleanField(_l("A minimum attendance rate at learning sessions"))
    attendance_percent = IntegerField(_l("Minimum attendance rate (percent)"), validators=[
        InputRequired(_l("Enter a percentage.")),
        NumberRange(min=0, max=100, message=_l("Enter a number from %(min)s to %(max)s.", min=0, max=100))])
    min_individual_hours = DecimalField(_l("Individual reflective-practice hours"), places=1, validators=HOURS)
    min_group_hours = DecimalField(_l("Group reflective-practice hours"), places=1, validators=HOURS)
    min_total_hours = DecimalField(_l("Reflective-practice hours in all"), places=1, validators=HOURS)
    requires_mentor_signoff = BooleanField(_l("The mentor's sign-off"))
    requires_evaluation = BooleanField(_l("A course evaluation for every required course"))
    issuer = StringField(_l("Issuer"), filters=[strip], validators=[Optional(), Length(max=NAME_MAX)])
    signatory_name = StringField(_l("Signatory's name"), filters=[strip], validators=[Optional(), Length(max=NAME_MAX)])
    signatory_title = StringField(_l("Signatory's title"), filters=[strip],
                                  validators=[Optional(), Length(max=NAME_MAX)])


class IssueForm(FlaskForm):
    reason = TextAreaField(_l("Reason to issue although a requirement is not met"), filters=[strip],
                           validators=[Optional(), Length(max=REASON_MAX)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Why it is revoked"), filters=[strip], validators=[
        DataRequired(_l("Give the reason.")), Length(max=REASON_MAX)])


class ReissueForm(FlaskForm):
    reason = TextAreaField(_l("Why it is reissued"), filters=[strip], validators=[
        DataRequired(_l("Give the reason.")), Length(max=REASON_MAX)])


class NameForm(FlaskForm):
    name_style = RadioField(_l("How your name appears on certificates"),
                            choices=[SelectChoice(s.value, s.label) for s in NameStyle],
                            validators=[InputRequired(_l("Choose how your name appears."))])


class VerifyForm(FlaskForm):
    class Meta:
        csrf = False  # a search: GET, changes nothing

    code = StringField(_l("Verification code"), filters=[strip], validators=[
        DataRequired(_l("Enter the code printed under the QR code.")), Length(max=64)])


class UploadForm(FlaskForm):
    file = FileField(_l("Certificate (PDF)"), validators=[
        FileRequired(_l("Choose a PDF file.")), FileAllowed(["pdf"], _l("Choose a file ending in .pdf."))])
