"""Admin forms for programs, cohorts, courses, modules and translations."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from lms import i18n
from lms.core.fields import CheckboxesField, strip
from lms.courses.models import CODE_MAX, CONTENT_MAX, NAME_MAX, PROMPT_MAX, SUMMARY_MAX, CourseFormat
from lms.core.once import SentOnce
from lms.i18n import lazy_gettext as _l


def _max(n):
    return Length(max=n, message=_l("Use %(max)d characters or fewer.", max=n))


def _languages():
    return [SelectChoice(code, name, render_kw={"lang": i18n.lang_tag(code)}) for code, name in i18n.language_choices()]


def course_label(course) -> str:
    label = f"{course.code} · {course.title}"
    return f"{label} ({_l('Archived')})" if course.is_archived else label


def upper(value):
    return value.strip().upper() if isinstance(value, str) else value


class ProgramForm(SentOnce, FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), _max(NAME_MAX)])
    description = TextAreaField(_l("Description"), filters=[strip], validators=[Optional(), _max(SUMMARY_MAX)])
    excused_absences = SelectField(_l("In attendance rates, an excused absence"), default="excluded", choices=[
        SelectChoice("excluded", _l("is left out")), SelectChoice("attended", _l("counts as attended")),
        SelectChoice("absent", _l("counts as an absence"))], validators=[Optional()])
    attendance_warning_percent = IntegerField(_l("Warn below this attendance rate (percent)"), default=70, validators=[
        Optional(),
        NumberRange(min=0, max=100, message=_l("Enter a number from %(min)s to %(max)s.", min=0, max=100))])


class CohortForm(SentOnce, FlaskForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(_l("Enter a name.")), _max(NAME_MAX)])
    languages = CheckboxesField(_l("Languages of instruction"),
                                validators=[DataRequired(_l("Choose at least one language."))])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired(_l("Enter a date like 2027-01-31."))])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired(_l("Enter a date like 2027-01-31."))])
    capacity = IntegerField(_l("Seats in each course"), validators=[
        InputRequired(_l("Enter a number of seats.")),
        NumberRange(min=1, max=10_000, message=_l("Enter a number from %(min)s to %(max)s.", min=1, max=10_000))])
    enrollment_open = BooleanField(_l("Enrollment is open"))
    enrollment_opens_on = DateField(_l("Enrollment opens on (optional)"), validators=[Optional()])
    enrollment_closes_on = DateField(_l("Enrollment closes on (optional)"), validators=[Optional()])
    courses = CheckboxesField(_l("Courses this cohort runs"), coerce=int)

    def __init__(self, *args, course_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = _languages()
        self.courses.choices = [SelectChoice(c.id, course_label(c)) for c in course_choices]

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The cohort cannot end before it starts."))

    def validate_enrollment_closes_on(self, field):
        if field.data and self.enrollment_opens_on.data and field.data < self.enrollment_opens_on.data:
            raise ValidationError(_l("Enrollment cannot close before it opens."))


class CourseForm(SentOnce, FlaskForm):
    code = StringField(_l("Code"), filters=[upper], validators=[
        DataRequired(_l("Enter a short code, like BCL-101.")), _max(CODE_MAX)])
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(_l("Enter a title.")), _max(NAME_MAX)])
    summary = TextAreaField(_l("Summary"), filters=[strip], validators=[Optional(), _max(SUMMARY_MAX)])
    default_language = SelectField(_l("Written in"), validators=[DataRequired()])
    format = SelectField(_l("Format"), choices=[SelectChoice(f.value, f.label) for f in CourseFormat],
                         validators=[DataRequired()])
    pd_hours = DecimalField(_l("Professional-development hours"), places=1, validators=[
        InputRequired(_l("Enter the hours, for example 6 or 7.5.")),
        NumberRange(min=0, max=999, message=_l("Enter a number from %(min)s to %(max)s.", min=0, max=999))])
    sequential = BooleanField(_l("Open modules one after another"))
    prerequisites = CheckboxesField(_l("Courses to complete first"), coerce=int)

    def __init__(self, *args, other_courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.default_language.choices = _languages()
        self.prerequisites.choices = [SelectChoice(c.id, course_label(c)) for c in other_courses]


class ModuleForm(SentOnce, FlaskForm):
    title = StringField(_l("Title"), filters=[strip], validators=[DataRequired(_l("Enter a title.")), _max(NAME_MAX)])
    content = TextAreaField(_l("Content (Markdown)"), validators=[Optional(), _max(CONTENT_MAX)])
    estimated_minutes = IntegerField(_l("Estimated time in minutes"), default=30, validators=[
        InputRequired(_l("Enter the minutes it takes.")),
        NumberRange(min=1, max=1_000, message=_l("Enter a number from %(min)s to %(max)s.", min=1, max=1_000))])
    is_required = BooleanField(_l("Required to complete the course"), default=True)
    reflection_prompt = TextAreaField(_l("Reflection prompt (optional)"), filters=[strip],
                                      validators=[Optional(), _max(PROMPT_MAX)])


def translation_form(course, modules, *args, **kwargs) -> FlaskForm:
    """A form with the course's title and summary and every module's text in one language."""

    class TranslationForm(FlaskForm):
        title = StringField(_l("Title"), filters=[strip], validators=[
            DataRequired(_l("Enter the translated title.")), _max(NAME_MAX)])
        summary = TextAreaField(_l("Summary"), filters=[strip], validators=[Optional(), _max(SUMMARY_MAX)])

    for number, module in enumerate(modules, start=1):
        setattr(TranslationForm, f"module_{module.id}_title", StringField(
            _l("Module %(n)s: title", n=number), filters=[strip], validators=[Optional(), _max(NAME_MAX)]))
        setattr(TranslationForm, f"module_{module.id}_content", TextAreaField(
            _l("Module %(n)s: content (Markdown)", n=number), validators=[Optional(), _max(CONTENT_MAX)]))
        if module.reflection_prompt:
            setattr(TranslationForm, f"module_{module.id}_reflection_prompt", TextAreaField(
                _l("Module %(n)s: reflection prompt", n=number), filters=[strip],
                validators=[Optional(), _max(PROMPT_MAX)]))
    return TranslationForm(*args, **kwargs)
