"""The trainee's dashboard: my courses, my progress, and what comes next."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, subqueryload

from lms.accounts.models import User
from lms.courses.content import CourseText, ModuleText, course_text, module_text
from lms.courses.models import Course, Module
from lms.enrollment.models import Enrollment, EnrollmentStatus, ModuleProgress
from lms.enrollment.progress import Progress, progress_of
from lms.enrollment.services import waitlist_positions
from lms.extensions import db


@dataclass(frozen=True)
class CourseCard:
    enrollment: Enrollment
    text: CourseText
    progress: Progress
    #: The first module not yet completed, for a "continue" link.
    next_module: tuple[Module, ModuleText] | None
    waitlist_position: int | None


def my_courses(user: User) -> list[CourseCard]:
    """Every course the person holds a seat or a waitlist place in, in a fixed number of queries."""
    # subqueryload, not selectin: one query however many courses (selectin batches 500 at a time).
    enrollments = db.session.scalars(
        select(Enrollment).options(joinedload(Enrollment.course).subqueryload(Course.translations),
                                   joinedload(Enrollment.cohort), joinedload(Enrollment.evaluation))
        .where(Enrollment.user_id == user.id, Enrollment.status != EnrollmentStatus.WITHDRAWN)
        .order_by(Enrollment.completed_at.is_not(None), Enrollment.created_at)
    ).unique().all()
    if not enrollments:
        return []
    ids = [e.id for e in enrollments]
    progress = progress_of(ids)
    modules_by_course: dict[int, list[Module]] = {}
    for module in db.session.scalars(
            select(Module).options(subqueryload(Module.translations))
            .where(Module.course_id.in_({e.course_id for e in enrollments}), Module.is_archived.is_(False))
            .order_by(Module.position, Module.id)):
        modules_by_course.setdefault(module.course_id, []).append(module)
    done = set(db.session.execute(select(ModuleProgress.enrollment_id, ModuleProgress.module_id).where(
        ModuleProgress.enrollment_id.in_(ids), ModuleProgress.completed_at.is_not(None))).all())
    positions = waitlist_positions([e for e in enrollments if e.status is EnrollmentStatus.WAITLISTED])

    cards = []
    for e in enrollments:
        upcoming = next((m for m in modules_by_course.get(e.course_id, []) if (e.id, m.id) not in done), None)
        cards.append(CourseCard(
            enrollment=e, text=course_text(e.course, e.language), progress=progress[e.id],
            next_module=(upcoming, module_text(upcoming, e.language, e.course.default_language))
            if upcoming and e.status is EnrollmentStatus.ENROLLED else None,
            waitlist_position=positions.get(e.id)))
    return cards
