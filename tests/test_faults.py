"""When the machine fails under the app: a full disk, a database that goes away, a worker killed mid-request."""

import http.client
import os
import shutil
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, text

from lms.extensions import db
from tests.conftest import PASSWORD, drop_tables, make_host_app, totp_code
from tests.pages import text_of
from tests.served import ROOT, Browser, free_port, gunicorn
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


def _wait_for(condition, timeout=60):
    """Wait until `condition()` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


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
    # The restarted server writes its log to pg_ctl's output: send it to a file, or nothing reads to the end.
    yield url, lambda: subprocess.run([*pg_ctl, "-l", f"{data}/server.log", "-m", "fast", "-w", "restart"],
                                      check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    drop_tables(app)
    subprocess.run([*pg_ctl, "-m", "immediate", "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(data, ignore_errors=True)


def test_the_app_recovers_by_itself_when_postgresql_restarts_under_load(own_postgres):
    url, restart_postgres = own_postgres
    answers, stop = [], threading.Event()
    with gunicorn(url, workers=2) as served:
        def load():
            while not stop.is_set():
                began = time.monotonic()
                answers.append((began, _attempt(Browser(served.url).get, "/courses"), time.monotonic()))

        clients = [threading.Thread(target=load) for _ in range(4)]
        for client in clients:
            client.start()
        try:
            _wait_for(lambda: len(answers) >= 8)  # answered before: on a busy machine first pages take seconds
            restart_at = time.monotonic()
            restart_postgres()
            back_at = time.monotonic()
            _wait_for(lambda: sum(began > back_at + 0.5 for began, _, _ in answers) >= 8)
        finally:
            stop.set()
            for client in clients:
                client.join()
        log = served.output()
    before = [status for _began, status, ended in answers if ended < restart_at]
    after = [status for began, status, _ended in answers if began > back_at + 0.5]
    assert before and set(before) == {200}
    assert set(status for _, status, _ in answers) <= {200, 503}, log[-3000:]  # 503 and a retry time, never 500
    assert after and set(after) == {200}, "no restart of the app was needed"
