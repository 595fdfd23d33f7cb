"""Login throttling, sessions, recent logins and the second factor (SECURITY.md 2, 5, 7, 8 and 9)."""

import hashlib
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pyotp
import pytest
from flask import Flask, url_for
from sqlalchemy import select

from lms import LMS
from lms.accounts import services, twofactor
from lms.accounts.models import RecoveryCode, Role, User
from lms.extensions import db
from tests.conftest import PASSWORD, CSRFClient, database_url, drop_tables, make_host_app, totp_code

THROTTLED = "Too many failed attempts"
WRONG_PASSWORD = "not the password at all"
WRONG_CODE_MESSAGE = "This code is not right, or it was used already."
ROOT = Path(__file__).resolve().parent.parent
#: Older than LMS_RECENT_LOGIN_MINUTES (10), well inside the idle and absolute timeouts.
STALE_MINUTES = 11


# --- helpers -----------------------------------------------------------------------------------------


def is_logged_in(client) -> bool:
    """A private page answers 200 to a logged-in client and redirects an anonymous one to /login."""
    response = client.get("/account")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    return False


def fail_login(client, email, times=1, **kwargs):
    for _ in range(times):
        response = client.post_form("/login", {"email": email, "password": WRONG_PASSWORD}, **kwargs)
        assert response.status_code == 200, "a wrong password is answered on the login page"
    return response


def password_step(client, user):
    """Pass the password step of a login that needs a second factor."""
    response = client.post_form("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login/two-factor")
    return response


def secret_of(app, user_id) -> str:
    with app.app_context():
        return db.session.get(User, user_id).totp_secret


def a_wrong_code(secret: str) -> str:
    """Six digits that no nearby time step of this secret produces."""
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    valid = {totp.generate_otp(step) for step in range(now - 3, now + 4)}
    return next(f"{n:06d}" for n in range(123456, 10**6) if f"{n:06d}" not in valid)


def age_login(client, minutes: float) -> None:
    """Make the last password entry `minutes` old, as if the person had been active since."""
    with client.session_transaction() as session:
        session["lms_auth_at"] = int(time.time() - minutes * 60)
        session["lms_seen_at"] = int(time.time())


def session_cookie(client):
    return client.get_cookie(client.application.config["SESSION_COOKIE_NAME"])


def browser_with_cookie_of(app, client):
    """A second browser holding a copy of `client`'s session cookie."""
    other = app.test_client()
    other.set_cookie(app.config["SESSION_COOKIE_NAME"], session_cookie(client).value)
    return other


def user_row(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        _ = user.roles
        db.session.expunge(user)
        return user


# --- 1. Login throttling -----------------------------------------------------------------------------


def after_ten_wrong_passwords(app, client, make_user):
    """Ten wrong passwords for one account, then the right one."""
    user = make_user()
    fail_login(client, user.email, times=10)
    return client.post_form("/login", {"email": user.email, "password": PASSWORD})


def after_many_accounts_from_one_address(app, client, make_user):
    """A wrong password for each of three accounts from one address, then the right one for a fourth."""
    app.config["LMS_LOGIN_LIMIT_ADDRESS"] = "3 per 15 minutes"
    people = [make_user() for _ in range(4)]
    for person in people[:3]:
        fail_login(client, person.email)
    return client.post_form("/login", {"email": people[3].email, "password": PASSWORD})


def after_ten_wrong_codes(app, client, make_user):
    """The right password, ten wrong second-factor codes, then the right code."""
    user = make_user(two_factor=True)
    wrong = a_wrong_code(secret_of(app, user.id))
    password_step(client, user)
    for _ in range(10):
        assert client.post_form("/login/two-factor", {"code": wrong}).status_code == 200
    return client.post_form("/login/two-factor", {"code": totp_code(app, user.id)})


THROTTLES = {
    "per account from one address": after_ten_wrong_passwords,
    "per address": after_many_accounts_from_one_address,
    "second factor": after_ten_wrong_codes,
}


@pytest.mark.parametrize("limit", THROTTLES)
def test_a_throttled_login_is_refused_even_with_the_right_credentials(app, client, make_user, limit):
    response = THROTTLES[limit](app, client, make_user)
    assert response.status_code == 429
    assert not is_logged_in(client)
    with client.session_transaction() as session:
        assert "_user_id" not in session


@pytest.mark.parametrize("limit", THROTTLES)
def test_a_throttled_login_says_why(app, client, make_user, limit):
    response = THROTTLES[limit](app, client, make_user)
    assert response.status_code == 429
    assert THROTTLED in response.get_data(as_text=True)


def test_the_account_limit_holds_whatever_the_letter_case_of_the_email(client, make_user):
    make_user(email="lan@example.org")
    fail_login(client, "LAN@Example.org", times=5)
    fail_login(client, "  lan@example.ORG ", times=5)
    response = client.post_form("/login", {"email": "lan@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_the_account_ceiling_follows_the_account_to_every_address(app, make_user):
    """Changing address gives an attacker ten more guesses at one account, but only up to LMS_LOGIN_LIMIT_ACCOUNT."""
    app.config["LMS_LOGIN_LIMIT_ACCOUNT"] = "15 per hour"
    user = make_user()
    first, second, third = app.test_client(), app.test_client(), app.test_client()
    fail_login(first, user.email, times=10, environ_base={"REMOTE_ADDR": "198.51.100.1"})
    fail_login(second, user.email, times=5, environ_base={"REMOTE_ADDR": "198.51.100.2"})
    response = third.post_form("/login", {"email": user.email, "password": PASSWORD},
                               environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 429
    assert not is_logged_in(third)


def test_nine_failures_still_let_the_right_password_in(client, make_user):
    user = make_user()
    fail_login(client, user.email, times=9)
    assert client.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    assert is_logged_in(client)


def test_successful_logins_do_not_count_towards_the_limit(client, make_user, login):
    user = make_user()
    for _ in range(12):
        login(client, user)
        client.post_form("/logout")
    fail_login(client, user.email, times=9)
    login(client, user)
    assert is_logged_in(client)


def test_the_address_limit_leaves_other_addresses_alone(app, client, make_user):
    after_many_accounts_from_one_address(app, client, make_user)
    person = make_user()
    elsewhere = app.test_client()
    response = elsewhere.post_form("/login", {"email": person.email, "password": PASSWORD},
                                   environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 302
    assert is_logged_in(elsewhere)


def test_starting_the_login_again_does_not_reset_the_second_factor_limit(app, client, make_user):
    user = make_user(two_factor=True)
    wrong = a_wrong_code(secret_of(app, user.id))
    password_step(client, user)
    for _ in range(10):
        client.post_form("/login/two-factor", {"code": wrong})
    fresh = app.test_client()
    password_step(fresh, user)
    response = fresh.post_form("/login/two-factor", {"code": totp_code(app, user.id)})
    assert response.status_code == 429
    assert not is_logged_in(fresh)


def test_reauthentication_is_throttled_like_the_login(app, client, make_user, login):
    """With a stolen session, /reauthenticate must not become an unthrottled password oracle."""
    user = make_user()
    login(client, user)
    age_login(client, 60)
    for _ in range(10):
        refused = client.post_form("/reauthenticate", {"password": WRONG_PASSWORD})
        assert "This password is not correct." in refused.get_data(as_text=True)
    response = client.post_form("/reauthenticate", {"password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/account/export.json").headers["Location"].startswith("/reauthenticate")


# --- 2. Counters shared by every worker, in Redis ---------------------------------------------------


@pytest.fixture
def workers(tmp_path, redis_url):
    """Build "gunicorn workers": app instances on one database whose counters live in Redis."""
    built = []

    def build():
        app = make_host_app(tmp_path, create_tables=not built,
                            LMS_RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_STORAGE_URI=redis_url)
        built.append(app)
        return app

    yield build
    for app in reversed(built[1:]):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if built:
        drop_tables(built[0])


def create_user(app, email="lan@example.org") -> SimpleNamespace:
    with app.app_context():
        user = services.create_user(email=email, full_name="Lan", password=PASSWORD)
        db.session.commit()
        return SimpleNamespace(id=user.id, email=user.email)


def redis_counters(redis_server) -> dict[str, int]:
    """The per-account login counters, read straight from Redis."""
    return {key.decode(): int(redis_server.connection.get(key))
            for key in redis_server.connection.scan_iter("*login-account*")}


def test_failures_spread_over_two_workers_add_up(workers, redis_server):
    first, second = workers(), workers()
    user = create_user(first)
    fail_login(first.test_client(), user.email, times=5)
    fail_login(second.test_client(), user.email, times=5)
    counters = redis_counters(redis_server)
    key = next(iter(counters))
    assert len(counters) == 1 and "login-account:" in key
    assert user.email not in key, "the store holds a hash of the email, not the address"
    assert list(counters.values()) == [10], "both workers count in one Redis key"
    for worker in (first, second):
        browser = worker.test_client()
        response = browser.post_form("/login", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 429
        assert not is_logged_in(browser)


def test_the_count_lives_in_redis_not_in_the_worker(tmp_path, workers, redis_server):
    """A worker started after the failures still refuses; emptying Redis is what lifts the limit."""
    first = workers()
    user = create_user(first)
    fail_login(first.test_client(), user.email, times=10)

    restarted = make_host_app(tmp_path, create_tables=False, LMS_RATELIMIT_STORAGE_URI=redis_server.url)
    try:
        browser = restarted.test_client()
        assert browser.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 429
        redis_server.connection.flushdb()
        assert browser.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
        assert is_logged_in(browser)
    finally:
        with restarted.app_context():
            db.session.remove()
            db.engine.dispose()


WORKER_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tests.conftest import make_host_app

    tmp_path, database, redis_url, email, times = sys.argv[1:]
    app = make_host_app(Path(tmp_path), create_tables=False, SQLALCHEMY_DATABASE_URI=database,
                        LMS_RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_STORAGE_URI=redis_url)
    client = app.test_client()
    for _ in range(int(times)):
        status = client.post_form("/login", {"email": email, "password": "not the password at all"}).status_code
        assert status == 200, status
""")


def test_a_worker_in_another_process_shares_the_count(tmp_path, workers, redis_server):
    """Real gunicorn workers are processes: each has its own limiter object, and only Redis is shared."""
    first = workers()
    user = create_user(first)
    fail_login(first.test_client(), user.email, times=4)
    environment = {k: v for k, v in os.environ.items() if k != "LMS_TEST_DATABASE_URL"}
    environment["PYTHONPATH"] = str(ROOT)
    subprocess.run([sys.executable, "-c", WORKER_SCRIPT, str(tmp_path), database_url(tmp_path),
                    redis_server.url, user.email, "6"], cwd=ROOT, env=environment, check=True, timeout=120)
    browser = first.test_client()
    assert browser.post_form("/login", {"email": user.email, "password": PASSWORD}).status_code == 429
    assert not is_logged_in(browser)


# --- 3. Sessions ---------------------------------------------------------------------------------------


def test_a_cookie_copied_before_logout_is_dead_after_it(app, client, make_user, login):
    login(client, make_user())
    thief = browser_with_cookie_of(app, client)
    assert is_logged_in(thief), "the copy works while the session lives"
    client.post_form("/logout")
    assert not is_logged_in(thief)


def test_logging_out_in_one_browser_ends_the_session_in_the_other(app, make_user, login):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    laptop.post_form("/logout")
    assert not is_logged_in(phone)
    assert not is_logged_in(laptop)


def test_a_password_change_ends_other_sessions_and_keeps_this_one(app, make_user, login):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    new = "a brand new passphrase"
    response = laptop.post_form("/account/password", {
        "current_password": PASSWORD, "new_password": new, "confirm": new})
    assert response.status_code == 302
    assert is_logged_in(laptop)
    assert not is_logged_in(phone)


def test_deactivation_ends_the_sessions_for_good(app, admin_client, make_user, login):
    user = make_user()
    browser = app.test_client()
    login(browser, user)
    stolen = browser_with_cookie_of(app, browser)
    assert admin_client.post_form(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert not user_row(app, user.id).is_active
    assert not is_logged_in(browser)
    assert admin_client.post_form(f"/admin/users/{user.id}/reactivate").status_code == 302
    assert not is_logged_in(stolen), "reactivating the account does not bring old sessions back"


@pytest.mark.parametrize("idle_minutes, still_in", [(29, True), (31, False), (24 * 60, False)])
def test_an_idle_session_expires(client, make_user, login, idle_minutes, still_in):
    login(client, make_user())
    with client.session_transaction() as session:
        session["lms_seen_at"] = int(time.time() - idle_minutes * 60)
    response = client.get("/account")
    if still_in:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        assert not is_logged_in(client), "the expired session does not come back"


@pytest.mark.parametrize("hours, still_in", [(11.9, True), (12.1, False), (48, False)])
def test_a_session_ends_after_its_absolute_lifetime_even_when_active(client, make_user, login, hours, still_in):
    login(client, make_user())
    with client.session_transaction() as session:
        session["lms_auth_at"] = int(time.time() - hours * 3600)
        session["lms_seen_at"] = int(time.time())
    response = client.get("/account")
    if still_in:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_the_timeouts_follow_the_configuration(app, client, make_user, login):
    app.config["LMS_SESSION_IDLE_MINUTES"] = 5
    login(client, make_user())
    with client.session_transaction() as session:
        session["lms_seen_at"] = int(time.time() - 6 * 60)
    assert not is_logged_in(client)


def test_the_session_cookie_does_not_outlive_the_absolute_lifetime(app, client, make_user, login):
    login(client, make_user())
    cookie = session_cookie(client)
    assert cookie.expires is not None
    lifetime = cookie.expires.timestamp() - time.time()
    assert lifetime <= app.config["LMS_SESSION_MAX_HOURS"] * 3600 + 60, \
        f"the browser keeps the session cookie for {lifetime / 86400:.1f} days"


@pytest.mark.parametrize("two_factor", [False, True])
def test_logging_in_starts_a_new_session(app, client, make_user, login, two_factor):
    user = make_user(two_factor=two_factor)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    planted_copy = browser_with_cookie_of(app, client)
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session
    assert session_cookie(client).value != session_cookie(planted_copy).value
    assert not is_logged_in(planted_copy), "a session fixed before login is not the logged-in one"


@pytest.mark.parametrize("two_factor", [False, True])
def test_no_remember_me_cookie_is_ever_set(app, client, make_user, two_factor):
    user = make_user(two_factor=two_factor)
    responses = [client.post_form("/login", {"email": user.email, "password": PASSWORD, "remember": "y"})]
    if two_factor:
        responses.append(client.post_form("/login/two-factor", {"code": totp_code(app, user.id), "remember": "y"}))
    responses.append(client.get("/account"))
    assert responses[-1].status_code == 200
    remember = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    assert client.get_cookie(remember) is None
    for response in responses:
        assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith(remember + "=")]


def test_the_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user()
    response = client.post_form("/login", {"email": user.email, "password": PASSWORD})
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert cookies, "the login sets the session cookie"
    attributes = [part.strip().lower() for part in cookies[-1].split(";")]
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def test_a_host_app_that_sets_no_cookie_options_still_gets_samesite_lax(tmp_path):
    """The plugin gives a bare host app safe cookies; Flask's own default is no SameSite at all."""
    host = Flask("bare_host")
    host.config.update(TESTING=True, SECRET_KEY="bare-host-secret", SQLALCHEMY_DATABASE_URI=database_url(tmp_path),
                       LMS_ARGON2_TIME_COST=1, LMS_ARGON2_MEMORY_COST=8, LMS_ARGON2_PARALLELISM=1)
    host.test_client_class = CSRFClient
    LMS(host)
    with host.app_context():
        db.drop_all()
        db.create_all()
    try:
        user = create_user(host)
        response = host.test_client().post_form("/login", {"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
        cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][-1]
        attributes = [part.strip().lower() for part in cookie.split(";")]
        assert "httponly" in attributes
        assert "samesite=lax" in attributes
    finally:
        drop_tables(host)


# --- 4. Recent login for sensitive actions -----------------------------------------------------------


@pytest.fixture
def world(app, make_user, make_course):
    return SimpleNamespace(person=make_user(full_name="Amina Warsame", verified=True), course=make_course())


def _grant(client, w):
    return client.post_form(f"/admin/users/{w.person.id}/roles", {"role": "mentor"})


def _deactivate(client, w):
    return client.post_form(f"/admin/users/{w.person.id}/deactivate")


def _export(client, w):
    return client.get("/account/export.json")


def _roster(client, w):
    return client.get(f"/admin/courses/{w.course.course_id}/roster.csv")


def _granted(app, w, response):
    return Role.MENTOR in user_row(app, w.person.id).role_names


def _deactivated(app, w, response):
    return not user_row(app, w.person.id).is_active


def _json_sent(app, w, response):
    return response.status_code == 200 and response.mimetype == "application/json"


def _csv_sent(app, w, response):
    return response.status_code == 200 and response.mimetype == "text/csv"


SENSITIVE = {
    "grant a role": (_grant, _granted),
    "deactivate an account": (_deactivate, _deactivated),
    "export my data": (_export, _json_sent),
    "export a roster": (_roster, _csv_sent),
}


@pytest.mark.parametrize("action", SENSITIVE)
def test_a_sensitive_action_asks_for_the_password_again_after_a_stale_login(app, admin, admin_client, world,
                                                                           action):
    act, done = SENSITIVE[action]
    age_login(admin_client, STALE_MINUTES)
    response = act(admin_client, world)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/reauthenticate")
    assert not done(app, world, response), "nothing happens before the password is given again"

    back = admin_client.post_form(response.headers["Location"],
                                  {"password": PASSWORD, "code": totp_code(app, admin.id)})
    assert back.status_code == 302
    assert not back.headers["Location"].startswith("/reauthenticate")
    response = act(admin_client, world)
    assert done(app, world, response)


def test_a_fresh_login_needs_no_reauthentication(app, admin_client, world):
    age_login(admin_client, 9)
    assert _granted(app, world, _grant(admin_client, world))


def test_a_get_action_comes_back_to_itself_after_reauthentication(app, client, make_user, login):
    login(client, make_user())
    age_login(client, STALE_MINUTES)
    response = client.get("/account/export.json")
    assert response.headers["Location"].startswith("/reauthenticate?next=")
    back = client.post_form(response.headers["Location"], {"password": PASSWORD})
    assert back.headers["Location"] == "/account/export.json"
    assert _json_sent(app, None, client.get(back.headers["Location"]))


def test_a_wrong_password_on_reauthentication_is_refused(app, client, make_user, login):
    login(client, make_user())
    age_login(client, STALE_MINUTES)
    response = client.post_form("/reauthenticate?next=/account/export.json", {"password": WRONG_PASSWORD})
    assert response.status_code == 200
    assert "This password is not correct." in response.get_data(as_text=True)
    assert client.get("/account/export.json").headers["Location"].startswith("/reauthenticate")


def test_an_admin_reauthenticating_needs_the_code_too(app, admin, admin_client, world):
    age_login(admin_client, STALE_MINUTES)
    for code in ("", a_wrong_code(secret_of(app, admin.id))):
        response = admin_client.post_form("/reauthenticate", {"password": PASSWORD, "code": code})
        assert response.status_code == 200
        assert WRONG_CODE_MESSAGE in response.get_data(as_text=True)
    assert _grant(admin_client, world).headers["Location"].startswith("/reauthenticate")
    assert not _granted(app, world, None)


# --- 5. Two-factor authentication -----------------------------------------------------------------


@pytest.fixture
def totp_clock(monkeypatch):
    """Freeze the clock the TOTP check reads, so a test can use several codes without waiting."""
    clock = SimpleNamespace(now=float(int(time.time()) // 30 * 30 + 10))
    clock.advance = lambda steps=1: setattr(clock, "now", clock.now + 30 * steps)
    monkeypatch.setattr(twofactor, "time", SimpleNamespace(time=lambda: clock.now))
    return clock


def code_at(secret, clock) -> str:
    return pyotp.TOTP(secret).at(clock.now)


def set_up_two_factor(app, client, user, clock) -> tuple[str, list[str], str]:
    """Go through the setup pages; return the secret, the recovery codes and the setup page."""
    response = client.post_form("/account/two-factor/setup")
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor/setup"
    page = client.get("/account/two-factor/setup").get_data(as_text=True)
    secret = secret_of(app, user.id)
    response = client.post_form("/account/two-factor/confirm", {"code": code_at(secret, clock)})
    assert response.status_code == 200
    codes = re.findall(r"<li><code\b[^>]*>([0-9A-F]{5}-[0-9A-F]{5})</code></li>", response.get_data(as_text=True))
    return secret, codes, page


def two_factor_login(client, user, code):
    password_step(client, user)
    return client.post_form("/login/two-factor", {"code": code})


def test_setting_up_two_factor_shows_a_qr_code_and_stores_only_hashed_recovery_codes(
        app, client, make_user, login, totp_clock):
    user = make_user()
    login(client, user)
    secret, codes, page = set_up_two_factor(app, client, user, totp_clock)

    assert re.search(r"<svg[^>]*>.*</svg>", page, re.S), "the QR code is inline SVG"
    assert "<img" not in page.split("<svg")[1].split("</svg>")[0]
    assert secret and secret in page, "the key can be typed when the code cannot be scanned"
    assert user_row(app, user.id).two_factor_enabled

    assert len(codes) == 10 and len(set(codes)) == 10
    with app.app_context():
        rows = db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
        stored = [str(value) for row in rows for value in vars(row).values()]
    assert sorted(row.code_hash for row in rows) == sorted(hashlib.sha256(c.encode()).hexdigest() for c in codes)
    for code in codes:
        assert not any(code in value or code.replace("-", "") in value for value in stored)


def test_after_setup_logging_in_needs_the_code(app, client, make_user, login, totp_clock):
    user = make_user()
    login(client, user)
    secret, _, _ = set_up_two_factor(app, client, user, totp_clock)
    client.post_form("/logout")

    password_step(client, user)
    assert not is_logged_in(client), "the password alone does not log in"
    totp_clock.advance()
    assert client.post_form("/login/two-factor", {"code": code_at(secret, totp_clock)}).status_code == 302
    assert is_logged_in(client)


def test_a_code_works_only_once(app, make_user, totp_clock):
    user = make_user(two_factor=True)
    secret = secret_of(app, user.id)
    code = code_at(secret, totp_clock)
    first = app.test_client()
    assert two_factor_login(first, user, code).status_code == 302
    assert is_logged_in(first)

    again = first.post_form("/reauthenticate", {"password": PASSWORD, "code": code})
    assert WRONG_CODE_MESSAGE in again.get_data(as_text=True), "not within the same session"

    thief = app.test_client()
    response = two_factor_login(thief, user, code)
    assert response.status_code == 200
    assert WRONG_CODE_MESSAGE in response.get_data(as_text=True), "not on a fresh login either"
    assert not is_logged_in(thief)


def test_an_older_code_is_refused_once_a_newer_one_was_used(app, make_user, totp_clock):
    user = make_user(two_factor=True)
    secret = secret_of(app, user.id)
    older = code_at(secret, totp_clock)
    totp_clock.advance()
    assert two_factor_login(app.test_client(), user, code_at(secret, totp_clock)).status_code == 302
    late = app.test_client()
    assert two_factor_login(late, user, older).status_code == 200
    assert not is_logged_in(late)


def test_a_recovery_code_works_once(app, client, make_user, login, totp_clock):
    user = make_user()
    login(client, user)
    _, codes, _ = set_up_two_factor(app, client, user, totp_clock)
    client.post_form("/logout")

    assert two_factor_login(client, user, codes[0].lower()).status_code == 302
    assert is_logged_in(client)
    client.post_form("/logout")

    response = two_factor_login(client, user, codes[0])
    assert response.status_code == 200
    assert WRONG_CODE_MESSAGE in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_logging_in_with_a_recovery_code_says_how_many_are_left(app, client, make_user, login, totp_clock):
    user = make_user()
    login(client, user)
    _, codes, _ = set_up_two_factor(app, client, user, totp_clock)
    client.post_form("/logout")
    response = two_factor_login(client, user, codes[0])
    assert response.status_code == 302
    assert "You used a recovery code. 9 are left." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_wrong_code_is_refused_with_a_message(app, client, make_user):
    user = make_user(two_factor=True)
    response = two_factor_login(client, user, a_wrong_code(secret_of(app, user.id)))
    assert response.status_code == 200
    assert WRONG_CODE_MESSAGE in response.get_data(as_text=True)
    assert not is_logged_in(client)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_an_abandoned_password_step_expires(app, client, make_user):
    user = make_user(two_factor=True)
    password_step(client, user)
    with client.session_transaction() as session:
        pending = session["lms_pending_2fa"]
        session["lms_pending_2fa"] = {**pending, "at": pending["at"] - 301}
    response = client.post_form("/login/two-factor", {"code": totp_code(app, user.id)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert not response.headers["Location"].startswith("/login/two-factor")
    assert not is_logged_in(client)
    assert user_row(app, user.id).totp_last_step is None, "the code was not even checked"


def _admin_urls(app, made, person):
    """Every admin route with each method, filled with ids of objects that exist where it matters."""
    values = {"user_id": person.id, "course_id": made.course_id, "cohort_id": made.cohort_id,
              "program_id": made.program_id, "module_id": made.module_ids[0], "language": "es", "role": "mentor"}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith("/admin"):
                # The second-factor gate comes before any object is loaded, so other ids may be anything.
                url = url_for(rule.endpoint, **{arg: values.get(arg, 1) for arg in rule.arguments})
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    yield method, url


def test_an_admin_without_a_second_factor_cannot_reach_admin_pages(app, make_user, login, make_course):
    """Acceptance: an admin without a second factor cannot reach admin pages."""
    admin = make_user("admin", two_factor=False)
    person = make_user()
    made = make_course()
    client = app.test_client()
    login(client, admin)
    urls = list(_admin_urls(app, made, person))
    assert len(urls) > 20
    for method, url in urls:
        response = client.get(url) if method == "GET" else client.post_form(url, {"role": "mentor"})
        assert (response.status_code, response.headers.get("Location")) == (302, "/account/two-factor"), \
            f"{method} {url}"
    assert "Administrators need a second factor" in client.get("/account/two-factor").get_data(as_text=True)
    assert user_row(app, person.id).role_names == {Role.TRAINEE}
    assert user_row(app, person.id).is_active


def test_turning_two_factor_off_needs_a_recent_login(app, client, make_user, login):
    user = make_user(two_factor=True)
    login(client, user)
    age_login(client, STALE_MINUTES)
    response = client.post_form("/account/two-factor/disable")
    assert response.headers["Location"].startswith("/reauthenticate")
    assert user_row(app, user.id).two_factor_enabled

    client.post_form("/reauthenticate", {"password": PASSWORD, "code": totp_code(app, user.id)})
    assert client.post_form("/account/two-factor/disable").status_code == 302
    assert not user_row(app, user.id).two_factor_enabled


def test_replacing_the_secret_needs_a_recent_login(app, client, make_user, login):
    """Starting a new setup turns the current factor off, so it is guarded like turning it off."""
    user = make_user(two_factor=True)
    secret = secret_of(app, user.id)
    login(client, user)
    age_login(client, STALE_MINUTES)
    response = client.post_form("/account/two-factor/setup")
    assert response.headers["Location"].startswith("/reauthenticate")
    assert user_row(app, user.id).two_factor_enabled
    assert secret_of(app, user.id) == secret


def test_the_totp_secret_is_stored_encrypted(app, make_user):
    from sqlalchemy import text

    user = make_user("admin")
    with app.app_context():
        secret = db.session.get(User, user.id).totp_secret
        stored = db.session.execute(text("SELECT totp_secret_ciphertext FROM lms_user WHERE id = :id"),
                                    {"id": user.id}).scalar()
    assert len(secret) >= 16 and secret not in stored and stored.startswith("gAAAA")
