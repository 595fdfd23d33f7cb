"""Requests per second for the catalog, a course page, the dashboard and a 500-trainee roster.

Each page is served by gunicorn and measured against a bare Flask "hello" app served the same
way in the same run; the figure that matters is the ratio (target: at least 0.25 for each page).

    .venv/bin/python benchmarks/web_rps.py                  # SQLite file in a temporary folder
    .venv/bin/python benchmarks/web_rps.py --database-url postgresql+psycopg://...   # PostgreSQL

It uses wrk when it is installed (Debian: apt-get install wrk), else a small Python load generator.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TRAINEES = 500
COURSES = 40
PASSWORD = "benchmark-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_data(database_url: str) -> dict:
    """A program with COURSES courses, one of them with TRAINEES enrolled, and a trainee with 5 courses."""
    from sqlalchemy import insert

    from lms.accounts import services as accounts
    from lms.accounts import twofactor
    from lms.accounts.models import Role, User, UserRole
    from lms.courses import services as catalog
    from lms.courses.models import Cohort, Course, CourseFormat, Program
    from lms.enrollment.models import Enrollment
    from lms.enrollment.services import enroll
    from lms.extensions import db
    from wsgi import create_app

    app = create_app("development", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="benchmark",
                     LMS_ARGON2_MEMORY_COST=8, LMS_ARGON2_TIME_COST=1, LMS_ARGON2_PARALLELISM=1)
    with app.app_context():
        db.drop_all()
        db.create_all()
        program = catalog.save_program(Program(), name="Benchmark program", description="")
        courses = []
        for n in range(COURSES):
            course = catalog.save_course(Course(program_id=program.id), prerequisite_ids=[], code=f"B-{n:03d}",
                                         title=f"Course {n}", summary="A course", default_language="en",
                                         format=CourseFormat.SELF_PACED, pd_hours=6, sequential=False)
            for m in range(5):
                catalog.add_module(course, title=f"Module {m}", content="Some **content**.", estimated_minutes=30,
                                   is_required=True, reflection_prompt=None)
            courses.append(course)
        cohort = catalog.save_cohort(
            Cohort(program_id=program.id), name="Cohort", languages=["en"], course_ids=[c.id for c in courses],
            starts_on=date.today(), ends_on=date.today() + timedelta(days=90), capacity=TRAINEES + 10,
            enrollment_open=True, enrollment_opens_on=None, enrollment_closes_on=None)
        admin = accounts.create_user(email="admin@example.org", full_name="Admin", password=PASSWORD,
                                     roles=(Role.ADMIN,))
        twofactor.begin_setup(admin)  # administrators need a second factor to reach the roster
        admin.totp_enabled_at = datetime.now(timezone.utc)
        trainee = accounts.create_user(email="trainee@example.org", full_name="Trainee", password=PASSWORD)
        for course in courses[:5]:
            enroll(trainee, course, cohort, "en")
        now = datetime.now(timezone.utc)
        first_id = db.session.execute(insert(User).returning(User.id), [
            {"email": f"t{n}@example.org", "full_name": f"Trainee {n:03d}", "password_hash": "!", "locale": "en",
             "is_active": True, "created_at": now} for n in range(TRAINEES)]).scalars().all()
        db.session.execute(insert(UserRole), [{"user_id": i, "role": Role.TRAINEE, "granted_at": now}
                                              for i in first_id])
        db.session.execute(insert(Enrollment), [
            {"user_id": i, "course_id": courses[0].id, "cohort_id": cohort.id, "language": "en",
             "status": "enrolled", "created_at": now, "enrolled_at": now} for i in first_id])
        db.session.commit()
        return {"course": courses[0].id, "admin": admin.id, "app": app}


def serve(module_app: str, port: int, env: dict, workers: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", module_app],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn did not start on port {port}")


def log_in(port: int, email: str, code=None) -> str:
    """Log in through the form (and its second-factor step, with `code()`) and return the session cookie."""
    def send(method, path, cookie=None, data=None):
        connection = http.client.HTTPConnection("127.0.0.1", port)
        headers = {"Cookie": cookie} if cookie else {}
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=urlencode(data) if data is not None else None, headers=headers)
        response = connection.getresponse()
        body = response.read().decode()
        new_cookie = response.getheader("Set-Cookie")
        return response, body, new_cookie.split(";")[0] if new_cookie else cookie

    _, page, cookie = send("GET", "/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response, _, cookie = send("POST", "/login", cookie, {"email": email, "password": PASSWORD, "csrf_token": token})
    if response.getheader("Location", "").startswith("/login/two-factor"):
        _, page, cookie = send("GET", "/login/two-factor", cookie)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response, _, cookie = send("POST", "/login/two-factor", cookie, {"code": code(), "csrf_token": token})
    assert response.status == 302, f"login of {email} failed: {response.status}"
    _, _, cookie = send("GET", response.getheader("Location"), cookie)  # as a browser would: shows the welcome
    return cookie


def admin_code(ids: dict) -> str:
    from lms.accounts import twofactor
    from lms.accounts.models import User
    from lms.extensions import db

    with ids["app"].app_context():
        return twofactor.current_code(db.session.get(User, ids["admin"]))


def check_page(port: int, path: str, cookie: str | None) -> None:
    """Measure pages, not redirects: wrk does not count a 3xx as an error."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}, not a page")


def measure(port: int, path: str, seconds: float, connections: int, cookie: str | None = None) -> float:
    """Requests per second for one URL."""
    if shutil.which("wrk"):
        command = ["wrk", f"-t{min(connections, 2)}", f"-c{connections}", f"-d{max(int(seconds), 1)}s",
                   f"http://127.0.0.1:{port}{path}"]
        if cookie:
            command[1:1] = ["-H", f"Cookie: {cookie}"]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        if "Non-2xx" in output:
            raise RuntimeError(f"{path} answered errors:\n{output}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return _python_load(port, path, seconds, connections, cookie)


def _python_load(port, path, seconds, connections, cookie) -> float:
    count = [0] * connections
    deadline = time.monotonic() + seconds

    def worker(i):
        while time.monotonic() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", port)
            conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")
            count[i] += 1
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(count) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="lms-bench-")
    database_url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
    ids = build_data(database_url)
    env = {**os.environ, "LMS_ENV": "development", "DATABASE_URL": database_url, "SECRET_KEY": "benchmark",
           "LMS_PAGE_VERSION_FILE": str(Path(folder) / "page-version")}
    hello_port, lms_port = free_port(), free_port()
    hello = serve("benchmarks.hello:app", hello_port, env, args.workers)
    lms = serve("wsgi:app", lms_port, env, args.workers)
    try:
        admin = log_in(lms_port, "admin@example.org", lambda: admin_code(ids))
        trainee = log_in(lms_port, "trainee@example.org")
        baseline = measure(hello_port, "/", args.seconds, args.connections)
        print(f"database: {database_url.split(':')[0]}, gunicorn workers: {args.workers}, "
              f"connections: {args.connections}, load: {'wrk' if shutil.which('wrk') else 'python'}")
        print(f"{'page':<34}{'req/s':>10}{'ratio':>9}")
        print(f"{'bare Flask hello (baseline)':<34}{baseline:>10.1f}{1:>9.2f}")
        pages = [
            ("catalog (/courses)", "/courses", None),
            (f"course page ({TRAINEES} enrolled)", f"/courses/{ids['course']}", trainee),
            ("dashboard (5 courses)", "/", trainee),
            (f"roster ({TRAINEES} trainees)", f"/admin/courses/{ids['course']}/roster", admin),
        ]
        for label, path, cookie in pages:
            check_page(lms_port, path, cookie)
            rps = measure(lms_port, path, args.seconds, args.connections, cookie)
            print(f"{label:<34}{rps:>10.1f}{rps / baseline:>9.2f}")
    finally:
        for process in (hello, lms):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
