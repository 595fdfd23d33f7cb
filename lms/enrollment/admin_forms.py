"""Admin forms for rosters and bulk enrollment."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField

from lms.i18n import lazy_gettext as _l


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[
        FileRequired(_l("Choose a CSV file.")),
        FileAllowed(["csv", "txt"], _l("Choose a file ending in .csv.")),
    ])


class ConfirmImportForm(FlaskForm):
    """Carries the checked file back for the second step; it is checked again before saving."""

    content = HiddenField()
