"""Fixtures: a bare host app with the plugin mounted, factories, and a CSRF-aware client.

Every test gets an empty database: an SQLite file of its own, or, when LMS_TEST_DATABASE_URL
is set (CI sets it), the PostgreSQL database, with the tables created and dropped around it.
"""

import functools
import os
import re
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, inspect, text

from config import TestingConfig
from lms import LMS, db
from lms.accounts import services, twofactor
from lms.accounts.models import Role, User
from lms.core.clock import program_today
from lms.demographics.categories import seed_builtin_categories
from lms.mentoring.topics import seed_builtin_topics
from lms.sqltypes import utcnow
from tests.served import free_port

PASSWORD = "correct horse battery"
#: The PostgreSQL server to test against; each pytest process works in a database of its own on it.
POSTGRES_URL = os.environ.get("LMS_TEST_DATABASE_URL")
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_postgres_database: list[str] = []


def database_url(tmp_path) -> str:
    if POSTGRES_URL:
        return _postgres_database[0]
    return f"sqlite:///{tmp_path / 'lms.sqlite3'}"


@pytest.fixture(scope="session", autouse=True)
def postgres_database():
    """Create a database for this test process on the PostgreSQL server, and drop it at the end."""
    if not POSTGRES_URL:
        yield
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(POSTGRES_URL)
    name = f"{server.database}_{os.getpid()}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _postgres_database.append(server.set(database=name).render_as_string(hide_password=False))
    yield
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_host_app(tmp_path, *, url_prefix=None, create_tables=True, **config) -> Flask:
    """A bare host Flask app with the plugin mounted, as a host organisation would do it."""
    app = Flask("host_app")
    app.config.from_object(TestingConfig)
    app.config["SQLALCHEMY_DATABASE_URI"] = config.pop("SQLALCHEMY_DATABASE_URI", None) or database_url(tmp_path)
    if tmp_path is not None:
        app.config["LMS_PAGE_VERSION_FILE"] = str(tmp_path / "page-version")
    app.config.update(config)
    app.test_client_class = CSRFClient
    LMS(app, url_prefix=url_prefix)
    if create_tables:
        with app.app_context():
            empty_tables()
            seed_builtin_topics()  # the migration inserts them; create_all does not
            seed_builtin_categories()
            db.session.commit()
    return app


def empty_tables() -> None:
    """Empty tables for a test: on PostgreSQL, emptied in place when they are all there (twenty times faster)."""
    wanted = [table.name for table in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql" and set(wanted) <= set(inspect(db.engine).get_table_names()):
        db.session.execute(text(f"TRUNCATE {', '.join(wanted)} RESTART IDENTITY CASCADE"))
        db.session.commit()
        return
    db.drop_all()
    db.create_all()


def release(app: Flask) -> None:
    """Let go of the app's connections; the next test empties the tables it finds."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def drop_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


class CSRFClient(FlaskClient):
    """A test client that sends the session's CSRF token with every form it posts."""

    def csrf_token(self) -> str:
        """The token of this client's session, read from the language form of the home page."""
        home = (self.application.extensions["lms"].url_prefix or "") + "/"
        match = CSRF_INPUT.search(self.get(home).get_data(as_text=True))
        assert match, "no CSRF token on the home page"
        return match.group(1)

    def post_form(self, url, data=None, *, token=True, **kwargs):
        data = dict(data or {})
        if token:
            data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def app(tmp_path):
    app = make_host_app(tmp_path)
    yield app
    release(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    """An app context for tests that call services directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def make_user(app):
    """Create a user and return it detached, with its roles loaded."""
    counter = iter(range(1, 10_000))

    def make(role: Role | str | None = "trainee", *, roles=None, email=None, full_name=None,
             password=PASSWORD, active=True, two_factor=None, verified=False, **fields) -> User:
        """Admins get a second factor unless two_factor=False: the program requires one.

        verified=True marks the email address as proven by its owner, as the emailed link does.
        """
        n = next(counter)
        wanted = tuple(Role(r) for r in (roles or ([role] if role else [])))
        with app.app_context():
            user = services.create_user(
                email=email or f"person{n}@example.org", full_name=full_name or f"Person {n}",
                password=password, roles=wanted, **fields,
            )
            user.is_active = active
            if verified:
                user.email_verified_at = utcnow()
            if two_factor if two_factor is not None else Role.ADMIN in wanted:
                twofactor.begin_setup(user)
                user.totp_enabled_at = utcnow()
            db.session.commit()
            db.session.refresh(user)
            _ = user.roles
            db.session.expunge(user)
        return user

    return make


def totp_code(app, user_id: int) -> str:
    """A code the app will accept now for this user: the next time step not used yet."""
    with app.app_context():
        return twofactor.current_code(db.session.get(User, user_id))


@pytest.fixture
def login(app):
    """Log a client in through the real login form, and its second-factor step when there is one."""

    def do_login(client, user, password=PASSWORD):
        response = client.post_form("/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        if response.headers["Location"].startswith("/login/two-factor"):
            response = client.post_form(response.headers["Location"], {"code": totp_code(app, user.id)})
            assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do_login


@pytest.fixture
def client_as(app, login):
    """A new client, logged in as `user`."""

    def open_as(user):
        client = app.test_client()
        login(client, user)
        return client

    return open_as


@pytest.fixture
def admin(make_user):
    return make_user("admin", full_name="Ada Admin")


@pytest.fixture
def admin_client(app, admin, login):
    client = app.test_client()
    login(client, admin)
    return client


@contextmanager
def statements_run(app):
    """The SQL statements the block runs, in a list: `with statements_run(app) as statements: ...`."""
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


@pytest.fixture
def count_queries(app):
    """Record the SQL statements a block runs: `with count_queries() as statements: ...`.

    Pages are counted as rendered: the kept pages of lms.core.pagecache are off in a test that counts
    (tests/test_page_cache.py counts what a kept page costs).
    """
    app.extensions["lms"].page_cache = None
    return functools.partial(statements_run, app)


@pytest.fixture
def make_course(app):
    """Create a course in a program, with modules and a cohort running it; return their ids.

    `make_course(modules=3, capacity=2, languages=["en", "es"], translations={"es": "Título"})`
    """
    from datetime import timedelta

    from lms.courses import services as catalog
    from lms.courses.models import Cohort, Course, CourseFormat, Program

    counter = iter(range(1, 10_000))

    def make(*, modules=2, capacity=20, cohort_languages=("en", "es"), translations=None, prerequisites=(),
             sequential=False, course_format=CourseFormat.SELF_PACED, enrollment_open=True, opens_on=None,
             closes_on=None, prompt="What did you notice?", program_id=None, title=None):
        n = next(counter)
        with app.app_context():
            today = program_today()  # the program's date, which can differ from the machine's (UTC) date
            program = db.session.get(Program, program_id) if program_id else catalog.save_program(
                Program(), name=f"Program {n}", description="")
            course = catalog.save_course(
                Course(program_id=program.id), prerequisite_ids=list(prerequisites), code=f"C-{n:03d}",
                title=title or f"Course {n}", summary=f"Summary {n}", default_language="en",
                format=course_format, pd_hours=6, sequential=sequential)
            module_ids = [catalog.add_module(
                course, title=f"Module {i}", content=f"Content **{i}**", estimated_minutes=30, is_required=True,
                reflection_prompt=prompt if i == 1 else None).id for i in range(1, modules + 1)]
            for language, title_ in (translations or {}).items():
                catalog.save_translation(course, language, title=title_, summary="", modules={})
            cohort = catalog.save_cohort(
                Cohort(program_id=program.id), name=f"Cohort {n}", languages=list(cohort_languages),
                course_ids=[course.id], starts_on=today, ends_on=today + timedelta(days=90), capacity=capacity,
                enrollment_open=enrollment_open, enrollment_opens_on=opens_on, enrollment_closes_on=closes_on)
            db.session.commit()
            return type("Made", (), {"course_id": course.id, "cohort_id": cohort.id, "program_id": program.id,
                                     "module_ids": module_ids, "code": course.code})

    return make


@pytest.fixture
def enroll_form(app):
    """Post the course page's enroll form as `client`."""

    def post(client, made, language="en"):
        return client.post_form(f"/courses/{made.course_id}/enroll",
                                {"cohort": made.cohort_id, "language": language})

    return post


@contextmanager
def running_redis(port: int | None = None):
    """A throwaway redis-server on a loopback port (a free one unless given): its URL, a client, its process."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed: the shared-counter tests need a real Redis"
        if os.environ.get("LMS_REQUIRE_REDIS"):
            pytest.fail(message)
        pytest.skip(message)
    import redis

    port = port or free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    connection = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            try:
                connection.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None:
                    pytest.fail(f"redis-server exited with status {process.returncode}")
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not answer within 5 seconds")
        yield SimpleNamespace(url=url, port=port, connection=connection, process=process)
    finally:
        connection.close()
        process.send_signal(signal.SIGCONT)  # a drill may have left it stopped
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def redis_server():
    """A redis-server the module's tests share."""
    with running_redis() as server:
        yield server


@pytest.fixture
def redis_url(redis_server):
    redis_server.connection.flushdb()
    return redis_server.url
