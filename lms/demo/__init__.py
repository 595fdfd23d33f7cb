"""A realistic demo program for trying the app: run by `flask lms demo-data`.

Running it again creates only what is missing, so nothing is duplicated.
"""

from sqlalchemy import select

from lms.accounts.models import User
from lms.demo.attendance import build_attendance
from lms.demo.certificates import build_certificates
from lms.demo.courses import build_courses
from lms.demo.mentoring import build_mentoring
from lms.demo.people import DEMO_PASSWORD, DemoLogin, build_people
from lms.demo.reports import build_reports
from lms.extensions import db

__all__ = ["DEMO_PASSWORD", "DemoLogin", "build_demo"]


def build_demo() -> list[DemoLogin]:
    logins = build_people()
    build_courses()
    admin = db.session.scalar(select(User).where(User.email == logins[0].email))
    build_mentoring(admin)
    build_attendance(admin)
    build_certificates(admin)
    build_reports()
    return logins
