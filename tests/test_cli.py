"""`flask lms create-admin` and `flask lms demo-data`."""

from sqlalchemy import func, select

from lms.accounts.models import Role, User, UserRole
from lms.audit.models import AuditEvent
from lms.extensions import db


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["lms", *args], input=input)


def users(app):
    with app.app_context():
        return {u.email: u.role_names for u in db.session.scalars(select(User))}


def test_create_admin_reads_the_password_from_stdin(app, client):
    result = run(app, "create-admin", "Office@Example.org", "--name", "Program Office",
                 "--password-stdin", input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert users(app) == {"office@example.org": {Role.ADMIN}}
    response = client.post_form("/login", {"email": "office@example.org", "password": "a long enough password"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action)) == "admin_created"


def test_create_admin_asks_for_the_password_twice(app):
    result = run(app, "create-admin", "office@example.org", input="secret passphrase\nsecret passphrase\n")
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert "secret passphrase" not in result.output


def test_create_admin_refuses_a_short_password_and_a_bad_email(app):
    assert run(app, "create-admin", "office@example.org", "--password-stdin", input="short\n").exit_code != 0
    assert run(app, "create-admin", "not-an-email", "--password-stdin", input="long enough pass\n").exit_code != 0
    assert users(app) == {}


def test_create_admin_promotes_an_existing_account(app, make_user):
    make_user(email="lan@example.org")
    result = run(app, "create-admin", "LAN@example.org")
    assert result.exit_code == 0, result.output
    assert users(app)["lan@example.org"] == {Role.TRAINEE, Role.ADMIN}
    assert run(app, "create-admin", "lan@example.org").output.strip().endswith("already an administrator.")


def test_demo_data_builds_a_multilingual_program_once(app):
    first = run(app, "demo-data")
    assert first.exit_code == 0, first.output
    assert "community-2026" in first.output and "jordan.ellis@example.org" in first.output
    with app.app_context():
        counts = dict(db.session.execute(
            select(UserRole.role, func.count()).join(User, User.id == UserRole.user_id)
            .where(User.email.not_like("graduate%")).group_by(UserRole.role)).all())
        graduates = db.session.scalar(select(func.count()).where(User.email.like("graduate%")))
        names = db.session.scalars(select(User.native_name).where(User.native_name.is_not(None))).all()
        locales = set(db.session.scalars(select(User.locale)))
    assert counts[Role.ADMIN] == 1 and counts[Role.MENTOR] == 4 and 38 <= counts[Role.TRAINEE] <= 45
    assert graduates == 160  # the earlier cohorts, for the program report
    scripts = {"ETHIOPIC", "CJK", "HANGUL", "CYRILLIC", "ARABIC"}
    assert scripts <= {_script(name) for name in names}
    assert {"vi", "so", "am", "zh_Hans", "zh_Hant", "ko", "ru", "uk", "ar", "es", "fil", "en"} <= locales

    before = users(app)
    second = run(app, "demo-data")
    assert second.exit_code == 0
    assert "0 people created" in second.output
    assert users(app) == before


def test_demo_data_is_refused_where_it_is_turned_off(app):
    app.config["LMS_ALLOW_DEMO_DATA"] = False
    result = run(app, "demo-data")
    assert result.exit_code != 0 and "turned off" in result.output
    assert users(app) == {}


def _script(text):
    import unicodedata

    return unicodedata.name(text[0]).split()[0]


def test_create_admin_refuses_a_common_password(app):
    result = run(app, "create-admin", "office@example.org", "--password-stdin", input="password123\n")
    assert result.exit_code != 0 and "too easy to guess" in result.output
    assert users(app) == {}


def test_the_demo_administrator_uses_a_second_factor_and_demo_code_prints_it(app, client):
    run(app, "demo-data")
    code = run(app, "demo-code", "jordan.ellis@example.org").output.strip()
    assert code.isdigit() and len(code) == 6
    response = client.post_form("/login", {"email": "jordan.ellis@example.org", "password": "community-2026"})
    assert response.headers["Location"].startswith("/login/two-factor")
    assert client.post_form(response.headers["Location"], {"code": code}).headers["Location"] == "/"


def test_demo_code_is_refused_outside_demo_accounts_and_configurations(app, make_user):
    make_user("admin", email="real.admin@county.example")
    assert run(app, "demo-code", "real.admin@county.example").exit_code != 0
    run(app, "demo-data")
    app.config["LMS_ALLOW_DEMO_DATA"] = False
    assert run(app, "demo-code", "jordan.ellis@example.org").exit_code != 0
