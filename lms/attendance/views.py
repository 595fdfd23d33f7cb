"""Taking attendance (facilitators and admins), checking in and calendars (everyone)."""

import time

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.accounts.models import Role
from lms.attendance import calendar, checkin, exports, imports, services
from lms.attendance.forms import CheckInForm, ConfirmReportForm, ReportForm
from lms.attendance.models import LearningSession, Status
from lms.attendance.roster import roster, roster_ids
from lms.attendance.sheet import read_sheet, seen_token, shown_again
from lms.attendance.trainee import my_overview
from lms.attendance.services import Source, shown
from lms.attendance.sign_in_pdf import sign_in_pdf
from lms.core.forms import apply_error
from lms.core.links import public_url
from lms.core.throttle import refund_attempt
from lms.core.qr import qr_code_svg
from lms.core.security_log import security_event
from lms.extensions import db, limiter
from lms.sqltypes import utcnow
from lms.core.pagecache import cached_page

bp = Blueprint("attendance", __name__)


def _refuse():
    """404, or, for an admin without the second factor, the way to set it up (as admin pages do)."""
    if services.lacks_second_factor(current_user):
        flash(_("Administrators need a second factor. Set it up to continue."), "info")
        abort(redirect(url_for("lms.two_factor.index")))
    abort(404)


def facilitated(session_id: int) -> LearningSession:
    """A session the current user may take attendance for, or 404."""
    session = db.session.scalar(select(LearningSession).options(joinedload(LearningSession.facilitator))
                                .where(LearningSession.id == session_id))
    if session is None or not services.can_take_attendance(current_user, session):
        _refuse()
    return session


def visible(session_id: int) -> LearningSession:
    """A session on the current user's calendar (roster, facilitator or admin), or 404."""
    session = db.session.get(LearningSession, session_id)
    if session is None or not (services.can_take_attendance(current_user, session)
                               or current_user.id in roster_ids(session)):
        _refuse()
    return session


@bp.get("/sessions/mine")
def facilitating():
    sessions = db.session.scalars(
        select(LearningSession).where(LearningSession.facilitator_id == current_user.id)
        .order_by(LearningSession.starts_at.desc()).limit(200)).all()
    return render_template("lms/attendance/facilitating.html", sessions=sessions, now=utcnow())


@bp.route("/sessions/<lms_id:session_id>/attendance", methods=["GET", "POST"])
def take(session_id):
    session = facilitated(session_id)
    if request.method == "GET":
        return _take_page(session)
    sheet = read_sheet(request.form)
    if sheet.errors:
        return _take_page(session, sheet.typed, sheet.seen, sheet.errors)
    try:
        changed = services.mark(session, sheet.marks, by=current_user, source=Source.FACILITATOR)
    except services.AttendanceError as error:
        db.session.rollback()
        conflicts = getattr(error, "changed", {})
        typed, seen = shown_again(sheet, services.records_of(session), conflicts)
        return _take_page(session, typed, seen, {uid: ("status", _conflict(r)) for uid, r in conflicts.items()},
                          message=error.message)
    db.session.commit()
    flash(_("Attendance saved (%(n)s changes).", n=changed), "success")
    return redirect(url_for(".take", session_id=session.id))


def _conflict(record) -> str:
    if record is None:
        return _("Someone else removed this mark since you opened the page. Save again to keep yours.")
    now = (_("%(status)s, %(minutes)s minutes", status=record.status.label, minutes=record.minutes)
           if record.minutes is not None else record.status.label)
    return _("Changed since you opened the page, now: %(now)s. Save again to replace it with yours.", now=now)


def _take_page(session, typed=None, seen=None, errors=None, message=None):
    """The sheet; after a refusal (422), with what was typed, what each row was loaded as, and why."""
    records = services.records_of(session)
    seen = {p: seen_token(shown(r)) for p, r in records.items()} | (seen or {})
    return render_template("lms/attendance/take.html", session=session, people=roster(session), records=records,
                           history=services.history(session), statuses=list(Status),
                           check_in_open=checkin.is_open(session), marking_open=services.marking_is_open(session),
                           typed=typed or {}, seen=seen,
                           errors=errors or {}, message=message), 422 if errors or message else 200


@bp.post("/sessions/<lms_id:session_id>/attendance/all-present")
def all_present(session_id):
    session = facilitated(session_id)
    try:
        changed = services.mark_all_present(session, by=current_user)
    except services.AttendanceError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("%(n)s people marked present. Now change the exceptions.", n=changed), "success")
    return redirect(url_for(".take", session_id=session.id))


@bp.get("/sessions/<lms_id:session_id>/code")
def show_code(session_id):
    """The check-in code and its QR code, for the facilitator's screen."""
    session = facilitated(session_id)
    now = utcnow()
    code = checkin.code_at(session, now) if checkin.is_open(session, now) else None
    link = public_url("lms.attendance.check_in", session_id=session.id, code=code) if code else None
    return render_template("lms/attendance/code.html", session=session, code=code,
                           qr_code=qr_code_svg(link) if link else None, window=checkin.window(session),
                           # Reloading by itself only on request: a timed reload sends screen readers to the top.
                           refresh=request.args.get("refresh") == "1")


def _check_in_limit():
    return current_app.config["LMS_CHECKIN_LIMIT"]


def _check_in_key() -> str:
    """Per person and session; the user id, not get_id(), which changes with each login."""
    return f"check-in:{getattr(current_user, 'id', None)}:{(request.view_args or {}).get('session_id')}"


def _too_many_check_ins(limit):
    security_event("check_in_throttled", session=(request.view_args or {}).get("session_id"))
    session = visible(request.view_args["session_id"])
    form = CheckInForm()
    minutes = max(1, round((limit.reset_at - time.time()) / 60))
    form.code.errors = [_("Too many wrong codes. Try again in %(minutes)s minutes, or ask the facilitator to "
                          "mark you.", minutes=minutes)]
    return Response(render_template("lms/attendance/check_in.html", session=session, form=form), status=429)


@bp.route("/sessions/<lms_id:session_id>/check-in", methods=["GET", "POST"])
@limiter.limit(_check_in_limit, key_func=_check_in_key, methods=["POST"], on_breach=_too_many_check_ins)
def check_in(session_id):
    """Check in with the code on the screen; each code is counted before it is checked, a check-in given back."""
    session = visible(session_id)
    form = CheckInForm(code=request.args.get("code", ""))
    if form.validate_on_submit():
        try:
            record = checkin.check_in(session, current_user, form.code.data)
        except services.AttendanceError as error:
            db.session.rollback()
            security_event("check_in_refused", session=session.id)
            apply_error(form, error)
        else:
            db.session.commit()
            refund_attempt()
            flash(_("You are checked in: %(status)s.", status=record.status.label), "success")
            return redirect(url_for(".my_sessions"))
    return render_template("lms/attendance/check_in.html", session=session, form=form)


@bp.route("/sessions/<lms_id:session_id>/import", methods=["GET", "POST"])
def import_report(session_id):
    session = facilitated(session_id)
    if not services.marking_is_open(session):  # nothing to import yet: say when, and offer no upload
        return render_template("lms/attendance/import.html", session=session, form=None, plan=None,
                               message=services.not_started(session)), 422 if request.method == "POST" else 200
    form = ReportForm(min_minutes=int(services.session_minutes(session) * 0.75))
    plan, confirm = None, None
    if form.validate_on_submit():
        raw = form.file.data.read()
        text = raw.decode("utf-8-sig", errors="replace")
        plan = imports.plan_import(session, text)
        confirm = ConfirmReportForm(content=text, min_minutes=form.min_minutes.data)
    return render_template("lms/attendance/import.html", session=session, form=form, plan=plan,
                           confirm=confirm, people=roster(session))


@bp.post("/sessions/<lms_id:session_id>/import/confirm")
def confirm_import(session_id):
    session = facilitated(session_id)
    confirm = ConfirmReportForm()
    if not confirm.validate() or not (confirm.min_minutes.data or "").isdigit():
        abort(400)
    by_hand = {k[len("match-"):]: int(v) for k, v in request.form.items() if k.startswith("match-") and v.isdigit()}
    plan = imports.plan_import(session, confirm.content.data or "", by_hand)
    try:
        changed = imports.apply_import(session, plan, int(confirm.min_minutes.data), by=current_user)
    except services.AttendanceError as error:
        db.session.rollback()
        return render_template("lms/attendance/import.html", session=session, form=ReportForm(), plan=plan,
                               confirm=confirm, people=roster(session), message=error.message), 422
    db.session.commit()
    flash(_("Report imported: %(n)s changes.", n=changed), "success")
    return redirect(url_for(".take", session_id=session.id))


@bp.get("/sessions/<lms_id:session_id>/attendance.csv")
def session_sheet(session_id):
    session = facilitated(session_id)
    security_event("attendance_exported", session=session.id, file="csv")
    body = exports.session_csv(session, roster(session), services.records_of(session))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="attendance-{session.id}.csv"', "Cache-Control": "no-store"})


@bp.get("/sessions/<lms_id:session_id>/sign-in.pdf")
def sign_in_sheet(session_id):
    session = facilitated(session_id)
    security_event("attendance_exported", session=session.id, file="sign-in sheet")
    return Response(sign_in_pdf(session, roster(session)), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="sign-in-{session.id}.pdf"', "Cache-Control": "no-store"})


@bp.get("/sessions/<lms_id:session_id>.ics")
def session_ics(session_id):
    session = visible(session_id)
    return Response(calendar.calendar_bytes([session], session.title), mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="session-{session.id}.ics"'})


@bp.get("/calendar/<token>.ics")
def feed(token):
    """A person's private calendar feed; the token in the address is the only key."""
    user = calendar.user_for_token(token) or abort(404)
    with force_locale(user.locale):
        body = calendar.calendar_bytes(calendar.sessions_for(user), _("My sessions"))
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "no-store"})


@bp.post("/my/calendar/reset")
def reset_calendar():
    calendar.reset_token(current_user)
    db.session.commit()
    flash(_("Your calendar address is ready. If you had an older one, it no longer works."), "success")
    return redirect(url_for(".my_sessions"))


@bp.get("/my/sessions")
@cached_page
def my_sessions():
    overview = my_overview(current_user)
    return render_template("lms/attendance/my_sessions.html", overview=overview,
                           is_staff=current_user.has_role(Role.MENTOR) or current_user.has_role(Role.ADMIN))
