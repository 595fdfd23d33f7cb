"""Email links, password rules and a person's data (SECURITY.md items 4, 8 and 32).

Mail goes through a real SMTP server on loopback (aiosmtpd) and is read back with the email
package, so these tests see what a trainee's mailbox would see.
"""

import email
import json
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from babel.messages.pofile import read_po
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

import lms
from lms.accounts import tokens
from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.courses.models import Cohort, Course, Module
from lms.enrollment import evaluations, progress
from lms.enrollment import services as enrolling
from lms.enrollment.models import CourseEvaluation, Enrollment, ModuleProgress
from lms.extensions import db
from lms.notifications.models import Notification
from lms.sqltypes import utcnow
from tests.conftest import PASSWORD
from tests.served import free_port

FORGOT = "/password/forgot"
RESET_SENT = "If an account uses this address, we have sent it a link to choose a new password."
RESET_REFUSED = "This link has expired or was used already. Ask for a new one."
VERIFY_REFUSED = "This link has expired. Log in and ask for a new one."
TOO_EASY = "This password is too easy to guess. Try a few words you will remember."
NEW_PASSWORD = "mangoes ripen by the river"


# --- A real SMTP server on loopback ------------------------------------------------------------

class Mailbox:
    """Stores what the SMTP server receives: (envelope recipients, parsed message)."""

    def __init__(self):
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message for _, message in self.received]

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipients, message in self.received if address in recipients]


@pytest.fixture
def mailbox(app):
    """An SMTP server on 127.0.0.1 that the app sends its mail to."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(LMS_MAIL_SERVER="127.0.0.1", LMS_MAIL_PORT=port, LMS_MAIL_USE_TLS=False,
                      LMS_MAIL_USE_SSL=False, LMS_MAIL_USERNAME=None)
    yield box
    controller.stop()


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message, path: str) -> str:
    """The path of the one link in the message that starts with `path`."""
    links = [word for word in body_of(message).split() if word.startswith("http")]
    paths = [urlsplit(link).path for link in links if urlsplit(link).path.startswith(path)]
    assert len(paths) == 1, body_of(message)
    return paths[0]


def spanish(msgid: str) -> str:
    """The Spanish translation of `msgid`, as the catalog in lms/translations holds it."""
    with open(Path(lms.__file__).parent / "translations/es/LC_MESSAGES/messages.po", "rb") as po:
        message = read_po(po).get(msgid)
    assert message is not None and message.string and not message.fuzzy, \
        f"es/messages.po has no translation of {msgid!r}"
    return message.string


# --- Helpers ---------------------------------------------------------------------------------

def flashes(client) -> list[str]:
    """The messages waiting to be shown to this client, without consuming them."""
    with client.session_transaction() as session:
        return [message for _, message in session.get("_flashes", [])]


def field_error(html: str, field_id: str) -> str | None:
    """The error paragraph rendered next to a field, or None."""
    marker = f'id="{field_id}-error"'
    if marker not in html:
        return None
    start = html.index(marker)
    return html[start:html.index("</p>", start)]


def can_log_in(app, email_address: str, password: str) -> bool:
    response = app.test_client().post_form("/login", {"email": email_address, "password": password})
    return response.status_code == 302


def is_logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def stored(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def reset_token(app, user_id: int) -> str:
    with app.app_context():
        return tokens.make_reset_token(db.session.get(User, user_id))


def registration(**overrides) -> dict:
    data = {"full_name": "Selam Tesfaye", "native_name": "ሰላም ተስፋዬ", "email": "selam@example.org",
            "locale": "en", "password": PASSWORD, "confirm": PASSWORD}
    data.update(overrides)
    return data


def choose_new_password(client, link: str, password: str = NEW_PASSWORD):
    return client.post_form(link, {"new_password": password, "confirm": password})


# --- 1. Mail goes to a real SMTP server ------------------------------------------------------

def test_a_reset_email_reaches_the_smtp_server_from_the_program_sender(app, client, mailbox, make_user):
    user = make_user(email="selam@example.org", full_name="Selam Tesfaye")
    client.post_form(FORGOT, {"email": user.email})
    [(recipients, message)] = mailbox.received
    assert recipients == ["selam@example.org"]
    assert message["To"] == "selam@example.org"
    assert message["From"] == app.config["LMS_MAIL_SENDER"]
    assert message["Subject"] == "Choose a new password"
    body = body_of(message)
    assert "Hello Selam Tesfaye," in body
    assert f"within {app.config['LMS_RESET_TOKEN_MINUTES']} minutes" in body
    assert link_in(message, "/password/reset/")


# --- 2. Password reset -----------------------------------------------------------------------

def test_a_reset_link_points_at_the_public_site_whatever_host_the_request_named(app, client, mailbox, make_user):
    app.config.update(LMS_PUBLIC_URL="https://learn.example.org", WTF_CSRF_ENABLED=False)  # no cookie for that host
    user = make_user()
    assert client.post(FORGOT, data={"email": user.email}, headers={"Host": "attacker.example"}).status_code == 302
    [message] = mailbox.to(user.email)
    links = [word for word in body_of(message).split() if word.startswith("http")]
    assert [urlsplit(link).netloc for link in links] == ["learn.example.org"]
    assert "attacker.example" not in body_of(message)


def test_a_reset_link_lets_the_person_choose_a_new_password_once(app, client, mailbox, make_user):
    user = make_user()
    response = client.post_form(FORGOT, {"email": user.email})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    [message] = mailbox.to(user.email)
    link = link_in(message, "/password/reset/")

    form = client.get(link)
    assert form.status_code == 200
    assert 'name="new_password"' in form.get_data(as_text=True)
    response = choose_new_password(client, link)
    assert response.status_code == 302 and response.headers["Location"] == "/login"

    assert not can_log_in(app, user.email, PASSWORD), "the old password must stop working"
    assert can_log_in(app, user.email, NEW_PASSWORD)

    again = app.test_client()
    response = again.get(link)
    assert response.status_code == 302 and response.headers["Location"] == FORGOT
    assert flashes(again) == [RESET_REFUSED]
    choose_new_password(again, link, "someone else chose this one")
    assert can_log_in(app, user.email, NEW_PASSWORD), "a used link must not set a password again"


def test_a_reset_link_still_works_a_minute_before_it_expires(app, client, mailbox, make_user, monkeypatch):
    user = make_user()
    minutes = app.config["LMS_RESET_TOKEN_MINUTES"]
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - (minutes - 1) * 60)
        client.post_form(FORGOT, {"email": user.email})
    link = link_in(mailbox.to(user.email)[0], "/password/reset/")
    assert client.get(link).status_code == 200


def test_an_expired_reset_link_is_refused_with_a_clear_message(app, client, mailbox, make_user, monkeypatch):
    user = make_user()
    minutes = app.config["LMS_RESET_TOKEN_MINUTES"]
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - (minutes + 1) * 60)
        client.post_form(FORGOT, {"email": user.email})
    link = link_in(mailbox.to(user.email)[0], "/password/reset/")

    response = client.get(link, follow_redirects=True)
    assert RESET_REFUSED in response.get_data(as_text=True)
    choose_new_password(client, link)
    assert can_log_in(app, user.email, PASSWORD) and not can_log_in(app, user.email, NEW_PASSWORD)


def _signature_changed(app, token, user, other):
    payload, signature = token.rsplit(".", 1)
    middle = len(signature) // 2
    return f"{payload}.{signature[:middle]}{'A' if signature[middle] != 'A' else 'B'}{signature[middle + 1:]}"


def _pointed_at_another_account(app, token, user, other):
    payload, timestamp, signature = token.split(".")
    data = json.loads(base64_decode(payload))
    data["u"] = other.id
    return ".".join([base64_encode(json.dumps(data, separators=(",", ":"))).decode(), timestamp, signature])


def _signed_with_another_key(app, token, user, other):
    with app.app_context():
        data = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=tokens.RESET).loads(token)
    return URLSafeTimedSerializer("not-the-program-key", salt=tokens.RESET).dumps(data)


def _an_email_verification_token(app, token, user, other):
    with app.app_context():
        return tokens.make_verify_token(db.session.get(User, user.id))


@pytest.mark.parametrize("tamper", [
    _signature_changed, _pointed_at_another_account, _signed_with_another_key, _an_email_verification_token,
], ids=lambda f: f.__name__.strip("_"))
def test_a_tampered_reset_link_is_refused(app, client, make_user, tamper):
    user, other = make_user(), make_user()
    token = tamper(app, reset_token(app, user.id), user, other)
    link = f"/password/reset/{token}"

    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"] == FORGOT
    assert flashes(client) == [RESET_REFUSED]
    choose_new_password(client, link)
    for person in (user, other):
        assert can_log_in(app, person.email, PASSWORD) and not can_log_in(app, person.email, NEW_PASSWORD)


def test_an_unknown_email_gets_the_same_answer_as_a_known_one_and_no_email(app, mailbox, make_user):
    user = make_user()
    known_client, unknown_client = app.test_client(), app.test_client()
    known = known_client.post_form(FORGOT, {"email": user.email})
    unknown = unknown_client.post_form(FORGOT, {"email": "nobody@example.org"})

    assert (unknown.status_code, unknown.headers["Location"]) == (known.status_code, known.headers["Location"])
    assert flashes(unknown_client) == flashes(known_client) == [RESET_SENT]
    assert [message["To"] for message in mailbox.messages] == [user.email]


def test_a_mail_server_failure_does_not_reveal_that_an_account_exists(app, make_user):
    user = make_user()
    app.config.update(LMS_MAIL_SERVER="127.0.0.1", LMS_MAIL_PORT=free_port(), LMS_MAIL_USE_TLS=False,
                      PROPAGATE_EXCEPTIONS=False)  # nothing listens there: the server is down
    known_client, unknown_client = app.test_client(), app.test_client()
    known = known_client.post_form(FORGOT, {"email": user.email})
    unknown = unknown_client.post_form(FORGOT, {"email": "nobody@example.org"})

    assert (known.status_code, known.headers.get("Location")) == (unknown.status_code, unknown.headers["Location"])
    assert flashes(known_client) == flashes(unknown_client) == [RESET_SENT]


def test_a_deactivated_account_gets_no_reset_email(app, client, mailbox, make_user):
    user = make_user(active=False)
    response = client.post_form(FORGOT, {"email": user.email})
    assert response.status_code == 302
    assert flashes(client) == [RESET_SENT]
    assert mailbox.messages == []


def test_a_reset_link_stops_working_when_the_account_is_deactivated(app, client, admin_client, make_user):
    user = make_user()
    link = f"/password/reset/{reset_token(app, user.id)}"
    admin_client.post_form(f"/admin/users/{user.id}/deactivate")
    assert client.get(link).headers["Location"] == FORGOT


def test_a_reset_ends_the_persons_other_sessions(app, client, mailbox, make_user, login):
    user = make_user()
    elsewhere = app.test_client()
    login(elsewhere, user)
    assert is_logged_in(elsewhere)

    client.post_form(FORGOT, {"email": user.email})
    choose_new_password(client, link_in(mailbox.to(user.email)[0], "/password/reset/"))
    assert not is_logged_in(elsewhere)


# --- 3. Email verification -------------------------------------------------------------------

def test_registering_sends_a_verification_email_in_the_language_chosen(app, client, mailbox):
    client.post_form("/register", registration(locale="es"))
    [(recipients, message)] = mailbox.received
    assert recipients == ["selam@example.org"]
    assert message["Subject"] != "Confirm your email address", "a Spanish speaker got the English subject"
    assert message["Subject"] == spanish("Confirm your email address")
    assert link_in(message, "/account/verify/")


def test_a_reset_email_is_in_the_persons_language_not_the_browsers(app, client, mailbox, make_user):
    user = make_user(locale="es")
    client.post_form(FORGOT, {"email": user.email})
    [message] = mailbox.to(user.email)
    assert message["Subject"] != "Choose a new password", "a Spanish speaker got the English subject"
    assert message["Subject"] == spanish("Choose a new password")


def test_opening_the_verification_link_changes_nothing_until_the_button_is_pressed(app, client, mailbox):
    client.post_form("/register", registration())
    link = link_in(mailbox.to("selam@example.org")[0], "/account/verify/")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "selam@example.org"))

    visitor = app.test_client()  # a mail scanner or another browser following the link
    page = visitor.get(link)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<form method="post">' in html and 'name="csrf_token"' in html and "Confirm</button>" in html
    assert stored(app, user_id).email_verified_at is None

    response = visitor.post_form(link)
    assert response.status_code == 302
    assert stored(app, user_id).email_verified_at is not None


def test_a_verification_link_for_an_old_email_address_is_refused(app, client, mailbox):
    client.post_form("/register", registration())
    link = link_in(mailbox.to("selam@example.org")[0], "/account/verify/")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "selam@example.org"))
        user.email = "selam.new@example.org"
        db.session.commit()
        user_id = user.id

    visitor = app.test_client()
    response = visitor.get(link)
    assert response.status_code == 302
    assert flashes(visitor) == [VERIFY_REFUSED]
    visitor.post_form(link)
    assert stored(app, user_id).email_verified_at is None


def test_asking_for_a_new_verification_link_sends_one_and_is_rate_limited(app, client, mailbox, make_user, login):
    user = make_user()
    login(client, user)
    for _ in range(3):
        assert client.post_form("/account/verify").status_code == 302
    assert len(mailbox.to(user.email)) == 3
    for message in mailbox.to(user.email):
        assert message["Subject"] == "Confirm your email address"
        assert link_in(message, "/account/verify/")

    assert client.post_form("/account/verify").status_code == 429
    assert len(mailbox.to(user.email)) == 3


def test_a_confirmed_address_gets_no_new_verification_link(app, client, mailbox, make_user, login):
    user = make_user()
    with app.app_context():
        db.session.get(User, user.id).email_verified_at = utcnow()
        db.session.commit()
    login(client, user)
    client.post_form("/account/verify")
    assert mailbox.messages == []


# --- 4. Password rules, wherever a password is chosen ----------------------------------------

EMAIL = "tesfaye.selam@example.org"


def passphrase(length: int) -> str:
    return ("quiet mango harbour at dawn " * 10)[:length]


@pytest.fixture(params=["registration", "password change", "password reset"])
def choose_password(request, app, make_user, login):
    """Choose `password` at registration, password change or reset, as EMAIL; return (response, field id)."""
    place = request.param
    user = None if place == "registration" else make_user(email=EMAIL)

    def choose(password: str):
        client = app.test_client()
        if place == "registration":
            return client.post_form("/register", registration(email=EMAIL, password=password, confirm=password)), \
                "password"
        if place == "password change":
            login(client, user)
            return client.post_form("/account/password", {
                "current_password": PASSWORD, "new_password": password, "confirm": password}), "new_password"
        return choose_new_password(client, f"/password/reset/{reset_token(app, user.id)}", password), \
            "new_password"

    return choose


def assert_refused(app, choose, password, message):
    response, field = choose(password)
    assert response.status_code == 200
    assert message in (field_error(response.get_data(as_text=True), field) or "")
    assert not can_log_in(app, EMAIL, password)


def assert_accepted(app, choose, password):
    response, field = choose(password)
    assert response.status_code == 302, field_error(response.get_data(as_text=True), field)
    assert can_log_in(app, EMAIL, password)


def test_a_password_needs_at_least_8_characters(app, choose_password):
    assert_refused(app, choose_password, passphrase(7), "Use between 8 and 256 characters.")


@pytest.mark.parametrize("length", [8, 64, 256])
def test_long_passwords_are_accepted(app, choose_password, length):
    assert_accepted(app, choose_password, passphrase(length))


def test_an_all_lowercase_passphrase_is_accepted_without_composition_rules(app, choose_password):
    assert_accepted(app, choose_password, "mangoes ripen by the river")


@pytest.mark.parametrize("password", ["password", "iloveyou", "qwerty123", "password123", "Password123"])
def test_a_common_password_is_refused(app, choose_password, password):
    assert_refused(app, choose_password, password, TOO_EASY)


@pytest.mark.parametrize("password", [EMAIL, "tesfaye.selam", "Tesfaye.Selam@Example.org"])
def test_a_password_made_of_the_email_address_is_refused(app, choose_password, password):
    assert_refused(app, choose_password, password, TOO_EASY)


@pytest.mark.parametrize(("current", "message"), [
    ("", "Enter your current password."),
    ("not my password", "Your current password is not correct."),
])
def test_changing_the_password_asks_for_the_current_one(app, client, make_user, login, current, message):
    user = make_user()
    login(client, user)
    response = client.post_form("/account/password", {
        "current_password": current, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 200
    assert message in (field_error(response.get_data(as_text=True), "current_password") or "")
    assert can_log_in(app, user.email, PASSWORD) and not can_log_in(app, user.email, NEW_PASSWORD)


# --- 5. Privacy: download one's data; erasure by an admin ------------------------------------

def give_history(app, user_id: int, made, *, reflection: str, comments: str) -> None:
    """Enroll the person, let them write a reflection, complete the course and evaluate it."""
    with app.app_context():
        user = db.session.get(User, user_id)
        enrollment = enrolling.enroll(user, db.session.get(Course, made.course_id),
                                      db.session.get(Cohort, made.cohort_id), "en")
        modules = [db.session.get(Module, module_id) for module_id in made.module_ids]
        progress.save_reflection(enrollment, modules[0], reflection, shared=False)
        for module in modules:
            progress.complete_module(enrollment, module)
        evaluations.submit_evaluation(enrollment, overall=5, relevance=4, language_rating=5, comments=comments,
                                      consent=True, language="en")
        db.session.commit()


SELAM = {"email": "selam.tesfaye@example.org", "full_name": "Selam Tesfaye", "native_name": "ሰላም ተስፋዬ"}
SELAM_REFLECTION = "My grandmother's stories shape how I greet families."
SELAM_COMMENTS = "Learning in Amharic made the hard parts easy."
BAO = {"email": "bao.nguyen@example.org", "full_name": "Bao Nguyen", "native_name": "Nguyễn Bảo"}
BAO_REFLECTION = "Bao writes about the toddler room."
BAO_COMMENTS = "Bao would like more video."


@pytest.fixture
def selam_and_bao(app, make_user, make_course):
    """Two trainees who completed the same course, each with a reflection and an evaluation."""
    made = make_course(modules=2)
    selam, bao = make_user(**SELAM), make_user(**BAO)
    give_history(app, selam.id, made, reflection=SELAM_REFLECTION, comments=SELAM_COMMENTS)
    give_history(app, bao.id, made, reflection=BAO_REFLECTION, comments=BAO_COMMENTS)
    return selam, bao, made


def test_a_person_downloads_everything_held_about_them_and_nothing_about_others(app, client, login, selam_and_bao):
    selam, bao, made = selam_and_bao
    login(client, selam)
    response = client.get("/account/export.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "no-store" in response.headers["Cache-Control"]
    body = response.get_data(as_text=True)
    data = json.loads(body)
    assert data["account"]["email"] == SELAM["email"]
    assert data["account"]["full_name"] == SELAM["full_name"]
    assert data["account"]["name_in_own_script"] == SELAM["native_name"]
    [enrollment] = data["enrollments"]
    assert enrollment["course"] == made.code and enrollment["completed_at"]
    assert [m["completed_at"] is not None for m in enrollment["modules"]] == [True, True]
    assert SELAM_REFLECTION in [m["reflection"] for m in enrollment["modules"]]
    assert enrollment["evaluation"]["comments"] == SELAM_COMMENTS
    assert [n["kind"] for n in data["notifications"]] == ["course_completed"]

    for about_bao in (*BAO.values(), BAO_REFLECTION, BAO_COMMENTS, "Bao"):
        assert about_bao not in body


def test_the_data_download_asks_to_log_in_again_when_the_login_is_old(app, client, make_user, login):
    login(client, make_user())
    with client.session_transaction() as session:
        session["lms_auth_at"] -= (app.config["LMS_RECENT_LOGIN_MINUTES"] + 1) * 60
    response = client.get("/account/export.json")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/reauthenticate")


def program_counts(app) -> tuple[int, int]:
    """All enrollments, and the completed ones."""
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Enrollment)),
                db.session.scalar(select(func.count()).select_from(Enrollment)
                                  .where(Enrollment.completed_at.is_not(None))))


def everything_in_the_database(app) -> str:
    """Every row of every table, as text, to look for personal data in."""
    with app.app_context():
        return "\n".join(repr(tuple(row)) for table in db.metadata.sorted_tables
                         for row in db.session.execute(table.select()))


def audit_events(app) -> list[tuple]:
    with app.app_context():
        return [(e.action, e.actor_id, e.target_user_id)
                for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_an_admin_erases_a_person_and_program_counts_stay_right(
        app, admin, admin_client, login, mailbox, selam_and_bao):
    selam, bao, _ = selam_and_bao
    selams_browser = app.test_client()
    login(selams_browser, selam)
    counts = program_counts(app)
    assert counts == (2, 2)

    response = admin_client.post_form(f"/admin/users/{selam.id}/erase", {"confirm": "erase"})
    assert response.status_code == 302
    assert flashes(admin_client)[-1].startswith("The person's personal data is erased.")

    erased = stored(app, selam.id)
    assert erased.email != SELAM["email"] and erased.full_name != SELAM["full_name"]
    assert erased.native_name is None and erased.erased_at is not None and not erased.is_active
    with app.app_context():
        enrollment_id = db.session.scalar(select(Enrollment.id).where(Enrollment.user_id == selam.id))
        assert db.session.scalars(select(ModuleProgress.reflection)
                                  .where(ModuleProgress.enrollment_id == enrollment_id)).all() == [None, None]
        assert db.session.scalar(select(CourseEvaluation.comments)
                                 .where(CourseEvaluation.enrollment_id == enrollment_id)) == ""
        assert db.session.scalar(select(func.count()).select_from(Notification)
                                 .where(Notification.user_id == selam.id)) == 0
    everything = everything_in_the_database(app)
    for personal in (*SELAM.values(), SELAM_REFLECTION, SELAM_COMMENTS):
        assert personal not in everything
    for kept in (BAO["email"], BAO_REFLECTION, BAO_COMMENTS):
        assert kept in everything, "erasing one person must not touch another's data"

    assert not can_log_in(app, SELAM["email"], PASSWORD)
    assert not is_logged_in(selams_browser), "the person's open session must end"
    app.test_client().post_form(FORGOT, {"email": SELAM["email"]})
    assert mailbox.messages == [], "the old address must not get a reset link"
    assert program_counts(app) == counts
    assert ("user_erased", admin.id, selam.id) in audit_events(app)


def test_erasing_needs_the_confirm_box(app, admin_client, make_user):
    person = make_user(**SELAM)
    response = admin_client.post_form(f"/admin/users/{person.id}/erase", {})
    assert response.status_code == 302
    assert flashes(admin_client) == ["Tick the box to confirm that the erasure cannot be undone."]
    assert stored(app, person.id).email == SELAM["email"]
    assert audit_events(app) == []


@pytest.mark.parametrize(("whom", "message"), [
    ("themselves", "You cannot erase your own account."),
    ("another admin", "Remove the administrator role first."),
])
def test_an_admin_cannot_erase_themselves_or_another_admin(app, admin, admin_client, make_user, whom, message):
    target = admin if whom == "themselves" else make_user("admin")
    admin_client.post_form(f"/admin/users/{target.id}/erase", {"confirm": "erase"})
    assert message in flashes(admin_client)
    kept = stored(app, target.id)
    assert kept.email == target.email and kept.erased_at is None and kept.is_active
    assert audit_events(app) == []


@pytest.mark.parametrize("role", ["trainee", "mentor"])
def test_trainees_and_mentors_cannot_erase_anyone(app, client, make_user, login, role):
    person = make_user(**SELAM)
    login(client, make_user(role))
    response = client.post_form(f"/admin/users/{person.id}/erase", {"confirm": "erase"})
    assert response.status_code == 403
    kept = stored(app, person.id)
    assert kept.email == SELAM["email"] and kept.erased_at is None
    assert audit_events(app) == []
