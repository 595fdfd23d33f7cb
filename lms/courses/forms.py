"""The catalog's search and filters (admin forms live in admin_forms.py)."""

from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from lms import i18n
from lms.courses.models import CourseFormat
from lms.i18n import lazy_gettext as _l


class CatalogFilterForm(FlaskForm):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search courses"), validators=[Optional(), Length(max=200)])
    language = SelectField(_l("Language"), validators=[Optional()])
    format = SelectField(
        _l("Format"), validators=[Optional()],
        choices=[SelectChoice("", _l("Any format"))] + [SelectChoice(f.value, f.label) for f in CourseFormat],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice("", _l("Any language"))] + [
            SelectChoice(code, name, render_kw={"lang": i18n.lang_tag(code)}) for code, name in i18n.language_choices()]
