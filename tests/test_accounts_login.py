"""Logging in and out, the account page, and changing one's password."""

import pytest

from lms.accounts.models import User
from lms.extensions import db
from tests.conftest import PASSWORD

WRONG = "Email or password is not correct."


def test_a_user_logs_in_and_out(client, make_user, login):
    user = make_user(full_name="Nguyễn Thị Lan")
    login(client, user)
    assert "Nguyễn Thị Lan" in client.get("/").get_data(as_text=True)
    response = client.post_form("/logout")
    assert response.status_code == 302
    assert client.get("/account").status_code == 302


def test_login_email_is_case_insensitive(client, make_user):
    make_user(email="lan@example.org")
    response = client.post_form("/login", {"email": "LAN@Example.org", "password": PASSWORD})
    assert response.status_code == 302


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make_user):
    make_user(email="lan@example.org")
    unknown = client.post_form("/login", {"email": "nobody@example.org", "password": PASSWORD})
    wrong = client.post_form("/login", {"email": "lan@example.org", "password": "not the password"})
    assert unknown.status_code == wrong.status_code == 200
    assert WRONG in unknown.get_data(as_text=True)
    assert WRONG in wrong.get_data(as_text=True)
    strip = lambda r: r.get_data(as_text=True).replace("nobody@example.org", "lan@example.org")
    assert _without_tokens(strip(unknown)) == _without_tokens(strip(wrong))


def _without_tokens(html):
    import re

    return re.sub(r'value="[^"]*\.[^"]*"', "", html)


def test_a_failed_login_keeps_the_email_but_not_the_password(client, make_user):
    make_user(email="lan@example.org")
    html = client.post_form("/login", {"email": "lan@example.org", "password": "wrong-one"}).get_data(as_text=True)
    assert 'value="lan@example.org"' in html
    assert "wrong-one" not in html


def test_a_deactivated_user_cannot_log_in(client, make_user):
    user = make_user(active=False)
    response = client.post_form("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "deactivated" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_deactivation_ends_a_session_that_is_already_open(app, client, make_user, login):
    user = make_user()
    login(client, user)
    assert client.get("/account").status_code == 200
    with app.app_context():
        db.session.get(User, user.id).is_active = False
        db.session.commit()
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize("target", ["/account", "/account?tab=1", "/admin/users?page=2"])
def test_login_returns_to_a_local_next_path(client, make_user, target):
    user = make_user()
    response = client.post_form(f"/login?next={target}", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "http:evil.example", "/\r\nSet-Cookie:x=1", "account",
])
def test_login_never_redirects_off_site(client, make_user, target):
    from urllib.parse import quote

    user = make_user()
    response = client.post_form(f"/login?next={quote(target)}", {"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_logout_refuses_a_get_and_a_post_without_a_token(client, make_user, login):
    login(client, make_user())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200, "still logged in"


def test_login_refuses_a_post_without_a_csrf_token(client, make_user):
    user = make_user()
    response = client.post_form("/login", {"email": user.email, "password": PASSWORD}, token=False)
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_an_outdated_hash_is_upgraded_at_login(app, client, make_user):
    user = make_user()
    app.config["LMS_ARGON2_TIME_COST"] = 2
    from argon2 import PasswordHasher

    app.extensions["lms"].password_hasher = PasswordHasher(time_cost=2, memory_cost=8, parallelism=1)
    client.post_form("/login", {"email": user.email, "password": PASSWORD})
    with app.app_context():
        assert ",t=2," in db.session.get(User, user.id).password_hash


def test_the_account_page_saves_names_and_language(app, client, make_user, login):
    user = make_user()
    login(client, user)
    response = client.post_form("/account", {"full_name": "Wang Fang", "native_name": "王芳", "locale": "zh_Hans"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.full_name, saved.native_name, saved.locale) == ("Wang Fang", "王芳", "zh_Hans")


def test_the_account_page_keeps_bad_input_and_saves_nothing(app, client, make_user, login):
    user = make_user(full_name="Before")
    login(client, user)
    html = client.post_form("/account", {"full_name": "", "native_name": "王芳", "locale": "en"}).get_data(as_text=True)
    assert "Enter your full name." in html
    assert 'value="王芳"' in html
    with app.app_context():
        assert db.session.get(User, user.id).native_name is None


def test_changing_the_password_needs_the_current_one(app, client, make_user, login):
    user = make_user()
    login(client, user)
    new = "a brand new passphrase"
    refused = client.post_form("/account/password", {
        "current_password": "not it", "new_password": new, "confirm": new})
    assert "Your current password is not correct." in refused.get_data(as_text=True)
    accepted = client.post_form("/account/password", {
        "current_password": PASSWORD, "new_password": new, "confirm": new})
    assert accepted.status_code == 302
    client.post_form("/logout")
    assert client.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 200
    assert client.post_form("/login", {"email": user.email, "password": new}).status_code == 302


def test_a_sixty_four_character_password_is_accepted(client):
    password = "p" * 64
    response = client.post_form("/register", {
        "full_name": "Long Password", "email": "long@example.org", "locale": "en",
        "password": password, "confirm": password})
    assert response.status_code == 302


def test_logging_in_starts_a_new_session_but_keeps_the_language(client, make_user, login):
    client.post_form("/language", {"language": "so"})
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        token_before = session["csrf_token"]
    login(client, make_user())
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != token_before
        assert session["lms_locale"] == "so"


def test_logging_out_clears_the_session(client, make_user, login):
    login(client, make_user())
    client.post_form("/logout")
    with client.session_transaction() as session:
        assert "_user_id" not in session


@pytest.fixture
def verifications(app, monkeypatch):
    """The argon2 verifications the app computes: a hash it cannot even read (no password) is no verification."""
    from argon2.exceptions import VerifyMismatchError

    from lms.accounts import passwords

    done = []

    class CountingHasher:
        def __init__(self, inner):
            self.inner = inner

        def verify(self, password_hash, password):
            try:
                result = self.inner.verify(password_hash, password)
            except VerifyMismatchError:
                done.append(password_hash)
                raise
            done.append(password_hash)
            return result

        def __getattr__(self, name):
            return getattr(self.inner, name)

    monkeypatch.setattr(passwords, "_hasher", lambda: CountingHasher(app.extensions["lms"].password_hasher))
    return done


@pytest.mark.parametrize("email", ["nobody@example.org", "lan@example.org", "imported@example.org"],
                         ids=["unknown email", "wrong password", "account with no password yet"])
def test_every_failed_login_costs_one_password_hash_verification(client, make_user, verifications, email):
    """The time an answer takes does not tell whether the email has an account, or a password yet (CSV import)."""
    make_user(email="lan@example.org")
    make_user(email="imported@example.org", password=None)
    response = client.post_form("/login", {"email": email, "password": "some password"})
    assert WRONG in response.get_data(as_text=True)
    assert len(verifications) == 1
