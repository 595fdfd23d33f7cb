"""The public catalog and course pages."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms import i18n
from lms.courses.catalog import catalog_query, offerings_for
from lms.courses.content import course_text, module_text, reading_language
from lms.courses.forms import CatalogFilterForm
from lms.courses.models import Course, CourseFormat, Program
from lms.enrollment.forms import EnrollForm, LanguageForm, language_choices
from lms.enrollment.models import Enrollment
from lms.enrollment.progress import progress_rows, unlocked_module_ids
from lms.enrollment.services import completed_course_ids, program_today, waitlist_position
from lms.extensions import db
from lms.core.pagecache import cached_page

bp = Blueprint("courses", __name__, url_prefix="/courses")


@bp.get("")
@cached_page
def catalog():
    form = CatalogFilterForm(request.args)
    language, course_format = form.language.data, form.format.data
    stmt = catalog_query(
        (form.q.data or "")[:200],
        language=language if language in i18n.supported_languages() else None,
        course_format=CourseFormat(course_format) if course_format in set(CourseFormat) else None,
    )
    page = db.paginate(stmt, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    reader = i18n.current_language_code()
    texts = {c.id: course_text(c, reading_language(c, reader)) for c in page.items}
    offerings = offerings_for([c.id for c in page.items], program_today(), db.session)
    return render_template("lms/courses/catalog.html", form=form, page=page, texts=texts, offerings=offerings)


@bp.get("/<lms_id:course_id>")
@cached_page
def detail(course_id):
    course = db.session.scalar(
        select(Course).join(Program).where(Course.id == course_id, Course.is_archived.is_(False),
                                           Program.is_archived.is_(False))) or abort(404)
    enrollment = None
    if current_user.is_authenticated:
        enrollment = db.session.scalar(select(Enrollment).where(
            Enrollment.user_id == current_user.id, Enrollment.course_id == course.id))
    language = enrollment.language if enrollment else reading_language(course, i18n.current_language_code())
    offerings = offerings_for([course.id], program_today(), db.session)[course.id]
    modules = course.modules
    rows = progress_rows(enrollment) if enrollment else {}
    unlocked = unlocked_module_ids(enrollment, modules, rows) if enrollment else set()
    enroll_form = EnrollForm(language=language)
    enroll_form.cohort.choices = [SelectChoice(o.cohort.id, o.cohort.name) for o in offerings if o.accepting]
    enroll_form.language.choices = language_choices(course.languages)
    language_form = LanguageForm(language=language)
    language_form.language.choices = language_choices(course.languages)
    done = completed_course_ids(current_user) if current_user.is_authenticated else set()
    return render_template(
        "lms/courses/detail.html", course=course, text=course_text(course, language), language=language,
        modules=[(m, module_text(m, language, course.default_language)) for m in modules],
        offerings=offerings, enrollment=enrollment, progress=rows, unlocked=unlocked,
        waitlist_position=waitlist_position(enrollment) if enrollment else None,
        enroll_form=enroll_form, language_form=language_form,
        prerequisites=[(c, course_text(c, reading_language(c, language))) for c in course.prerequisites],
        missing_prerequisites={c.id for c in course.prerequisites if c.id not in done},
    )
