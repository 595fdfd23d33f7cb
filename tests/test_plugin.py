"""The LMS is a Flask extension a host app mounts, with its own URL prefix and layout."""

import pytest
from flask import Flask, url_for
from flask_sqlalchemy import SQLAlchemy

from config import TestingConfig
from lms import LMS, db
from lms.extension import LMSState
from tests.conftest import PASSWORD, CSRFClient, database_url, drop_tables, totp_code

HOST_TEMPLATES = __file__.rsplit("/", 1)[0] + "/host_templates"


def bare_app(**config) -> Flask:
    """A host app with the testing settings and no LMS yet."""
    app = Flask("h", template_folder=HOST_TEMPLATES)
    app.config.from_object(TestingConfig)
    app.config.update(config)
    return app


@pytest.fixture
def host(tmp_path):
    """A host site with its own home page and the LMS mounted under /learning."""
    host = Flask("host_site", template_folder=HOST_TEMPLATES)
    host.config.from_object(TestingConfig)
    host.config["SQLALCHEMY_DATABASE_URI"] = database_url(tmp_path)
    host.test_client_class = CSRFClient

    @host.get("/")
    def host_home():
        return "The host organisation's home page"

    lms = LMS()
    lms.init_app(host, url_prefix="/learning")
    with host.app_context():
        db.create_all()
    yield host
    drop_tables(host)


def test_the_host_keeps_its_own_home_page(host):
    assert host.test_client().get("/").get_data(as_text=True) == "The host organisation's home page"


def test_login_a_role_protected_page_and_url_for_work_under_the_prefix(host, make_user_on):
    admin = make_user_on(host, "admin")
    client = host.test_client()
    protected = client.get("/learning/admin/users")
    assert protected.status_code == 302
    assert protected.headers["Location"].startswith("/learning/login?next=")

    response = client.post_form("/learning/login?next=/learning/admin/users",
                                {"email": admin.email, "password": PASSWORD})
    assert response.headers["Location"] == "/learning/login/two-factor?next=/learning/admin/users"
    response = client.post_form(response.headers["Location"], {"code": totp_code(host, admin.id)})
    assert response.headers["Location"] == "/learning/admin/users"
    page = client.get("/learning/admin/users")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/learning/lms-static/lms.css"' in html
    assert 'action="/learning/logout"' in html
    with host.test_request_context():
        assert url_for("lms.users.index") == "/learning/admin/users"
        assert url_for("lms.core.home") == "/learning/"


def test_a_trainee_is_refused_the_admin_page_under_the_prefix(host, make_user_on):
    trainee = make_user_on(host, "trainee")
    client = host.test_client()
    client.post_form("/learning/login", {"email": trainee.email, "password": PASSWORD})
    assert client.get("/learning/admin/users").status_code == 403


def test_the_prefix_can_also_come_from_the_constructor_or_config(tmp_path):
    for make in (lambda app: LMS(app, url_prefix="/training"),
                 lambda app: (app.config.update(LMS_URL_PREFIX="training/"), LMS(app))):
        app = bare_app()
        make(app)
        assert app.extensions["lms"].url_prefix == "/training"
        assert any(rule.rule == "/training/login" for rule in app.url_map.iter_rules())


def test_registering_twice_raises_a_clear_error():
    app = bare_app()
    LMS(app)
    with pytest.raises(RuntimeError, match="already registered"):
        LMS(app)


def test_state_lives_in_app_extensions_and_config_gets_defaults_without_overriding():
    app = bare_app(LMS_PAGE_SIZE=7)
    extension = LMS()
    extension.init_app(app)
    assert isinstance(app.extensions["lms"], LMSState)
    assert app.config["LMS_PAGE_SIZE"] == 7
    assert app.config["LMS_TIMEZONE"] == "America/Los_Angeles"
    assert not hasattr(extension, "app")


def test_a_host_with_another_sqlalchemy_instance_gets_a_clear_error():
    app = bare_app()
    SQLAlchemy(app)
    with pytest.raises(RuntimeError, match="from lms import db"):
        LMS(app)


def test_a_host_that_already_uses_lms_db_keeps_it(tmp_path):
    app = bare_app(SQLALCHEMY_DATABASE_URI=database_url(tmp_path))
    db.init_app(app)
    LMS(app)
    assert app.extensions["sqlalchemy"] is db


def test_the_base_template_setting_wraps_every_page_in_the_host_layout(tmp_path):
    app = bare_app(SQLALCHEMY_DATABASE_URI=database_url(tmp_path), LMS_BASE_TEMPLATE="host_layout.html")
    LMS(app)
    html = app.test_client().get("/register").get_data(as_text=True)
    assert "Host organisation header" in html
    assert "Create an account | Host Site" in html
    assert 'name="full_name"' in html


def test_a_host_template_overrides_the_plugins_template(host):
    html = host.test_client().get("/learning/login").get_data(as_text=True)
    assert "The host's own login page" in html


@pytest.fixture
def make_user_on():
    """Create a user on a given app (the host fixture is not the default app)."""
    from lms.accounts import services, twofactor
    from lms.accounts.models import Role
    from lms.sqltypes import utcnow

    def make(app, role):
        with app.app_context():
            user = services.create_user(email=f"{role}@example.org", full_name=role.title(),
                                        password=PASSWORD, roles=(Role(role),))
            if role == "admin":
                twofactor.begin_setup(user)
                user.totp_enabled_at = utcnow()
            db.session.commit()
            return type("Person", (), {"email": user.email, "id": user.id})

    return make


def test_a_bare_host_gets_a_request_size_cap_and_safe_cookies(tmp_path):
    app = Flask("bare")
    app.config.update(SECRET_KEY="s", SQLALCHEMY_DATABASE_URI=database_url(tmp_path))
    LMS(app)
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    kept = Flask("host_with_its_own")
    kept.config.update(SECRET_KEY="s", SQLALCHEMY_DATABASE_URI=database_url(tmp_path), MAX_CONTENT_LENGTH=10)
    LMS(kept)
    assert kept.config["MAX_CONTENT_LENGTH"] == 10


def test_the_installed_package_ships_every_template_catalog_font_and_static_file():
    from configparser import ConfigParser
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    config = ConfigParser()
    config.read(root / "setup.cfg")
    shipped = {path for package, patterns in config["options.package_data"].items()
               for pattern in patterns.split() for path in (root / package).glob(pattern)}
    wanted = {path for folder in ("lms/templates", "lms/static", "lms/translations", "certificates/fonts")
              for path in (root / folder).rglob("*") if path.is_file()}
    assert not wanted - shipped, sorted(str(p.relative_to(root)) for p in wanted - shipped)
