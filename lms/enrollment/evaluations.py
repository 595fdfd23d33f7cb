"""Course evaluations: submitted once after completion, summarised for admins."""

from dataclasses import dataclass

from sqlalchemy import exc, func, select

from lms.enrollment.models import CourseEvaluation, Enrollment
from lms.enrollment.services import EnrollmentError
from lms.extensions import db
from lms.i18n import lazy_gettext as _l


def submit_evaluation(enrollment: Enrollment, *, overall: int, relevance: int, language_rating: int,
                      comments: str, consent: bool, language: str) -> CourseEvaluation:
    if enrollment.completed_at is None:
        raise EnrollmentError(_l("You can evaluate a course once you have completed it."))
    if not all(1 <= rating <= 5 for rating in (overall, relevance, language_rating)):
        raise ValueError("ratings go from 1 to 5")
    evaluation = CourseEvaluation(
        enrollment_id=enrollment.id, course_id=enrollment.course_id, language=language,
        rating_overall=overall, rating_relevance=relevance, rating_language=language_rating,
        comments=(comments or "").strip(), consent_to_quote=consent,
    )
    try:
        with db.session.begin_nested():
            db.session.add(evaluation)
    except exc.IntegrityError:
        raise EnrollmentError(_l("You have already evaluated this course. Thank you!")) from None
    return evaluation


@dataclass(frozen=True)
class EvaluationSummary:
    count: int
    overall: float | None
    relevance: float | None
    language: float | None
    quotes: list[tuple[str, str]]


def summarise(course_id: int) -> EvaluationSummary:
    """Averages of the ratings and the comments people agreed to have quoted (no names)."""
    count, overall, relevance, language = db.session.execute(
        select(func.count(), func.avg(CourseEvaluation.rating_overall),
               func.avg(CourseEvaluation.rating_relevance), func.avg(CourseEvaluation.rating_language))
        .where(CourseEvaluation.course_id == course_id)).one()
    quotes = db.session.execute(
        select(CourseEvaluation.comments, CourseEvaluation.language)
        .where(CourseEvaluation.course_id == course_id, CourseEvaluation.consent_to_quote,
               CourseEvaluation.comments != "")
        .order_by(CourseEvaluation.created_at.desc())).all()
    as_float = lambda value: None if value is None else round(float(value), 1)  # noqa: E731
    return EvaluationSummary(count, as_float(overall), as_float(relevance), as_float(language),
                             [tuple(q) for q in quotes])
