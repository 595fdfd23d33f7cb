"""A form that creates something acts once: its page carries a one-time token, and a second sending is refused.

A double click, a reload that resends, or two tabs sending the same page would otherwise create
two programs, two sessions or two logs. The token is claimed in the same transaction as the
creation, so of two sendings at the same instant the database lets exactly one through: the
other waits on the token's primary key and then finds it taken.
"""

import secrets
from datetime import datetime

from flask import g
from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField

from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.sqltypes import UTCDateTime, utcnow

ALREADY_SENT = _l("This form was already sent, and what it asked for was saved then. Nothing was saved twice.")


class FormSubmission(db.Model):
    """A create form's one-time token, once its form has been acted on."""

    __tablename__ = "lms_form_submission"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


#: g key: the tokens put on this request's page (a kept copy of the page gets new ones).
PAGE_TOKENS = "lms_page_tokens"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def page_token() -> str:
    """A new token for a form on this request's page, noted so that a kept copy of the page gets its own."""
    token = new_token()
    g.setdefault(PAGE_TOKENS, []).append(token)
    return token


def claim(token: str) -> bool:
    """Record the token in the current transaction; False when another sending already has it."""
    try:
        db.session.add(FormSubmission(token=token))
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


class SentOnce:
    """Mix into a FlaskForm: validation claims the page's token, and fails if it was claimed before."""

    once = HiddenField(default=page_token)

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.once.data and not claim(self.once.data[:64]):
            self.form_errors.append(ALREADY_SENT)
            return False
        return True
