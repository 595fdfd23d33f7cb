"""How long the program report takes over 10,000 trainees and 100,000 attendance rows.

Times lms.reports.report.build for all cohorts, for one cohort and for a date range (the last
year), the admin's report page (through the test client, logged in with the second factor), the
race/ethnicity table's CSV and the PDF, each the best and the median of several runs after a
warm-up, against fetching every enrollment row (id, person, cohort, completion) on the same
database in the same run. Target: under 1 s for the three builds and the page; the CSV and the PDF
are downloads, timed for the record. The SQL statements of one build for all cohorts are counted too.

    .venv/bin/python benchmarks/report_time.py                 # SQLite file in a temporary folder
    .venv/bin/python benchmarks/report_time.py --database-url postgresql+psycopg://...   # PostgreSQL

The data is bulk-inserted, not made through the services: 20 cohorts each running the program's 3
courses, 10,000 trainees each enrolled in 1 to 3 courses of one cohort (300 also in a course of a later
cohort), a few withdrawn and most finishers completed; course sessions and cohort gatherings with
100,000 attendance rows; self-identified demographics for about 85% of trainees; logged reflective
sessions; 400 valid certificates and 50 evaluations quotable. The tables are dropped and created
again: point --database-url at a database of its own.
"""

import argparse
import random
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.attendance_rates import PASSWORD, STATUSES, log_in, make_app, timings_ms  # noqa: E402

COHORTS = 20
COURSES = 3
TRAINEES = 10_000
#: Trainees who also take a course in a later cohort.
TWO_COHORTS = 300
ATTENDANCE_ROWS = 100_000
#: Each cohort runs 150 days: 5 sessions of each course and 2 gatherings; a new cohort starts every 60 days.
COHORT_DAYS, COHORT_EVERY, COURSE_SESSIONS, GATHERINGS = 150, 60, 5, 2
REFLECTIVE_SESSIONS = 3_000
CERTIFICATES = 400
QUOTES = 50
TARGET_SECONDS = 1.0


def at(day: date, hours: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(hours=hours)


def build_data(app) -> dict:
    """The program, its people and their records; return the ids the measures need."""
    from sqlalchemy import text

    from lms.accounts import services as accounts
    from lms.accounts import twofactor
    from lms.accounts.models import Role
    from lms.courses import services as catalog
    from lms.courses.models import Cohort, Course, CourseFormat, Program
    from lms.demographics.categories import seed_builtin_categories
    from lms.extensions import db
    from lms.sqltypes import utcnow

    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_builtin_categories()
        program = catalog.save_program(Program(), name="Benchmark program", description="")
        courses = [catalog.save_course(Course(program_id=program.id), prerequisite_ids=[], code=f"B-{n:03d}",
                                       title=f"Course {n}", summary="A course", default_language="en",
                                       format=CourseFormat.SELF_PACED, pd_hours=6, sequential=False)
                   for n in range(COURSES)]
        admin = accounts.create_user(email="admin@example.org", full_name="Admin", password=PASSWORD,
                                     roles=(Role.ADMIN,))
        twofactor.begin_setup(admin)
        admin.totp_enabled_at = utcnow()
        mentor = accounts.create_user(email="mentor@example.org", full_name="Mentor", password=PASSWORD,
                                      roles=(Role.MENTOR,))
        first = date.today() - timedelta(days=COHORT_EVERY * (COHORTS - 1) + 60)
        cohorts = [catalog.save_cohort(
            Cohort(program_id=program.id), name=f"Cohort {n + 1}", languages=["en"], course_ids=[c.id for c in courses],
            starts_on=first + timedelta(days=COHORT_EVERY * n),
            ends_on=first + timedelta(days=COHORT_EVERY * n + COHORT_DAYS), capacity=2 * TRAINEES // COHORTS,
            enrollment_open=False, enrollment_opens_on=None, enrollment_closes_on=None) for n in range(COHORTS)]
        rng = random.Random(7)
        seats = fill_enrollments(cohorts, [c.id for c in courses], rng)
        rows = fill_attendance(cohorts, [c.id for c in courses], seats, mentor.id, rng)
        fill_people(seats, mentor.id, program.id, rng)
        db.session.commit()
        # Statistics, as a live database has them (PostgreSQL's autovacuum gathers them by itself).
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return {"admin": admin.id, "cohort": cohorts[COHORTS // 2].id, "rows": rows, "seats": len(seats)}


def fill_enrollments(cohorts, course_ids: list[int], rng: random.Random) -> list[dict]:
    """The trainees and their seats; return a dict a seat: enrollment, user, course, cohort, dates."""
    from sqlalchemy import insert

    from lms.accounts.models import Role, User, UserRole
    from lms.enrollment.models import Enrollment, EnrollmentPeriod
    from lms.extensions import db

    joined = at(cohorts[0].starts_on) - timedelta(days=30)
    trainee_ids = db.session.execute(insert(User).returning(User.id, sort_by_parameter_order=True), [
        {"email": f"t{i}@example.org", "full_name": f"Trainee {i:05d}", "password_hash": "!", "locale": "en",
         "is_active": True, "created_at": joined} for i in range(TRAINEES)]).scalars().all()
    db.session.execute(insert(UserRole), [{"user_id": i, "role": Role.TRAINEE, "granted_at": joined}
                                          for i in trainee_ids])
    plan, twice = [], 0
    for n, user in enumerate(trainee_ids):
        taken = rng.sample(course_ids, rng.choice((1, 2, 2, 3)))
        plan += [(user, course, cohorts[n % COHORTS]) for course in taken]
        if twice < TWO_COHORTS and len(taken) < COURSES and n % COHORTS < COHORTS - 1:
            twice += 1
            later = cohorts[rng.randrange(n % COHORTS + 1, COHORTS)]
            plan.append((user, rng.choice([c for c in course_ids if c not in taken]), later))
    today = date.today()
    seats = []
    for user, course, cohort in plan:
        enrolled = at(cohort.starts_on) - timedelta(days=14)
        withdrawn = enrolled + timedelta(days=45) if rng.random() < 0.03 else None
        done = not withdrawn and cohort.ends_on < today and rng.random() < 0.7
        seats.append({"user_id": user, "course_id": course, "cohort_id": cohort.id, "cohort": cohort,
                      "language": "en", "status": "withdrawn" if withdrawn else "enrolled", "created_at": enrolled,
                      "enrolled_at": enrolled, "withdrawn_at": withdrawn,
                      "completed_at": at(cohort.ends_on, 12) if done else None})
    columns = ("user_id", "course_id", "cohort_id", "language", "status", "created_at", "enrolled_at",
               "withdrawn_at", "completed_at")
    ids = db.session.execute(insert(Enrollment).returning(Enrollment.id, sort_by_parameter_order=True),
                             [{key: seat[key] for key in columns} for seat in seats]).scalars().all()
    for seat, enrollment_id in zip(seats, ids):
        seat["id"] = enrollment_id
    db.session.execute(insert(EnrollmentPeriod), [
        {"enrollment_id": s["id"], "user_id": s["user_id"], "course_id": s["course_id"], "cohort_id": s["cohort_id"],
         "started_at": s["enrolled_at"], "ended_at": s["withdrawn_at"]} for s in seats])
    return seats


def fill_attendance(cohorts, course_ids: list[int], seats: list[dict], facilitator_id: int,
                    rng: random.Random) -> int:
    """Each cohort's sessions; ATTENDANCE_ROWS markings of people on the rosters of held ones."""
    from sqlalchemy import insert

    from lms.attendance.models import AttendanceRecord, LearningSession
    from lms.extensions import db

    now = datetime.now(timezone.utc)
    sessions = []
    for cohort in cohorts:
        start = at(cohort.starts_on, 17)
        for day in range(GATHERINGS):
            sessions.append((cohort, None, start + timedelta(days=5 + day * (COHORT_DAYS - 10))))
        for n, course in enumerate(course_ids):
            sessions += [(cohort, course, start + timedelta(days=10 + 25 * s + 3 * n)) for s in range(COURSE_SESSIONS)]
    ids = db.session.execute(insert(LearningSession).returning(LearningSession.id, sort_by_parameter_order=True), [
        {"kind": "course" if course else "cohort", "title": f"Session {n}", "course_id": course,
         "cohort_id": cohort.id, "starts_at": starts, "ends_at": starts + timedelta(hours=2), "language": "en",
         "facilitator_id": facilitator_id, "created_at": at(cohort.starts_on)}
        for n, (cohort, course, starts) in enumerate(sessions)]).scalars().all()
    in_cohort: dict[int, list[dict]] = {}
    for seat in seats:
        in_cohort.setdefault(seat["cohort_id"], []).append(seat)
    pairs = []
    for session_id, (cohort, course, starts) in zip(ids, sessions):
        if starts + timedelta(hours=2) < now:
            pairs += [(session_id, user) for user in dict.fromkeys(
                s["user_id"] for s in in_cohort[cohort.id] if course in (None, s["course_id"])
                and s["enrolled_at"] <= starts and (s["withdrawn_at"] is None or s["withdrawn_at"] > starts))]
    assert len(pairs) >= ATTENDANCE_ROWS, f"only {len(pairs):,} people on the rosters of held sessions"
    marked = rng.sample(pairs, ATTENDANCE_ROWS)  # the rest were not marked: absent
    rows = [{"session_id": s, "trainee_id": t, "status": rng.choice(STATUSES), "minutes": 120,
             "source": "facilitator", "updated_at": now, "updated_by_id": facilitator_id} for s, t in marked]
    for start in range(0, len(rows), 20_000):
        db.session.execute(insert(AttendanceRecord), rows[start:start + 20_000])
    return len(rows)


def fill_people(seats: list[dict], mentor_id: int, program_id: int, rng: random.Random) -> None:
    """Demographics, reflective sessions, certificates and evaluations."""
    from sqlalchemy import insert, select

    from lms.credentials.models import Certificate
    from lms.demographics.categories import SPOKEN_LANGUAGES
    from lms.demographics.models import Demographics, FormalTraining, ProviderRole, RaceCategory, SpokenLanguage
    from lms.demographics.models import demographics_race
    from lms.enrollment.models import CourseEvaluation
    from lms.extensions import db
    from lms.mentoring.models import ReflectiveSession, SessionFormat, SessionStatus, session_attendee

    categories = db.session.scalars(select(RaceCategory.id)).all()
    cohort_of = {s["user_id"]: s["cohort"] for s in reversed(seats)}  # their first cohort
    answering = [user for user in cohort_of if rng.random() < 0.85]
    profiles, races, spoken = [], [], []
    for user in answering:
        race_declined, languages_declined = rng.random() < 0.05, rng.random() < 0.03
        profiles.append({"user_id": user, "race_declined": race_declined, "languages_declined": languages_declined,
                         "provider_role": rng.choice([*ProviderRole, None]),
                         "formal_training": rng.choice([*FormalTraining, None])})
        if not race_declined and rng.random() < 0.9:
            races += [{"user_id": user, "category_id": c}
                      for c in rng.sample(categories, 2 if rng.random() < 0.12 else 1)]
        if not languages_declined and rng.random() < 0.9:
            spoken += [{"user_id": user, "language": code} for code in
                       dict.fromkeys(["en", *rng.sample(SPOKEN_LANGUAGES, rng.choice((0, 0, 1, 2)))])]
    db.session.execute(insert(Demographics), profiles)
    db.session.execute(insert(demographics_race), races)
    db.session.execute(insert(SpokenLanguage), spoken)

    today = date.today()
    by_cohort: dict[int, list[int]] = {}
    for user, cohort in cohort_of.items():
        by_cohort.setdefault(cohort.id, []).append(user)
    started = [c for c in {s["cohort"].id: s["cohort"] for s in seats}.values() if c.starts_on < today]
    held = [(rng.choice(started), rng.random() < 0.9) for _ in range(REFLECTIVE_SESSIONS)]
    held = [(cohort, min(today, cohort.starts_on + timedelta(days=rng.randrange(COHORT_DAYS))), logged)
            for cohort, logged in held]
    ids = db.session.execute(insert(ReflectiveSession).returning(ReflectiveSession.id, sort_by_parameter_order=True), [
        {"mentor_id": mentor_id, "status": SessionStatus.LOGGED if logged else SessionStatus.PLANNED,
         "held_on": day, "duration_minutes": rng.choice((45, 60, 90)), "format": rng.choice(list(SessionFormat)),
         "language": "en"} for _, day, logged in held]).scalars().all()
    db.session.execute(insert(session_attendee), [
        {"session_id": session_id, "trainee_id": user} for session_id, (cohort, _, _) in zip(ids, held)
        for user in rng.sample(by_cohort[cohort.id], rng.choice((1, 1, 2, 3)))])

    finished = list({s["user_id"]: s for s in seats if s["completed_at"]}.values())
    db.session.execute(insert(Certificate), [
        {"serial": f"B-{n:06d}", "code": f"benchmark-code-{n}", "trainee_id": s["user_id"], "program_id": program_id,
         "cohort_id": s["cohort_id"], "status": "valid", "printed_name": f"Trainee {s['user_id']}", "language": "en",
         "pd_hours": 6, "completed_on": s["completed_at"].date(), "issuer": "Benchmark program",
         "pdf": b"%PDF-1.4 placeholder", "sha256": f"{n:064x}", "credential": "placeholder",
         "issued_at": s["completed_at"] + timedelta(days=3)} for n, s in enumerate(rng.sample(finished, CERTIFICATES))])
    db.session.execute(insert(CourseEvaluation), [
        {"enrollment_id": s["id"], "course_id": s["course_id"], "language": "en", "rating_overall": 5,
         "rating_relevance": 4, "rating_language": 5, "consent_to_quote": n < QUOTES,
         "comments": f"Comment {n}: what I learned helps the families I work with.",
         "created_at": s["completed_at"] + timedelta(days=1)}
        for n, s in enumerate(rng.sample(finished, QUOTES + 10))])


def count_statements(app, call) -> int:
    """How many SQL statements one run of `call` sends."""
    from sqlalchemy import event

    from lms.extensions import db

    statements = []

    def before(*args):
        statements.append(args[2])

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before)
        try:
            call()
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
            db.session.remove()
    return len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from sqlalchemy import select

    from lms.enrollment.models import Enrollment
    from lms.extensions import db
    from lms.reports.data import Filters
    from lms.reports.report import build

    folder = tempfile.mkdtemp(prefix="lms-bench-")
    try:
        app = make_app(args.database_url or f"sqlite:///{folder}/bench.sqlite3")
        started = time.perf_counter()
        ids = build_data(app)
        filled = time.perf_counter() - started
        with app.app_context():
            db.engine.dispose()
        client = log_in(app, ids["admin"])
        last_year = Filters(start=date.today() - timedelta(days=365), end=date.today())

        def get(path):
            def call():
                response = client.get(path)
                assert response.status_code == 200, response.status
            return call

        # (label, call, whether the target applies): the baseline and the downloads are timed for the record.
        measures = [("fetch every enrollment row (baseline)", lambda: db.session.execute(
                        select(Enrollment.id, Enrollment.user_id, Enrollment.cohort_id, Enrollment.completed_at)).all(),
                     False),
                    ("(a) build(Filters()): all cohorts", lambda: build(Filters()), True),
                    ("(b) build: one cohort", lambda: build(Filters(cohort_id=ids["cohort"])), True),
                    ("(c) build: the last 365 days", lambda: build(last_year), True),
                    ("(d) admin report page, GET /admin/reports", get("/admin/reports"), True),
                    ("(e) race/ethnicity table (CSV)", get("/admin/reports/race.csv"), False),
                    ("(f) the report as PDF", get("/admin/reports/report.pdf"), False)]

        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}, {COHORTS} cohorts of "
              f"{COURSES} courses, {TRAINEES:,} trainees ({TWO_COHORTS} in two cohorts), {ids['seats']:,} "
              f"enrollments, {ids['rows']:,} attendance rows; filled in {filled:.1f} s; best and median of "
              f"{args.runs} runs")
        print(f"{'measure':<52}{'best ms':>9}{'median ms':>11}{'ratio to baseline':>19}  "
              f"target < {TARGET_SECONDS * 1000:.0f} ms")
        baseline = None
        for label, call, targeted in measures:
            best, median = timings_ms(app, call, args.runs)
            baseline = baseline or median
            verdict = ("PASS" if median < TARGET_SECONDS * 1000 else "FAIL") if targeted else ""
            print(f"{label:<52}{best:>9.1f}{median:>11.1f}{median / baseline:>19.1f}  {verdict}")
        print(f"SQL statements of (a): {count_statements(app, lambda: build(Filters()))}")
        with app.app_context():
            db.engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
