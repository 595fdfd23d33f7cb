"""Mail with no LMS_MAIL_SERVER: a development site logs it readable, production only that it was not sent."""

import logging

import pytest

from lms.core.mail import send_mail

#: A reset link long enough to be wrapped, with an "=" that quoted-printable would write "=3D".
LINK = "http://127.0.0.1:5101/password/reset/eyJ1IjoxLCJwIjoiYWJjZGVmIn0.Zm9vYmFy.c2lnbmF0dXJlLXNpZ25hdHVyZQ=="


@pytest.fixture
def mail_log(caplog):
    caplog.set_level(logging.INFO, logger="lms.mail")
    return lambda: [record for record in caplog.records if record.name == "lms.mail"]


def test_development_mail_is_logged_as_plain_text_with_whole_links(app, mail_log):
    with app.app_context():
        send_mail("selam@example.org", "Choose a new password", f"Hello ሰላም,\n\nOpen this link:\n\n{LINK}\n")
    [record] = mail_log()
    text = record.getMessage()
    assert LINK in text and "ሰላም" in text
    assert "selam@example.org" in text and "Choose a new password" in text
    assert "=3D" not in text and "Content-Transfer-Encoding" not in text


def test_development_mail_cannot_forge_a_log_line(app, mail_log):
    forged = "2026-01-01 09:00:00,000 INFO lms.security a forged record"
    with app.app_context():
        send_mail("selam@example.org", "Choose a new password", f"Hello,\n{forged}\r{forged}\u2028{forged}\n")
    [record] = mail_log()
    first, *others = record.getMessage().splitlines()
    assert others and all(line.startswith(" ") for line in others), "a body line could pass for a log record"


def test_production_mail_without_a_server_is_logged_without_its_body(app, mail_log):
    app.config["LMS_DEVELOPMENT"] = False  # as in production, whose links test_config checks
    with app.app_context():
        send_mail("selam@example.org", "Choose a new password", f"Open this link:\n{LINK}\n")
    [record] = mail_log()
    assert record.levelno == logging.WARNING
    assert "selam@example.org" in record.getMessage() and "Choose a new password" in record.getMessage()
    assert "reset" not in record.getMessage() and "\n" not in record.getMessage()
