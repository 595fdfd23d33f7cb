"""Enroll, withdraw, move up the waitlist. Services flush; the caller commits."""

from datetime import date

from flask_babel import format_date
from sqlalchemy import exc, func, select, tuple_, update

from lms import signals
from lms.accounts.models import User
from lms.courses.models import Cohort, Course, cohort_course
from lms.enrollment.models import Enrollment, EnrollmentPeriod, EnrollmentStatus
from lms.core.clock import program_today  # noqa: F401  (enrollment windows follow it)
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.notifications.services import notify
from lms.sqltypes import utcnow


class EnrollmentError(ValueError):
    """Enrollment was refused; `message` says why in words a trainee can act on."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def completed_course_ids(user: User) -> set[int]:
    return set(db.session.scalars(select(Enrollment.course_id).where(
        Enrollment.user_id == user.id, Enrollment.completed_at.is_not(None))))


def check_can_enroll(user: User, course: Course, cohort: Cohort, language: str, *, today: date,
                     by_admin: bool = False) -> None:
    """Raise EnrollmentError with the reason if `user` may not take `course` in `cohort` now.

    The program office (`by_admin`) may enroll people outside the window and without prerequisites.
    """
    offered = db.session.scalar(select(func.count()).select_from(cohort_course).where(
        cohort_course.c.cohort_id == cohort.id, cohort_course.c.course_id == course.id))
    if course.is_archived or course.program.is_archived or not offered:
        raise EnrollmentError(_l("This course is not offered in that cohort."))
    if language not in course.languages:
        raise EnrollmentError(_l("This course is not offered in that language."))
    if cohort.is_archived:
        raise EnrollmentError(_l("This cohort is archived."))
    if by_admin:
        return
    if not cohort.accepts_enrollment_on(today):
        if cohort.enrollment_open and cohort.enrollment_opens_on and today < cohort.enrollment_opens_on:
            raise EnrollmentError(_l("Enrollment opens on %(day)s.", day=format_date(cohort.enrollment_opens_on)))
        raise EnrollmentError(_l("Enrollment for this cohort is closed."))
    missing = [c for c in course.prerequisites if c.id not in completed_course_ids(user)]
    if missing:
        raise EnrollmentError(_l(
            "First complete: %(courses)s.", courses=", ".join(c.title for c in missing)))


def lock_offering(cohort_id: int) -> None:
    """Serialise seat changes in one cohort: a no-op update takes the row's write lock.

    PostgreSQL locks the row until commit; SQLite takes its database write lock, and since the
    transaction starts with this write, what it reads next is current.
    """
    db.session.execute(update(Cohort).where(Cohort.id == cohort_id).values(id=Cohort.id))


def seats_taken(cohort_id: int, course_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.cohort_id == cohort_id, Enrollment.course_id == course_id,
        Enrollment.status == EnrollmentStatus.ENROLLED))


def enroll(user: User, course: Course, cohort: Cohort, language: str, *, today: date | None = None,
           by_admin: bool = False) -> Enrollment:
    """Give `user` a seat, or a waitlist place when the course is full. Enrolling again is a no-op."""
    check_can_enroll(user, course, cohort, language, today=today or program_today(), by_admin=by_admin)
    lock_offering(cohort.id)
    enrollment = db.session.scalar(select(Enrollment).where(
        Enrollment.user_id == user.id, Enrollment.course_id == course.id))
    if enrollment is not None and enrollment.status is not EnrollmentStatus.WITHDRAWN:
        return enrollment
    if enrollment is None:
        enrollment = Enrollment(user_id=user.id, course_id=course.id)
    now = utcnow()
    enrollment.cohort_id, enrollment.language, enrollment.withdrawn_at = cohort.id, language, None
    seated = seats_taken(cohort.id, course.id) < cohort.capacity
    if seated:
        enrollment.status, enrollment.enrolled_at, enrollment.waitlisted_at = EnrollmentStatus.ENROLLED, now, None
    else:
        enrollment.status, enrollment.waitlisted_at = EnrollmentStatus.WAITLISTED, now
    try:
        with db.session.begin_nested():
            db.session.add(enrollment)
    except exc.IntegrityError:
        # Another request for the same person and course won the race: theirs is the enrollment.
        return db.session.scalar(select(Enrollment).where(
            Enrollment.user_id == user.id, Enrollment.course_id == course.id))
    if seated:
        _start_period(enrollment, now)
    signals.enrolled.send(enrollment, status=enrollment.status)
    return enrollment


def withdraw(enrollment: Enrollment) -> None:
    """Give up a seat or a waitlist place; the first person waiting gets the seat."""
    if enrollment.completed_at is not None:
        raise EnrollmentError(_l("You have completed this course, so there is nothing to withdraw from."))
    if enrollment.status is EnrollmentStatus.WITHDRAWN:
        return
    lock_offering(enrollment.cohort_id)
    held_seat = enrollment.status is EnrollmentStatus.ENROLLED
    now = utcnow()
    enrollment.status, enrollment.withdrawn_at, enrollment.waitlisted_at = EnrollmentStatus.WITHDRAWN, now, None
    db.session.execute(update(EnrollmentPeriod).where(
        EnrollmentPeriod.enrollment_id == enrollment.id, EnrollmentPeriod.ended_at.is_(None)).values(ended_at=now))
    db.session.flush()
    signals.withdrawn.send(enrollment)
    if held_seat:
        fill_free_seats(enrollment.cohort_id, enrollment.course_id)


def fill_free_seats(cohort_id: int, course_id: int) -> list[Enrollment]:
    """Move people from the waitlist into free seats, earliest first, and tell them."""
    lock_offering(cohort_id)
    capacity = db.session.scalar(select(Cohort.capacity).where(Cohort.id == cohort_id))
    free = capacity - seats_taken(cohort_id, course_id)
    if free <= 0:
        return []
    waiting = db.session.scalars(
        select(Enrollment).where(
            Enrollment.cohort_id == cohort_id, Enrollment.course_id == course_id,
            Enrollment.status == EnrollmentStatus.WAITLISTED)
        .order_by(Enrollment.waitlisted_at, Enrollment.id).limit(free)
    ).all()
    now = utcnow()
    for enrollment in waiting:
        enrollment.status, enrollment.enrolled_at, enrollment.waitlisted_at = EnrollmentStatus.ENROLLED, now, None
        _start_period(enrollment, now)
        notify(enrollment.user_id, "seat_offered", course_id=course_id)
        signals.enrolled.send(enrollment, status=enrollment.status)
    db.session.flush()
    return waiting


def _start_period(enrollment: Enrollment, now) -> None:
    db.session.add(EnrollmentPeriod(enrollment_id=enrollment.id, user_id=enrollment.user_id,
                                    course_id=enrollment.course_id, cohort_id=enrollment.cohort_id, started_at=now))
    db.session.flush()


def waitlist_positions(waiting: list[Enrollment]) -> dict[int, int]:
    """Place in line (1 = next to get a seat) of each waitlisted enrollment, in one query."""
    waiting = [e for e in waiting if e.status is EnrollmentStatus.WAITLISTED]
    if not waiting:
        return {}
    line = (select(Enrollment.id, func.row_number().over(
        partition_by=(Enrollment.cohort_id, Enrollment.course_id),
        order_by=(Enrollment.waitlisted_at, Enrollment.id)).label("place"))
        .where(Enrollment.status == EnrollmentStatus.WAITLISTED,
               tuple_(Enrollment.cohort_id, Enrollment.course_id).in_(
                   list({(e.cohort_id, e.course_id) for e in waiting})))
        .subquery())
    wanted = {e.id for e in waiting}
    return {i: place for i, place in db.session.execute(select(line.c.id, line.c.place)) if i in wanted}


def waitlist_position(enrollment: Enrollment) -> int | None:
    """1 for the next person to get a seat; None when not waiting."""
    return waitlist_positions([enrollment]).get(enrollment.id)


def change_language(enrollment: Enrollment, language: str) -> None:
    """Take the same course in another language it is offered in; progress stays."""
    if language not in enrollment.course.languages:
        raise EnrollmentError(_l("This course is not offered in that language."))
    enrollment.language = language
    db.session.flush()
