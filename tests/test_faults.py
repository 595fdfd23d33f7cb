"""When the machine fails under the app: a full disk, a database that goes away, a worker killed mid-request."""

import http.client
import os
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import event, text

from lms.accounts import services
from lms.extensions import db
from tests.conftest import PASSWORD, drop_tables, make_host_app, totp_code
from tests.pages import text_of
from tests.served import ROOT, Browser, free_port, gunicorn, wait_for
from tests.test_certificate_pages import issue_url
from tests.test_certificates import office  # noqa: F401  (the fixture)

#: Certificates issued in the request that is killed: about a second of work for the worker.
KILLED_BATCH = 80


@contextmanager
def storage_full(app):
    """The database cannot grow: SQLite is capped at its current size; PostgreSQL answers disk_full (53100)."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            pages = db.session.execute(text("PRAGMA page_count")).scalar()
            db.session.remove()

            def cap(dbapi_connection, _record):
                dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 1}")

            event.listen(engine, "connect", cap)
            engine.dispose()
            try:
                yield
            finally:
                event.remove(engine, "connect", cap)
                engine.dispose()
            return
        db.session.execute(text(
            "CREATE FUNCTION lms_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$"))
        db.session.execute(text("CREATE TRIGGER lms_test_disk_full BEFORE INSERT ON lms_certificate "
                                "FOR EACH ROW EXECUTE FUNCTION lms_test_disk_full()"))
        db.session.commit()
        try:
            yield
        finally:
            db.session.execute(text("DROP TRIGGER lms_test_disk_full ON lms_certificate"))
            db.session.execute(text("DROP FUNCTION lms_test_disk_full()"))
            db.session.commit()


def test_a_full_disk_while_a_certificate_is_written_gives_a_clear_error_and_saves_nothing(
        app, office, admin_client):  # noqa: F811
    lan = office.trainee("Lan Nguyen")
    office.complete(lan)
    with storage_full(app):
        response = admin_client.post_form(issue_url(office, lan), {})
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    page = text_of(response)
    assert "The server has run out of storage space" in page and "Nothing was saved." in page
    assert office.certificates() == [] and office.audit("certificate_issued") == []
    # Once there is room again, the same request issues it.
    assert admin_client.post_form(issue_url(office, lan), {}).status_code == 302
    assert len(office.certificates()) == 1


def test_a_worker_killed_in_the_middle_of_a_request_leaves_no_partial_write(app, office, admin):  # noqa: F811
    trainees = [office.trainee(f"Trainee {n:03d}") for n in range(KILLED_BATCH)]
    for trainee in trainees:
        office.complete(trainee)
    issue = f"/admin/certificates/cohorts/{office.made.cohort_id}/issue"
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], LMS_CERTIFICATE_BATCH=KILLED_BATCH) as served:
        browser = Browser(served.url)
        browser.log_in(admin.email, PASSWORD, code=lambda: totp_code(app, admin.id))
        browser.get(f"/admin/certificates/cohorts/{office.made.cohort_id}")
        [worker] = served.workers()
        outcome = []
        sending = threading.Thread(target=lambda: outcome.append(_attempt(browser.post, issue, {})))
        idle = cpu_seconds(worker)
        sending.start()
        # The batch renders a PDF per trainee, about a second of work: kill a quarter of the way in.
        deadline = time.monotonic() + 20
        while cpu_seconds(worker) - idle < 0.25 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(worker, signal.SIGKILL)
        sending.join(timeout=30)
        assert outcome and outcome[0] not in (200, 302), "the request finished before the worker was killed"
        assert office.certificates() == [] and office.audit("certificate_issued") == []
        with app.app_context():
            if db.engine.dialect.name == "sqlite":
                assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        # gunicorn starts a new worker; the same request then issues every certificate.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and served.workers() in ([], [worker]):
            time.sleep(0.1)
        browser.get(f"/admin/certificates/cohorts/{office.made.cohort_id}")
        status, page = browser.post(issue, {})
    assert status == 200 and f"{KILLED_BATCH} certificates issued." in page
    assert len(office.certificates()) == len(office.audit("certificate_issued")) == KILLED_BATCH


def cpu_seconds(pid: int) -> float:
    """The processor time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _attempt(send, *args):
    try:
        return send(*args)[0]
    except (OSError, http.client.HTTPException) as error:  # the connection dies with the worker
        return type(error).__name__


def _first_traceback(log: str) -> str:
    """What the workers logged from the first request that failed on (or their last lines)."""
    start = max(log.find("Exception on "), log.find("Error handling request"))
    return log[start:start + 8000] if start >= 0 else log[-3000:]


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own (it gets restarted), with the tables created."""
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not binaries:
        if os.environ.get("LMS_TEST_DATABASE_URL"):
            pytest.fail("PostgreSQL's server programs are missing")
        pytest.skip("PostgreSQL's server is not installed (Debian: apt-get install postgresql)")
    data = f"/tmp/lms-restart-{os.getpid()}-{free_port()}"
    env = {**os.environ, "PGPORT": str(free_port()), "PGDATA": data}
    url = subprocess.run([str(ROOT / ".ci/start-postgres")], env=env, check=True, capture_output=True,
                         text=True).stdout.strip()
    pg_ctl = [*(["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []), str(binaries[-1]), "-D", data]
    app = make_host_app(None, SQLALCHEMY_DATABASE_URI=url)

    # A start after a stop needs the server's options again (a restart reads them from postmaster.opts).
    _binary, _d, _data, *given = shlex.split((Path(data) / "postmaster.opts").read_text())
    options = shlex.join(given)

    def run(*args):
        # The restarted server writes its log to pg_ctl's output: send it to a file, or nothing reads to the end.
        started = ["-o", options] if "start" in args else []
        subprocess.run([*pg_ctl, "-l", f"{data}/server.log", "-w", *args, *started], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    yield SimpleNamespace(url=url, app=app, pg_ctl=run)
    drop_tables(app)
    subprocess.run([*pg_ctl, "-m", "immediate", "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(data, ignore_errors=True)


#: How each drill takes PostgreSQL away: a fast restart (sessions are closed), an immediate one (a crash, as
#: the kernel's OOM killer would), and a stop of three seconds (a failover, a host that reboots).
OUTAGES = {
    "fast restart": lambda pg_ctl: pg_ctl("-m", "fast", "restart"),
    "immediate restart": lambda pg_ctl: pg_ctl("-m", "immediate", "restart"),
    "stopped for 3 s": lambda pg_ctl: (pg_ctl("-m", "fast", "stop"), time.sleep(3), pg_ctl("start")),
}


@pytest.mark.parametrize("outage", OUTAGES)
def test_everyone_gets_503_while_postgresql_is_away_and_pages_as_soon_as_it_is_back(own_postgres, outage):
    """Visitors and people logged in: only pages, redirects and 503s with a retry time, never a 500."""
    with own_postgres.app.app_context():
        people = [services.create_user(email=f"trainee{n}@example.org", full_name=f"Trainee {n}",
                                       password=PASSWORD) for n in range(4)]
        db.session.commit()
        emails = [person.email for person in people]
    answers, stop = [], threading.Event()
    with gunicorn(own_postgres.url, workers=2, threads=2) as served:
        browsers = []
        for email in emails:
            browsers.append(Browser(served.url))
            browsers[-1].log_in(email, PASSWORD)

        def load(browser, paths):
            while not stop.is_set():
                for path in paths:
                    began = time.monotonic()
                    status = _attempt(browser.get, path)
                    retry_after = browser.headers.get("Retry-After") if status == 503 else None
                    answers.append((began, path, status, retry_after, time.monotonic()))

        clients = [threading.Thread(target=load, args=(b, ["/", "/my/sessions", "/account"])) for b in browsers]
        clients += [threading.Thread(target=load, args=(Browser(served.url), ["/courses", "/healthz", "/login"]))]
        for client in clients:
            client.start()
        try:
            wait_for(lambda: len(answers) >= 8)  # answered before: on a busy machine first pages take seconds
            away_at = time.monotonic()
            OUTAGES[outage](own_postgres.pg_ctl)
            back_at = time.monotonic()
            wait_for(lambda: sum(began > back_at + 1 for began, *_ in answers) >= 12)
        finally:
            stop.set()
            for client in clients:
                client.join()
        log = served.output()
    before = Counter(status for _, _, status, _, ended in answers if ended < away_at)
    during = Counter(status for began, _, status, _, ended in answers if ended >= away_at and began <= back_at + 1)
    after = Counter(status for began, _, status, _, _ in answers if began > back_at + 1)
    print(f"{outage}: before {dict(before)}, during {dict(during)}, a second after {dict(after)}")
    assert before and set(before) == {200}
    assert set(during) <= {200, 302, 503}, _first_traceback(log)
    assert all(retry_after == "30" for *_, status, retry_after, _ in answers if status == 503)
    assert after and set(after) == {200}, _first_traceback(log)  # no restart of the app was needed
