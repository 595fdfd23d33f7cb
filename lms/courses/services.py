"""Build the program: programs, cohorts, courses, modules and translations. Flush, never commit."""

from sqlalchemy import exc, func, select

from lms.courses.models import (
    Cohort, Course, CourseTranslation, Module, ModuleTranslation, Program,
)
from lms.enrollment.models import Enrollment
from lms.enrollment.services import fill_free_seats
from lms.extensions import db
from lms.i18n import lazy_gettext as _l


class CatalogError(ValueError):
    """A change the rules refuse; `field` names the form field it concerns, if any."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _save(obj, fields: dict, message, field: str, **relationships) -> None:
    """Set fields and relationships and flush in a savepoint; a unique violation becomes a CatalogError.

    Callers run their queries first, so no autoflush sends a half-made object early.
    """
    try:
        with db.session.begin_nested():
            db.session.add(obj)
            for name, value in {**fields, **relationships}.items():
                setattr(obj, name, value)
    except exc.IntegrityError:
        raise CatalogError(message, field) from None


def save_program(program: Program, *, name: str, description: str, excused_absences: str = "excluded",
                 attendance_warning_percent: int = 70) -> Program:
    _save(program, {"name": name, "description": description or "", "excused_absences": excused_absences,
                    "attendance_warning_percent": attendance_warning_percent},
          _l("A program with this name already exists."), "name")
    return program


def save_course(course: Course, *, prerequisite_ids: list[int], **fields) -> Course:
    """Create or update a course; prerequisites come from the same program."""
    prerequisites = db.session.scalars(select(Course).where(
        Course.id.in_(prerequisite_ids), Course.program_id == course.program_id)).all()
    if course.id is not None and course.id in _required_before(prerequisites):
        raise CatalogError(_l("A course cannot require itself, directly or through other courses."),
                           "prerequisites")
    _save(course, fields, _l("Another course already uses this code."), "code", prerequisites=list(prerequisites))
    return course


def _required_before(courses: list[Course]) -> set[int]:
    """The ids of these courses and of every course they require, however indirectly."""
    seen: set[int] = set()
    waiting = list(courses)
    while waiting:
        course = waiting.pop()
        if course.id not in seen:
            seen.add(course.id)
            waiting.extend(course.prerequisites)
    return seen


def save_cohort(cohort: Cohort, *, languages: list[str], course_ids: list[int], **fields) -> Cohort:
    """Create or update a cohort; more seats move people up from the waitlist."""
    wanted = db.session.scalars(select(Course).where(
        Course.id.in_(course_ids), Course.program_id == cohort.program_id)).all()
    dropped = {c.id for c in cohort.courses} - {c.id for c in wanted} if cohort.id else set()
    if dropped and db.session.scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.cohort_id == cohort.id, Enrollment.course_id.in_(dropped))):
        raise CatalogError(_l("People are enrolled in a course you removed; withdraw them first."), "courses")
    _save(cohort, fields, _l("This program already has a cohort with this name."), "name",
          languages=languages, courses=list(wanted))
    for course in cohort.courses:
        fill_free_seats(cohort.id, course.id)
    return cohort


def set_archived(obj, archived: bool) -> None:
    """Archive or restore a program, cohort, course or module; nothing is deleted."""
    obj.is_archived = archived
    db.session.flush()


def add_module(course: Course, **fields) -> Module:
    last = db.session.scalar(select(func.max(Module.position)).where(Module.course_id == course.id))
    module = Module(course_id=course.id, position=(last or 0) + 1, **fields)
    db.session.add(module)
    db.session.flush()
    return module


def update_module(module: Module, **fields) -> Module:
    for name, value in fields.items():
        setattr(module, name, value)
    db.session.flush()
    return module


def move_module(module: Module, direction: int) -> None:
    """Swap a module with its neighbour: direction -1 moves it up, +1 down."""
    siblings = db.session.scalars(select(Module).where(
        Module.course_id == module.course_id, Module.is_archived.is_(False))
        .order_by(Module.position, Module.id)).all()
    index = siblings.index(module)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
    db.session.flush()


def save_translation(course: Course, language: str, *, title: str, summary: str,
                     modules: dict[int, dict[str, str]]) -> None:
    """Store a course's text in another language; empty fields fall back to the default language."""
    if language == course.default_language:
        raise CatalogError(_l("This is the language the course is written in; edit the course instead."))
    translation = db.session.get(CourseTranslation, (course.id, language)) or CourseTranslation(
        course_id=course.id, language=language)
    translation.title, translation.summary = title, summary or ""
    db.session.add(translation)
    for module in course.modules:
        values = modules.get(module.id, {})
        row = db.session.get(ModuleTranslation, (module.id, language)) or ModuleTranslation(
            module_id=module.id, language=language)
        row.title = values.get("title") or ""
        row.content = values.get("content") or ""
        row.reflection_prompt = values.get("reflection_prompt") or ""
        db.session.add(row)
    db.session.flush()
