"""Errors get a friendly page in the person's language, never a traceback."""

import re
from contextlib import contextmanager

import pytest
from flask import abort
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from lms.extensions import db


@pytest.fixture
def failing_app(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail in a traceback")

    @app.get("/forbidden")
    def forbidden():
        abort(403)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


@pytest.mark.parametrize(("path", "status", "title"), [
    ("/no/such/page", 404, "Page not found"),
    ("/forbidden", 403, "You do not have access to this page"),
    ("/boom", 500, "Something went wrong"),
])
def test_errors_render_the_friendly_page(failing_app, path, status, title):
    response = failing_app.test_client().get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert f"<h1>{title}</h1>" in html
    assert "Traceback" not in html and "secret detail" not in html
    assert 'href="/"' in html


def test_a_wrong_method_answers_405_with_a_friendly_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "That action is not allowed here" in response.get_data(as_text=True)


def test_error_pages_are_translated(failing_app):
    response = failing_app.test_client().get("/no/such/page", headers={"Accept-Language": "es"})
    assert 'lang="es"' in response.get_data(as_text=True)


def test_a_host_can_keep_its_own_error_pages(tmp_path):
    from tests.conftest import drop_tables, make_host_app

    app = make_host_app(tmp_path, LMS_ERROR_PAGES=False)
    try:
        client = app.test_client()
        assert "Page not found" not in client.get("/no/such/page").get_data(as_text=True)
        lms_view = client.post("/logout")  # a request routed to the LMS still gets its pages
        assert lms_view.status_code == 400
        assert "This form has expired" in lms_view.get_data(as_text=True)
    finally:
        drop_tables(app)


@contextmanager
def database_away(app, *, spare=lambda statement: False):
    """Every statement (but those `spare` lets through) fails as when PostgreSQL restarts under the request."""
    def refuse(conn, cursor, statement, parameters, context, executemany):
        if not spare(statement):
            raise OperationalError(statement, parameters, Exception("server closed the connection unexpectedly"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


@pytest.mark.parametrize("fails", ["loading the person", "after the person was loaded"])
def test_someone_logged_in_gets_the_503_page_in_their_language_while_the_database_is_away(
        app, make_user, client_as, fails):
    client = client_as(make_user(locale="es"))
    client.get("/")  # the welcome message is shown once
    spare = (lambda s: "FROM lms_user" in s and "lms_user.id =" in s) if fails == "after the person was loaded" \
        else (lambda s: False)
    with database_away(app, spare=spare):
        response = client.get("/my/sessions")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30" and "no-store" in response.headers["Cache-Control"]
    assert "<h1>El servicio no está disponible por un momento</h1>" in response.text
    assert client.get("/my/sessions").status_code == 200  # and the next request, with it back, is served


def test_every_address_with_an_id_too_large_for_the_database_is_not_found(app, client_as, admin):
    client = client_as(admin)
    addresses = [re.sub(r"<lms_id:\w+>", "9" * 30, re.sub(r"<(?:string:)?\w+>", "x", rule.rule))
                 for rule in app.url_map.iter_rules() if "<lms_id:" in rule.rule and "GET" in rule.methods]
    assert len(addresses) > 40
    answers = {address: client.get(address).status_code for address in addresses}
    assert {address: status for address, status in answers.items() if status != 404} == {}
