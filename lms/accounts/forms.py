"""Account forms: field rules only; business rules live in services."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from lms import i18n
from lms.accounts.models import EMAIL_MAX, NAME_MAX, NAME_ON_ONE_LINE, Role, has_control_characters
from lms.accounts.passwords import PASSWORD_MAX, PASSWORD_MIN, is_weak
from lms.core.fields import strip
from lms.core.once import SentOnce
from lms.i18n import lazy_gettext as _l


def _email_field(label):
    return EmailField(label, filters=[strip], validators=[
        DataRequired(_l("Enter your email address.")),
        Length(max=EMAIL_MAX, message=_l("Email must be %(max)d characters or fewer.", max=EMAIL_MAX)),
        Email(_l("Enter an email address like name@example.org."), check_deliverability=False),
    ])


def not_weak(form, field):
    """Refuse a password from the lists of common ones, or made of the person's email address."""
    email = form.email.data if hasattr(form, "email") else getattr(form, "user_email", None)
    if field.data and is_weak(field.data, email=email):
        raise ValidationError(_l("This password is too easy to guess. Try a few words you will remember."))


def _new_password_field(label):
    return PasswordField(label, validators=[
        DataRequired(_l("Enter a password.")),
        Length(
            min=PASSWORD_MIN, max=PASSWORD_MAX,
            message=_l("Use between %(min)d and %(max)d characters.", min=PASSWORD_MIN, max=PASSWORD_MAX),
        ),
        not_weak,
    ])


def _confirm_field(label, other):
    return PasswordField(label, validators=[
        DataRequired(_l("Enter the password again.")),
        EqualTo(other, _l("The two passwords do not match.")),
    ])


def one_line(form, field):
    if has_control_characters(field.data):
        raise ValidationError(NAME_ON_ONE_LINE)


class ProfileFields(FlaskForm):
    full_name = StringField(_l("Full name"), filters=[strip], validators=[
        DataRequired(_l("Enter your full name.")),
        Length(max=NAME_MAX, message=_l("Use %(max)d characters or fewer.", max=NAME_MAX)),
        one_line,
    ])
    native_name = StringField(_l("Your name in your own script (optional)"), filters=[strip], validators=[
        Optional(),
        Length(max=NAME_MAX, message=_l("Use %(max)d characters or fewer.", max=NAME_MAX)),
        one_line,
    ])
    locale = SelectField(_l("Preferred language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = [
            SelectChoice(code, name, render_kw={"lang": i18n.lang_tag(code)})
            for code, name in i18n.language_choices()
        ]
        self.locale.validators = [DataRequired(_l("Choose a language."))]


class RegistrationForm(SentOnce, ProfileFields):
    email = _email_field(_l("Email"))
    password = _new_password_field(_l("Password"))
    confirm = _confirm_field(_l("Password again"), "password")


class ProfileForm(ProfileFields):
    pass


class LoginForm(FlaskForm):
    email = _email_field(_l("Email"))
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password.")),
        Length(max=PASSWORD_MAX, message=_l("Email or password is not correct.")),
    ])


class NewPasswordForm(FlaskForm):
    """A new password, checked against the person's own email address (`user_email`)."""

    new_password = _new_password_field(_l("New password"))
    confirm = _confirm_field(_l("New password again"), "new_password")

    def __init__(self, *args, user_email: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_email = user_email


class PasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(_l("Enter your current password.")),
        Length(max=PASSWORD_MAX),
    ])


class ForgotPasswordForm(FlaskForm):
    email = _email_field(_l("Email"))


class CodeForm(FlaskForm):
    code = StringField(_l("Code from your authenticator app, or a recovery code"), filters=[strip], validators=[
        DataRequired(_l("Enter the code.")), Length(max=32, message=_l("Enter the code."))])


class ReauthenticateForm(FlaskForm):
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX)])
    code = StringField(_l("Code from your authenticator app, or a recovery code"), filters=[strip],
                       validators=[Optional(), Length(max=32)])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, r.label) for r in Role],
                       validators=[DataRequired()])


class UserSearchForm(FlaskForm):
    """The GET filter above the user list; it changes nothing, so it carries no token."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=NAME_MAX)])
    role = SelectField(
        _l("Role"), validators=[Optional()],
        choices=[SelectChoice("", _l("Any role"))] + [SelectChoice(r.value, r.label) for r in Role],
    )
    status = SelectField(_l("Status"), validators=[Optional()], choices=[
        SelectChoice("", _l("Any status")), SelectChoice("active", _l("Active")),
        SelectChoice("inactive", _l("Deactivated")),
    ])

