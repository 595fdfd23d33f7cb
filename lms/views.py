"""The plugin's parent blueprint: nests every domain, denies anonymous users by default."""

import sqlite3

from flask import Blueprint, Flask, current_app, g, render_template, request
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from lms import i18n
from lms.core import pagecache
from lms.core.security_log import logged_path, security_event
from lms.accounts.admin_views import bp as users_bp
from lms.accounts.twofactor_views import bp as two_factor_bp
from lms.accounts.views import bp as accounts_bp
from lms.audit.views import bp as audit_bp
from lms.attendance.admin_views import bp as attendance_admin_bp
from lms.attendance.views import bp as attendance_bp
from lms.core.views import bp as core_bp
from lms.credentials.admin_views import bp as certificates_admin_bp
from lms.credentials.public_views import bp as verify_bp
from lms.credentials.views import bp as certificates_bp
from lms.courses.admin_course_views import bp as course_admin_bp
from lms.courses.admin_views import bp as programs_bp
from lms.courses.views import bp as courses_bp
from lms.enrollment.admin_views import bp as rosters_bp
from lms.enrollment.views import bp as enrollment_bp
from lms.i18n import lazy_gettext as _l
from lms.mentoring import receivers  # noqa: F401  (connects the mentoring signal receivers)
from lms.mentoring.admin_views import bp as mentoring_admin_bp
from lms.mentoring.mentor_views import bp as mentor_bp
from lms.mentoring.trainee_views import bp as my_mentoring_bp
from lms.demographics.admin_views import bp as demographics_admin_bp
from lms.demographics.views import bp as demographics_bp
from lms.reports.views import bp as reports_bp
from lms.languages.views import bp as languages_bp
from lms.extensions import db, login_manager

blueprint = Blueprint(
    "lms", __name__, template_folder="templates",
    static_folder="static", static_url_path="/lms-static",
)
for child in (core_bp, accounts_bp, two_factor_bp, users_bp, audit_bp, courses_bp, enrollment_bp, programs_bp,
              course_admin_bp, rosters_bp, mentor_bp, my_mentoring_bp, mentoring_admin_bp, attendance_bp,
              attendance_admin_bp, certificates_bp, certificates_admin_bp, verify_bp, demographics_bp,
              demographics_admin_bp, reports_bp, languages_bp):
    blueprint.register_blueprint(child)

#: Endpoints anyone may reach without logging in. Every other LMS endpoint requires a login.
PUBLIC_ENDPOINTS = frozenset({
    "lms.static",
    "lms.core.home",
    "lms.core.healthz",
    "lms.core.set_language",
    "lms.accounts.login",
    "lms.accounts.register",
    "lms.accounts.two_factor_login",
    "lms.accounts.forgot_password",
    "lms.accounts.reset_password",
    "lms.accounts.verify_email",
    "lms.courses.catalog",
    "lms.attendance.feed",
    "lms.courses.detail",
    "lms.verify.index",
    "lms.verify.show",
    "lms.verify.check_file",
    "lms.verify.credential",
    "lms.verify.issuer",
    "lms.verify.key",
    "lms.verify.revocations",
})


# First: a kept page is answered before the user is loaded (lms/core/pagecache.py says why that is safe).
blueprint.before_request(pagecache.serve_kept_page)
blueprint.after_request(pagecache.keep_page)


@blueprint.before_request
def require_login():
    """Send anonymous users to the login page unless the endpoint is on the public list."""
    if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("That action is not allowed here"),
    413: _l("The upload is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}
ERROR_MESSAGES = {
    400: _l("Please go back, check what you entered, and try again."),
    403: _l("If you think you should have access, contact the program office."),
    404: _l("The page may have moved, or the address may be mistyped."),
    405: _l("Please use the buttons and links on the page."),
    413: _l("Please choose a smaller file and try again."),
    429: _l("For your safety, please wait a few minutes and try again."),
    500: _l("We have been told about the problem. Please try again in a few minutes."),
}


def render_error(error):
    """Render a friendly error page, never a traceback."""
    if getattr(error, "response", None) is not None:
        return error.response  # a page made for this refusal, e.g. the login form saying why
    if isinstance(error, CSRFError):
        security_event("csrf_failed")
        code, title = 400, _("This form has expired")
        message = _("For your security, forms expire. Please go back, reload the page and try again.")
    else:
        code = error.code if isinstance(error, HTTPException) and error.code in ERROR_TITLES else 500
        title, message = ERROR_TITLES[code], ERROR_MESSAGES[code]
    return render_template("lms/error.html", code=code, title=title, message=message), code


#: Errors of a database that is down, restarting, locked or full, rather than of the request.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def render_database_error(error: OperationalError | InterfaceError):
    """The database is unreachable, busy or full: roll back whatever the request began, and say so."""
    _answer_as_nobody()
    db.session.rollback()
    current_app.logger.error("Database error on %s %s: %s", request.method, logged_path(), error.orig)
    if is_storage_full(error):
        title = _("The server has run out of storage space")
        message = _("Nothing was saved. The program office has been told; please try again later.")
    else:
        title = _("The service is briefly unavailable")
        message = _("Nothing was saved. Please try again in a minute.")
    headers = {"Retry-After": "30", "Cache-Control": "no-store"}
    try:
        return render_template("lms/error.html", code=503, title=title, message=message), 503, headers
    except DATABASE_UNAVAILABLE:  # the page itself needs the database (the menu reads the person's roles)
        db.session.rollback()
        code = i18n.current_language_code()
        page = (f'<!doctype html><html lang="{i18n.lang_tag(code)}" dir="{i18n.text_direction(code)}">'
                f'<meta charset="utf-8"><title>{escape(title)}</title><h1>{escape(title)}</h1>'
                f"<p>{escape(message)}</p></html>")
        return page, 503, headers


def _answer_as_nobody() -> None:
    """Settle the page's language and time zone now, then go on as nobody: the error page, its language and
    its headers must not ask the database for the person again (after the rollback, their row is expired)."""
    try:
        get_locale(), get_timezone()
    except SQLAlchemyError:  # the person could not be read (or the failed transaction is still to be undone)
        pass  # the session's or the browser's language then, as for a visitor
    g._login_user = current_app.login_manager.anonymous_user()


def is_storage_full(error: BaseException | None) -> bool:
    """Whether the database ran out of space: SQLITE_FULL, PostgreSQL's disk_full (53100), or ENOSPC."""
    # Look down the chain: a full SQLite may undo a savepoint itself, and the last error is then about that.
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        orig = getattr(error, "orig", error)
        if (getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
                or getattr(orig, "sqlstate", None) == "53100" or "No space left on device" in str(orig)):
            return True
        error = error.__cause__ or error.__context__
    return False


for _code in (*ERROR_TITLES, CSRFError):
    blueprint.register_error_handler(_code, render_error)
for _error in DATABASE_UNAVAILABLE:
    blueprint.register_error_handler(_error, render_database_error)


def register_app_error_pages(app: Flask) -> None:
    """Use the LMS error pages for the whole app (LMS_ERROR_PAGES)."""
    for code in (*ERROR_TITLES, CSRFError):
        app.register_error_handler(code, render_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, render_database_error)


def template_context() -> dict:
    code = i18n.current_language_code()
    return {
        "lms_language": code,
        "lms_lang_tag": i18n.lang_tag(code),
        "lms_text_direction": i18n.text_direction(code),
        "lms_language_choices": i18n.language_choices(),
        "lms_site_name": current_app.config["LMS_SITE_NAME"]
        or _("BIPOC Community of Leaders Certificate Program"),
    }
