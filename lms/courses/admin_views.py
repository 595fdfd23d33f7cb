"""Admin pages for programs and their cohorts."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.accounts.access import require_role
from lms.accounts.models import Role
from lms.core.forms import apply_error
from lms.courses import services
from lms.courses.admin_forms import CohortForm, ProgramForm
from lms.courses.models import Cohort, Course, Program
from lms.extensions import db

bp = Blueprint("programs", __name__, url_prefix="/admin")
bp.before_request(require_role(Role.ADMIN))


@bp.get("/programs")
def index():
    programs = db.session.scalars(select(Program).order_by(Program.is_archived, Program.name)).all()
    counts = dict(db.session.execute(select(Course.program_id, func.count()).group_by(Course.program_id)).all())
    return render_template("lms/courses/admin/programs.html", programs=programs, course_counts=counts)


@bp.route("/programs/new", methods=["GET", "POST"])
def new_program():
    return _program_form(Program(excused_absences="excluded", attendance_warning_percent=70), _("Program created."))


@bp.route("/programs/<lms_id:program_id>/edit", methods=["GET", "POST"])
def edit_program(program_id):
    return _program_form(db.get_or_404(Program, program_id), _("Program saved."))


def _program_form(program, success):
    form = ProgramForm(obj=program)
    if form.validate_on_submit():
        try:
            services.save_program(program, name=form.name.data, description=form.description.data,
                                  excused_absences=form.excused_absences.data or program.excused_absences,
                                  attendance_warning_percent=form.attendance_warning_percent.data
                                  if form.attendance_warning_percent.data is not None
                                  else program.attendance_warning_percent)
        except services.CatalogError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for(".program", program_id=program.id))
    return render_template("lms/courses/admin/program_form.html", form=form, program=program)


@bp.get("/programs/<lms_id:program_id>")
def program(program_id):
    program = db.get_or_404(Program, program_id)
    return render_template("lms/courses/admin/program.html", program=program)


@bp.get("/programs/<lms_id:program_id>/archive")
def confirm_archive_program(program_id):
    program = db.get_or_404(Program, program_id)
    back = url_for(".program", program_id=program.id)
    return render_template("lms/courses/admin/confirm_archive.html", kind="program", thing=program,
                           action=url_for(".archive_program", program_id=program.id), cancel=back)


@bp.post("/programs/<lms_id:program_id>/archive")
def archive_program(program_id):
    return _set_archived(db.get_or_404(Program, program_id), True, _("Program archived."))


@bp.post("/programs/<lms_id:program_id>/restore")
def restore_program(program_id):
    return _set_archived(db.get_or_404(Program, program_id), False, _("Program restored."))


def _set_archived(thing: Program | Cohort, archived: bool, message: str):
    services.set_archived(thing, archived)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".program", program_id=getattr(thing, "program_id", thing.id)))


@bp.route("/programs/<lms_id:program_id>/cohorts/new", methods=["GET", "POST"])
def new_cohort(program_id):
    program = db.get_or_404(Program, program_id)
    return _cohort_form(Cohort(program_id=program.id), program, _("Cohort created."))


@bp.route("/cohorts/<lms_id:cohort_id>/edit", methods=["GET", "POST"])
def edit_cohort(cohort_id):
    cohort = db.get_or_404(Cohort, cohort_id)
    return _cohort_form(cohort, cohort.program, _("Cohort saved."))


def _cohort_form(cohort, program, success):
    courses = [c for c in program.courses if not c.is_archived or c in cohort.courses]
    simple = ("name", "starts_on", "ends_on", "capacity", "enrollment_open", "enrollment_opens_on",
              "enrollment_closes_on")
    current = {name: getattr(cohort, name) for name in simple}
    if cohort.id is None:
        current.update(capacity=25, enrollment_open=True)
    current.update(languages=cohort.languages, courses=[c.id for c in cohort.courses])
    form = CohortForm(data=current, course_choices=courses)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in simple}
        try:
            services.save_cohort(cohort, languages=form.languages.data, course_ids=form.courses.data, **fields)
        except services.CatalogError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for(".program", program_id=cohort.program_id))
    return render_template("lms/courses/admin/cohort_form.html", form=form, cohort=cohort, program=program)


@bp.get("/cohorts/<lms_id:cohort_id>/archive")
def confirm_archive_cohort(cohort_id):
    cohort = db.get_or_404(Cohort, cohort_id)
    return render_template("lms/courses/admin/confirm_archive.html", kind="cohort", thing=cohort,
                           action=url_for(".archive_cohort", cohort_id=cohort.id),
                           cancel=url_for(".program", program_id=cohort.program_id))


@bp.post("/cohorts/<lms_id:cohort_id>/archive")
def archive_cohort(cohort_id):
    return _set_archived(db.get_or_404(Cohort, cohort_id), True, _("Cohort archived."))


@bp.post("/cohorts/<lms_id:cohort_id>/restore")
def restore_cohort(cohort_id):
    return _set_archived(db.get_or_404(Cohort, cohort_id), False, _("Cohort restored."))

