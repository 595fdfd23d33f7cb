"""The standalone host's configurations, and the database settings the plugin applies."""

import logging
import shlex
import subprocess
from pathlib import Path

import pytest
from flask import request, session
from sqlalchemy import text

from config import DEV_SECRET_KEY, database_url
from lms.accounts import emails
from lms.accounts.models import User
from lms.core.links import public_url
from lms.credentials import documents
from lms.extensions import db
from wsgi import create_app

#: Settings production starts with (the database is never reached by these tests).
PRODUCTION = {"SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": "postgresql://lms@localhost/lms",
              "LMS_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "LMS_ENCRYPTION_KEYS": ["k" * 43 + "="],
              "LMS_PUBLIC_URL": "https://learn.example.org", "LMS_CREDENTIAL_SIGNING_KEY": "A" * 43}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "FLASK_DEBUG", "LMS_ENV", "LMS_RATELIMIT_STORAGE_URI",
                 "LMS_ENCRYPTION_KEYS", "LMS_TRUSTED_PROXIES", "LMS_PUBLIC_URL", "LMS_MAIL_SERVER"):
        monkeypatch.delenv(name, raising=False)


def test_development_uses_an_sqlite_file_in_the_instance_folder(tmp_path, monkeypatch):
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{app.instance_path}/lms.sqlite3"


def test_database_url_overrides_the_embedded_default(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://lms:pw@db.internal/lms")
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://lms:pw@db.internal/lms"


@pytest.mark.parametrize(("given", "expected"), [
    ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ("", None),
])
def test_postgresql_urls_use_psycopg_3(given, expected):
    assert database_url(given) == expected


@pytest.mark.parametrize(("environment", "complaint"), [
    ({}, "SECRET_KEY"),
    ({"DATABASE_URL": "postgresql://u@h/d"}, "SECRET_KEY"),
    ({"SECRET_KEY": DEV_SECRET_KEY, "DATABASE_URL": "postgresql://u@h/d"}, "SECRET_KEY"),
    ({"SECRET_KEY": "s" * 40}, "DATABASE_URL"),
    ({"SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://u@h/d", "LMS_RATELIMIT_STORAGE_URI": "redis://r",
      "FLASK_DEBUG": "1"}, "debug"),
    ({"SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://u@h/d"}, "LMS_RATELIMIT_STORAGE_URI"),
    ({"SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://u@h/d"}, "LMS_ENCRYPTION_KEYS"),
    ({"SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://u@h/d", "LMS_RATELIMIT_STORAGE_URI": "memory://"},
     "Redis"),
    ({"SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://u@h/d", "LMS_PUBLIC_URL": "http://learn.example.org"},
     "LMS_PUBLIC_URL"),
    ({"SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://u@h/d"}, "LMS_CREDENTIAL_SIGNING_KEY"),
])
def test_production_refuses_to_start_without_its_settings(monkeypatch, environment, complaint):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match=complaint):
        create_app("production")


def test_production_starts_with_its_settings_and_secure_cookies(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://lms@localhost/lms")
    monkeypatch.setenv("LMS_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("LMS_ENCRYPTION_KEYS", "k" * 43 + "=")
    monkeypatch.setenv("LMS_MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("LMS_MAIL_PORT", "2525")
    monkeypatch.setenv("LMS_PUBLIC_URL", "https://learn.example.org")
    monkeypatch.setenv("LMS_CREDENTIAL_SIGNING_KEY", "A" * 43)
    app = create_app("production")
    assert app.config["LMS_MAIL_SERVER"] == "smtp.example.org" and app.config["LMS_MAIL_PORT"] == 2525
    assert app.config["LMS_HSTS"] is True
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    assert app.config["LMS_ALLOW_DEMO_DATA"] is False
    with app.app_context():
        assert db.engine.dialect.driver == "psycopg"
        assert db.engine.pool._pre_ping


def test_an_unknown_environment_is_refused():
    with pytest.raises(RuntimeError, match="LMS_ENV"):
        create_app("staging")


def test_testing_never_takes_the_database_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://prod@db/lms")
    assert create_app("testing").config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


def test_connections_get_the_safety_settings_of_their_database(app):
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pragmas = {name: db.session.execute(text(f"PRAGMA {name}")).scalar()
                       for name in ("foreign_keys", "journal_mode", "busy_timeout")}
            assert pragmas == {"foreign_keys": 1, "journal_mode": "wal", "busy_timeout": 5000}
        else:
            assert db.engine.dialect.driver == "psycopg"
            assert db.engine.pool._pre_ping


def test_session_cookies_are_httponly_and_samesite_lax(client, make_user, login):
    response = login(client, make_user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_requests_larger_than_the_limit_answer_413(app, client):
    response = client.post("/login", data={"email": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    assert response.status_code == 413
    assert "The upload is too large" in response.get_data(as_text=True)


@pytest.mark.parametrize(("proxies", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.7")])
def test_the_client_address_comes_from_the_proxy_only_when_one_is_trusted(monkeypatch, proxies, seen):
    if proxies:
        monkeypatch.setenv("LMS_TRUSTED_PROXIES", str(proxies))
    app = create_app("development", SQLALCHEMY_DATABASE_URI="sqlite://")
    app.add_url_rule("/whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
    answer = app.test_client().get("/whoami", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={
        "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}).get_data(as_text=True)
    assert answer == f"{seen} {'https' if proxies else 'http'}"


def links_in_a_request_to(app, base_url: str) -> dict[str, str]:
    """The links a certificate, its badge, a check-in QR code and a reset email get in a request to `base_url`."""
    with app.test_request_context("/", base_url=base_url):
        return {
            "certificate": documents.external_url("lms.verify.show", code="c0de"),
            "badge": documents.external_url("lms.verify.issuer"),
            "qr code": public_url("lms.attendance.check_in", session_id=1, code="123456"),
            "email": public_url("lms.accounts.reset_password", token="t0ken"),
        }


def test_development_links_follow_the_address_served(caplog):
    app = create_app("development", SQLALCHEMY_DATABASE_URI="sqlite://")
    links = links_in_a_request_to(app, "http://127.0.0.1:5101/")
    assert links == {"certificate": "http://127.0.0.1:5101/verify/c0de",
                     "badge": "http://127.0.0.1:5101/verify/issuer.json",
                     "qr code": "http://127.0.0.1:5101/sessions/1/check-in?code=123456",
                     "email": "http://127.0.0.1:5101/password/reset/t0ken"}
    caplog.set_level(logging.INFO, logger="lms.mail")
    person = User(id=1, email="selam@example.org", full_name="Selam Tesfaye", password_hash="x", locale="en")
    with app.test_request_context("/password/forgot", base_url="http://localhost:5102/"):
        emails.send_password_reset(person)
    assert "http://localhost:5102/password/reset/" in caplog.text


@pytest.mark.parametrize(("environment", "expected"), [
    ({"LMS_PUBLIC_URL": "http://127.0.0.1:5101"}, "http://127.0.0.1:5101/verify/c0de"),
    ({}, "http://127.0.0.1:5000/verify/c0de"),  # where `flask run` serves unless told otherwise
])
def test_development_links_outside_a_request_go_to_the_address_to_be_served(monkeypatch, environment, expected):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    app = create_app("development", SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.app_context():  # `flask lms demo-data` issues certificates here
        assert documents.external_url("lms.verify.show", code="c0de") == expected


@pytest.mark.parametrize(("given", "expected"), [
    ([], "LMS_PUBLIC_URL=http://127.0.0.1:5101"),
    (["LMS_PUBLIC_URL=http://lms.test:5101"], "LMS_PUBLIC_URL=http://lms.test:5101"),
])
def test_make_run_gives_demo_data_the_address_it_serves_unless_one_is_set(given, expected):
    dry_run = subprocess.run(["make", "--dry-run", "run", "PORT=5101", *given],
                             cwd=Path(__file__).parent.parent, capture_output=True, text=True, check=True).stdout
    [demo_data] = [shlex.split(line) for line in dry_run.splitlines() if "lms demo-data" in line]
    assert demo_data[0] == expected


def test_production_links_ignore_the_host_header():
    app = create_app("production", **PRODUCTION)
    links = links_in_a_request_to(app, "http://attacker.example/")
    assert {name: link.split("/")[2] for name, link in links.items()} == dict.fromkeys(links, "learn.example.org")


def test_a_host_site_without_a_public_url_never_prints_the_request_host_on_a_certificate(app):
    app.config.update(LMS_PUBLIC_URL=None, LMS_DEVELOPMENT=False)
    with app.test_request_context("/", base_url="http://attacker.example/"), \
            pytest.raises(RuntimeError, match="LMS_PUBLIC_URL"):
        documents.external_url("lms.verify.show", code="c0de")


def test_production_keeps_the_session_in_a_host_only_secure_cookie():
    app = create_app("production", **PRODUCTION)

    @app.get("/remember")
    def remember():
        session["seen"] = True
        return "ok"

    cookie = app.test_client().get("/remember", base_url="https://learn.example.org").headers["Set-Cookie"]
    attributes = [part.strip() for part in cookie.split(";")]
    assert attributes[0].startswith("__Host-session=")
    assert "Secure" in attributes and "Path=/" in attributes and "HttpOnly" in attributes
    assert not any(part.lower().startswith("domain=") for part in attributes)
