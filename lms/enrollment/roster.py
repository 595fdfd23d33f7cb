"""Rosters: who is in a course, with progress, sortable in SQL, and exported as safe CSV."""

import csv
import io

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager, with_expression

from lms.accounts.models import User
from lms.core.spreadsheet import safe_cell
from lms.courses.models import Cohort, Module
from lms.enrollment.models import Enrollment, EnrollmentStatus, ModuleProgress
from lms.extensions import db

STATUS_FILTERS = ("current", "enrolled", "waitlisted", "completed", "withdrawn", "all")


def _done_subquery():
    return (select(func.count()).select_from(ModuleProgress)
            .join(Module, Module.id == ModuleProgress.module_id)
            .where(ModuleProgress.enrollment_id == Enrollment.id, ModuleProgress.completed_at.is_not(None),
                   Module.is_required, Module.is_archived.is_(False))
            .correlate(Enrollment).scalar_subquery())


def required_modules(course_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Module).where(
        Module.course_id == course_id, Module.is_required, Module.is_archived.is_(False)))


def roster_query(course_id: int, *, cohort_id: int | None = None, status: str = "current",
                 sort: str = "name", descending: bool = False):
    """Enrollments of one course with their person, cohort and `done_modules`, filtered and sorted."""
    done = _done_subquery()
    stmt = (select(Enrollment)
            .join(User, User.id == Enrollment.user_id).join(Cohort, Cohort.id == Enrollment.cohort_id)
            .options(contains_eager(Enrollment.user), contains_eager(Enrollment.cohort),
                     with_expression(Enrollment.done_modules, done))
            .where(Enrollment.course_id == course_id))
    if cohort_id:
        stmt = stmt.where(Enrollment.cohort_id == cohort_id)
    stmt = stmt.where({
        "current": Enrollment.status != EnrollmentStatus.WITHDRAWN,
        "enrolled": and_(Enrollment.status == EnrollmentStatus.ENROLLED, Enrollment.completed_at.is_(None)),
        "waitlisted": Enrollment.status == EnrollmentStatus.WAITLISTED,
        "completed": Enrollment.completed_at.is_not(None),
        "withdrawn": Enrollment.status == EnrollmentStatus.WITHDRAWN,
    }.get(status, True))
    key = {
        "name": func.lower(User.full_name), "email": User.email, "cohort": Cohort.name,
        "language": Enrollment.language, "status": Enrollment.status, "progress": done,
        "enrolled": Enrollment.enrolled_at, "completed": Enrollment.completed_at,
    }.get(sort, func.lower(User.full_name))
    return stmt.order_by(key.desc() if descending else key.asc(), Enrollment.id)


def roster_csv(enrollments, required: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "name_in_own_script", "email", "cohort", "language", "status",
                     "required_modules_done", "required_modules", "enrolled_at", "completed_at"])
    for enrollment in enrollments:
        user = enrollment.user
        writer.writerow([safe_cell(v) for v in (
            user.full_name, user.native_name, user.email, enrollment.cohort.name, enrollment.language,
            "completed" if enrollment.completed_at else enrollment.status.value, enrollment.done_modules, required,
            enrollment.enrolled_at.isoformat() if enrollment.enrolled_at else "",
            enrollment.completed_at.isoformat() if enrollment.completed_at else "")])
    return out.getvalue()
