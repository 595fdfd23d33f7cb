"""What the program report counts, read in a fixed number of queries whatever the number of people.

A participant is anyone who held a seat (not only a waitlist place) in a course matching the
filters, during the date range when one is given. Each participant is counted once, in the earliest
cohort they took part in within the filters, so the cohorts add up to the total.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, or_, select

from lms.attendance.models import LearningSession
from lms.attendance.roster import Rate, rates_by
from lms.courses.models import Cohort, Program
from lms.credentials.models import Certificate, CertificateStatus
from lms.demographics.categories import language_group
from lms.demographics.models import Demographics, RaceCategory, SpokenLanguage, demographics_race
from lms.enrollment.models import CourseEvaluation, Enrollment, EnrollmentPeriod
from lms.extensions import db
from lms.mentoring.models import ReflectiveSession, SessionStatus, session_attendee
from lms.sqltypes import utcnow

#: Row keys besides the answer values themselves.
TWO_OR_MORE, DECLINED, NOT_ANSWERED = "two_or_more", "declined", "not_answered"
#: The most quotes a report prints.
QUOTES = 6


@dataclass(frozen=True)
class Filters:
    cohort_id: int | None = None
    course_id: int | None = None
    start: date | None = None
    end: date | None = None
    #: A language of instruction: the language the person takes the course in.
    language: str | None = None


@dataclass
class Facts:
    """Everything the report shows, before any count is hidden."""

    cohorts: list[Cohort]
    #: person -> the cohort they are counted in.
    cohort_of: dict[int, int]
    categories: list[RaceCategory]
    #: person -> their answer key under each question ("race", "language", "role", "training").
    answers: dict[str, dict[int, str]] = field(default_factory=dict)
    #: cohort -> (enrollments, completed).
    enrollments: dict[int, tuple[int, int]] = field(default_factory=dict)
    certified: set[int] = field(default_factory=set)
    #: cohort -> (attended, expected) under its program's rule for excused absences, and people counted.
    attendance: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    #: person -> reflective-practice minutes.
    reflective_minutes: dict[int, int] = field(default_factory=dict)
    quotes: list[str] = field(default_factory=list)


def _bounds(filters: Filters) -> tuple[datetime | None, datetime | None]:
    """The date range as moments: from the start of its first day to the end of its last, program time."""
    zone = ZoneInfo(current_app.config["LMS_TIMEZONE"])
    start = datetime.combine(filters.start, time(), zone) if filters.start else None
    end = datetime.combine(filters.end + timedelta(days=1), time(), zone) if filters.end else None
    return start, end


def _scope(filters: Filters):
    """Conditions on Enrollment, EnrollmentPeriod and Cohort for the enrollments the report covers."""
    start, end = _bounds(filters)
    conditions = [Enrollment.enrolled_at.is_not(None)]
    if filters.cohort_id:
        conditions.append(Enrollment.cohort_id == filters.cohort_id)
    if filters.course_id:
        conditions.append(Enrollment.course_id == filters.course_id)
    if filters.language:
        conditions.append(Enrollment.language == filters.language)
    if end:
        conditions.append(EnrollmentPeriod.started_at < end)
    if start:
        conditions.append(or_(EnrollmentPeriod.ended_at.is_(None), EnrollmentPeriod.ended_at >= start))
    return conditions


def gather(filters: Filters) -> Facts:
    """Read every figure of the report for ``filters``."""
    rows = db.session.execute(
        select(Enrollment.id, Enrollment.user_id, Enrollment.cohort_id, Enrollment.completed_at,
               Cohort.starts_on)
        .join(Cohort, Cohort.id == Enrollment.cohort_id)
        .join(EnrollmentPeriod, EnrollmentPeriod.enrollment_id == Enrollment.id)
        .where(*_scope(filters)).distinct()).all()
    start, end = _bounds(filters)
    first: dict[int, tuple] = {}
    enrollments: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for _, user_id, cohort_id, completed_at, starts_on in rows:
        first[user_id] = min(first.get(user_id, (starts_on, cohort_id)), (starts_on, cohort_id))
        enrollments[cohort_id][0] += 1
        enrollments[cohort_id][1] += completed_at is not None and (end is None or completed_at < end)
    cohort_ids = sorted({cohort_id for _, _, cohort_id, _, _ in rows})
    cohorts = db.session.scalars(select(Cohort).where(Cohort.id.in_(cohort_ids))
                                 .order_by(Cohort.starts_on, Cohort.id)).all()
    facts = Facts(cohorts=cohorts, cohort_of={user: key[1] for user, key in first.items()},
                  categories=db.session.scalars(select(RaceCategory).order_by(RaceCategory.position,
                                                                              RaceCategory.id)).all(),
                  enrollments={cohort: tuple(counts) for cohort, counts in enrollments.items()})
    people = (select(Enrollment.user_id).join(EnrollmentPeriod, EnrollmentPeriod.enrollment_id == Enrollment.id)
              .where(*_scope(filters)))
    facts.answers = _answers(people, set(facts.cohort_of))
    facts.certified = _certified(people, filters, start, end)
    facts.attendance = _attendance(cohorts, set(facts.cohort_of), filters, start, end)
    facts.reflective_minutes = _reflective_minutes(people, start, end)
    facts.quotes = _quotes(filters, start, end)
    return facts


def _answers(people, participants: set[int]) -> dict[str, dict[int, str]]:
    """Each participant's answer key per question; multi-select race answers become "two or more"."""
    profiles = db.session.execute(
        select(Demographics.user_id, Demographics.race_declined, Demographics.languages_declined,
               Demographics.provider_role, Demographics.formal_training)
        .where(Demographics.user_id.in_(people))).all()
    races: dict[int, list[int]] = defaultdict(list)
    for user_id, category_id in db.session.execute(
            select(demographics_race.c.user_id, demographics_race.c.category_id)
            .where(demographics_race.c.user_id.in_(people))):
        races[user_id].append(category_id)
    spoken: dict[int, list[str]] = defaultdict(list)
    for user_id, language in db.session.execute(
            select(SpokenLanguage.user_id, SpokenLanguage.language).where(SpokenLanguage.user_id.in_(people))):
        spoken[user_id].append(language)
    answers = {question: dict.fromkeys(participants, NOT_ANSWERED)
               for question in ("race", "language", "role", "training")}
    for user_id, race_declined, languages_declined, role, training in profiles:
        if user_id not in participants:
            continue
        chosen = races.get(user_id, [])
        answers["race"][user_id] = (DECLINED if race_declined else TWO_OR_MORE if len(chosen) > 1
                                    else str(chosen[0]) if chosen else NOT_ANSWERED)
        group = language_group(spoken.get(user_id, []))
        answers["language"][user_id] = DECLINED if languages_declined else group.value if group else NOT_ANSWERED
        answers["role"][user_id] = role.value if role else NOT_ANSWERED
        answers["training"][user_id] = training.value if training else NOT_ANSWERED
    return answers


def _certified(people, filters: Filters, start, end) -> set[int]:
    """Participants holding a valid certificate issued within the range (and for the cohort chosen)."""
    stmt = select(Certificate.trainee_id).where(Certificate.status == CertificateStatus.VALID,
                                                Certificate.trainee_id.in_(people))
    if filters.cohort_id:
        stmt = stmt.where(Certificate.cohort_id == filters.cohort_id)
    if start:
        stmt = stmt.where(Certificate.issued_at >= start)
    if end:
        stmt = stmt.where(Certificate.issued_at < end)
    return set(db.session.scalars(stmt))


def _attendance(cohorts: list[Cohort], participants: set[int], filters: Filters, start, end) -> dict:
    """Per cohort: (attended, expected, people) over its held sessions, under its program's excused rule."""
    S = LearningSession
    conditions = [S.cohort_id.in_([c.id for c in cohorts])]
    if filters.course_id:
        conditions.append(S.course_id == filters.course_id)
    if filters.language:
        conditions.append(S.language == filters.language)
    if start:
        conditions.append(S.starts_at >= start)
    if end:
        conditions.append(S.starts_at < end)
    found = rates_by(*conditions, by=("trainee_cohort",), now=utcnow())["trainee_cohort"]
    rules = dict(db.session.execute(select(Cohort.id, Program.excused_absences)
                                    .join(Program, Program.id == Cohort.program_id)
                                    .where(Cohort.id.in_([c.id for c in cohorts]))).all())
    result: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (user_id, cohort_id), rate in found.items():
        if user_id in participants and cohort_id in rules:
            attended, expected = _counted(rate, rules[cohort_id])
            totals = result[cohort_id]
            totals[0] += attended
            totals[1] += expected
            totals[2] += 1
    return {cohort: tuple(values) for cohort, values in result.items()}


def _counted(rate: Rate, excused_rule: str) -> tuple[int, int]:
    """Sessions attended and sessions counted, under a program's rule for excused absences."""
    attended = rate.attended + (rate.excused if excused_rule == "attended" else 0)
    expected = rate.expected - (rate.excused if excused_rule == "excluded" else 0)
    return attended, expected


def _reflective_minutes(people, start, end) -> dict[int, int]:
    S = ReflectiveSession
    stmt = (select(session_attendee.c.trainee_id, func.sum(S.duration_minutes))
            .join(S, S.id == session_attendee.c.session_id)
            .where(S.status == SessionStatus.LOGGED, session_attendee.c.trainee_id.in_(people))
            .group_by(session_attendee.c.trainee_id))
    zone = ZoneInfo(current_app.config["LMS_TIMEZONE"])
    if start:
        stmt = stmt.where(S.held_on >= start.astimezone(zone).date())
    if end:
        stmt = stmt.where(S.held_on < end.astimezone(zone).date())
    return {user_id: int(minutes or 0) for user_id, minutes in db.session.execute(stmt)}


def _quotes(filters: Filters, start, end) -> list[str]:
    """Comments trainees agreed to have quoted anonymously, newest first."""
    stmt = (select(CourseEvaluation.comments).join(Enrollment, Enrollment.id == CourseEvaluation.enrollment_id)
            .where(CourseEvaluation.consent_to_quote, func.length(func.trim(CourseEvaluation.comments)) > 0)
            .order_by(CourseEvaluation.created_at.desc(), CourseEvaluation.id.desc()).limit(QUOTES))
    if filters.cohort_id:
        stmt = stmt.where(Enrollment.cohort_id == filters.cohort_id)
    if filters.course_id:
        stmt = stmt.where(CourseEvaluation.course_id == filters.course_id)
    if filters.language:
        stmt = stmt.where(CourseEvaluation.language == filters.language)
    if start:
        stmt = stmt.where(CourseEvaluation.created_at >= start)
    if end:
        stmt = stmt.where(CourseEvaluation.created_at < end)
    return [text.strip() for text in db.session.scalars(stmt)]


def counts_by_cohort(facts: Facts, values: dict[int, str], keys: list[str]) -> list[list[int]]:
    """A rows x cohorts table: how many participants gave each answer key, in each cohort."""
    counted = Counter((values[user], cohort) for user, cohort in facts.cohort_of.items())
    return [[counted[key, cohort.id] for cohort in facts.cohorts] for key in keys]


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))

