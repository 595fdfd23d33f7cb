"""Admin pages: mentors and their load, assignments by cohort, groups, session hours, topics, graduates.

Admins see what a session was (date, hours, who came, topics), never its summary or notes.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import require_role
from lms.accounts.models import Role, User, UserRole
from lms.core.forms import apply_error
from lms.courses.models import Cohort
from lms.enrollment.models import Enrollment, EnrollmentStatus
from lms.extensions import db
from lms.mentoring import invitations, services, topics
from lms.mentoring.forms import AdminMentorProfileForm, AssignForm, GroupForm, InviteForm, TopicForm
from lms.mentoring.models import (
    MentorAssignment, MentorProfile, ReflectiveGroup, ReflectiveSession, SessionStatus, Topic,
)

bp = Blueprint("mentoring_admin", __name__, url_prefix="/admin/mentoring")
bp.before_request(require_role(Role.ADMIN))


def _mentors() -> list[User]:
    return db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.MENTOR, User.is_active).order_by(User.full_name)).all()


@bp.get("")
def index():
    mentors = _mentors()
    profiles = {p.user_id: p for p in db.session.scalars(
        select(MentorProfile).options(selectinload(MentorProfile.language_rows))
        .where(MentorProfile.user_id.in_([m.id for m in mentors])))}
    cohorts = db.session.scalars(select(Cohort).where(Cohort.is_archived.is_(False)).order_by(Cohort.starts_on)).all()
    return render_template("lms/mentoring/admin/index.html", mentors=mentors, profiles=profiles,
                           loads=services.loads([m.id for m in mentors]), cohorts=cohorts)


@bp.route("/mentors/<lms_id:user_id>", methods=["GET", "POST"])
def mentor(user_id):
    user = db.get_or_404(User, user_id)
    if not user.has_role(Role.MENTOR):
        abort(404)
    profile = db.session.get(MentorProfile, user.id) or MentorProfile.blank(user)
    form = AdminMentorProfileForm(obj=profile, data={"languages": profile.languages})
    if form.validate_on_submit():
        services.save_profile(user, languages=form.languages.data, bio=form.bio.data, is_active=form.is_active.data,
                              max_mentees=form.max_mentees.data, max_groups=form.max_groups.data)
        db.session.commit()
        flash(_("The mentor profile is saved."), "success")
        return redirect(url_for(".index"))
    return render_template("lms/mentoring/admin/mentor.html", form=form, user=user)


@bp.get("/cohorts/<lms_id:cohort_id>")
def cohort(cohort_id):
    cohort = db.get_or_404(Cohort, cohort_id)
    trainees = db.session.scalars(
        select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.cohort_id == cohort.id, Enrollment.status != EnrollmentStatus.WITHDRAWN)
        .order_by(User.full_name).distinct()).all()
    current = {a.trainee_id: a for a in db.session.scalars(
        select(MentorAssignment).options(joinedload(MentorAssignment.mentor))
        .where(MentorAssignment.cohort_id == cohort.id, MentorAssignment.ended_at.is_(None)))}
    groups = db.session.scalars(
        select(ReflectiveGroup).options(joinedload(ReflectiveGroup.mentor), selectinload(ReflectiveGroup.members))
        .where(ReflectiveGroup.cohort_id == cohort.id).order_by(ReflectiveGroup.name)).all()
    return render_template("lms/mentoring/admin/cohort.html", cohort=cohort, trainees=trainees,
                           current=current, groups=groups)


@bp.route("/cohorts/<lms_id:cohort_id>/trainees/<lms_id:trainee_id>", methods=["GET", "POST"])
def assign(cohort_id, trainee_id):
    cohort = db.get_or_404(Cohort, cohort_id)
    trainee = db.get_or_404(User, trainee_id)
    suggestions = services.suggest_mentors(trainee, cohort, limit=50)
    form = AssignForm()
    form.mentor.choices = [SelectChoice(s.mentor.id, s.mentor.full_name) for s in suggestions]
    if form.validate_on_submit():
        try:
            services.assign(db.session.get(User, form.mentor.data), trainee, cohort, by=current_user,
                            reason=form.reason.data)
        except services.MentoringError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The mentor is assigned; both were told."), "success")
            return redirect(url_for(".cohort", cohort_id=cohort.id))
    history = db.session.scalars(
        select(MentorAssignment).options(joinedload(MentorAssignment.mentor))
        .where(MentorAssignment.trainee_id == trainee.id, MentorAssignment.cohort_id == cohort.id)
        .order_by(MentorAssignment.started_at.desc())).all()
    return render_template("lms/mentoring/admin/assign.html", cohort=cohort, trainee=trainee, form=form,
                           suggestions=suggestions, history=history)


@bp.post("/assignments/<lms_id:assignment_id>/end")
def end_assignment(assignment_id):
    assignment = db.get_or_404(MentorAssignment, assignment_id)
    services.end_assignment(assignment, by=current_user)
    db.session.commit()
    flash(_("The assignment has ended. It stays in the history."), "success")
    return redirect(url_for(".cohort", cohort_id=assignment.cohort_id))


def _group_form(cohort: Cohort, group: ReflectiveGroup | None):
    form = GroupForm(obj=group, data=None if group else {"language": cohort.languages[0] if cohort.languages
                                                          else "en"})
    if group is not None and request.method == "GET":
        form.mentor.data = group.mentor_id
        form.members.data = [m.trainee_id for m in group.members if m.left_at is None]
    form.mentor.choices = [SelectChoice(m.id, m.full_name) for m in _mentors()]
    form.members.choices = [SelectChoice(u.id, u.full_name) for u in db.session.scalars(
        select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.cohort_id == cohort.id, Enrollment.status != EnrollmentStatus.WITHDRAWN)
        .order_by(User.full_name).distinct())]
    return form


@bp.route("/cohorts/<lms_id:cohort_id>/groups/new", methods=["GET", "POST"])
def new_group(cohort_id):
    cohort = db.get_or_404(Cohort, cohort_id)
    form = _group_form(cohort, None)
    if form.validate_on_submit():
        try:
            services.create_group(db.session.get(User, form.mentor.data), cohort, name=form.name.data,
                                  language=form.language.data, trainee_ids=form.members.data or [],
                                  by=current_user, reason=form.reason.data)
        except services.MentoringError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The group is created; its members were told."), "success")
            return redirect(url_for(".cohort", cohort_id=cohort.id))
    return render_template("lms/mentoring/admin/group_form.html", form=form, cohort=cohort, group=None)


@bp.route("/groups/<lms_id:group_id>", methods=["GET", "POST"])
def group(group_id):
    group = db.get_or_404(ReflectiveGroup, group_id)
    form = _group_form(group.cohort, group)
    if form.validate_on_submit():
        try:
            group.name, group.language = form.name.data, form.language.data
            services.set_members(group, form.members.data or [])
        except services.MentoringError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The group is saved."), "success")
            return redirect(url_for(".cohort", cohort_id=group.cohort_id))
    return render_template("lms/mentoring/admin/group_form.html", form=form, cohort=group.cohort, group=group)


@bp.post("/groups/<lms_id:group_id>/end")
def end_group(group_id):
    group = db.get_or_404(ReflectiveGroup, group_id)
    services.end_group(group)
    db.session.commit()
    flash(_("The group has ended. Its sessions and hours stay."), "success")
    return redirect(url_for(".cohort", cohort_id=group.cohort_id))


@bp.get("/sessions")
def sessions():
    """Dates, hours, attendance and topics of every logged session; never summaries or notes."""
    stmt = (select(ReflectiveSession)
            .options(joinedload(ReflectiveSession.mentor), joinedload(ReflectiveSession.group),
                     selectinload(ReflectiveSession.attendees), selectinload(ReflectiveSession.topics))
            .where(ReflectiveSession.status == SessionStatus.LOGGED)
            .order_by(ReflectiveSession.held_on.desc(), ReflectiveSession.id.desc()))
    mentor_id = request.args.get("mentor", type=int)
    if mentor_id:
        stmt = stmt.where(ReflectiveSession.mentor_id == mentor_id)
    page = db.paginate(stmt, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    return render_template("lms/mentoring/admin/sessions.html", page=page, mentors=_mentors(),
                           mentor_id=mentor_id, topic_label=topics.topic_label)


@bp.route("/topics", methods=["GET", "POST"])
def topic_list():
    form = TopicForm()
    if form.validate_on_submit():
        topics.save_topic(Topic(), name=form.name.data, is_active=True)
        db.session.commit()
        flash(_("The topic is added."), "success")
        return redirect(url_for(".topic_list"))
    return render_template("lms/mentoring/admin/topics.html", form=form, topic_label=topics.topic_label,
                           topics=db.session.scalars(select(Topic).order_by(Topic.is_active.desc(), Topic.id)).all())


@bp.post("/topics/<lms_id:topic_id>/toggle")
def toggle_topic(topic_id):
    topic = db.get_or_404(Topic, topic_id)
    topics.save_topic(topic, name=topic.name, is_active=not topic.is_active)
    db.session.commit()
    return redirect(url_for(".topic_list"))


@bp.get("/graduates")
def graduates():
    page = db.paginate(invitations.graduates_query(), per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    return render_template("lms/mentoring/admin/graduates.html", page=page, form=InviteForm())


@bp.post("/graduates/<lms_id:user_id>/invite")
def invite(user_id):
    user = db.get_or_404(User, user_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitations.invite(user, by=current_user, message=form.message.data)
        except services.MentoringError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("%(name)s is invited to become a mentor.", name=user.full_name), "success")
    return redirect(url_for(".graduates"))
