"""The mentor's pages: mentees and groups, sessions to log, logging them, and their hours."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import require_role
from lms.accounts.models import Role, User
from lms.core.clock import program_today
from lms.core.forms import apply_error
from lms.enrollment.models import Enrollment, ModuleProgress
from lms.extensions import db
from lms.mentoring import logs, overview, services, topics
from lms.mentoring.forms import MentorProfileForm, SessionForm
from lms.mentoring.models import MentorAssignment, MentorProfile, ReflectiveSession, SessionFormat, SessionStatus

bp = Blueprint("mentor", __name__, url_prefix="/mentor")
bp.before_request(require_role(Role.MENTOR))


def own_session(session_id: int) -> ReflectiveSession:
    """The current mentor's session with this id, or 404: never another mentor's."""
    return db.session.scalar(select(ReflectiveSession).where(
        ReflectiveSession.id == session_id, ReflectiveSession.mentor_id == current_user.id)) or abort(404)


@bp.get("")
def index():
    today = program_today()
    planned = overview.planned_sessions(current_user)
    return render_template(
        "lms/mentoring/mentor_home.html", mentees=overview.mentees_with_progress(current_user),
        groups=overview.current_groups(current_user), today=today,
        waiting=[s for s in planned if s.held_on <= today], upcoming=[s for s in planned if s.held_on > today],
        hours=overview.logged_hours(current_user),
        recent=overview.logged_hours(current_user, today - timedelta(days=30)),
    )


@bp.get("/sessions")
def sessions():
    page = db.paginate(
        select(ReflectiveSession).options(joinedload(ReflectiveSession.group))
        .where(ReflectiveSession.mentor_id == current_user.id)
        .order_by(ReflectiveSession.held_on.desc(), ReflectiveSession.id.desc()), per_page=25, error_out=False)
    return render_template("lms/mentoring/sessions.html", page=page)


def _session_form(session: ReflectiveSession | None):
    groups = logs.groups_of(current_user)
    if session is not None and session.group is not None and session.group not in groups:
        groups.append(session.group)  # a group that has since ended can still have its sessions logged
    form = SessionForm(obj=session, data=None if session else {
        "group": request.args.get("group", 0, type=int), "held_on": program_today(),
        "language": current_user.locale, "format": SessionFormat.VIDEO.value})
    if session is not None and request.method == "GET":
        form.group.data = session.group_id or 0
        form.attendees.data = [u.id for u in session.attendees]
        form.topics.data = [t.id for t in session.topics]
        form.notes.data = logs.read_notes(session)
        form.planned.data = session.status is SessionStatus.PLANNED
        form.format.data = session.format.value
    form.group.choices = [SelectChoice(0, _("My mentees (individual session)"))] + [
        SelectChoice(g.id, _("Group: %(name)s", name=g.name)) for g in groups]
    group = next((g for g in groups if g.id == form.group.data), None)
    allowed = logs.allowed_attendees(current_user, group, session)
    people = db.session.scalars(select(User).where(User.id.in_(allowed)).order_by(User.full_name)).all()
    form.attendees.choices = [SelectChoice(u.id, u.full_name) for u in people]
    form.topics.choices = [SelectChoice(t.id, topics.topic_label(t)) for t in topics.active_topics()]
    return form, group


@bp.route("/sessions/new", methods=["GET", "POST"])
def new_session():
    return _save_session(None)


@bp.route("/sessions/<lms_id:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id):
    return _save_session(own_session(session_id))


def _save_session(session):
    form, group = _session_form(session)
    if form.validate_on_submit():
        try:
            saved = logs.save_session(
                current_user, session, group=group, attendee_ids=form.attendees.data or [],
                held_on=form.held_on.data, duration_minutes=form.duration_minutes.data,
                format=SessionFormat(form.format.data), language=form.language.data,
                topic_ids=form.topics.data or [], summary=form.summary.data or "", notes=form.notes.data or "",
                planned=form.planned.data)
        except services.MentoringError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The session is planned.") if form.planned.data else _("The session is logged."), "success")
            return redirect(url_for(".session", session_id=saved.id))
    return render_template("lms/mentoring/session_form.html", form=form, session=session)


@bp.get("/sessions/<lms_id:session_id>")
def session(session_id):
    session = own_session(session_id)
    return render_template("lms/mentoring/session.html", session=session, notes=logs.read_notes(session),
                           history=logs.history(session), topic_label=topics.topic_label)


@bp.post("/sessions/<lms_id:session_id>/delete")
def delete_session(session_id):
    logs.delete_session(own_session(session_id), by=current_user)
    db.session.commit()
    flash(_("The session is deleted, with its notes and history."), "success")
    return redirect(url_for(".sessions"))


@bp.get("/mentees/<lms_id:trainee_id>")
def mentee(trainee_id):
    """A mentee's courses and the reflections they chose to share: 404 for anyone not assigned to you."""
    assignment = db.session.scalar(select(MentorAssignment).options(joinedload(MentorAssignment.trainee)).where(
        MentorAssignment.trainee_id == trainee_id, MentorAssignment.mentor_id == current_user.id,
        MentorAssignment.ended_at.is_(None))) or abort(404)
    shared = db.session.execute(
        select(ModuleProgress, Enrollment).join(Enrollment, Enrollment.id == ModuleProgress.enrollment_id)
        .options(joinedload(ModuleProgress.module), joinedload(Enrollment.course))
        .where(Enrollment.user_id == trainee_id, Enrollment.cohort_id == assignment.cohort_id,
               ModuleProgress.reflection_shared, ModuleProgress.reflection.is_not(None))
        .order_by(ModuleProgress.updated_at.desc())).all()
    mentee = next(m for m in overview.mentees_with_progress(current_user) if m.assignment.id == assignment.id)
    return render_template("lms/mentoring/mentee.html", mentee=mentee, shared=shared)


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    profile = db.session.get(MentorProfile, current_user.id) or MentorProfile.blank(current_user)
    form = MentorProfileForm(obj=profile, data={"languages": profile.languages})
    if form.validate_on_submit():
        services.save_profile(current_user, languages=form.languages.data, bio=form.bio.data,
                              is_active=form.is_active.data)
        db.session.commit()
        flash(_("Your mentor profile is saved."), "success")
        return redirect(url_for(".index"))
    return render_template("lms/mentoring/mentor_profile.html", form=form, profile=profile)
