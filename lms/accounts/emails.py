"""The emails accounts send, written in the recipient's language."""

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from lms.accounts import tokens
from lms.accounts.models import User
from lms.core.links import public_url
from lms.core.mail import send_mail


def send_password_reset(user: User) -> None:
    link = public_url("lms.accounts.reset_password", token=tokens.make_reset_token(user))
    with force_locale(user.locale):
        send_mail(user.email, _("Choose a new password"),
                  render_template("lms/emails/password_reset.txt", user=user, link=link))


def send_verification(user: User) -> None:
    link = public_url("lms.accounts.verify_email", token=tokens.make_verify_token(user))
    with force_locale(user.locale):
        send_mail(user.email, _("Confirm your email address"),
                  render_template("lms/emails/verify_email.txt", user=user, link=link))
