"""Registering, logging in and out, and looking after one's own account."""

import hashlib
import logging
import time
from collections.abc import Callable

from flask import (
    Blueprint, Response, abort, current_app, flash, json, redirect, render_template, request, session, url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from limits import parse_many

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
from lms.core.throttle import refund_attempt
from lms.extensions import db, limiter

bp = Blueprint("accounts", __name__)

#: The session key holding a login that passed the password and waits for the second factor.
PENDING = "lms_pending_2fa"
PENDING_SECONDS = 300


log = logging.getLogger(__name__)

#: Password-reset emails one account may be sent (whoever asks for them): enough to retry, too few to flood.
RESET_EMAILS_PER_ACCOUNT = "5 per hour"


def _hashed(value: str) -> str:
    """Keep personal data such as emails out of the rate-limit store."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


# --- Throttles --------------------------------------------------------------------------------------
# Flask-Limiter counts each attempt (an atomic increment, in Redis or in memory) and checks the count before
# the view runs, so attempts sent in parallel cannot slip past a limit while the first ones are being checked.
# A success gives back what it counted (refund_attempt), so the owner's own logins never add up. Following
# OWASP's Authentication Cheat Sheet, the tight limit is per account *and* address: an attacker elsewhere
# cannot lock the owner out. A looser per-account ceiling stops guesses spread over many addresses, a
# per-address limit stops one address trying many accounts, and a password reset clears the account's counts.
# No growing delay: a sleeping worker would hand an attacker the means to tie up the site.


def _pair_limit():
    return current_app.config["LMS_LOGIN_LIMIT_PAIR"]


def _account_limit():
    return current_app.config["LMS_LOGIN_LIMIT_ACCOUNT"]


def _address_limit():
    return current_app.config["LMS_LOGIN_LIMIT_ADDRESS"]


#: The counters of every guarded step: their limit, and their key from (step, account, address).
COUNTERS = {
    "pair": (_pair_limit, lambda step, account, address: f"{step}-pair:" + _hashed(f"{account}|{address}")),
    "account": (_account_limit, lambda step, account, address: f"{step}-account:{account}"),
}


def _email_account() -> str:
    return _hashed(services.normalise_email(request.form.get("email", "")))


def _pending_account() -> str:
    return f"user-{(session.get(PENDING) or {}).get('user')}"


def _current_account() -> str:
    return f"user-{current_user.id}"


def _accounts_of(user: User) -> dict[str, str]:
    """How each guarded step names this user's account."""
    return {"login": _hashed(user.email), "two-factor": f"user-{user.id}", "reauthenticate": f"user-{user.id}"}


def throttled(step: str, account: Callable[[], str], *, per_address: bool = False, answer: Callable | None = None):
    """Count each POST of `step` per (account, address) and per account (and per address) before the view runs."""
    def decorate(view):
        for name, (limit, key) in COUNTERS.items():
            view = limiter.shared_limit(limit, scope=f"{step}-{name}", methods=["POST"], on_breach=answer,
                                        key_func=lambda key=key: key(step, account(), request.remote_addr))(view)
        if per_address:
            view = limiter.shared_limit(_address_limit, scope=f"{step}-address", methods=["POST"], on_breach=answer,
                                        key_func=lambda: f"{step}-address:{request.remote_addr}")(view)
        return view

    return decorate


def forget_failures(user: User) -> None:
    """Clear the counts of the user's account, and of it with this request's address: a completed reset."""
    prefix = [limiter._key_prefix] if limiter._key_prefix else []  # Flask-Limiter puts its key prefix first
    try:
        for step, account in _accounts_of(user).items():
            for name, (limit, key) in COUNTERS.items():
                for item in parse_many(limit()):
                    limiter.limiter.clear(item, *prefix, key(step, account, request.remote_addr), f"{step}-{name}")
    except Exception:
        log.warning("Could not clear the failed attempts of an account", exc_info=True)


def _refused(limit) -> None:
    """A refused attempt costs nothing but the count of the limit it broke."""
    refund_attempt()
    security_event("login_throttled", step=request.endpoint)


def _too_many_attempts(limit):
    _refused(limit)
    form = LoginForm()
    minutes = max(1, round((limit.reset_at - time.time()) / 60))
    form.form_errors.append(_("Too many failed attempts. For your safety, try again in %(minutes)s minutes.",
                              minutes=minutes))
    return Response(render_template("lms/accounts/login.html", form=form), status=429)


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
@throttled("login", _email_account, per_address=True, answer=_too_many_attempts)
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
            refund_attempt()
            db.session.commit()
            sessions.start_session()
            session[PENDING] = {"user": user.id, "at": int(time.time())}
            return redirect(url_for(".two_factor_login", next=request.args.get("next")))
        else:
            refund_attempt()
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
@throttled("two-factor", _pending_account, answer=_too_many_attempts)
def two_factor_login():
    user = _pending_user()
    if user is None:
        flash(_("Please log in again."), "info")
        return redirect(url_for(".login"))
    form = CodeForm()
    if form.validate_on_submit():
        kind = twofactor.verify(user, form.code.data)
        if kind:
            refund_attempt()
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
@throttled("reauthenticate", _current_account, answer=_refused)
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
            refund_attempt()
            db.session.commit()
            sessions.mark_recent_login()
            return redirect(safe_next_url(request.args.get("next")))
        security_event("reauthentication_failed")
    return render_template("lms/accounts/reauthenticate.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(RESET_EMAILS_PER_ACCOUNT, key_func=lambda: "forgot:" + _email_account(), methods=["POST"])
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
        forget_failures(user)
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
