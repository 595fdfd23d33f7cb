"""Every response carries the security headers; private pages are never cached; security events are logged."""

import json
import logging

import pytest

from lms.accounts.models import User
from lms.accounts.tokens import make_reset_token
from lms.audit.models import Action
from lms.audit.services import record
from lms.core.security_log import security_event
from lms.extensions import db
from tests.conftest import PASSWORD, drop_tables, make_host_app

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"


@pytest.mark.parametrize("path", ["/", "/login", "/courses", "/no/such/page"])
def test_html_responses_carry_the_content_security_policy_and_friends(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_page_uses_inline_scripts_or_styles(client, make_user, login):
    login(client, make_user())
    for path in ("/", "/account", "/courses", "/my/journal", "/account/two-factor"):
        html = client.get(path).get_data(as_text=True)
        assert "<script" not in html and "style=" not in html and "<style" not in html, path


def test_other_responses_carry_nosniff(client):
    for path in ("/healthz", "/lms-static/lms.css"):
        assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_where_turned_on(tmp_path, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app = make_host_app(tmp_path, create_tables=False, LMS_HSTS=True)
    try:
        assert app.test_client().get("/login").headers["Strict-Transport-Security"].startswith("max-age=31536000")
    finally:
        drop_tables(app)


def test_production_turns_hsts_on():
    from config import ProductionConfig

    assert ProductionConfig.LMS_HSTS is True


def test_private_pages_are_never_cached_and_public_ones_may_be(client, make_user, login):
    assert "no-store" not in client.get("/courses").headers.get("Cache-Control", "")
    login(client, make_user())
    for path in ("/", "/account", "/courses", "/account/export.json"):
        response = client.get(path)
        assert "no-store" in response.headers["Cache-Control"], path
        assert "Cookie" in response.headers.get("Vary", ""), path


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="lms.security")

    def events():
        return [json.loads(r.getMessage()) for r in caplog.records if r.name == "lms.security"]

    return events


def test_logins_are_logged_with_time_actor_address_and_never_the_password(client, make_user, security_log):
    user = make_user()
    client.post_form("/login", {"email": user.email, "password": "wrong password here"})
    client.post_form("/login", {"email": user.email, "password": PASSWORD})
    failed, succeeded = [e for e in security_log() if e["event"] in ("login_failed", "login_succeeded")]
    assert failed["event"] == "login_failed" and failed["actor"] is None and failed["target"] == user.id
    assert succeeded["event"] == "login_succeeded" and succeeded["actor"] == user.id
    for event in (failed, succeeded):
        assert event["address"] == "127.0.0.1"
        assert event["time"].endswith("+00:00")
    logged = json.dumps(security_log())
    assert PASSWORD not in logged and "wrong password here" not in logged and user.email not in logged


def test_role_changes_denied_access_and_csrf_failures_are_logged(app, admin, admin_client, make_user, login,
                                                                 security_log):
    trainee = make_user(verified=True)
    admin_client.post_form(f"/admin/users/{trainee.id}/roles", {"role": "mentor"})
    other = app.test_client()
    login(other, trainee)
    other.get("/admin/users")
    other.post("/logout")
    events = {e["event"]: e for e in security_log()}
    assert events["role_granted"]["actor"] == admin.id and events["role_granted"]["target"] == trainee.id
    assert events["role_granted"]["role"] == "mentor"
    assert events["access_denied"]["actor"] == trainee.id
    assert events["csrf_failed"]["path"] == "/logout"


def test_a_newline_in_input_cannot_forge_a_log_line(app, caplog):
    caplog.set_level(logging.INFO, logger="lms.security")
    forged = 'Lan\n{"event": "login_succeeded", "actor": 1}'
    with app.test_request_context("/"):
        security_event("name_changed", name=forged)
    lines = [r.getMessage() for r in caplog.records if r.name == "lms.security"]
    assert len(lines) == 1 and "\n" not in lines[0]
    assert json.loads(lines[0])["name"] == forged


def test_a_token_in_the_address_is_never_logged(app, client, make_user, caplog):
    caplog.set_level(logging.INFO)
    with app.test_request_context():
        token = make_reset_token(db.session.get(User, make_user().id))
    client.post(f"/password/reset/{token}")  # no CSRF token: a csrf_failed event naming the path
    [event] = [json.loads(r.getMessage()) for r in caplog.records if r.name == "lms.security"]
    assert event["event"] == "csrf_failed" and event["path"] == "/password/reset/<token>"
    assert token not in caplog.text


def test_lockouts_and_every_export_are_written_to_the_security_log(app, admin, admin_client, make_user, make_course,
                                                                   client, security_log):
    made, lan = make_course(), make_user()
    for _ in range(11):  # the limit per account and address is 10
        client.post_form("/login", {"email": lan.email, "password": "not the password"})
    trainee = app.test_client()
    trainee.post_form("/login", {"email": lan.email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    trainee.get("/account/export.json", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    admin_client.get(f"/admin/courses/{made.course_id}/roster.csv")
    admin_client.get("/admin/reports/summary.csv")
    admin_client.get(f"/admin/certificates/cohorts/{made.cohort_id}/certificates.zip").get_data()
    events = {e["event"]: e for e in security_log()}
    assert events["login_throttled"]["address"] == "127.0.0.1"
    assert events["data_exported"]["actor"] == lan.id
    assert events["roster_exported"]["actor"] == admin.id and events["roster_exported"]["course"] == made.course_id
    assert events["report_exported"]["actor"] == admin.id
    assert events["certificates_exported"]["actor"] == admin.id
    assert lan.email not in json.dumps(security_log())


def test_every_audited_action_is_a_security_log_line_too(app, admin, make_user, security_log):
    lan = make_user()
    with app.test_request_context("/"):
        for action in (Action.CERTIFICATE_ISSUED, Action.CERTIFICATE_REVOKED):
            record(action, actor=db.session.get(User, admin.id), target=db.session.get(User, lan.id), serial="X")
    logged = [(e["event"], e["actor"], e["target"]) for e in security_log()]
    assert logged == [("certificate_issued", admin.id, lan.id), ("certificate_revoked", admin.id, lan.id)]
