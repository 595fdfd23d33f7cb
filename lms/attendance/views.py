"""Taking attendance (facilitators and admins), checking in and calendars (everyone)."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
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
from lms.attendance.trainee import my_overview
from lms.attendance.services import Mark, Source
from lms.attendance.sign_in_pdf import sign_in_pdf
from lms.core.forms import apply_error
from lms.core.qr import qr_code_svg
from lms.core.security_log import security_event
from lms.extensions import db
from lms.sqltypes import utcnow

bp = Blueprint("attendance", __name__)
#: A day: more minutes than any session lasts.
MAX_MINUTES = 1440


def facilitated(session_id: int) -> LearningSession:
    """A session the current user may take attendance for, or 404."""
    session = db.session.scalar(select(LearningSession).options(joinedload(LearningSession.facilitator))
                                .where(LearningSession.id == session_id))
    if session is None or not services.can_take_attendance(current_user, session):
        abort(404)
    return session


def visible(session_id: int) -> LearningSession:
    """A session on the current user's calendar (roster, facilitator or admin), or 404."""
    session = db.session.get(LearningSession, session_id)
    if session is None or not (services.can_take_attendance(current_user, session)
                               or current_user.id in roster_ids(session)):
        abort(404)
    return session


@bp.get("/sessions/mine")
def facilitating():
    sessions = db.session.scalars(
        select(LearningSession).where(LearningSession.facilitator_id == current_user.id)
        .order_by(LearningSession.starts_at.desc()).limit(200)).all()
    return render_template("lms/attendance/facilitating.html", sessions=sessions, now=utcnow())


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
def take(session_id):
    session = facilitated(session_id)
    people = roster(session)
    typed, errors = {}, {}
    if request.method == "POST":
        marks, typed, errors = _marks_from(request.form)
        if not errors:
            try:
                changed = services.mark(session, marks, by=current_user, source=Source.FACILITATOR)
            except services.AttendanceError as error:
                db.session.rollback()
                flash(error.message, "error")
            else:
                db.session.commit()
                flash(_("Attendance saved (%(n)s changes).", n=changed), "success")
            return redirect(url_for(".take", session_id=session.id))
    return render_template("lms/attendance/take.html", session=session, people=people,
                           records=services.records_of(session), history=services.history(session),
                           statuses=list(Status), check_in_open=checkin.is_open(session),
                           typed=typed, errors=errors), 422 if errors else 200


def _marks_from(form) -> tuple[list[Mark], dict, dict]:
    """The marks posted for each person, what was typed, and the errors by person id.

    Any posted id is passed on: the service refuses ids that are not on the roster.
    """
    ids = {int(k[len("status-"):]) for k in form if k.startswith("status-") and k[len("status-"):].isdigit()}
    marks, typed, errors = [], {}, {}
    for uid in sorted(ids):
        status, minutes = form.get(f"status-{uid}", ""), form.get(f"minutes-{uid}", "").strip()
        typed[uid] = (status, minutes)
        if minutes and not (minutes.isdigit() and int(minutes) <= MAX_MINUTES):
            errors[uid] = _("Enter the minutes as a whole number from 0 to %(max)s.", max=MAX_MINUTES)
        elif status in set(Status):
            marks.append(Mark(uid, Status(status), int(minutes) if minutes else None))
    return marks, typed, errors


@bp.post("/sessions/<int:session_id>/attendance/all-present")
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


@bp.get("/sessions/<int:session_id>/code")
def show_code(session_id):
    """The check-in code and its QR code, for the facilitator's screen."""
    session = facilitated(session_id)
    now = utcnow()
    code = checkin.code_at(session, now) if checkin.is_open(session, now) else None
    link = url_for(".check_in", session_id=session.id, code=code, _external=True) if code else None
    return render_template("lms/attendance/code.html", session=session, code=code,
                           qr_code=qr_code_svg(link) if link else None, window=checkin.window(session),
                           # Reloading by itself only on request: a timed reload sends screen readers to the top.
                           refresh=request.args.get("refresh") == "1")


@bp.route("/sessions/<int:session_id>/check-in", methods=["GET", "POST"])
def check_in(session_id):
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
            flash(_("You are checked in: %(status)s.", status=record.status.label), "success")
            return redirect(url_for(".my_sessions"))
    return render_template("lms/attendance/check_in.html", session=session, form=form)


@bp.route("/sessions/<int:session_id>/import", methods=["GET", "POST"])
def import_report(session_id):
    session = facilitated(session_id)
    form = ReportForm(min_minutes=int(services.session_minutes(session) * 0.75))
    plan, confirm = None, None
    if form.validate_on_submit():
        raw = form.file.data.read()
        text = raw.decode("utf-8-sig", errors="replace")
        plan = imports.plan_import(session, text)
        confirm = ConfirmReportForm(content=text, min_minutes=form.min_minutes.data)
    return render_template("lms/attendance/import.html", session=session, form=form, plan=plan,
                           confirm=confirm, people=roster(session))


@bp.post("/sessions/<int:session_id>/import/confirm")
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
        flash(error.message, "error")
        return redirect(url_for(".import_report", session_id=session.id))
    db.session.commit()
    flash(_("Report imported: %(n)s changes.", n=changed), "success")
    return redirect(url_for(".take", session_id=session.id))


@bp.get("/sessions/<int:session_id>/attendance.csv")
def session_sheet(session_id):
    session = facilitated(session_id)
    body = exports.session_csv(session, roster(session), services.records_of(session))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="attendance-{session.id}.csv"', "Cache-Control": "no-store"})


@bp.get("/sessions/<int:session_id>/sign-in.pdf")
def sign_in_sheet(session_id):
    session = facilitated(session_id)
    return Response(sign_in_pdf(session, roster(session)), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="sign-in-{session.id}.pdf"', "Cache-Control": "no-store"})


@bp.get("/sessions/<int:session_id>.ics")
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
def my_sessions():
    overview = my_overview(current_user)
    return render_template("lms/attendance/my_sessions.html", overview=overview,
                           is_staff=current_user.has_role(Role.MENTOR) or current_user.has_role(Role.ADMIN))
