"""Bulk enrollment from a CSV file: plan every row first, then apply all of it or nothing."""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from lms.accounts import services as accounts
from lms.accounts.models import NAME_MAX, NAME_ON_ONE_LINE, Role, User, has_control_characters
from lms.audit.models import Action
from lms.audit.services import record
from lms.courses.models import Course
from lms.enrollment import services
from lms.enrollment.models import Enrollment, EnrollmentStatus
from lms.extensions import db
from lms.i18n import supported_languages
from lms.i18n import lazy_gettext as _l
from lms.notifications.services import notify

COLUMNS = ("email", "name", "cohort", "language")
MAX_ROWS = 2_000
UNPROVEN_ACCOUNT = _l("An account with this email exists but its address has not been verified; "
                      "ask the person to verify it, then import again.")


@dataclass
class PlannedRow:
    line: int
    email: str
    name: str
    cohort_name: str
    language: str
    errors: list = field(default_factory=list)
    #: "new_account", "enroll", "waitlist", "unchanged" or "refused" (skipped; the rest of the file goes ahead)
    outcome: str = ""
    #: Why a "refused" row is left out.
    refusal: str | None = None
    user: User | None = None
    cohort_id: int | None = None


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    file_errors: list

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(r.errors for r in self.rows)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)


def read_rows(text: str) -> tuple[list[dict], list]:
    """Rows of the file keyed by lower-case column name, or the reasons it cannot be read."""
    try:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in COLUMNS if c not in headers]
        if missing:
            return [], [_l("The file needs the columns %(columns)s; missing: %(missing)s.",
                           columns=", ".join(COLUMNS), missing=", ".join(missing))]
        rows = []
        for raw in reader:
            if len(rows) == MAX_ROWS:
                return [], [_l("The file has more than %(max)s rows; split it.", max=MAX_ROWS)]
            rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k})
        return rows, ([] if rows else [_l("The file has no rows.")])
    except csv.Error:
        return [], [_l("This is not a CSV file we can read. Save it as CSV (UTF-8) and try again.")]


def plan_import(text: str, course: Course) -> ImportPlan:
    """Check every row and say what would happen to it; nothing is saved."""
    raw_rows, file_errors = read_rows(text)
    if file_errors:
        return ImportPlan([], file_errors)
    cohorts = {c.name.casefold(): c for c in course.cohorts if not c.is_archived}
    emails = Counter()
    rows = []
    for line, raw in enumerate(raw_rows, start=2):
        row = PlannedRow(line, raw.get("email", ""), raw.get("name", ""), raw.get("cohort", ""),
                         raw.get("language", ""))
        try:
            row.email = validate_email(row.email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            row.errors.append(_l("“%(email)s” is not an email address.", email=row.email))
        emails[row.email] += 1
        cohort = cohorts.get(row.cohort_name.casefold())
        if cohort is None:
            row.errors.append(_l("No cohort named “%(name)s” runs this course.", name=row.cohort_name))
        else:
            row.cohort_id = cohort.id
        if row.language not in course.languages:
            row.errors.append(_l("The course is not offered in “%(language)s”; use one of %(languages)s.",
                                 language=row.language, languages=", ".join(course.languages)))
        if len(row.name) > NAME_MAX:
            row.errors.append(_l("The name is longer than %(max)s characters.", max=NAME_MAX))
        if has_control_characters(row.name):
            row.errors.append(NAME_ON_ONE_LINE)
        rows.append(row)

    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_([r.email for r in rows])))}
    enrolled = {e.user_id: e for e in db.session.scalars(select(Enrollment).where(
        Enrollment.course_id == course.id, Enrollment.user_id.in_([u.id for u in users.values()])))}
    seats = dict(db.session.execute(
        select(Enrollment.cohort_id, func.count()).where(
            Enrollment.course_id == course.id, Enrollment.status == EnrollmentStatus.ENROLLED)
        .group_by(Enrollment.cohort_id)).all())
    for row in rows:
        if emails[row.email] > 1:
            row.errors.append(_l("This email appears more than once in the file."))
        row.user = users.get(row.email)
        if row.user is None and not row.name:
            row.errors.append(_l("A new person needs a name."))
        if row.errors:
            continue
        existing = enrolled.get(row.user.id) if row.user else None
        if existing and existing.status is not EnrollmentStatus.WITHDRAWN:
            row.outcome = "unchanged"
            continue
        if row.user and accounts.is_unproven_registration(row.user):
            # Whoever registered the address first may not own it; the seat would go to them (SECURITY.md 34).
            row.outcome, row.refusal = "refused", UNPROVEN_ACCOUNT
            continue
        capacity = cohorts[row.cohort_name.casefold()].capacity
        if seats.get(row.cohort_id, 0) < capacity:
            seats[row.cohort_id] = seats.get(row.cohort_id, 0) + 1
            row.outcome = "new_account" if row.user is None else "enroll"
        else:
            row.outcome = "waitlist"
    return ImportPlan(rows, [])


def apply_import(plan: ImportPlan, course: Course, *, by: User) -> ImportPlan:
    """Create the accounts and enrollments of a checked plan; the caller commits or rolls back."""
    if not plan.ok:
        raise ValueError("only a plan without errors can be applied")
    cohorts = {c.id: c for c in course.cohorts}
    for row in plan.rows:
        if row.outcome in ("unchanged", "refused"):
            continue
        user = row.user or accounts.create_user(
            email=row.email, full_name=row.name, password=None, roles=(Role.TRAINEE,),
            locale=row.language if row.language in supported_languages() else "en")
        services.enroll(user, course, cohorts[row.cohort_id], row.language, by_admin=True)
        notify(user.id, "enrolled_by_admin", course_id=course.id)
    record(Action.ENROLLMENTS_IMPORTED, actor=by, course=course.code,
           rows=len(plan.rows), unchanged=plan.count("unchanged"), refused=plan.count("refused"))
    return plan
