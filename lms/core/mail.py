"""Send email over SMTP (LMS_MAIL_*); with no LMS_MAIL_SERVER, write it to the log instead.

A development site logs the text as its reader would see it, so links can be copied whole; production
logs only that a message was not sent, never its body (a reset link is as good as a password).
"""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("lms.mail")


def send_mail(to: str, subject: str, body: str) -> EmailMessage | None:
    """Send one message; a mail-server failure is logged, never shown, and returns None.

    Pages that send mail answer the same whether or not it went out, so a failure reveals nothing.
    """
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["LMS_MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if not config["LMS_MAIL_SERVER"]:
        _log_unsent(message)
        return message
    smtp_class = smtplib.SMTP_SSL if config["LMS_MAIL_USE_SSL"] else smtplib.SMTP
    try:
        with smtp_class(config["LMS_MAIL_SERVER"], config["LMS_MAIL_PORT"], timeout=config["LMS_MAIL_TIMEOUT"]) as smtp:
            if config["LMS_MAIL_USE_TLS"]:
                smtp.starttls()
            if config["LMS_MAIL_USERNAME"]:
                smtp.login(config["LMS_MAIL_USERNAME"], config["LMS_MAIL_PASSWORD"])
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError):
        log.exception("Could not send the email %r", subject)
        return None
    return message


def _log_unsent(message: EmailMessage) -> None:
    # %r and indented body lines: a subject or body cannot start a line that passes for another record.
    if not current_app.config["LMS_DEVELOPMENT"]:
        log.warning("Email to %r, %r, not sent: set LMS_MAIL_SERVER", message["To"], message["Subject"])
        return
    text = message.get_body(preferencelist=("plain",)).get_content()
    log.info("Email not sent (no LMS_MAIL_SERVER) to %r, %r; it reads:\n%s", message["To"], message["Subject"],
             "\n".join("    " + line for line in text.splitlines()))
