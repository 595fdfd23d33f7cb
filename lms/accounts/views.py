"""Registering, logging in and out, and looking after one's own account."""

import hashlib
import time

from flask import (
    Blueprint, Response, abort, current_app, flash, json, redirect, render_template, request, session, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms import i18n
from lms.accounts import emails, privacy, services, sessions, tokens, twofactor
from lms.accounts.forms import (
    CodeForm, ForgotPasswordForm, LoginForm, NewPasswordForm, PasswordForm, ProfileForm, ReauthenticateForm,
    RegistrationForm,
)
from lms.accounts.models import User
from lms.core.forms import apply_error
from lms.core.navigation import safe_next_url
from lms.core.security_log import security_event
from lms.extensions import db, limiter

bp = Blueprint("accounts", __name__)

#: The session key holding a login that passed the password and waits for the second factor.
PENDING = "lms_pending_2fa"
PENDING_SECONDS = 300


def _hashed(value: str) -> str:
    """Keep personal data such as emails out of the rate-limit store."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _login_account_key() -> str:
    return "login-account:" + _hashed(services.normalise_email(request.form.get("email", "")))


def _login_failed(response) -> bool:
    """Only failed attempts count towards the limits; a success redirects."""
    return response.status_code != 302


def _too_many_attempts(limit):
    security_event("login_throttled")
    form = LoginForm()
    minutes = max(1, round((limit.reset_at - time.time()) / 60))
    form.form_errors.append(_("Too many failed attempts. For your safety, try again in %(minutes)s minutes.",
                              minutes=minutes))
    return Response(render_template("lms/accounts/login.html", form=form), status=429)


def _account_limit():
    return current_app.config["LMS_LOGIN_LIMIT_ACCOUNT"]


def _address_limit():
    return current_app.config["LMS_LOGIN_LIMIT_ADDRESS"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
def register():
    if not current_app.config["LMS_ALLOW_REGISTRATION"]:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("lms.core.home"))
    form = RegistrationForm(locale=i18n.current_language_code())
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data, full_name=form.full_name.data,
                native_name=form.native_name.data, locale=form.locale.data,
                password=form.password.data,
            )
        except services.AccountError as error:
            apply_error(form, error)
        else:
            db.session.commit()
            emails.send_verification(user)
            sessions.start_session(user)
            security_event("registered", actor_id=user.id)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.full_name), "success")
            return redirect(url_for("lms.core.home"))
    return render_template("lms/accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_account_limit, key_func=_login_account_key, methods=["POST"], deduct_when=_login_failed,
               on_breach=_too_many_attempts)
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_login_failed, on_breach=_too_many_attempts)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None or not user.is_active:
            attacked = user or services.find_by_email(form.email.data)
            security_event("login_failed", target=attacked.id if attacked else None)
            form.form_errors.append(
                _("Email or password is not correct.") if user is None
                else _("This account has been deactivated. Please contact the program office."))
        elif user.two_factor_enabled:
            db.session.commit()
            sessions.start_session()
            session[PENDING] = {"user": user.id, "at": int(time.time())}
            return redirect(url_for(".two_factor_login", next=request.args.get("next")))
        else:
            return _complete_login(user)
    return render_template("lms/accounts/login.html", form=form)


def _complete_login(user: User, notice: str | None = None):
    db.session.commit()
    sessions.start_session(user)
    security_event("login_succeeded", actor_id=user.id)
    flash(_("Welcome back, %(name)s.", name=user.full_name), "success")
    if notice:
        flash(notice, "info")
    return redirect(safe_next_url(request.args.get("next")))


def _pending_user() -> User | None:
    pending = session.get(PENDING) or {}
    if int(time.time()) - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user", 0))
    return user if user is not None and user.is_active and user.two_factor_enabled else None


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limiter.limit(_account_limit, key_func=lambda: f"login-2fa:{(session.get(PENDING) or {}).get('user')}",
               methods=["POST"], deduct_when=_login_failed, on_breach=_too_many_attempts)
def two_factor_login():
    user = _pending_user()
    if user is None:
        flash(_("Please log in again."), "info")
        return redirect(url_for(".login"))
    form = CodeForm()
    if form.validate_on_submit():
        kind = twofactor.verify(user, form.code.data)
        if kind:
            notice = None
            if kind == "recovery":
                notice = _("You used a recovery code. %(n)s are left.", n=twofactor.unused_recovery_codes(user))
            return _complete_login(user, notice)
        security_event("two_factor_failed", actor_id=user.id)
        form.code.errors = [_("This code is not right, or it was used already.")]
    return render_template("lms/accounts/two_factor_login.html", form=form)


@bp.post("/logout")
def logout():
    user = current_user._get_current_object()
    sessions.end_all_sessions(user)
    db.session.commit()
    security_event("logout", actor_id=user.id)
    sessions.start_session()
    flash(_("You have logged out everywhere."), "success")
    return redirect(url_for("lms.core.home"))


@bp.route("/reauthenticate", methods=["GET", "POST"])
@limiter.limit(_account_limit, key_func=lambda: f"reauth:{current_user.id}", methods=["POST"],
               deduct_when=_login_failed)
def reauthenticate():
    """Ask for the password (and second factor) again before a sensitive action."""
    form = ReauthenticateForm()
    if form.validate_on_submit():
        user = services.authenticate(current_user.email, form.password.data)
        if user is None:
            form.password.errors = [_("This password is not correct.")]
        elif user.two_factor_enabled and not twofactor.verify(user, form.code.data or ""):
            form.code.errors = [_("This code is not right, or it was used already.")]
        else:
            db.session.commit()
            sessions.mark_recent_login()
            return redirect(safe_next_url(request.args.get("next")))
        security_event("reauthentication_failed")
    return render_template("lms/accounts/reauthenticate.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=lambda: "forgot:" + _login_account_key(), methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data)
        if user is not None and user.is_active:
            emails.send_password_reset(user)
        security_event("password_reset_requested", actor_id=user.id if user else None)
        flash(_("If an account uses this address, we have sent it a link to choose a new password."), "success")
        return redirect(url_for(".login"))
    return render_template("lms/accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = tokens.user_for_reset_token(token)
    if user is None:
        flash(_("This link has expired or was used already. Ask for a new one."), "error")
        return redirect(url_for(".forgot_password"))
    form = NewPasswordForm(user_email=user.email)
    if form.validate_on_submit():
        services.set_password(user, form.new_password.data)
        if user.email_verified_at is None:
            services.mark_email_verified(user)
        db.session.commit()
        security_event("password_reset", actor_id=user.id)
        sessions.start_session()
        flash(_("Your new password is saved. Please log in."), "success")
        return redirect(url_for(".login"))
    return render_template("lms/accounts/reset_password.html", form=form)


@bp.route("/account/verify/<token>", methods=["GET", "POST"])
def verify_email(token):
    """The link from the email shows a button; only the button's POST changes anything."""
    user = tokens.user_for_verify_token(token)
    if user is None:
        flash(_("This link has expired. Log in and ask for a new one."), "error")
        return redirect(url_for("lms.core.home"))
    if request.method == "POST":
        services.mark_email_verified(user)
        db.session.commit()
        security_event("email_verified", actor_id=user.id)
        flash(_("Thank you: your email address is confirmed."), "success")
        return redirect(url_for("lms.core.home"))
    return render_template("lms/accounts/verify_email.html", user=user)


@bp.post("/account/verify")
@limiter.limit("3 per hour", key_func=lambda: f"verify:{current_user.id}")
def resend_verification():
    if current_user.email_verified_at is None:
        emails.send_verification(current_user)
        flash(_("We sent you a new link. It may take a few minutes to arrive."), "success")
    return redirect(url_for(".account"))


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(
            current_user, full_name=form.full_name.data,
            native_name=form.native_name.data, locale=form.locale.data,
        )
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return redirect(url_for(".account"))
    return render_template("lms/accounts/account.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = PasswordForm(user_email=current_user.email)
    if form.validate_on_submit():
        try:
            services.change_password(current_user, current=form.current_password.data,
                                     new=form.new_password.data)
        except services.AccountError as error:
            apply_error(form, error)
        else:
            db.session.commit()
            sessions.start_session(current_user._get_current_object())
            security_event("password_changed")
            flash(_("Your password is changed. You were logged out on your other devices."), "success")
            return redirect(url_for(".account"))
    return render_template("lms/accounts/password.html", form=form)


@bp.get("/account/export.json")
@sessions.recent_login_required
def export_data():
    """Everything the program holds about the person, as a JSON download."""
    security_event("data_exported")
    body = json.dumps(privacy.export(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-data.json"', "Cache-Control": "no-store"})
