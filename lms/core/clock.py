"""The program's calendar: dates are decided in its time zone (LMS_TIMEZONE), not the server's."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from lms.sqltypes import utcnow


def program_now() -> datetime:
    """The current moment, aware, in the program's time zone."""
    return utcnow().astimezone(ZoneInfo(current_app.config["LMS_TIMEZONE"]))


def program_today() -> date:
    return program_now().date()
