"""Admin pages for courses, their modules and their translations."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lms import i18n
from lms.accounts.access import require_role
from lms.accounts.models import Role
from lms.core.forms import apply_error
from lms.courses import services
from lms.courses.admin_forms import CourseForm, ModuleForm, translation_form
from lms.courses.content import render_markdown
from lms.courses.models import Course, CourseFormat, Module, ModuleTranslation, Program
from lms.extensions import db

bp = Blueprint("course_admin", __name__, url_prefix="/admin")
bp.before_request(require_role(Role.ADMIN))

COURSE_FIELDS = ("code", "title", "summary", "default_language", "format", "pd_hours", "sequential")
MODULE_FIELDS = ("title", "content", "estimated_minutes", "is_required", "reflection_prompt")


@bp.route("/programs/<lms_id:program_id>/courses/new", methods=["GET", "POST"])
def new_course(program_id):
    program = db.get_or_404(Program, program_id)
    return _course_form(Course(program_id=program.id, format=CourseFormat.SELF_PACED,
                               default_language=i18n.current_language_code()), program, _("Course created."))


@bp.route("/courses/<lms_id:course_id>/edit", methods=["GET", "POST"])
def edit_course(course_id):
    course = db.get_or_404(Course, course_id)
    return _course_form(course, course.program, _("Course saved."))


def _course_form(course, program, success):
    others = [c for c in program.courses
              if c.id != course.id and (not c.is_archived or c in course.prerequisites)]
    data = {name: getattr(course, name) for name in COURSE_FIELDS}
    data["format"] = str(course.format) if course.format else None
    data["prerequisites"] = [c.id for c in course.prerequisites]
    form = CourseForm(data=data, other_courses=others)
    if form.validate_on_submit():
        fields = {name: getattr(form, name).data for name in COURSE_FIELDS}
        fields["format"] = CourseFormat(fields["format"])
        try:
            services.save_course(course, prerequisite_ids=form.prerequisites.data, **fields)
        except services.CatalogError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(success, "success")
            return redirect(url_for(".course", course_id=course.id))
    return render_template("lms/courses/admin/course_form.html", form=form, course=course, program=program)


@bp.get("/courses/<lms_id:course_id>")
def course(course_id):
    course = db.get_or_404(Course, course_id)
    module_languages = {}
    for module in course.modules:
        for t in module.translations:
            if t.title or t.content:
                module_languages.setdefault(t.language, 0)
                module_languages[t.language] += 1
    languages = [code for code in i18n.supported_languages() if code != course.default_language]
    return render_template("lms/courses/admin/course.html", course=course, languages=languages,
                           module_languages=module_languages)


@bp.get("/courses/<lms_id:course_id>/archive")
def confirm_archive_course(course_id):
    course = db.get_or_404(Course, course_id)
    return render_template("lms/courses/admin/confirm_archive.html", kind="course", thing=course,
                           action=url_for(".archive_course", course_id=course.id),
                           cancel=url_for(".course", course_id=course.id))


@bp.post("/courses/<lms_id:course_id>/archive")
def archive_course(course_id):
    return _set_archived(db.get_or_404(Course, course_id), True, _("Course archived."))


@bp.post("/courses/<lms_id:course_id>/restore")
def restore_course(course_id):
    return _set_archived(db.get_or_404(Course, course_id), False, _("Course restored."))


@bp.route("/courses/<lms_id:course_id>/modules/new", methods=["GET", "POST"])
def new_module(course_id):
    course = db.get_or_404(Course, course_id)
    form = ModuleForm()
    if form.validate_on_submit():
        services.add_module(course, **{name: getattr(form, name).data for name in MODULE_FIELDS})
        db.session.commit()
        flash(_("Module added."), "success")
        return redirect(url_for(".course", course_id=course.id))
    return render_template("lms/courses/admin/module_form.html", form=form, course=course, module=None)


@bp.route("/modules/<lms_id:module_id>/edit", methods=["GET", "POST"])
def edit_module(module_id):
    module = db.get_or_404(Module, module_id)
    form = ModuleForm(obj=module)
    if form.validate_on_submit():
        services.update_module(module, **{name: getattr(form, name).data for name in MODULE_FIELDS})
        db.session.commit()
        flash(_("Module saved."), "success")
        return redirect(url_for(".course", course_id=module.course_id))
    preview = render_markdown(form.content.data or "")
    return render_template("lms/courses/admin/module_form.html", form=form, course=module.course,
                           module=module, preview=preview)


@bp.post("/modules/<lms_id:module_id>/move")
def move_module(module_id):
    module = db.get_or_404(Module, module_id)
    direction = {"up": -1, "down": 1}.get(request.form.get("direction")) or abort(400)
    services.move_module(module, direction)
    db.session.commit()
    return redirect(url_for(".course", course_id=module.course_id) + f"#module-{module.id}")


@bp.get("/modules/<lms_id:module_id>/archive")
def confirm_archive_module(module_id):
    module = db.get_or_404(Module, module_id)
    return render_template("lms/courses/admin/confirm_archive.html", kind="module", thing=module,
                           action=url_for(".archive_module", module_id=module.id),
                           cancel=url_for(".course", course_id=module.course_id))


@bp.post("/modules/<lms_id:module_id>/archive")
def archive_module(module_id):
    return _set_archived(db.get_or_404(Module, module_id), True,
                         _("Module removed from the course. Progress recorded on it is kept."))


def _set_archived(thing: Course | Module, archived: bool, message: str):
    services.set_archived(thing, archived)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".course", course_id=getattr(thing, "course_id", thing.id)))


@bp.route("/courses/<lms_id:course_id>/translations/<language>", methods=["GET", "POST"])
def translation(course_id, language):
    course = db.get_or_404(Course, course_id)
    if language not in i18n.supported_languages() or language == course.default_language:
        abort(404)
    modules = course.modules
    existing = next((t for t in course.translations if t.language == language), None)
    data = {"title": existing.title if existing else "", "summary": existing.summary if existing else ""}
    for module in modules:
        row = db.session.get(ModuleTranslation, (module.id, language))
        for part in ("title", "content", "reflection_prompt"):
            data[f"module_{module.id}_{part}"] = getattr(row, part) if row else ""
    form = translation_form(course, modules, data=data)
    if form.validate_on_submit():
        values = {m.id: {part: getattr(form, f"module_{m.id}_{part}").data
                         for part in ("title", "content", "reflection_prompt")
                         if hasattr(form, f"module_{m.id}_{part}")} for m in modules}
        try:
            services.save_translation(course, language, title=form.title.data, summary=form.summary.data,
                                      modules=values)
        except services.CatalogError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Translation saved."), "success")
            return redirect(url_for(".course", course_id=course.id))
    return render_template("lms/courses/admin/translation_form.html", form=form, course=course,
                           modules=modules, language=language)
