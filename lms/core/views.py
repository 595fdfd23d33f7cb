"""Home, health check and the language switcher."""

from flask import Blueprint, jsonify, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lms import i18n
from lms.accounts.services import set_locale
from lms.core.navigation import safe_next_url
from lms.attendance.trainee import attendance_by_cohort
from lms.enrollment.dashboard import my_courses
from lms.notifications.services import unread_messages
from lms.extensions import db
from lms.core.pagecache import cached_page

bp = Blueprint("core", __name__)


@bp.get("/")
@cached_page
def home():
    if not current_user.is_authenticated:
        return render_template("lms/core/home.html")
    return render_template(
        "lms/core/home.html", courses=my_courses(current_user),
        notifications=unread_messages(current_user.id, i18n.current_language_code()),
        attendance_warnings=[a for a in attendance_by_cohort(current_user) if a.warning],
    )


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503, {"Retry-After": "30"}
    return jsonify(status="ok", database="ok")


@bp.post("/language")
def set_language():
    """Remember the chosen language for this browser and, when logged in, for the account."""
    code = request.form.get("language", "")
    if code in i18n.supported_languages():
        session[i18n.SESSION_KEY] = code
        if current_user.is_authenticated:
            set_locale(current_user, code)
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")))
