"""What the catalog shows: courses people can take, and the seats left in each cohort."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select

from lms.courses.models import Cohort, Course, CourseFormat, CourseTranslation, Program, cohort_course
from lms.enrollment.models import Enrollment, EnrollmentStatus


@dataclass(frozen=True)
class Offering:
    """A course as run by one cohort, with its seats."""

    cohort: Cohort
    course_id: int
    seats_taken: int
    accepting: bool

    @property
    def seats_left(self) -> int:
        return max(self.cohort.capacity - self.seats_taken, 0)


def like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def catalog_query(q: str = "", language: str | None = None, course_format: CourseFormat | None = None):
    """A select of the courses on offer, filtered, in code order."""
    stmt = (select(Course).join(Program, Program.id == Course.program_id)
            .where(Course.is_archived.is_(False), Program.is_archived.is_(False)).order_by(Course.code))
    if q.strip():
        pattern = like(q.strip())
        in_translation = select(CourseTranslation.course_id).where(or_(
            func.lower(CourseTranslation.title).like(pattern, escape="\\"),
            func.lower(CourseTranslation.summary).like(pattern, escape="\\")))
        stmt = stmt.where(or_(
            func.lower(Course.title).like(pattern, escape="\\"),
            func.lower(Course.summary).like(pattern, escape="\\"),
            func.lower(Course.code).like(pattern, escape="\\"),
            Course.id.in_(in_translation)))
    if language:
        translated = select(CourseTranslation.course_id).where(CourseTranslation.language == language)
        stmt = stmt.where(or_(Course.default_language == language, Course.id.in_(translated)))
    if course_format:
        stmt = stmt.where(Course.format == course_format)
    return stmt


def offerings_for(course_ids: list[int], today: date, session) -> dict[int, list[Offering]]:
    """Cohorts running each course that have not ended, with seats taken, in one query."""
    if not course_ids:
        return {}
    taken = (select(Enrollment.cohort_id, Enrollment.course_id, func.count().label("n"))
             .where(Enrollment.status == EnrollmentStatus.ENROLLED)
             .group_by(Enrollment.cohort_id, Enrollment.course_id).subquery())
    rows = session.execute(
        select(cohort_course.c.course_id, Cohort, func.coalesce(taken.c.n, 0))
        .join(Cohort, Cohort.id == cohort_course.c.cohort_id)
        .outerjoin(taken, and_(taken.c.cohort_id == cohort_course.c.cohort_id,
                               taken.c.course_id == cohort_course.c.course_id))
        .where(cohort_course.c.course_id.in_(course_ids), Cohort.is_archived.is_(False), Cohort.ends_on >= today)
        .order_by(Cohort.starts_on, Cohort.id)
    ).all()
    offerings: dict[int, list[Offering]] = {course_id: [] for course_id in course_ids}
    for course_id, cohort, n in rows:
        offerings[course_id].append(Offering(cohort, course_id, n, cohort.accepts_enrollment_on(today)))
    return offerings
