"""Admin pages: schedule sessions, and read attendance rates by cohort, course, group and trainee."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import require_role
from lms.accounts.models import Role, User, UserRole
from lms.accounts.sessions import recent_login_required
from lms.attendance import exports, services
from lms.attendance.forms import ScheduleForm, to_local, to_utc
from lms.attendance.models import LearningSession, SessionKind
from lms.attendance.roster import cohort_rates, rates_by
from lms.core.forms import apply_error
from lms.core.security_log import security_event
from lms.courses.models import Cohort, Course
from lms.extensions import db
from lms.mentoring.models import ReflectiveGroup
from lms.sqltypes import utcnow
from lms.core.pagecache import cached_page

bp = Blueprint("attendance_admin", __name__, url_prefix="/admin/attendance")
bp.before_request(require_role(Role.ADMIN))


@bp.get("")
def index():
    cohorts = db.session.scalars(select(Cohort).options(joinedload(Cohort.program))
                                 .where(Cohort.is_archived.is_(False)).order_by(Cohort.starts_on)).all()
    return render_template("lms/attendance/admin/index.html", cohorts=cohorts)


@bp.get("/cohorts/<lms_id:cohort_id>")
@cached_page
def cohort(cohort_id):
    cohort = db.get_or_404(Cohort, cohort_id)
    now = utcnow()
    found = rates_by(LearningSession.cohort_id == cohort.id, by=("trainee", "course", "group", "all"), now=now)
    by_trainee = found["trainee"]
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(by_trainee)))}
    sessions = db.session.scalars(
        select(LearningSession).options(joinedload(LearningSession.facilitator))
        .where(LearningSession.cohort_id == cohort.id).order_by(LearningSession.starts_at)).all()
    return render_template(
        "lms/attendance/admin/cohort.html", cohort=cohort, sessions=sessions, now=now, people=people,
        by_trainee=by_trainee, by_course=found["course"], by_group=found["group"], overall=found["all"],
        courses={c.id: c for c in cohort.courses}, groups={g.id: g for g in db.session.scalars(
            select(ReflectiveGroup).where(ReflectiveGroup.cohort_id == cohort.id))},
        rule=cohort.program.excused_absences, threshold=cohort.program.attendance_warning_percent)


@bp.get("/cohorts/<lms_id:cohort_id>/attendance.csv")
@recent_login_required
def cohort_sheet(cohort_id):
    cohort = db.get_or_404(Cohort, cohort_id)
    security_event("attendance_exported", cohort=cohort.id)
    body = exports.cohort_csv(cohort.id, cohort_rates(cohort.id, by="trainee", now=utcnow()),
                              cohort.program.excused_absences)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="attendance-cohort-{cohort.id}.csv"',
        "Cache-Control": "no-store"})


def _schedule_form(session: LearningSession | None, cohort: Cohort):
    data = None
    if session is None:
        data = {"cohort": cohort.id, "language": cohort.languages[0] if cohort.languages else "en"}
    form = ScheduleForm(obj=session, data=data)
    if session is not None and request.method == "GET":
        form.kind.data, form.cohort.data = session.kind.value, session.cohort_id
        form.course.data, form.group.data = session.course_id or 0, session.group_id or 0
        form.facilitator.data = session.facilitator_id
        form.starts_at.data, form.ends_at.data = to_local(session.starts_at), to_local(session.ends_at)
    form.cohort.choices = [SelectChoice(cohort.id, cohort.name)]
    form.course.choices = [SelectChoice(0, "—")] + [SelectChoice(c.id, f"{c.code} · {c.title}")
                                                    for c in cohort.courses]
    form.group.choices = [SelectChoice(0, "—")] + [SelectChoice(g.id, g.name) for g in db.session.scalars(
        select(ReflectiveGroup).where(ReflectiveGroup.cohort_id == cohort.id, ReflectiveGroup.ended_at.is_(None)))]
    form.facilitator.choices = [SelectChoice(u.id, u.full_name) for u in db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_([Role.MENTOR, Role.ADMIN]), User.is_active).order_by(User.full_name).distinct())]
    return form


@bp.route("/cohorts/<lms_id:cohort_id>/sessions/new", methods=["GET", "POST"])
def new_session(cohort_id):
    cohort = db.get_or_404(Cohort, cohort_id)
    return _save(LearningSession(), cohort, _("The session is scheduled."))


@bp.route("/sessions/<lms_id:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id):
    session = db.get_or_404(LearningSession, session_id)
    return _save(session, session.cohort, _("The session is saved."))


def _save(session: LearningSession, cohort: Cohort, success: str):
    form = _schedule_form(session if session.id else None, cohort)
    if form.validate_on_submit():
        try:
            services.save_session(
                session, kind=SessionKind(form.kind.data), title=form.title.data,
                starts_at=to_utc(form.starts_at.data), ends_at=to_utc(form.ends_at.data),
                facilitator=db.session.get(User, form.facilitator.data), language=form.language.data,
                place=form.place.data, video_url=form.video_url.data, cohort=cohort,
                course=db.session.get(Course, form.course.data) if form.course.data else None,
                group=db.session.get(ReflectiveGroup, form.group.data) if form.group.data else None)
        except services.AttendanceError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for(".cohort", cohort_id=cohort.id))
    return render_template("lms/attendance/admin/session_form.html", form=form, cohort=cohort,
                           session=session if session.id else None)


@bp.post("/sessions/<lms_id:session_id>/cancel")
def cancel_session(session_id):
    """Cancel a session; sending it twice (a second tab, a double click) keeps it cancelled."""
    session = db.get_or_404(LearningSession, session_id)
    services.set_cancelled(session, True)
    db.session.commit()
    flash(_("The session is cancelled."), "success")
    return redirect(url_for(".cohort", cohort_id=session.cohort_id))


@bp.post("/sessions/<lms_id:session_id>/restore")
def restore_session(session_id):
    """Put a cancelled session back on; sending it twice keeps it on."""
    session = db.get_or_404(LearningSession, session_id)
    services.set_cancelled(session, False)
    db.session.commit()
    flash(_("The session is on again."), "success")
    return redirect(url_for(".cohort", cohort_id=session.cohort_id))
