"""A trainee's own enrollments: enroll, withdraw, modules, reflections, evaluation, journal."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from lms import i18n
from lms.courses.content import course_text, module_text
from lms.courses.models import Cohort, Course, Module
from lms.enrollment import evaluations, progress, services
from lms.enrollment.forms import EnrollForm, EvaluationForm, LanguageForm, ReflectionForm, language_choices
from lms.enrollment.models import Enrollment, EnrollmentStatus, ModuleProgress
from lms.extensions import db
from lms.notifications.services import mark_all_read

bp = Blueprint("enrollment", __name__)


def own_enrollment(enrollment_id: int) -> Enrollment:
    """The current user's enrollment with this id, or 404: never someone else's."""
    return db.session.scalar(
        select(Enrollment).options(joinedload(Enrollment.course))
        .where(Enrollment.id == enrollment_id, Enrollment.user_id == current_user.id)) or abort(404)


def course_page(enrollment_or_course_id) -> str:
    course_id = getattr(enrollment_or_course_id, "course_id", enrollment_or_course_id)
    return url_for("lms.courses.detail", course_id=course_id)


@bp.post("/courses/<lms_id:course_id>/enroll")
def enroll(course_id):
    course = db.session.get(Course, course_id) or abort(404)
    form = EnrollForm()
    form.cohort.choices = [SelectChoice(c.id, c.name) for c in course.cohorts]
    form.language.choices = language_choices(course.languages)
    if not form.validate():
        flash(_("Choose a cohort and a language to enroll."), "error")
        return redirect(course_page(course_id))
    cohort = db.session.get(Cohort, form.cohort.data)
    try:
        enrollment = services.enroll(current_user, course, cohort, form.language.data)
    except services.EnrollmentError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(course_page(course_id))
    db.session.commit()
    if enrollment.status is EnrollmentStatus.ENROLLED:
        flash(_("You are enrolled. Welcome to the course!"), "success")
    else:
        flash(_("The course is full, so you are on the waitlist, number %(n)s. We will tell you when a seat opens.",
                n=services.waitlist_position(enrollment)), "info")
    return redirect(course_page(course_id))


@bp.get("/my/courses/<lms_id:enrollment_id>/withdraw")
def confirm_withdraw(enrollment_id):
    """Say what withdrawing gives up; nothing changes until it is posted."""
    enrollment = own_enrollment(enrollment_id)
    return render_template("lms/enrollment/confirm_withdraw.html", enrollment=enrollment,
                           text=course_text(enrollment.course, enrollment.language))


@bp.post("/my/courses/<lms_id:enrollment_id>/withdraw")
def withdraw(enrollment_id):
    enrollment = own_enrollment(enrollment_id)
    try:
        services.withdraw(enrollment)
    except services.EnrollmentError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("You have withdrawn from the course."), "success")
    return redirect(course_page(enrollment))


@bp.post("/my/courses/<lms_id:enrollment_id>/language")
def change_language(enrollment_id):
    enrollment = own_enrollment(enrollment_id)
    form = LanguageForm()
    form.language.choices = language_choices(enrollment.course.languages)
    if form.validate():
        services.change_language(enrollment, form.language.data)
        db.session.commit()
        flash(_("The course is now shown in %(language)s.", language=i18n.native_name(form.language.data)), "success")
    return redirect(course_page(enrollment))


def _module_or_404(enrollment: Enrollment, module_id: int) -> Module:
    return db.session.scalar(select(Module).where(
        Module.id == module_id, Module.course_id == enrollment.course_id, Module.is_archived.is_(False))) or abort(404)


@bp.get("/my/courses/<lms_id:enrollment_id>/modules/<lms_id:module_id>")
def module(enrollment_id, module_id):
    enrollment = own_enrollment(enrollment_id)
    return _render_module(enrollment, _module_or_404(enrollment, module_id))


def _render_module(enrollment: Enrollment, module: Module, form: ReflectionForm | None = None):
    modules = enrollment.course.modules
    rows = progress.progress_rows(enrollment)
    if enrollment.status is not EnrollmentStatus.ENROLLED or module.id not in progress.unlocked_module_ids(
            enrollment, modules, rows):
        flash(_("This module opens when you have a seat and have finished the modules before it."), "info")
        return redirect(course_page(enrollment))
    row = rows.get(module.id)
    if form is None:
        form = ReflectionForm(reflection=row.reflection if row else None,
                              shared=row.reflection_shared if row else False)
    position = [m.id for m in modules].index(module.id)
    return render_template(
        "lms/enrollment/module.html", enrollment=enrollment, module=module, row=row, form=form,
        text=module_text(module, enrollment.language, enrollment.course.default_language),
        course=course_text(enrollment.course, enrollment.language),
        previous=modules[position - 1] if position > 0 else None,
        next=modules[position + 1] if position + 1 < len(modules) else None,
    )


@bp.post("/my/courses/<lms_id:enrollment_id>/modules/<lms_id:module_id>/complete")
def complete_module(enrollment_id, module_id):
    """Mark the module done, saving the reflection its page posts with the button (nothing if it is refused)."""
    enrollment = own_enrollment(enrollment_id)
    module = _module_or_404(enrollment, module_id)
    form = ReflectionForm()
    if not form.validate():
        return _render_module(enrollment, module, form)
    reflection = (form.reflection.data or "") if form.posted else None
    try:
        row = progress.complete_module(enrollment, module, reflection, shared=form.shared.data)
    except services.EnrollmentError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(course_page(enrollment))
    db.session.commit()
    if reflection is not None and row.reflection:
        flash(_("Your reflection is saved."), "success")
    if enrollment.completed_at is not None and enrollment.evaluation is None:
        flash(_("You completed the course. Congratulations!"), "success")
        return redirect(url_for(".evaluation", enrollment_id=enrollment.id))
    flash(_("Module marked complete."), "success")
    return redirect(course_page(enrollment))


@bp.post("/my/courses/<lms_id:enrollment_id>/modules/<lms_id:module_id>/reflection")
def save_reflection(enrollment_id, module_id):
    enrollment = own_enrollment(enrollment_id)
    module = _module_or_404(enrollment, module_id)
    form = ReflectionForm()
    if not form.validate():
        return _render_module(enrollment, module, form)
    try:
        progress.save_reflection(enrollment, module, form.reflection.data or "", shared=form.shared.data)
    except services.EnrollmentError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(course_page(enrollment))
    db.session.commit()
    flash(_("Your reflection is saved."), "success")
    return redirect(url_for(".module", enrollment_id=enrollment.id, module_id=module.id))


@bp.route("/my/courses/<lms_id:enrollment_id>/evaluation", methods=["GET", "POST"])
def evaluation(enrollment_id):
    enrollment = own_enrollment(enrollment_id)
    if enrollment.completed_at is None or enrollment.evaluation is not None:
        return redirect(course_page(enrollment))
    form = EvaluationForm()
    if form.validate_on_submit():
        evaluations.submit_evaluation(
            enrollment, overall=int(form.rating_overall.data), relevance=int(form.rating_relevance.data),
            language_rating=int(form.rating_language.data), comments=form.comments.data or "",
            consent=form.consent_to_quote.data, language=i18n.current_language_code())
        db.session.commit()
        flash(_("Thank you for your evaluation."), "success")
        return redirect(url_for("lms.core.home"))
    return render_template("lms/enrollment/evaluation.html", enrollment=enrollment, form=form,
                           course=course_text(enrollment.course, enrollment.language))


@bp.get("/my/journal")
def journal():
    """Every reflection the trainee wrote, newest first."""
    rows = db.session.execute(
        select(ModuleProgress, Module, Enrollment)
        .join(Enrollment, Enrollment.id == ModuleProgress.enrollment_id)
        .join(Module, Module.id == ModuleProgress.module_id)
        .options(joinedload(Enrollment.course))
        .where(Enrollment.user_id == current_user.id, ModuleProgress.reflection.is_not(None))
        .order_by(ModuleProgress.updated_at.desc())).all()
    entries = [(row, module_text(module, enrollment.language, enrollment.course.default_language),
                course_text(enrollment.course, enrollment.language), enrollment) for row, module, enrollment in rows]
    return render_template("lms/enrollment/journal.html", entries=entries)


@bp.post("/my/notifications/read")
def read_notifications():
    mark_all_read(current_user.id)
    db.session.commit()
    return redirect(url_for("lms.core.home"))
