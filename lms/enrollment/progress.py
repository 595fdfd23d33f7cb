"""Progress through modules, reflections, and completing a course."""

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select

from lms import signals
from lms.courses.models import Module
from lms.enrollment.models import Enrollment, EnrollmentStatus, ModuleProgress
from lms.enrollment.services import EnrollmentError
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.notifications.services import notify
from lms.sqltypes import utcnow


@dataclass(frozen=True)
class Progress:
    done: int
    required: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.required) if self.required else 0


def progress_of(enrollment_ids: list[int]) -> dict[int, Progress]:
    """Modules that count towards completion, done and in all, per enrollment, in one query.

    They are the required modules, or every module of a course that has none required.
    """
    if not enrollment_ids:
        return {}
    done = ModuleProgress.completed_at.is_not(None)
    rows = db.session.execute(
        select(Enrollment.id,
               func.count(Module.id), func.count(case((Module.is_required, 1))),
               func.count(case((done, 1))), func.count(case((and_(done, Module.is_required), 1))))
        .join(Module, and_(Module.course_id == Enrollment.course_id, Module.is_archived.is_(False)))
        .outerjoin(ModuleProgress, and_(ModuleProgress.enrollment_id == Enrollment.id,
                                        ModuleProgress.module_id == Module.id))
        .where(Enrollment.id.in_(enrollment_ids)).group_by(Enrollment.id)).all()
    counted = {i: Progress(done_required, required) if required else Progress(done_all, total)
               for i, total, required, done_all, done_required in rows}
    return {i: counted.get(i, Progress(0, 0)) for i in enrollment_ids}


def progress_rows(enrollment: Enrollment) -> dict[int, ModuleProgress]:
    return {p.module_id: p for p in db.session.scalars(
        select(ModuleProgress).where(ModuleProgress.enrollment_id == enrollment.id))}


def unlocked_module_ids(enrollment: Enrollment, modules: list[Module], rows: dict[int, ModuleProgress]) -> set[int]:
    """Every module, or in a sequential course those whose earlier required modules are done."""
    if not enrollment.course.sequential:
        return {m.id for m in modules}
    unlocked = set()
    for module in modules:
        unlocked.add(module.id)
        row = rows.get(module.id)
        if module.is_required and not (row and row.completed_at):
            break
    return unlocked


def _open_module(enrollment: Enrollment, module: Module) -> tuple[list[Module], dict[int, ModuleProgress]]:
    """Refuse unless the trainee has a seat and the module is part of the course and unlocked."""
    if enrollment.status is not EnrollmentStatus.ENROLLED:
        raise EnrollmentError(_l("You need a seat in this course first."))
    if module.course_id != enrollment.course_id or module.is_archived:
        raise EnrollmentError(_l("This module is not part of your course."))
    modules = enrollment.course.modules
    rows = progress_rows(enrollment)
    if module.id not in unlocked_module_ids(enrollment, modules, rows):
        raise EnrollmentError(_l("Finish the modules before this one first."))
    return modules, rows


def complete_module(enrollment: Enrollment, module: Module, reflection: str | None = None, *,
                    shared: bool = False) -> ModuleProgress:
    """Mark a module done, keeping the reflection typed on its page if one is given; completing the last
    required module completes the course."""
    modules, rows = _open_module(enrollment, module)
    row = rows.get(module.id) or ModuleProgress(enrollment_id=enrollment.id, module_id=module.id)
    if reflection is not None:
        _keep_reflection(module, row, reflection, shared=shared)
    newly_done = row.completed_at is None
    if newly_done:
        row.completed_at = utcnow()
    db.session.add(row)
    db.session.flush()
    if newly_done:
        signals.module_completed.send(row)
        rows[module.id] = row
    _complete_course_if_done(enrollment, modules, rows)
    return row


def _complete_course_if_done(enrollment, modules, rows) -> None:
    if enrollment.completed_at is not None:
        return
    required = [m for m in modules if m.is_required] or modules
    if required and all(rows.get(m.id) and rows[m.id].completed_at for m in required):
        enrollment.completed_at = utcnow()
        db.session.flush()
        notify(enrollment.user_id, "course_completed", course_id=enrollment.course_id)
        signals.course_completed.send(enrollment)


def save_reflection(enrollment: Enrollment, module: Module, text: str, *, shared: bool) -> ModuleProgress:
    """Keep a trainee's answer to a module's reflection prompt, private unless shared."""
    _, rows = _open_module(enrollment, module)
    row = rows.get(module.id) or ModuleProgress(enrollment_id=enrollment.id, module_id=module.id)
    _keep_reflection(module, row, text, shared=shared)
    db.session.add(row)
    db.session.flush()
    return row


def _keep_reflection(module: Module, row: ModuleProgress, text: str, *, shared: bool) -> None:
    if not module.reflection_prompt:
        raise EnrollmentError(_l("This module has no reflection prompt."))
    row.reflection = text.strip() or None
    row.reflection_shared = shared and row.reflection is not None
