"""Errors get a friendly page in the person's language, never a traceback."""

import pytest
from flask import abort


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
