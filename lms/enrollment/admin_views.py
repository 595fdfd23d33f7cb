"""Admin pages for a course's people: roster, CSV export, bulk enrollment, evaluations."""

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.access import require_role
from lms.accounts.models import Role
from lms.accounts.sessions import recent_login_required
from lms.core.security_log import security_event
from lms.accounts.services import AccountError
from lms.courses.models import Course
from lms.enrollment import evaluations, imports, roster
from lms.enrollment.admin_forms import ConfirmImportForm, ImportForm
from lms.enrollment.services import EnrollmentError
from lms.extensions import db
from lms.core.pagecache import cached_page

bp = Blueprint("rosters", __name__, url_prefix="/admin/courses/<lms_id:course_id>")
bp.before_request(require_role(Role.ADMIN))

SORTS = ("name", "email", "cohort", "language", "status", "progress", "enrolled", "completed")


def _filters():
    return {
        "cohort_id": request.args.get("cohort", type=int),
        "status": request.args.get("status") if request.args.get("status") in roster.STATUS_FILTERS else "current",
        "sort": request.args.get("sort") if request.args.get("sort") in SORTS else "name",
        "descending": request.args.get("dir") == "desc",
    }


@bp.get("/roster")
@cached_page
def index(course_id):
    course = db.get_or_404(Course, course_id)
    filters = _filters()
    page = db.paginate(roster.roster_query(course.id, **filters),
                       per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    return render_template("lms/enrollment/admin/roster.html", course=course, page=page, filters=filters,
                           required=roster.required_modules(course.id), sorts=SORTS,
                           statuses=roster.STATUS_FILTERS)


@bp.get("/roster.csv")
@recent_login_required
def export(course_id):
    course = db.get_or_404(Course, course_id)
    security_event("roster_exported", course=course.id)
    enrollments = db.session.scalars(roster.roster_query(course.id, **_filters())).all()
    body = roster.roster_csv(enrollments, roster.required_modules(course.id))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="roster-{course.id}.csv"',
        "Cache-Control": "no-store"})


@bp.route("/import", methods=["GET", "POST"])
def bulk_import(course_id):
    """Step one: upload a file and see what would happen to each row."""
    course = db.get_or_404(Course, course_id)
    form = ImportForm()
    plan = None
    if form.validate_on_submit():
        text = _decode(form.file.data.read())
        plan = imports.plan_import(text, course) if text is not None else imports.ImportPlan(
            [], [_("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.")])
        return render_template("lms/enrollment/admin/import.html", course=course, form=form, plan=plan,
                               confirm=ConfirmImportForm(content=text) if plan.ok else None)
    return render_template("lms/enrollment/admin/import.html", course=course, form=form, plan=plan, confirm=None)


@bp.post("/import/confirm")
def confirm_import(course_id):
    """Step two: check the same file again and save all of it, or nothing."""
    course = db.get_or_404(Course, course_id)
    confirm = ConfirmImportForm()
    plan = imports.plan_import(confirm.content.data or "", course) if confirm.validate() else None
    if plan is None or not plan.ok:
        flash(_("Something changed since the preview. Nothing was saved; check the file again."), "error")
        return render_template("lms/enrollment/admin/import.html", course=course, form=ImportForm(),
                               plan=plan, confirm=None), 409
    try:
        imports.apply_import(plan, course, by=current_user)
    except (AccountError, EnrollmentError) as error:
        db.session.rollback()
        flash(_("Nothing was saved: %(reason)s", reason=error.message), "error")
        return redirect(url_for(".bulk_import", course_id=course.id))
    db.session.commit()
    flash(_("%(n)s rows imported.", n=len(plan.rows) - plan.count("refused")), "success")
    if plan.count("refused"):
        # Stay on the result, so each refused row is shown on its line.
        return render_template("lms/enrollment/admin/import.html", course=course, form=ImportForm(),
                               plan=plan, confirm=None, done=True)
    return redirect(url_for(".index", course_id=course.id))


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


@bp.get("/evaluations")
def evaluation_summary(course_id):
    course = db.get_or_404(Course, course_id)
    return render_template("lms/enrollment/admin/evaluations.html", course=course,
                           summary=evaluations.summarise(course.id))
