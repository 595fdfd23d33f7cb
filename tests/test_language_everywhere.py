"""A person's chosen language follows them everywhere: pages, emails, the certificate and the calendar feed."""

from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal

from lms.accounts import emails
from lms.accounts.models import User
from lms.attendance import calendar
from lms.credentials.documents import certificate_data
from lms.extensions import db
from lms.languages import catalogs
from lms.notifications.services import notify
from tests.pages import text_of
from tests.test_catalogs import LANGUAGES


def translated(language: str, english: str) -> str:
    message = catalogs.read(catalogs.po_path(language)).get(english)
    assert message is not None and message.string and message.string != english
    return message.string


@pytest.fixture
def person(app, make_user):
    def make(language):
        user = make_user(locale=language, full_name="Hodan Cali")
        with app.app_context():
            notify(user.id, "mentor_invited")
            db.session.commit()
        return user

    return make


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_greet_the_person_in_their_language_whatever_the_browser_asks(client, login, person, language):
    login(client, person(language))
    home = text_of(client.get("/", headers={"Accept-Language": "en-US"}))
    invitation = "The program invites you to become a mentor. See your invitation under My mentoring."
    assert translated(language, invitation) in home


@pytest.mark.parametrize("language", LANGUAGES)
def test_emails_are_written_in_the_persons_language(app, person, monkeypatch, language):
    sent = []
    monkeypatch.setattr(emails, "send_mail", lambda to, subject, body: sent.append((subject, body)))
    user = person(language)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        emails.send_password_reset(db.session.get(User, user.id))
        emails.send_verification(db.session.get(User, user.id))
    [(reset_subject, reset_body), (verify_subject, _)] = sent
    assert reset_subject == translated(language, "Choose a new password")
    assert verify_subject == translated(language, "Confirm your email address")
    assert translated(language, "The link works once. If you did not ask for it, you can ignore this email: your "
                                "password stays the same.") in reset_body


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_calendar_feed_is_named_in_the_persons_language(app, person, language):
    user = person(language)
    with app.app_context():
        token = calendar.reset_token(db.session.get(User, user.id)).token
        db.session.commit()
    feed = app.test_client().get(f"/calendar/{token}.ics", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"X-WR-CALNAME:{translated(language, 'My sessions')}" in feed


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_certificate_speaks_the_trainees_language(app, language):
    class Program:
        name = "BIPOC Community of Leaders"

    with app.test_request_context(headers={"Accept-Language": "en"}):
        data = certificate_data(program=Program, names=("Hodan Cali",), pd_hours=Decimal("1234.5"),
                                completed_on=date(2026, 6, 30), issuer="Best Starts for Kids", signatory_name="A",
                                signatory_title="B", serial="2026-AAAA-BBBB", verify_url="https://x/verify",
                                language=language)
    assert data.labels["title"] == translated(language, "Certificate of Completion")
    assert data.completed_on == format_date(date(2026, 6, 30), "long", locale=language)
    assert data.hours == format_decimal(Decimal("1234.5"), "#,##0.#", locale=language)
    assert data.rtl is (language == "ar")
