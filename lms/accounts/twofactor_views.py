"""Setting up, using and turning off two-factor authentication."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import twofactor
from lms.accounts.forms import CodeForm
from lms.accounts.sessions import recent_login_required
from lms.core.qr import qr_code_svg
from lms.core.security_log import security_event
from lms.extensions import db

bp = Blueprint("two_factor", __name__, url_prefix="/account/two-factor")


@bp.get("")
def index():
    return render_template("lms/accounts/two_factor.html",
                           recovery_left=twofactor.unused_recovery_codes(current_user))


@bp.post("/setup")
@recent_login_required
def begin():
    twofactor.begin_setup(current_user)
    db.session.commit()
    return redirect(url_for(".setup"))


@bp.get("/setup")
def setup():
    if current_user.two_factor_enabled or not current_user.totp_secret:
        return redirect(url_for(".index"))
    return _setup_page(CodeForm())


def _setup_page(form, status=200):
    uri = twofactor.provisioning_uri(current_user)
    return render_template("lms/accounts/two_factor_setup.html", form=form, secret=current_user.totp_secret,
                           qr_code=qr_code_svg(uri)), status


@bp.post("/confirm")
def confirm():
    form = CodeForm()
    if current_user.two_factor_enabled or not current_user.totp_secret:
        return redirect(url_for(".index"))
    if form.validate_on_submit():
        codes = twofactor.confirm_setup(current_user, form.code.data)
        if codes:
            db.session.commit()
            security_event("two_factor_enabled")
            flash(_("Two-factor authentication is on."), "success")
            return render_template("lms/accounts/recovery_codes.html", codes=codes)
        form.code.errors = [_("This code is not right. Check the time on your phone and try the newest code.")]
    return _setup_page(form)


@bp.post("/recovery-codes")
@recent_login_required
def new_recovery_codes():
    if not current_user.two_factor_enabled:
        return redirect(url_for(".index"))
    codes = twofactor.new_recovery_codes(current_user)
    db.session.commit()
    security_event("recovery_codes_replaced")
    return render_template("lms/accounts/recovery_codes.html", codes=codes)


@bp.post("/disable")
@recent_login_required
def disable():
    twofactor.disable(current_user)
    db.session.commit()
    security_event("two_factor_disabled")
    flash(_("Two-factor authentication is off."), "success")
    return redirect(url_for(".index"))
