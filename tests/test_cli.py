"""`flask lms create-admin` and `flask lms demo-data`."""

from sqlalchemy import func, select

from lms.accounts import services
from lms.accounts.models import Role, User, UserRole
from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.conftest import PASSWORD


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["lms", *args], input=input)


def users(app):
    with app.app_context():
        return {u.email: u.role_names for u in db.session.scalars(select(User))}


def verify_email(app, user):
    """As if the person had followed the link of their verification email."""
    with app.app_context():
        services.mark_email_verified(db.session.get(User, user.id))
        db.session.commit()


def audited(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def logs_in(client, email, password) -> bool:
    """The password is accepted (a redirect, to the home page or the second-factor step)."""
    return client.post_form("/login", {"email": email, "password": password}).status_code == 302


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


def test_create_admin_promotes_an_existing_account_whose_address_is_verified(app, make_user):
    verify_email(app, make_user(email="lan@example.org"))
    result = run(app, "create-admin", "LAN@example.org")
    assert result.exit_code == 0, result.output
    assert users(app)["lan@example.org"] == {Role.TRAINEE, Role.ADMIN}
    assert run(app, "create-admin", "lan@example.org").output.strip().endswith("already an administrator.")


def test_create_admin_refuses_an_account_whose_address_is_not_verified_and_says_what_to_do(app, make_user):
    make_user(email="office@example.org")
    result = run(app, "create-admin", "office@example.org", "--password-stdin", input="a new long password\n")
    assert result.exit_code != 0
    assert "office@example.org has not been verified" in result.output
    assert "verification email" in result.output and "--reset-password" in result.output
    assert users(app) == {"office@example.org": {Role.TRAINEE}}
    assert audited(app) == []


def test_an_attacker_who_registered_the_office_address_first_never_becomes_its_administrator(app, make_user,
                                                                                            login):
    attacker = app.test_client()
    response = attacker.post_form("/register", {
        "full_name": "Program Office", "email": "office@example.org", "locale": "en",
        "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302
    someone = make_user()

    refused = run(app, "create-admin", "office@example.org")
    assert refused.exit_code != 0 and "has not been verified" in refused.output
    assert users(app)["office@example.org"] == {Role.TRAINEE}
    assert attacker.get("/admin/programs").status_code == 403, "the attacker's session holds no admin role"
    again = app.test_client()
    assert logs_in(again, "office@example.org", PASSWORD)
    assert again.get("/admin/programs").status_code == 403, "nor does the attacker's password"

    taken = run(app, "create-admin", "office@example.org", "--reset-password", "--password-stdin",
                input="the office's own passphrase\n")
    assert taken.exit_code == 0, taken.output
    assert attacker.get("/account").headers["Location"].startswith("/login"), "the attacker's session ended"
    assert not logs_in(app.test_client(), "office@example.org", PASSWORD), "the attacker's password is gone"
    office = app.test_client()
    assert logs_in(office, "office@example.org", "the office's own passphrase")
    assert office.get("/admin/programs").headers["Location"].startswith("/account/two-factor")
    assert users(app)["office@example.org"] == {Role.TRAINEE, Role.ADMIN}
    assert login(app.test_client(), someone).status_code == 302, "nobody else is affected"


def test_reset_password_takes_an_account_over_ending_its_sessions_and_second_factor_and_is_audited(
        app, make_user, login):
    holder = make_user(email="office@example.org", two_factor=True)
    their_browser = app.test_client()
    login(their_browser, holder)
    assert their_browser.get("/account").status_code == 200

    result = run(app, "create-admin", "office@example.org", "--reset-password", "--password-stdin",
                 input="the office's own passphrase\n")
    assert result.exit_code == 0, result.output
    assert "the office's own passphrase" not in result.output
    assert their_browser.get("/account").status_code == 302
    with app.app_context():
        user = db.session.get(User, holder.id)
        assert user.role_names == {Role.TRAINEE, Role.ADMIN}
        assert not user.two_factor_enabled and user.totp_secret is None
        assert user.email_verified_at is not None
    assert not logs_in(app.test_client(), "office@example.org", PASSWORD)
    assert logs_in(app.test_client(), "office@example.org", "the office's own passphrase")
    assert audited(app) == ["account_reclaimed", "role_granted"]


def test_reset_password_with_a_weak_password_changes_nothing(app, make_user, login):
    holder = make_user(email="office@example.org")
    their_browser = app.test_client()
    login(their_browser, holder)
    result = run(app, "create-admin", "office@example.org", "--reset-password", "--password-stdin",
                 input="password123\n")
    assert result.exit_code != 0 and "too easy to guess" in result.output
    assert users(app) == {"office@example.org": {Role.TRAINEE}}
    assert their_browser.get("/account").status_code == 200
    assert logs_in(app.test_client(), "office@example.org", PASSWORD)
    assert audited(app) == []


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
