"""Registering, logging in and out, and looking after one's own account."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from lms import i18n
from lms.accounts import services
from lms.accounts.forms import LoginForm, PasswordForm, ProfileForm, RegistrationForm
from lms.core.navigation import safe_next_url
from lms.extensions import db

bp = Blueprint("accounts", __name__)


def start_new_session(user=None) -> None:
    """Drop everything in the session but the language, then log `user` in, if given.

    A new session at login and logout means nothing planted in the browser before survives.
    """
    language = session.get(i18n.SESSION_KEY)
    logout_user()
    session.clear()
    if language:
        session[i18n.SESSION_KEY] = language
    if user is not None:
        login_user(user)


def apply_errors(form, error: services.AccountError) -> None:
    """Show a service's refusal next to the field it concerns, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.route("/register", methods=["GET", "POST"])
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
            apply_errors(form, error)
        else:
            db.session.commit()
            start_new_session(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.full_name), "success")
            return redirect(url_for("lms.core.home"))
    return render_template("lms/accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next_url(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.form_errors.append(_("Email or password is not correct."))
        elif not user.is_active:
            form.form_errors.append(_("This account has been deactivated. Please contact the program office."))
        else:
            db.session.commit()
            start_new_session(user)
            flash(_("Welcome back, %(name)s.", name=user.full_name), "success")
            return redirect(safe_next_url(request.args.get("next")))
    return render_template("lms/accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    start_new_session()
    flash(_("You have logged out."), "success")
    return redirect(url_for("lms.core.home"))


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
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, current=form.current_password.data,
                                     new=form.new_password.data)
        except services.AccountError as error:
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Your password is changed."), "success")
            return redirect(url_for(".account"))
    return render_template("lms/accounts/password.html", form=form)
