"""Fixtures: a bare host app with the plugin mounted, factories, and a CSRF-aware client.

Every test gets an empty database: an SQLite file of its own, or, when LMS_TEST_DATABASE_URL
is set (CI sets it), the PostgreSQL database, with the tables created and dropped around it.
"""

import os
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import TestingConfig
from lms import LMS, db
from lms.accounts import services
from lms.accounts.models import Role, User

PASSWORD = "correct horse battery"
POSTGRES_URL = os.environ.get("LMS_TEST_DATABASE_URL")
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def database_url(tmp_path) -> str:
    return POSTGRES_URL or f"sqlite:///{tmp_path / 'lms.sqlite3'}"


def make_host_app(tmp_path, *, url_prefix=None, create_tables=True, **config) -> Flask:
    """A bare host Flask app with the plugin mounted, as a host organisation would do it."""
    app = Flask("host_app")
    app.config.from_object(TestingConfig)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(tmp_path)
    app.config.update(config)
    app.test_client_class = CSRFClient
    LMS(app, url_prefix=url_prefix)
    if create_tables:
        with app.app_context():
            db.drop_all()
            db.create_all()
    return app


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
    drop_tables(app)


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
             password=PASSWORD, active=True, **fields) -> User:
        n = next(counter)
        wanted = tuple(Role(r) for r in (roles or ([role] if role else [])))
        with app.app_context():
            user = services.create_user(
                email=email or f"person{n}@example.org", full_name=full_name or f"Person {n}",
                password=password, roles=wanted, **fields,
            )
            user.is_active = active
            db.session.commit()
            db.session.refresh(user)
            _ = user.roles
            db.session.expunge(user)
        return user

    return make


@pytest.fixture
def login(app):
    """Log a client in through the real login form."""

    def do_login(client, user, password=PASSWORD):
        response = client.post_form("/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do_login


@pytest.fixture
def admin(make_user):
    return make_user("admin", full_name="Ada Admin")


@pytest.fixture
def admin_client(app, admin, login):
    client = app.test_client()
    login(client, admin)
    return client


@pytest.fixture
def count_queries(app):
    """Record the SQL statements a block runs: `with count_queries() as statements: ...`."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
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

    return counting
