"""Send email over SMTP (LMS_MAIL_*); with no LMS_MAIL_SERVER, write it to the log instead."""

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
        log.info("Email not sent (no LMS_MAIL_SERVER); it reads:\n%s", message)
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
