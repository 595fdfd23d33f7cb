"""The report's filters: a GET form, so a filtered report has an address to share or bookmark."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from lms.i18n import lazy_gettext as _l


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # it only reads

    cohort = SelectField(_l("Cohort"), coerce=int, default=0)
    course = SelectField(_l("Course"), coerce=int, default=0)
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    language = SelectField(_l("Language of instruction"), default="")

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("The end date must be on or after the start date."))
