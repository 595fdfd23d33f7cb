"""How long the command line takes to issue certificates to a 500-trainee cohort.

Fills a database with a cohort of 500 eligible trainees (names in every script the program's
trainees write, a third printed with both their names), then times
`flask --app wsgi lms certificates issue --cohort ID` as a separate process, start to finish (it
renders in as many processes as the machine has CPUs). The baseline, in the same run, is the same
command run again when everyone already holds a certificate: starting the app and working out
eligibility, with nothing left to render or store. Target: the whole cohort in under 15 seconds.

    .venv/bin/python benchmarks/certificate_issue.py                 # SQLite file in a temporary folder
    .venv/bin/python benchmarks/certificate_issue.py --database-url postgresql+psycopg://...   # PostgreSQL

The tables are dropped and created again: point --database-url at a database of its own.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TRAINEES = 500
SESSIONS = 10
TARGET_SECONDS = 15
#: (name, name in own script, language): Latin with diacritics, Cyrillic, Ethiopic, Chinese, Korean, Arabic.
NAMES = [("Nguyễn Thị Lan", "", "vi"), ("Cabdi Maxamed Xasan", "", "so"), ("Olga Petrova", "Ольга Петрова", "ru"),
         ("Olena Kovalchuk", "Олена Ковальчук", "uk"), ("Amanuel Tesfaye", "አማኑኤል ተስፋዬ", "am"),
         ("Li Xiaoming", "李晓明", "zh_Hans"), ("Chen Meiling", "陳美玲", "zh_Hant"), ("Kim Minjun", "김민준", "ko"),
         ("Fatima Al-Zahra", "فاطمة الزهراء", "ar"), ("María José Gutiérrez", "", "es"), ("Maria Santos", "", "fil"),
         ("Jordan Ellis", "", "en")]


def build(database_url: str) -> int:
    """The cohort and its eligible trainees; return the cohort's id."""
    from sqlalchemy import insert

    from lms.accounts.models import Role, User, UserRole
    from lms.attendance.models import AttendanceRecord, LearningSession
    from lms.courses import services as catalog
    from lms.courses.models import Cohort, Course, CourseFormat, Program
    from lms.credentials.models import CertificatePreference, NameStyle
    from lms.enrollment.models import Enrollment, EnrollmentPeriod
    from lms.extensions import db
    from wsgi import create_app

    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        program = catalog.save_program(Program(), name="BIPOC Community of Leaders Certificate", description="")
        course = catalog.save_course(Course(program_id=program.id), prerequisite_ids=[], code="BCL-101",
                                     title="Foundations", summary="", default_language="en",
                                     format=CourseFormat.SELF_PACED, pd_hours=Decimal("30"), sequential=False)
        cohort = catalog.save_cohort(
            Cohort(program_id=program.id), name="Benchmark cohort", languages=["en"], course_ids=[course.id],
            starts_on=date.today() - timedelta(days=120), ends_on=date.today(), capacity=TRAINEES,
            enrollment_open=False, enrollment_opens_on=None, enrollment_closes_on=None)
        now = datetime.now(timezone.utc)
        joined = now - timedelta(days=120)
        people = [NAMES[i % len(NAMES)] for i in range(TRAINEES)]
        ids = db.session.execute(insert(User).returning(User.id), [
            {"email": f"t{i}@example.org", "full_name": f"{name} {i}", "native_name": native or None,
             "password_hash": "!", "locale": language, "is_active": True, "created_at": joined}
            for i, (name, native, language) in enumerate(people)]).scalars().all()
        db.session.execute(insert(UserRole), [{"user_id": i, "role": Role.TRAINEE, "granted_at": joined} for i in ids])
        db.session.execute(insert(CertificatePreference), [
            {"user_id": i, "name_style": NameStyle.BOTH} for n, i in enumerate(ids) if n % 3 == 0])
        enrollments = db.session.execute(insert(Enrollment).returning(Enrollment.id, Enrollment.user_id), [
            {"user_id": i, "course_id": course.id, "cohort_id": cohort.id, "language": "en", "status": "enrolled",
             "created_at": joined, "enrolled_at": joined, "completed_at": now - timedelta(days=1)}
            for i in ids]).all()
        db.session.execute(insert(EnrollmentPeriod), [
            {"enrollment_id": e.id, "user_id": e.user_id, "course_id": course.id, "cohort_id": cohort.id,
             "started_at": joined} for e in enrollments])
        sessions = db.session.execute(insert(LearningSession).returning(LearningSession.id), [
            {"kind": "course", "title": f"Session {n}", "course_id": course.id, "cohort_id": cohort.id,
             "starts_at": now - timedelta(days=7 * (n + 1)), "ends_at": now - timedelta(days=7 * (n + 1), hours=-2),
             "language": "en", "facilitator_id": ids[0], "created_at": joined}
            for n in range(SESSIONS)]).scalars().all()
        db.session.execute(insert(AttendanceRecord), [
            {"session_id": s, "trainee_id": t, "status": "present", "minutes": 120, "source": "facilitator",
             "updated_at": now} for s in sessions for t in ids])
        db.session.commit()
        cohort_id = cohort.id
        db.engine.dispose()
    return cohort_id


def run_cli(database_url: str, cohort_id: int) -> tuple[float, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LMS_PUBLIC_URL": "https://learn.example.org",
           "LMS_ENV": "development"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "lms", "certificates", "issue",
                           "--cohort", str(cohort_id)], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return seconds, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="lms-bench-")
    try:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        cohort_id = build(url)
        issuing, summary = run_cli(url, cohort_id)
        again, second = run_cli(url, cohort_id)
        print(f"database: {url.split(':')[0]}, cohort of {TRAINEES} eligible trainees, names in "
              f"{len(NAMES)} languages' scripts")
        print(f"{'measure':<58}{'s':>8}{'ratio':>8}")
        print(f"{'same command again, nothing to issue (baseline)':<58}{again:>8.2f}{1:>8.1f}   {second}")
        met = "met" if issuing < TARGET_SECONDS else "NOT MET"
        print(f"{'flask lms certificates issue --cohort (500 trainees)':<58}{issuing:>8.2f}{issuing / again:>8.1f}"
              f"   {summary}  target < {TARGET_SECONDS} s: {met}")
        print(f"certificates per second, start to finish: {TRAINEES / issuing:.0f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
