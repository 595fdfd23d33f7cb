"""Login throttles: counted before the work they guard, and aimed at the attacker, not the owner (SECURITY.md 2, 35).

Parallel attempts go to gunicorn (2 workers of 8 threads) sharing a real redis-server, as production runs; the
rest use the test client, whose environ_base sets the address a request comes from.
"""

import http.cookiejar
import threading
import time
import urllib.request
from types import SimpleNamespace

import pyotp
import pytest

from lms.accounts import tokens, twofactor
from lms.accounts.models import User
from lms.extensions import db
from tests.conftest import PASSWORD, totp_code
from tests.served import Browser, gunicorn
from tests.test_security_sessions import a_wrong_code, age_login, is_logged_in, secret_of

WRONG_PASSWORD = "Email or password is not correct."
NOT_IT = "not the password at all"
WRONG_CODE = "This code is not right, or it was used already."
THROTTLED = "Too many failed attempts"
PARALLEL = 25


@pytest.fixture
def served(app, redis_url):
    with gunicorn(app.config["SQLALCHEMY_DATABASE_URI"], workers=2, threads=8,
                  LMS_RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_STORAGE_URI=redis_url) as served:
        yield served


def at_once(browsers, attempt) -> list[tuple[int, str]]:
    """Send one attempt from each browser, all released at the same moment; their answers."""
    start, answers = threading.Barrier(len(browsers)), [None] * len(browsers)

    def run(n):
        start.wait()
        answers[n] = attempt(browsers[n])

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def tally(answers, wrong: str) -> tuple[int, int]:
    """How many answers say the attempt was checked and wrong, and how many say it was not checked at all."""
    checked = sum(status == 200 and wrong in page for status, page in answers)
    throttled = sum(status == 429 and THROTTLED in page for status, page in answers)
    return checked, throttled


def copy_of(browser: Browser) -> Browser:
    """A second browser holding the same cookies (the same session) and form token."""
    jar = http.cookiejar.CookieJar()
    for handler in browser.opener.handlers:
        if isinstance(handler, urllib.request.HTTPCookieProcessor):
            for cookie in handler.cookiejar:
                jar.set_cookie(cookie)
    other = Browser(browser.base)
    other.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    other.token = browser.token
    return other


def test_parallel_wrong_passwords_are_counted_before_any_is_checked(served, make_user):
    """Twenty-five wrong passwords sent at once: ten are checked, the rest refused unchecked."""
    lan = make_user(email="lan@example.org")
    browsers = [Browser(served.url) for _ in range(PARALLEL)]
    for browser in browsers:
        browser.get("/login")
    answers = at_once(browsers, lambda b: b.post("/login", {"email": lan.email, "password": NOT_IT}))
    checked, throttled = tally(answers, WRONG_PASSWORD)
    print(f"{checked} of {PARALLEL} parallel wrong passwords were checked")
    assert checked <= 10
    assert checked + throttled == PARALLEL


def test_parallel_wrong_codes_are_counted_before_any_is_checked(app, served, make_user):
    """An attacker holding an admin's password sends twenty-five second-factor codes at once: ten are checked."""
    admin = make_user("admin")
    first = Browser(served.url)
    first.get("/login")
    status, page = first.post("/login", {"email": admin.email, "password": PASSWORD})
    assert status == 200 and 'name="code"' in page, "the password step passed"
    wrong = a_wrong_code(secret_of(app, admin.id))
    browsers = [copy_of(first) for _ in range(PARALLEL)]
    answers = at_once(browsers, lambda b: b.post("/login/two-factor", {"code": wrong}))
    checked, throttled = tally(answers, WRONG_CODE)
    print(f"{checked} of {PARALLEL} parallel wrong codes were checked")
    assert checked <= 10
    assert checked + throttled == PARALLEL


# --- Lockouts an attacker cannot cause at will --------------------------------------------------------

ATTACKER, LAN_AT_HOME = "203.0.113.7", "198.51.100.4"
NEW_PASSWORD = "a brand new passphrase"


def browser_at(app, address):
    """A test client whose every request comes from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def log_in(client, email, password=PASSWORD) -> int:
    return client.post_form("/login", {"email": email, "password": password}).status_code


def fail(client, email, times) -> list[int]:
    return [log_in(client, email, NOT_IT) for _ in range(times)]


def test_an_attacker_elsewhere_cannot_lock_the_owner_out(app, make_user):
    lan = make_user(email="lan@example.org")
    attacker, home = browser_at(app, ATTACKER), browser_at(app, LAN_AT_HOME)
    assert fail(attacker, lan.email, 10) == [200] * 10
    assert log_in(home, lan.email) == 302
    assert is_logged_in(home)
    assert log_in(attacker, lan.email) == 429, "the attacker's eleventh try is refused, right password or not"
    assert not is_logged_in(attacker)


def test_failures_spread_over_many_addresses_lock_the_account(app, make_user):
    """One hundred failures an hour from ten addresses: the account refuses even its owner at home."""
    lan = make_user(email="lan@example.org")
    for n in range(10):
        assert fail(browser_at(app, f"203.0.113.{n + 10}"), lan.email, 10) == [200] * 10
    home = browser_at(app, LAN_AT_HOME)
    assert log_in(home, lan.email) == 429
    assert not is_logged_in(home)


def test_a_completed_password_reset_unlocks_the_account(app, make_user):
    """Lan, locked out by failures from everywhere (ten of them her own), resets her password and logs in."""
    lan = make_user(email="lan@example.org")
    for n in range(9):
        fail(browser_at(app, f"203.0.113.{n + 10}"), lan.email, 10)
    home = browser_at(app, LAN_AT_HOME)
    fail(home, lan.email, 10)
    assert log_in(home, lan.email) == 429
    with app.app_context():
        token = tokens.make_reset_token(db.session.get(User, lan.id))
    reset = home.post_form(f"/password/reset/{token}", {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert reset.status_code == 302
    assert log_in(home, lan.email, NEW_PASSWORD) == 302
    assert is_logged_in(home)


def test_an_attempt_refused_by_one_limit_counts_on_no_other(app, make_user):
    """Tries the address limit refused are not charged to the accounts they named."""
    app.config.update(LMS_LOGIN_LIMIT_ADDRESS="3 per 15 minutes", LMS_LOGIN_LIMIT_ACCOUNT="5 per 15 minutes")
    lan = make_user(email="lan@example.org")
    attacker = browser_at(app, ATTACKER)
    for n in range(3):
        fail(attacker, f"someone{n}@example.org", 1)
    assert fail(attacker, lan.email, 10) == [429] * 10
    assert log_in(browser_at(app, LAN_AT_HOME), lan.email) == 302


def test_an_attacker_holding_the_password_cannot_lock_the_admin_out_of_the_second_factor(app, make_user):
    admin = make_user("admin")
    wrong = a_wrong_code(secret_of(app, admin.id))
    attacker, home = browser_at(app, ATTACKER), browser_at(app, LAN_AT_HOME)
    assert log_in(attacker, admin.email) == 302
    assert [attacker.post_form("/login/two-factor", {"code": wrong}).status_code for _ in range(10)] == [200] * 10
    assert attacker.post_form("/login/two-factor", {"code": totp_code(app, admin.id)}).status_code == 429
    assert log_in(home, admin.email) == 302
    assert home.post_form("/login/two-factor", {"code": totp_code(app, admin.id)}).status_code == 302
    assert is_logged_in(home)


def test_successful_reauthentications_do_not_count(client, make_user, login):
    """Counted before the check, a success is given back: the owner's own passwords never add up to a limit."""
    login(client, make_user())
    for _ in range(12):
        age_login(client, 60)
        assert client.post_form("/reauthenticate", {"password": PASSWORD}).status_code == 302
    for _ in range(9):
        assert client.post_form("/reauthenticate", {"password": NOT_IT}).status_code == 200
    assert client.post_form("/reauthenticate", {"password": PASSWORD}).status_code == 302


def test_successful_second_factor_codes_do_not_count(app, client, make_user, monkeypatch):
    user = make_user(two_factor=True)
    totp = pyotp.TOTP(secret_of(app, user.id))
    now = [time.time()]
    monkeypatch.setattr(twofactor, "time", SimpleNamespace(time=lambda: now[0]))  # a fresh code for each login
    wrong = a_wrong_code(totp.secret)
    for _ in range(12):
        now[0] += totp.interval
        assert log_in(client, user.email) == 302
        assert client.post_form("/login/two-factor", {"code": totp.at(now[0])}).status_code == 302
        client.post_form("/logout")
    assert log_in(client, user.email) == 302
    for _ in range(9):
        assert client.post_form("/login/two-factor", {"code": wrong}).status_code == 200
    now[0] += totp.interval
    assert client.post_form("/login/two-factor", {"code": totp.at(now[0])}).status_code == 302
