"""The main pages under load: requests per second and p95 latency, each against a bare Flask app.

gunicorn serves the LMS over a realistic program (500 trainees, 20 courses, 100,000 attendance rows)
and, in the same run, a bare Flask "hello" app the same way. wrk drives each page from loopback at
16 connections for a few seconds. Targets: every page at least 0.25 of the bare app's requests per
second, and a p95 under 150 ms.

    .venv/bin/python benchmarks/load.py --database-url postgresql+psycopg://postgres@127.0.0.1:54329/bench
    .venv/bin/python benchmarks/load.py                   # SQLite file in a temporary folder

Each page is measured twice: as served (the busiest pages are kept rendered until the data changes,
lms/core/pagecache.py), and rendered on every request (a second server with LMS_PAGE_CACHE_SECONDS=0).
Rate limits and the page version use Redis (--redis-url) as in production, when it answers.

The tables are dropped and created again: point --database-url at a database of its own.
Needs wrk (Debian: apt-get install wrk).
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.attendance_rates import PASSWORD, TRAINEES, build_data, make_app  # noqa: E402
from benchmarks.web_rps import free_port, log_in, serve  # noqa: E402

COURSES = 20
RATIO_TARGET = 0.25
#: Every worker renders a kept page once before it keeps it: a short run first, not measured, as a
#: program office's pages are read all day. The cost of rendering is the "rendered every time" column.
WARM_UP_SECONDS = 2
P95_TARGET_MS = 150
#: wrk's summary has no 95th percentile: this script prints it (and the status counts) when the run is done.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
  io.write(string.format("non2xx %d\\n", summary.errors.status))
end
"""


def add_catalog(app, ids) -> dict:
    """More courses in the catalog, up to COURSES; a trainee who can log in, enrolled with attendance."""
    from sqlalchemy import func, select

    from lms.accounts import services as accounts
    from lms.accounts.models import User
    from lms.courses import services as catalog
    from lms.courses.models import Course, CourseFormat, Program
    from lms.enrollment.models import Enrollment
    from lms.extensions import db

    with app.app_context():
        program = db.session.scalars(select(Program)).first()
        for n in range(db.session.scalar(select(func.count()).select_from(Course)), COURSES):
            course = catalog.save_course(Course(program_id=program.id), prerequisite_ids=[], code=f"B-{n:03d}",
                                         title=f"Course {n}", summary="A course for early educators.",
                                         default_language="en", format=CourseFormat.SELF_PACED, pd_hours=6,
                                         sequential=False)
            for m in range(5):
                catalog.add_module(course, title=f"Module {m}", content="Some **content**.", estimated_minutes=30,
                                   is_required=True, reflection_prompt=None)
        trainee = db.session.get(User, ids["trainee"])
        trainee.email = "trainee@example.org"
        accounts.set_password(trainee, PASSWORD)
        course_id = db.session.scalar(select(Enrollment.course_id).where(Enrollment.user_id == trainee.id).limit(1))
        db.session.commit()
        db.engine.dispose()
        return {**ids, "course": course_id}


def measure(port: int, path: str, seconds: int, connections: int, script: str, cookie=None) -> tuple[float, float]:
    """Requests per second and p95 latency in milliseconds for one address."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, f"http://127.0.0.1:{port}{path}"]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if int(re.search(r"non2xx (\d+)", output).group(1)):
        raise RuntimeError(f"{path} answered errors:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return rps, int(re.search(r"p95_us (\d+)", output).group(1)) / 1000


def refreshed(port: int, cookie: str) -> str:
    """The session cookie after one more request, as a browser keeps it (the idle clock rewrites it every 30 s)."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/", headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    new_cookie = response.getheader("Set-Cookie")
    return new_cookie.split(";")[0] if new_cookie else cookie


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian: apt-get install wrk)")

    from lms.accounts import twofactor
    from lms.accounts.models import User
    from lms.extensions import db

    folder = tempfile.mkdtemp(prefix="lms-load-")
    database_url = args.database_url or f"sqlite:///{folder}/load.sqlite3"
    app = make_app(database_url)
    ids = add_catalog(app, build_data(app, cohorts=1))
    script = Path(folder) / "p95.lua"
    script.write_text(WRK_SCRIPT)
    env = {**os.environ, "LMS_ENV": "development", "DATABASE_URL": database_url, "SECRET_KEY": "benchmark",
           "LMS_PAGE_VERSION_FILE": str(Path(folder) / "page-version")}
    if redis_answers(args.redis_url):
        env["LMS_RATELIMIT_STORAGE_URI"] = args.redis_url
    hello_port, lms_port, rendering_port = free_port(), free_port(), free_port()
    servers = [serve("benchmarks.hello:app", hello_port, env, args.workers),
               serve("wsgi:app", lms_port, env, args.workers),
               serve("wsgi:app", rendering_port, {**env, "LMS_PAGE_CACHE_SECONDS": "0"}, args.workers)]

    def admin_code():
        with app.app_context():
            return twofactor.current_code(db.session.get(User, ids["admin"]))

    try:
        trainee = log_in(lms_port, "trainee@example.org")
        admin = log_in(lms_port, "admin@example.org", admin_code)
        base_rps, base_p95 = measure(hello_port, "/", args.seconds, args.connections, str(script))
        print(f"database: {database_url.split(':')[0].split('+')[0]}; {TRAINEES} trainees, {COURSES} courses, "
              f"{TRAINEES * 200:,} attendance rows; gunicorn: {args.workers} sync workers; wrk: "
              f"{args.connections} connections, {args.seconds} s a page; {os.cpu_count()} cores; redis: "
              f"{'yes' if 'LMS_RATELIMIT_STORAGE_URI' in env else 'no (the page version is a file)'}")
        print(f"{'':<36}{'as served':^26}{'rendered every time':^26}")
        print(f"{'page':<36}" + f"{'req/s':>9}{'ratio':>8}{'p95 ms':>9}" * 2
              + f"  targets: ratio >= {RATIO_TARGET}, p95 < {P95_TARGET_MS} ms")
        print(f"{'bare Flask hello (baseline)':<36}{base_rps:>9.1f}{1:>8.2f}{base_p95:>9.1f}")
        pages = [
            ("catalog (/courses)", "/courses", None),
            ("course page", f"/courses/{ids['course']}", trainee),
            ("trainee home (dashboard)", "/", trainee),
            ("my sessions (200 held, rates)", "/my/sessions", trainee),
            (f"roster ({TRAINEES} trainees)", f"/admin/courses/{ids['course']}/roster", admin),
            ("attendance report (100,000 rows)", f"/admin/attendance/cohorts/{ids['cohort']}", admin),
        ]
        for label, path, cookie in pages:
            cookie = cookie and refreshed(lms_port, cookie)
            measure(lms_port, path, WARM_UP_SECONDS, args.connections, str(script), cookie)
            rps, p95 = measure(lms_port, path, args.seconds, args.connections, str(script), cookie)
            cookie = cookie and refreshed(lms_port, cookie)
            rendered_rps, rendered_p95 = measure(rendering_port, path, args.seconds, args.connections, str(script),
                                                 cookie)
            ratio = rps / base_rps
            verdict = ", ".join(f"{name} {'met' if ok else 'NOT MET'}" for name, ok in (
                ("ratio", ratio >= RATIO_TARGET), ("p95", p95 < P95_TARGET_MS)))
            print(f"{label:<36}{rps:>9.1f}{ratio:>8.3f}{p95:>9.1f}"
                  f"{rendered_rps:>9.1f}{rendered_rps / base_rps:>8.3f}{rendered_p95:>9.1f}  {verdict}")
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=10)
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
